// Writing a snapshot image to a path (synced, not renamed) and streaming one
// in; shared by snapshot_file.ts and the per-shard save protocol.
import type { Entry, StreamGroup } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import {
  encodeSnapshotChunks,
  type SnapshotCursor,
  SnapshotDecoder,
  type SnapshotDecodeStats,
  type SnapshotEncodeOptions,
  type StringRecordSink,
} from "../codec/snapshot.ts";
import {
  HASH_RUN_SINK,
  HASH_SINK,
  type InternalDecoderOptions,
  type InternalEncodeOptions,
  REUSE_CHUNKS,
  STREAM_SINK,
  STRING_RUN_SINK,
} from "../codec/snapshot_types.ts";
import { CorruptFileError } from "../codec/errors.ts";
import { type FieldTtlOutcome, FieldTtlTable } from "../codec/field_ttls.ts";
import { SnapshotChecksumError } from "../codec/snapshot_errors.ts";
import { type Store, whileLoading } from "../store/store.ts";
import { applyFieldTtls, StoreLoader } from "../store/loader.ts";
import { verifySnapshotFile, verifySnapshotFileSync } from "./snapshot_verify.ts";
import { groupPositions } from "./_rewrite_stream.ts";
import { Pacer, pushPaced, SAVE_TURN_MS } from "./_pacer.ts";

/**
 * Chunk of an async save: the event loop runs between two. A store's view is
 * taken in O(1), so encoding one chunk is the longest a save holds the loop:
 * 64 KiB is 0.3 ms warm and about 5 ms for the first, cold one (256 KiB took
 * 10 ms cold); each write costs a few µs more than a 256 KiB one.
 */
const ASYNC_CHUNK = 1 << 16;

/**
 * Writes `entries` as a snapshot to `path` (created/truncated) and fsyncs it. Removes it on
 * error. `positions` receives the `XGROUP SETID ... ENTRIESREAD` frames of the streams'
 * groups: the snapshot has no place for entries-read, the log after it carries them.
 */
export async function writeSnapshotFile(
  fs: FsAdapter,
  path: string,
  entries: Iterable<Entry>,
  now: number,
  cursor: SnapshotCursor | null = null,
  positions: Uint8Array[][] | null = null,
): Promise<void> {
  const f = await fs.openWrite(path);
  const onStreamGroups = positions === null
    ? undefined
    : (k: Uint8Array, gs: readonly StreamGroup[]) => void positions.push(...groupPositions(k, gs));
  // One write in flight while the next chunk is encoded (the write runs off the JS thread),
  // so the encoder may recycle a chunk's buffer once the next-but-one is asked for.
  let pending: Promise<void> | null = null;
  try {
    const base: SnapshotEncodeOptions & InternalEncodeOptions = {
      now,
      cursor,
      chunkBytes: ASYNC_CHUNK,
      [REUSE_CHUNKS]: true,
    };
    const opts = onStreamGroups === undefined ? base : { ...base, onStreamGroups };
    // A write that completes at once (an in-memory fs, a write that beat the encoder) gives
    // no turn of the event loop: the pacer then hands one back every few ms.
    const pacer = new Pacer(SAVE_TURN_MS);
    for (const chunk of encodeSnapshotChunks(entries, opts)) {
      if (pending !== null) await pending;
      pending = f.write(chunk);
      await pacer.turn();
    }
    if (pending !== null) await pending;
    pending = null;
    await f.sync();
  } catch (e) {
    if (pending !== null) await pending.catch(() => {});
    await f.close().catch(() => {});
    await fs.remove(path).catch(() => {});
    throw e;
  }
  await f.close();
}

/** Blocking {@link writeSnapshotFile}. */
export function writeSnapshotFileSync(
  fs: FsAdapter,
  path: string,
  entries: Iterable<Entry>,
  now: number,
): void {
  const f = fs.openWriteSync(path);
  try {
    const opts: SnapshotEncodeOptions & InternalEncodeOptions = { now, [REUSE_CHUNKS]: true };
    for (const chunk of encodeSnapshotChunks(entries, opts)) {
      f.writeSync(chunk);
    }
    f.syncSync();
  } catch (e) {
    try {
      f.closeSync();
    } catch { /* ignore */ }
    try {
      fs.removeSync(path);
    } catch { /* ignore */ }
    throw e;
  }
  f.closeSync();
}

