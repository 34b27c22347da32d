/**
 * Whole-store snapshot images in memory: {@link encodeSnapshot} and the
 * all-or-nothing {@link decodeSnapshot}. Files and streaming live in
 * `src/persist/`; these build on `src/codec/snapshot.ts`.
 *
 * @module
 */
import { concatBytes } from "../codec/bytes_util.ts";
import { encodeSnapshotChunks, SnapshotDecoder } from "../codec/snapshot.ts";
import { HASH_RUN_SINK, HASH_SINK, STREAM_SINK, STRING_RUN_SINK } from "../codec/snapshot_types.ts";
import { FieldTtlTable } from "../codec/field_ttls.ts";
import { RecordBatch } from "./batch.ts";
import { applyFieldTtls, StoreLoader } from "./loader.ts";
import { Store } from "./store.ts";
import { whileLoading } from "./_expiry.ts";

/**
 * The store's live keys as one snapshot image (version 4, or 6 with hash-field
 * TTLs), checksum trailer included. Entries whose
 * deadline is `<= now` are left out (`now` defaults to `store.now()`).
 * Records follow the store's iteration order, so the bytes are not canonical;
 * the decoded keyspace is.
 *
 * @example
 * ```ts
 * import { encodeSnapshot, Store } from "@kevy/persist/store";
 * const store = new Store();
 * store.put({ key: new TextEncoder().encode("k"), value: { type: "string", value: new Uint8Array([1]) }, deadline: null });
 * encodeSnapshot(store).length; // 9 header + 12 record + 1 EOF = 22
 * ```
 */
export function encodeSnapshot(store: Store, opts: { now?: number } = {}): Uint8Array {
  const now = opts.now ?? store.now();
  const chunks = Array.from(encodeSnapshotChunks(store.entries(), { now }));
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/**
 * Loads a snapshot image (versions 2 to 7) into `opts.store`, or into a new
 * {@link Store}, and returns that store. Hash-field TTLs (kevy 5.x) are
 * applied once every record is in; a checksum trailer is verified; a
 * row-segment stub throws `SegmentStubError`.
 *
 * **All or nothing**, unlike kevy (whose loader keeps the records read before
 * an error): on any error the given store is untouched. Later records replace
 * earlier ones with the same key; hash/zset duplicates keep the last, sets
 * de-duplicate (through `Store.put`). Records with a deadline `<= now` are not
 * loaded (as Redis loads an RDB), unless `keepExpired` (a log replay follows:
 * they load in loading mode, see `whileLoading`, and expire afterwards). `now`
 * defaults to the store's clock; version-2 relative TTLs count from it.
 *
 * Throws `CorruptFileError` for bad bytes (path, offset, expected). A NaN
 * zset score (kevy 1.17 can write one) is loaded as kevy does (see the
 * `SortedSet` notes).
 *
 * @example
 * ```ts
 * import { decodeSnapshot, encodeSnapshot, Store } from "@kevy/persist/store";
 * const a = new Store();
 * a.put({ key: new TextEncoder().encode("k"), value: { type: "list", value: [new Uint8Array([7])] }, deadline: null });
 * const b = decodeSnapshot(encodeSnapshot(a));
 * b.dbsize(); // 1
 * ```
 */
export function decodeSnapshot(
  bytes: Uint8Array,
  opts: { now?: number; store?: Store; path?: string; keepExpired?: boolean } = {},
): Store {
  const keep = opts.keepExpired === true;
  const target = opts.store ?? new Store();
  const now = opts.now ?? target.now();
  const path = opts.path;
  // Without a caller's store, fill the fresh one directly (discarded on error);
  // otherwise collect first and touch the caller's store only on success.
  const batch = opts.store === undefined ? null : new RecordBatch();
  const loader = batch === null ? new StoreLoader(target, bytes.length) : null;
  const ttls = new FieldTtlTable();
  const dec = new SnapshotDecoder({
    now,
    onFieldTtl: (k, f, d) => ttls.add(k, f, d),
    keepExpired: keep,
    totalSize: bytes.length,
    ...(path === undefined ? {} : { path }),
    onString: loader !== null ? loader.onString : batch!.onString,
    ...(loader === null ? {} : {
      [HASH_SINK]: loader.onHash,
      [STREAM_SINK]: loader.onStream,
      [STRING_RUN_SINK]: loader.onRun,
      [HASH_RUN_SINK]: loader.onHashRun,
    }),
    onEntry: (e, offset) => {
      if (loader !== null) loader.put(e, offset);
      else batch!.addEntry(e);
    },
  });
  const cutoff = keep ? -Infinity : now;
  const load = (): void => {
    dec.push(bytes);
    dec.finish();
    batch?.applyTo(target);
    applyFieldTtls(target, ttls, cutoff);
  };
  if (keep) whileLoading(load);
  else load();
  return target;
}
