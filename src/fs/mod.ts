/**
 * Filesystem adapters: the small {@link FsAdapter} interface every file
 * operation of the library goes through, its implementations for Node, Deno
 * and Bun, and {@link defaultFs} that picks the one of the running runtime.
 * Pass your own adapter to add metrics, quotas or a virtual disk; see
 * `@kevy/persist/testing` for one that simulates power cuts.
 *
 * @example
 * ```ts
 * import { defaultFs, runtimeName } from "@kevy/persist/fs";
 *
 * const fs = defaultFs();
 * console.log(runtimeName(), await fs.stat("no-such-file")); // e.g. "deno" null
 * ```
 *
 * @module
 */

export {
  type DirEntry,
  type FileInfo,
  type FsAdapter,
  isAlreadyExists,
  isNotFound,
  NotAFileError,
  type OpenWriteOptions,
  type WritableFile,
} from "./types.ts";
export { defaultFs, type RuntimeName, runtimeName } from "./detect.ts";
export { nodeFs } from "./node.ts";
export { createDenoFs, type DenoFsOptions } from "./deno.ts";
export { createBunFs } from "./bun.ts";
export { fileIdentity, openTailFile, type TailFile } from "./tail.ts";
