/**
 * Test your own recovery code: {@link CrashFs} is an in-memory
 * {@link FsAdapter} that records every operation and replays the disk as it
 * would look after a power cut at any point (unsynced writes lost, torn,
 * reordered), and injects I/O faults such as a full disk.
 *
 * @example Every disk state a power cut could leave
 * ```ts
 * import { CrashFs } from "@kevy/persist/testing";
 *
 * const fs = new CrashFs();
 * await fs.mkdir("/db");
 * const f = await fs.openAppend("/db/aof");
 * await f.write(new TextEncoder().encode("hello"));
 * for (const image of fs.crashImages(fs.ops.length)) {
 *   console.log(image.crashVariant, await image.stat("/db/aof"));
 * }
 * ```
 *
 * @module
 */

export type { FsAdapter } from "../fs/types.ts";
export {
  CRASH_VARIANTS,
  CrashFs,
  type CrashOp,
  type CrashOpKind,
  type CrashOptions,
  type CrashPoint,
  type CrashVariant,
  type FaultKind,
  type FaultTarget,
} from "../fs/crash.ts";
