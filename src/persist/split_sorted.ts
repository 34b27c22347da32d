/**
 * A split load for a sorted export (`kevy-persist dump`): {@link loadSplitSorted}.
 * The snapshot's string records stay byte ranges of the file
 * ({@link StringRecords}, then {@link SortedStrings}: no Store index or
 * arena for them), other records go into a Store, and the log after the
 * snapshot is replayed on top, with the records it names moved into the
 * Store first. The keyspace is the one the full load (every record into a
 * Store, then the log) gives, or the function says it cannot promise that.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { type Store, whileLoading } from "../store/store.ts";
import { loadSnapshotInto } from "./_snapshot_io.ts";
import { logKeys } from "./log_keys.ts";
import { replayAofInto, type ReplayStats } from "./replay.ts";
import { KeyList, SortedStrings } from "./sorted_strings.ts";
import { StringRecords } from "./string_records.ts";
import type { OnUnknown } from "./unknown.ts";

/** Records read before the count is estimated. */
const SAMPLE = 1024;
/** The smallest string record: opcode, TTL flag, two lengths. */
const MIN_RECORD = 10;

/** Options of {@link loadSplitSorted}. */
export interface SplitSortedOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** The instant records are judged at (default: the store's clock, once). */
  now?: number;
  /**
   * Keep records whose deadline is `<= now` (a log follows: nothing expires
   * while loading, as `loadSnapshot`'s `keepExpired`). Default false: they
   * are dropped as they are read.
   */
  keepExpired?: boolean;
  /** An unsupported command in the log: `"error"` (default) or `"skip"` (see replayAofInto). */
  onUnknown?: OnUnknown;
}

/** What {@link loadSplitSorted} loaded. */
export interface SplitSorted {
  /** The snapshot's string records the log never names, in key order; none is in the Store. */
  strings: SortedStrings;
  /** The log's replay, or null without a log. */
  replay: ReplayStats | null;
}

/**
 * Loads the snapshot at `snapshot` into `store` (a fresh one; its clock
 * judges the log, as for a full load) and a {@link SortedStrings}, then
 * the AOF at `aof` (if given and present) on top. Resolves null, having
 * changed `store`, when only a full load is exact: a key with records of
 * two types in the snapshot, or a log command that reaches keys it does not
 * name (FLUSHALL, SORT, ...) or that is unknown. Errors as `loadSnapshot`
 * and `replayAofInto` give them. Rows past their deadline stay in
 * `strings` (use `dropExpired`).
 *
 * @example
 * ```ts
 * import { loadSplitSorted, saveSnapshot } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const s = new Store();
 * s.setString(new TextEncoder().encode("a"), new TextEncoder().encode("1"));
 * await saveSnapshot(s, "data/dump-0.rdb");
 * const r = await loadSplitSorted("data/dump-0.rdb", null, new Store());
 * r?.strings.length; // 1
 * ```
 */
export async function loadSplitSorted(
  snapshot: string,
  aof: string | null,
  store: Store,
  opts: SplitSortedOptions = {},
): Promise<SplitSorted | null> {
  const fs = opts.fs ?? defaultFs();
  const keep = opts.keepExpired === true;
  const now = opts.now ?? store.now();
  const st = await fs.stat(snapshot);
  const size = st?.size ?? 0;
  const records = new StringRecords();
  let first = -1, seen = 0;
  // Straight into the fresh store (no batch of entries), string records aside.
  await loadSnapshotInto(fs, snapshot, store, now, st?.size, keep, (b, k, kl, v, vl, d, at) => {
    records.add(b, k, kl, v, vl, d);
    if (++seen > SAMPLE) return;
    if (first < 0) first = at;
    else if (seen === SAMPLE && at > first) {
      // The first records' bytes tell how many the file holds, about.
      const est = Math.ceil(((size - first) / (at - first)) * (SAMPLE - 1) * 1.02);
      records.reserve(Math.min(est, Math.ceil(size / MIN_RECORD)));
    }
  });
  const strings = new SortedStrings(records);
  // A key with a string record and another: the later one wins (the full load knows which).
  if (strings.length > 0 && whileLoading(() => sharesKeys(store, strings))) return null;
  if (aof === null || await fs.stat(aof) === null) return { strings, replay: null };
  if (strings.length > 0) {
    const names = new KeyList();
    if (!await logKeys(aof, (k) => names.add(k), { fs })) return null;
    whileLoading(() =>
      strings.take(names, (r) => {
        const c = records.chunkOf(r);
        const ko = records.keyOffset(r), vo = records.valueOffset(r);
        const kl = records.keyLength(r), vl = records.valueLength(r);
        store.putString(c, ko, kl, c, vo, vl, records.deadline(r));
      })
    );
  }
  const replay = await replayAofInto(aof, store, { fs, onUnknown: opts.onUnknown ?? "error" });
  return { strings, replay };
}

/** True when a key of `store` is also a row of `strings` (records of two types). */
function sharesKeys(store: Store, strings: SortedStrings): boolean {
  for (const key of store.keys()) if (strings.indexOf(key) >= 0) return true;
  return false;
}
