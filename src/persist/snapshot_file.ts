/**
 * Snapshot files (`KEVYSNAP`): written as version 4 (readable by kevy 1.17
 * and 5.x) or 6 when a hash has field TTLs (kevy 5.x only), each followed by
 * a checksum trailer that kevy never reads and this library verifies; read
 * in versions 2 to 7.
 *
 * Saving streams the encoder's chunks to `<path>.tmp` (no full-size buffer),
 * fsyncs it, renames it over `path` and fsyncs the directory (kevy v1.17
 * skips the directory fsync, so a power cut can bring the old file back).
 * Loading streams the file through the decoder and is all-or-nothing: on
 * any error the target store is untouched.
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { dirname } from "../fs/path.ts";
import { tmpName } from "../codec/names.ts";
import { Store, whileLoading } from "../store/store.ts";
import { RecordBatch } from "../store/batch.ts";
import { freezeEntries } from "../codec/snapshot_writer.ts";
import { FieldTtlTable } from "../codec/field_ttls.ts";
import {
  finishFieldTtls,
  loadSnapshotInto,
  loadSnapshotIntoSync,
  readSnapshotFile,
  readSnapshotFileSync,
  writeSnapshotFile,
  writeSnapshotFileSync,
} from "./_snapshot_io.ts";

/** Options of {@link saveSnapshot}. */
export interface SaveSnapshotOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Save time in unix ms: entries whose deadline is <= now are skipped (default `store.now()`). */
  now?: number;
  /**
   * Receives, for each stream group whose entries-read is valid, the
   * `XGROUP SETID <key> <group> <last-delivered> ENTRIESREAD <n>` command that restores it
   * (the snapshot format has no place for entries-read): a log replayed after the snapshot
   * can carry them ({@link saveSnapshot} only; default: not collected).
   */
  groupPositions?: Uint8Array[][];
}

/** Options of {@link loadSnapshot}. */
export interface LoadSnapshotOptions {
  /** Load into this store (entries replace same-named keys); default a new `Store`. */
  store?: Store;
  /** Load time in unix ms (v2 TTL base, expiry filter); default the store's clock. */
  now?: number;
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /**
   * `false` (default): records whose deadline is <= `now` are dropped, as
   * Redis loads an RDB. `true`: they are loaded with their deadline and the
   * loads run in loading mode (see `whileLoading`), for a snapshot that a
   * log replay follows (a re-shard merge), as Redis loads an AOF's RDB
   * preamble: deadlines are judged once the log is replayed too.
   */
  keepExpired?: boolean;
}

/**
 * Writes `store` to `path` crash-safely (temp file, fsync, rename, directory
 * fsync). The entry list is copied at the call, so the store may change
 * while the file is written.
 *
 * @example
 * ```ts
 * import { saveSnapshot } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const store = new Store();
 * await saveSnapshot(store, "data/dump-0.rdb");
 * ```
 */
export async function saveSnapshot(
  store: { entries(): Iterable<Entry>; now(): number },
  path: string,
  opts: SaveSnapshotOptions = {},
): Promise<void> {
  const fs = opts.fs ?? defaultFs();
  const now = opts.now ?? store.now();
  const entries = freezeEntries(store.entries()); // a cheap copy for a Store
  const tmp = tmpName(path);
  await writeSnapshotFile(fs, tmp, entries, now, null, opts.groupPositions ?? null);
  await fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
}

/**
 * Blocking {@link saveSnapshot} (iterates the store directly).
 *
 * @example
 * ```ts
 * import { saveSnapshotSync } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * import { defaultFs } from "@kevy/persist/fs";
 * defaultFs().mkdirSync("data");
 * saveSnapshotSync(new Store(), "data/dump-0.rdb");
 * ```
 */
export function saveSnapshotSync(
  store: { entries(): Iterable<Entry>; now(): number },
  path: string,
  opts: SaveSnapshotOptions = {},
): void {
  const fs = opts.fs ?? defaultFs();
  const now = opts.now ?? store.now();
  const tmp = tmpName(path);
  writeSnapshotFileSync(fs, tmp, store.entries(), now);
  fs.renameSync(tmp, path);
  fs.syncDirSync(dirname(path));
}

/**
 * Loads the snapshot at `path`, streaming. All-or-nothing: on a
 * `CorruptFileError` (carrying the path) or a read error, `opts.store` is
 * unchanged. A missing file rejects with an error whose `code` is `ENOENT`
 * (check existence first when "no snapshot yet" is normal).
 *
 * @example
 * ```ts
 * import { loadSnapshot, saveSnapshot } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * await saveSnapshot(new Store(), "dump-0.rdb");
 * const store = await loadSnapshot("dump-0.rdb");
 * console.log(store.dbsize());
 * ```
 */
export async function loadSnapshot(path: string, opts: LoadSnapshotOptions = {}): Promise<Store> {
  const fs = opts.fs ?? defaultFs();
  const keep = opts.keepExpired === true;
  if (opts.store === undefined) {
    // A fresh store nobody else sees: fill it directly; dropped on error.
    const store = new Store();
    await loadSnapshotInto(fs, path, store, opts.now ?? store.now(), undefined, keep);
    return store;
  }
  // Records are collected first and applied only once the whole file decoded.
  const batch = new RecordBatch();
  const ttls = new FieldTtlTable();
  const now = opts.now ?? opts.store.now();
  await readSnapshotFile(fs, path, batch.onEntry, now, batch.onString, ttls, keep);
  const cutoff = keep ? -Infinity : now;
  const store = opts.store;
  const load = (): void => {
    batch.applyTo(store);
    finishFieldTtls(store, ttls, cutoff);
  };
  if (keep) whileLoading(load);
  else load();
  return opts.store;
}

/**
 * Blocking {@link loadSnapshot}.
 *
 * @example
 * ```ts
 * import { loadSnapshotSync, saveSnapshotSync } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * saveSnapshotSync(new Store(), "dump-0.rdb");
 * const store = loadSnapshotSync("dump-0.rdb");
 * ```
 */
export function loadSnapshotSync(path: string, opts: LoadSnapshotOptions = {}): Store {
  const fs = opts.fs ?? defaultFs();
  const keep = opts.keepExpired === true;
  if (opts.store === undefined) {
    const store = new Store();
    loadSnapshotIntoSync(fs, path, store, opts.now ?? store.now(), keep);
    return store;
  }
  const batch = new RecordBatch();
  const ttls = new FieldTtlTable();
  const now = opts.now ?? opts.store.now();
  readSnapshotFileSync(fs, path, batch.onEntry, now, batch.onString, ttls, keep);
  const cutoff = keep ? -Infinity : now;
  const store = opts.store;
  const load = (): void => {
    batch.applyTo(store);
    finishFieldTtls(store, ttls, cutoff);
  };
  if (keep) whileLoading(load);
  else load();
  return opts.store;
}
