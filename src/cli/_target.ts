// Resolves a path argument into what it is, with clear input errors.
import type { FsAdapter } from "../fs/types.ts";
import { isNotFound } from "../fs/types.ts";
import { type FileKind, fileKind } from "./_analyze.ts";
import { InputError } from "./_io.ts";

/** A resolved path argument. */
export type Target =
  | { type: "file"; path: string; kind: FileKind }
  | { type: "kevy-dir"; path: string }
  | { type: "redis-dir"; path: string };

const KEVY_NAME = /^(dump-\d+\.rdb|aof-\d+\.aof|shards\.meta|reshard\.journal)$/;

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
    throw new InputError(
      `${path}: no kevy files here (expected dump-<i>.rdb, aof-<i>.aof or shards.meta, or a Redis appendonlydir)`,
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
