/**
 * Loads a snapshot and the log after it for a one-pass export (a migration
 * into Redis): {@link loadSplit}. The result is exactly the keyspace a
 * full load gives, split in two: string records that nothing in the log
 * touches stay as byte ranges of the snapshot ({@link StringRecords}, no
 * index or arena to build), everything else is in a Store with the log
 * replayed on top.
 *
 * Why it is exact: a key the log never names keeps its snapshot value. The
 * log is read once before it is applied, and every key any of its commands
 * names (the command table's key positions) moves into the Store first. A
 * command that can reach keys it does not name (FLUSHALL, FLUSHDB, SWAPDB,
 * SORT with its BY/GET patterns) or that the table does not know moves
 * every record into the Store: the plain full load.
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import { FieldTtlTable } from "../codec/field_ttls.ts";
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import type { Store } from "../store/store.ts";
import { finishFieldTtls, readSnapshotFile } from "./_snapshot_io.ts";
import { logKeys } from "./log_keys.ts";
import { replayAofInto, type ReplayStats } from "./replay.ts";
import { StringRecords } from "./string_records.ts";
import type { OnUnknown } from "./unknown.ts";

/** Options of {@link loadSplit}. */
export interface SplitLoadOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** An unsupported command in the log: `"error"` (default) or `"skip"` (see replayAofInto). */
  onUnknown?: OnUnknown;
}

/** What {@link loadSplit} loaded. */
export interface SplitLoad {
  /** Every key but those in `strings`, the log applied. */
  store: Store;
  /** Live string records of the snapshot that the log never names (no key is in both). */
  strings: StringRecords;
  /** The log's replay (frames 0 and format "legacy" when there is none). */
  replay: ReplayStats;
  /** False when a command of the log made the split unsafe: everything went into `store`. */
  split: boolean;
}

/**
 * Loads the snapshot at `snapshot` (if any; records past `now` 0 are kept,
 * as a load with a frozen clock) and the AOF at `aof` on top, into `store`
 * (use a fresh store with a clock standing still at 0: nothing expires while
 * loading) and a {@link StringRecords}. Errors as `loadSnapshot` and
 * `replayAofInto` give them.
 *
 * @example
 * ```ts
 * import { loadSplit, saveSnapshot } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const s = new Store();
 * s.setString(new TextEncoder().encode("a"), new TextEncoder().encode("1"));
 * await saveSnapshot(s, "data/dump-0.rdb");
 * const r = await loadSplit("data/dump-0.rdb", "data/aof-0.aof", new Store({ now: () => 0 }));
 * r.strings.size + r.store.dbsize(); // 1
 * ```
 */
export async function loadSplit(
  snapshot: string | null,
  aof: string | null,
  store: Store,
  opts: SplitLoadOptions = {},
): Promise<SplitLoad> {
  const fs = opts.fs ?? defaultFs();
  const strings = new StringRecords();
  if (snapshot !== null && await fs.stat(snapshot) !== null) {
    const ttls = new FieldTtlTable();
    const onEntry = (e: Entry): void => {
      // A later record of the same key wins, whatever its type.
      const i = strings.find(e.key);
      if (i >= 0) strings.remove(i);
      store.put(e);
    };
    await readSnapshotFile(fs, snapshot, onEntry, 0, (b, k, kl, v, vl, d) => {
      if (store.dbsize() > 0) store.delete(b.subarray(k, k + kl));
      strings.add(b, k, kl, v, vl, d);
    }, ttls);
    finishFieldTtls(store, ttls, 0);
  }
  let split = true;
  if (aof !== null && strings.size > 0 && await fs.stat(aof) !== null) {
    // The log's keys move into the store before it is applied.
    split = await logKeys(aof, (key) => {
      const i = strings.find(key);
      if (i >= 0) moveOne(strings, i, store);
    }, { fs });
    if (!split) {
      const c = strings.cursor();
      while (c.next()) {
        store.putString(c.kbuf, c.koff, c.klen, c.kbuf, c.voff, c.vlen, c.deadline);
      }
      strings.clear();
    }
  }
  const replay = aof === null
    ? emptyReplay()
    : await replayAofInto(aof, store, { fs, onUnknown: opts.onUnknown ?? "error" });
  return { store, strings, replay, split };
}

function moveOne(strings: StringRecords, i: number, store: Store): void {
  const e = strings.entry(i);
  strings.remove(i);
  store.put(e);
}

function emptyReplay(): ReplayStats {
  return {
    frames: 0,
    bytes: 0,
    header: false,
    format: "legacy",
    tornTxn: null,
    discardedTxns: [],
    tornAt: null,
    tornBytes: 0,
    ms: 0,
    skipped: {},
  };
}
