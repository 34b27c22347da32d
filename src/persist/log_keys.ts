/**
 * The keys a log names: {@link logKeys}, how a split load (migrate, dump)
 * learns which snapshot records the log after it can touch.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { keyPositions, lookupCommand } from "../store/commands.ts";
import { replayAof } from "./replay.ts";

/** Commands that reach keys beyond their key positions. */
const REACHES_ALL = new Set(["flushall", "flushdb", "swapdb", "sort", "sort_ro"]);

/**
 * Reads the AOF at `aof` once and calls `onKey` with every key its commands
 * name (the command table's key positions; the bytes are valid during the
 * call only). Resolves false, and stops calling, at the first command that
 * can reach keys it does not name (FLUSHALL, FLUSHDB, SWAPDB, SORT) or that
 * the table does not know or refuses: then only a full load is exact. Read
 * errors and corruption reject as `replayAof` does.
 *
 * @example
 * ```ts
 * import { logKeys } from "@kevy/persist/persist";
 * const keys: string[] = [];
 * const exact = await logKeys("data/aof-0.aof", (k) => keys.push(new TextDecoder().decode(k)));
 * exact; // true (a missing log names nothing)
 * ```
 */
export async function logKeys(
  aof: string,
  onKey: (key: Uint8Array) => void,
  opts: { fs?: FsAdapter } = {},
): Promise<boolean> {
  let exact = true;
  await replayAof(aof, (argv) => {
    if (!exact || argv.length === 0) return;
    const c = lookupCommand(argv[0]!);
    if (c === undefined || REACHES_ALL.has(c.name) || (c.unsupported?.(argv) ?? null) !== null) {
      exact = false;
      return;
    }
    for (const p of keyPositions(c, argv)) onKey(argv[p]!);
  }, { ...(opts.fs === undefined ? {} : { fs: opts.fs }), onUnknown: "skip" });
  return exact;
}
