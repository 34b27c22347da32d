// Small durable-file helpers on any FsAdapter, shared by the save protocol,
// the re-shard engine, shards.meta and ensureLayout. Private: not re-exported.
import type { FsAdapter } from "./types.ts";
import { isNotFound } from "./types.ts";
import { dirname, joinPath } from "./path.ts";

/**
 * Writes `dir/name` so that a crash leaves either the old file or the whole new
 * one: temp file, fsync, rename, directory fsync. A stale temp is overwritten.
 */
export async function writeFileDurable(
  fs: FsAdapter,
  dir: string,
  name: string,
  bytes: Uint8Array,
): Promise<void> {
  await writeChunksDurable(fs, dir, name, [bytes]);
}

/**
 * {@link writeFileDurable} for content produced in chunks (never held whole):
 * the chunks go to the temp file as they come. If producing or writing a
 * chunk fails, the temp file is removed and the old file is left as it was.
 */
export async function writeChunksDurable(
  fs: FsAdapter,
  dir: string,
  name: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  const tmp = joinPath(dir, `${name}.tmp`);
  const f = await fs.openWrite(tmp);
  try {
    for await (const c of chunks) await f.write(c);
    await f.sync();
  } catch (e) {
    await f.close().catch(() => {});
    await fs.remove(tmp).catch(() => {});
    throw e;
  }
  await f.close();
  await fs.rename(tmp, joinPath(dir, name));
  await fs.syncDir(dir);
}

/** True when `path` exists (file or directory). */
export async function exists(fs: FsAdapter, path: string): Promise<boolean> {
  return (await fs.stat(path)) !== null;
}

/** Removes `path`; false when it was already gone. */
export async function removeIfExists(fs: FsAdapter, path: string): Promise<boolean> {
  try {
    await fs.remove(path);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Renames `from` to `to`; false when `from` does not exist. */
export async function renameIfExists(fs: FsAdapter, from: string, to: string): Promise<boolean> {
  try {
    await fs.rename(from, to);
    return true;
  } catch (e) {
    if (isNotFound(e) && !(await exists(fs, from))) return false;
    throw e;
  }
}

/** Reads a whole file, or `null` when it does not exist. Other errors propagate. */
export async function readIfExists(fs: FsAdapter, path: string): Promise<Uint8Array | null> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/**
 * Creates `dir` (and missing parents) so that it survives a power cut: each new entry is
 * made durable by an fsync of the directory holding it (a plain mkdir is not: a crash can
 * take the whole data dir with every acknowledged write in it). An existing dir: nothing.
 */
export async function mkdirDurable(fs: FsAdapter, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; (await fs.stat(d)) === null; d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  if (missing.length === 0) return;
  await fs.mkdir(dir);
  for (const d of missing.reverse()) if (dirname(d) !== d) await fs.syncDir(dirname(d));
}