function notFound(path: string, cause: unknown): Error {
  return Object.assign(new Error(`${path}: snapshot file not found`, { cause }), {
    code: "ENOENT",
  });
}

// The decoder both readSnapshotFile twins use; a missing file is an ENOENT naming the path.
function fileDecoder(
  path: string,
  st: { size: number } | null,
  onEntry: (e: Entry) => void,
  now: number,
  onString: StringRecordSink | undefined,
  ttls: FieldTtlTable,
  keepExpired: boolean,
): SnapshotDecoder {
  if (st === null) throw notFound(path, undefined);
  return new SnapshotDecoder({
    onEntry,
    now,
    keepExpired,
    path,
    totalSize: st.size,
    onFieldTtl: (k, f, d) => ttls.add(k, f, d),
    ...(onString === undefined ? {} : { onString }),
  });
}

/**
 * A failed load of a file that ends in a checksum trailer: if the trailer
 * locates damage, that is the better report (bit rot at byte X, rather than
 * whatever the parser tripped over later); the parse error stays the cause.
 */
function betterError(err: unknown, fs: FsAdapter, path: string): unknown {
  if (!(err instanceof CorruptFileError) || err instanceof SnapshotChecksumError) return err;
  try {
    verifySnapshotFileSync(path, fs);
  } catch (e) {
    if (e instanceof SnapshotChecksumError) return Object.assign(e, { cause: err });
  }
  return err;
}

/** {@link betterError}, reading asynchronously. */
async function betterErrorAsync(err: unknown, fs: FsAdapter, path: string): Promise<unknown> {
  if (!(err instanceof CorruptFileError) || err instanceof SnapshotChecksumError) return err;
  try {
    await verifySnapshotFile(path, fs);
  } catch (e) {
    if (e instanceof SnapshotChecksumError) return Object.assign(e, { cause: err });
  }
  return err;
}

/**
 * Streams the snapshot at `path` into `onEntry` (string records into
 * `onString` when given, field TTLs into `ttls`). Missing file: an ENOENT
 * error naming the path.
 */
export async function readSnapshotFile(
  fs: FsAdapter,
  path: string,
  onEntry: (e: Entry) => void,
  now: number,
  onString: StringRecordSink | undefined,
  ttls: FieldTtlTable,
  keepExpired = false,
): Promise<SnapshotDecodeStats> {
  const dec = fileDecoder(path, await fs.stat(path), onEntry, now, onString, ttls, keepExpired);
  try {
    for await (const chunk of fs.readChunks(path)) dec.push(chunk);
    return dec.finish();
  } catch (e) {
    throw await betterErrorAsync(e, fs, path);
  }
}

/** Blocking {@link readSnapshotFile}. */
export function readSnapshotFileSync(
  fs: FsAdapter,
  path: string,
  onEntry: (e: Entry) => void,
  now: number,
  onString: StringRecordSink | undefined,
  ttls: FieldTtlTable,
  keepExpired = false,
): SnapshotDecodeStats {
  const dec = fileDecoder(path, fs.statSync(path), onEntry, now, onString, ttls, keepExpired);
  try {
    for (const chunk of fs.readChunksSync(path)) dec.push(chunk);
    return dec.finish();
  } catch (e) {
    throw betterError(e, fs, path);
  }
}

// A decoder that puts records straight into `store` (string records as byte
// ranges, the index pre-sized from the file size): the shared body of the
// loadSnapshotInto twins.
function storeDecoder(
  store: Store,
  path: string,
  size: number,
  now: number,
  ttls: FieldTtlTable,
  keepExpired: boolean,
  onString?: StringRecordSink,
): { loader: StoreLoader; dec: SnapshotDecoder } {
  const loader = new StoreLoader(store, size);
  const opts: InternalDecoderOptions = {
    onEntry: (e, offset) => loader.put(e, offset),
    onString: onString ?? loader.onString,
    ...(onString === undefined ? { [STRING_RUN_SINK]: loader.onRun } : {}),
    [HASH_RUN_SINK]: loader.onHashRun,
    [HASH_SINK]: loader.onHash,
    [STREAM_SINK]: loader.onStream,
    onFieldTtl: (k, f, d) => ttls.add(k, f, d),
    now,
    keepExpired,
    path,
    totalSize: size,
  };
  return { loader, dec: new SnapshotDecoder(opts) };
}

