// Resolves a path argument into what it is, with clear input errors.
import type { FsAdapter } from "../fs/types.ts";
import { isNotFound } from "../fs/types.ts";
import { type FileKind, fileKind } from "./_analyze_file.ts";
import { InputError } from "./_io.ts";
import { joinPath } from "../fs/path.ts";

/** A resolved path argument. */
export type Target =
  | { type: "file"; path: string; kind: FileKind }
  | { type: "kevy-dir"; path: string }
  | { type: "redis-dir"; path: string }
  /** A Redis data dir: its `dump.rdb` and/or `appendonlydir/` (absent ones `null`). */
  | { type: "redis-data"; path: string; rdb: string | null; aof: string | null };

const KEVY_NAME = /^(dump-\d+\.rdb|aof-\d+\.aof|shards\.meta|reshard\.journal)$/;

/** A Redis data dir (`dump.rdb`, `appendonlydir/` with a manifest), or null. */
async function redisDataDir(fs: FsAdapter, path: string, names: string[]): Promise<Target | null> {
  const rdb = names.includes("dump.rdb") ? joinPath(path, "dump.rdb") : null;
  let aof: string | null = null;
  if (names.includes("appendonlydir")) {
    const sub = joinPath(path, "appendonlydir");
    const st = await fs.stat(sub);
    if (st?.isDirectory) aof = sub;
  }
  if (rdb !== null) {
    const st = await fs.stat(rdb);
    if (!st?.isFile) throw new InputError(`${rdb}: not a regular file`);
  }
  return rdb === null && aof === null ? null : { type: "redis-data", path, rdb, aof };
}

/** Stats `path` and decides what it is; throws InputError for anything unusable. */
export async function resolveTarget(fs: FsAdapter, path: string): Promise<Target> {
  let info;
  try {
    info = await fs.stat(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (info === null) throw new InputError(`${path}: no such file or directory`);
  if (!info.isDirectory && !info.isFile) {
    // A FIFO would block the first read, a device (a symlink to /dev/zero) never end.
    throw new InputError(`${path}: not a regular file or directory (a FIFO, device or socket)`);
  }
  if (info.isDirectory) {
    let names: string[];
    try {
      const entries = await fs.readDir(path);
      names = entries.map((e) => e.name);
      // A data file that is a FIFO, a device or a directory must not be skipped silently.
      const odd = entries.find((e) => !e.isFile && KEVY_NAME.test(e.name));
      if (odd !== undefined) {
        throw new InputError(
          `${path}/${odd.name}: not a regular file (${
            odd.isDirectory ? "a directory" : "a FIFO, device or socket"
          })`,
        );
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (isNotFound(e)) throw new InputError(`${path}: no such directory`);
      throw new InputError(`${path}: cannot list: ${(e as Error).message}`);
    }
    if (names.some((n) => n.endsWith(".manifest"))) return { type: "redis-dir", path };
    if (names.some((n) => KEVY_NAME.test(n))) return { type: "kevy-dir", path };
    const redis = await redisDataDir(fs, path, names);
    if (redis !== null) return redis;
    throw new InputError(
      `${path}: no kevy files here (expected dump-<i>.rdb, aof-<i>.aof or shards.meta, or Redis's dump.rdb or appendonlydir)`,
    );
  }
  let kind: FileKind;
  try {
    kind = await fileKind(fs, path);
  } catch (e) {
    throw new InputError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (kind === "unknown" || kind === "empty") {
    throw new InputError(
      `${path}: not a kevy file (${kind === "empty" ? "empty" : "unknown magic bytes"})`,
    );
  }
  if (kind === "redis-manifest") return { type: "redis-dir", path };
  return { type: "file", path, kind };
}
