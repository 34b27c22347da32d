/**
 * Who holds a data directory's lock, for tools that must not touch a dir a
 * store has open (`kevy-persist reshard`). The lock itself is taken by
 * `openStore` (numbered `kevy.lock.<N>` generations; see `_lock.ts`).
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { lockHolder } from "./_lock.ts";

/**
 * The live holder of `dir`'s lock — its lock file, pid and host — or null when
 * no live process holds it (never locked, released, or left by a process that
 * is gone). A holder on another host counts as live (its liveness is unknown).
 *
 * @example
 * ```ts
 * import { dirLockHolder } from "@kevy/persist";
 * const h = await dirLockHolder("./data");
 * if (h) console.error(`${h.path}: open in pid ${h.pid} on ${h.host}`);
 * ```
 */
export async function dirLockHolder(
  dir: string,
  opts: { fs?: FsAdapter } = {},
): Promise<{ path: string; pid: number; host: string } | null> {
  const h = await lockHolder(opts.fs ?? defaultFs(), dir);
  return h === null ? null : { path: h.path, pid: h.info.pid, host: h.info.host };
}