/**
 * The chunks of `src`, the read of each next one started before the current
 * one is handed out: the read runs (off the JS thread) while the caller
 * decodes. On an early exit the read in flight is let finish and `src` closed.
 */
async function* readAhead(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<Uint8Array>> | null = it.next();
  try {
    for (;;) {
      const r: IteratorResult<Uint8Array> = await next;
      next = null;
      if (r.done === true) return;
      next = it.next();
      yield r.value;
    }
  } finally {
    if (next !== null) {
      await next.catch(() => {});
      await it.return?.();
    }
  }
}

/** What a snapshot load put into its store. */
export interface SnapshotLoadResult {
  /** Live entry records put. */
  count: number;
  /** The decoder's stats (version, feed cursor, checksum...). */
  stats: SnapshotDecodeStats;
  /** What became of the file's hash-field TTLs. */
  fieldTtls: FieldTtlOutcome;
}

/** After the last record: field TTLs onto the loaded store (due fields removed). */
export function finishFieldTtls(
  store: Store,
  ttls: FieldTtlTable,
  now: number,
): FieldTtlOutcome {
  return applyFieldTtls(store, ttls, now);
}

/**
 * Streams the snapshot at `path` straight into `store` (string records as
 * byte ranges, the index pre-sized from the file size, field TTLs applied
 * after the last record). Not all-or-nothing: use on a store nobody else
 * sees yet. Pass `size` when the caller has just stat'ed the file.
 * `keepExpired`: a log replay follows (bring-up), so records and field TTLs
 * whose deadline has passed are kept and nothing expires while loading
 * (Redis with an RDB preamble); otherwise they are dropped (Redis loading
 * an RDB). With `onString`, string records go there instead (a split load).
 */
export async function loadSnapshotInto(
  fs: FsAdapter,
  path: string,
  store: Store,
  now: number,
  size?: number,
  keepExpired = false,
  onString?: StringRecordSink,
): Promise<SnapshotLoadResult> {
  if (size === undefined) {
    const st = await fs.stat(path);
    if (st === null) throw notFound(path, undefined);
    size = st.size;
  }
  const ttls = new FieldTtlTable();
  const { loader, dec } = storeDecoder(store, path, size, now, ttls, keepExpired, onString);
  const load = keepExpired ? whileLoading : <T>(fn: () => T): T => fn();
  let stats: SnapshotDecodeStats;
  // In slices: the event loop gets a turn every few ms however big a read chunk is.
  const pacer = new Pacer();
  const push = (slice: Uint8Array): void => load(() => dec.push(slice));
  try {
    // (No pacer.ran() per read: a read that was already done gives no turn.) The next chunk
    // is read while this one is decoded.
    for await (const chunk of readAhead(fs.readChunks(path))) await pushPaced(chunk, push, pacer);
    stats = load(() => dec.finish());
  } catch (e) {
    throw await betterErrorAsync(e, fs, path);
  }
  const cutoff = keepExpired ? -Infinity : now;
  const fieldTtls = load(() => finishFieldTtls(store, ttls, cutoff));
  return { count: loader.live, stats, fieldTtls };
}

/** Blocking {@link loadSnapshotInto}. */
export function loadSnapshotIntoSync(
  fs: FsAdapter,
  path: string,
  store: Store,
  now: number,
  keepExpired = false,
): SnapshotLoadResult {
  const st = fs.statSync(path);
  if (st === null) throw notFound(path, undefined);
  const ttls = new FieldTtlTable();
  const { loader, dec } = storeDecoder(store, path, st.size, now, ttls, keepExpired);
  const load = keepExpired ? whileLoading : <T>(fn: () => T): T => fn();
  let stats: SnapshotDecodeStats;
  try {
    for (const chunk of fs.readChunksSync(path)) load(() => dec.push(chunk));
    stats = load(() => dec.finish());
  } catch (e) {
    throw betterError(e, fs, path);
  }
  const cutoff = keepExpired ? -Infinity : now;
  const fieldTtls = load(() => finishFieldTtls(store, ttls, cutoff));
  return { count: loader.live, stats, fieldTtls };
}
