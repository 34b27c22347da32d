// Writing a snapshot image to a path (synced, not renamed) and streaming one
// in; shared by snapshot_file.ts and the per-shard save protocol.
import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import {
  encodeSnapshotChunks,
  SnapshotDecoder,
  type SnapshotDecodeStats,
  type StringRecordSink,
} from "../codec/snapshot.ts";
import { HASH_SINK, type InternalDecoderOptions } from "../codec/_snapshot_types.ts";
import type { Store } from "../store/store.ts";
import { StoreLoader } from "../store/_load.ts";

/** Writes `entries` as a snapshot to `path` (created/truncated) and fsyncs it. Removes it on error. */
export async function writeSnapshotFile(
  fs: FsAdapter,
  path: string,
  entries: Iterable<Entry>,
  now: number,
): Promise<void> {
  const f = await fs.openWrite(path);
  try {
    for (const chunk of encodeSnapshotChunks(entries, { now })) await f.write(chunk);
    await f.sync();
  } catch (e) {
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
    for (const chunk of encodeSnapshotChunks(entries, { now })) f.writeSync(chunk);
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
): SnapshotDecoder {
  if (st === null) throw notFound(path, undefined);
  return new SnapshotDecoder({
    onEntry,
    now,
    path,
    totalSize: st.size,
    ...(onString === undefined ? {} : { onString }),
  });
}

/** Streams the snapshot at `path` into `onEntry` (string records into `onString` when given). Missing file: an ENOENT error naming the path. */
export async function readSnapshotFile(
  fs: FsAdapter,
  path: string,
  onEntry: (e: Entry) => void,
  now: number,
  onString?: StringRecordSink,
): Promise<SnapshotDecodeStats> {
  const dec = fileDecoder(path, await fs.stat(path), onEntry, now, onString);
  for await (const chunk of fs.readChunks(path)) dec.push(chunk);
  return dec.finish();
}

/** Blocking {@link readSnapshotFile}. */
export function readSnapshotFileSync(
  fs: FsAdapter,
  path: string,
  onEntry: (e: Entry) => void,
  now: number,
  onString?: StringRecordSink,
): SnapshotDecodeStats {
  const dec = fileDecoder(path, fs.statSync(path), onEntry, now, onString);
  for (const chunk of fs.readChunksSync(path)) dec.push(chunk);
  return dec.finish();
}

// A decoder that puts records straight into `store` (string records as byte
// ranges, the index pre-sized from the file size): the shared body of the
// loadSnapshotInto twins.
function storeDecoder(
  store: Store,
  path: string,
  size: number,
  now: number,
): { loader: StoreLoader; dec: SnapshotDecoder } {
  const loader = new StoreLoader(store, size);
  const opts: InternalDecoderOptions = {
    onEntry: (e, offset) => loader.put(e, offset),
    onString: loader.onString,
    [HASH_SINK]: loader.onHash,
    now,
    path,
    totalSize: size,
  };
  return { loader, dec: new SnapshotDecoder(opts) };
}

/**
 * Streams the snapshot at `path` straight into `store` (string records as
 * byte ranges, the index pre-sized from the file size); returns the number of
 * live records put. Not all-or-nothing: use on a store nobody else sees yet.
 * Pass `size` when the caller has just stat'ed the file (saves a second stat).
 */
export async function loadSnapshotInto(
  fs: FsAdapter,
  path: string,
  store: Store,
  now: number,
  size?: number,
): Promise<number> {
  if (size === undefined) {
    const st = await fs.stat(path);
    if (st === null) throw notFound(path, undefined);
    size = st.size;
  }
  const { loader, dec } = storeDecoder(store, path, size, now);
  for await (const chunk of fs.readChunks(path)) dec.push(chunk);
  dec.finish();
  return loader.count;
}

/** Blocking {@link loadSnapshotInto}. */
export function loadSnapshotIntoSync(
  fs: FsAdapter,
  path: string,
  store: Store,
  now: number,
): number {
  const st = fs.statSync(path);
  if (st === null) throw notFound(path, undefined);
  const { loader, dec } = storeDecoder(store, path, st.size, now);
  for (const chunk of fs.readChunksSync(path)) dec.push(chunk);
  dec.finish();
  return loader.count;
}
