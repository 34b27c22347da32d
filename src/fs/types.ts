/**
 * The filesystem adapter contract: exactly what persistence needs, nothing more.
 *
 * Every runtime (Deno, Bun, Node) and the fault-injecting {@link CrashFs}
 * implement it, so all code above `src/fs/` is runtime-agnostic. Errors thrown
 * by adapters carry a Node-style `code` (`"ENOENT"`, `"EEXIST"`, ...): use
 * {@link isNotFound} / {@link isAlreadyExists} rather than runtime classes.
 *
 * @module
 */

/** What {@link FsAdapter.stat} reports. */
export interface FileInfo {
  /** Size in bytes (0 for directories on some runtimes). */
  size: number;
  /** True for a regular file. */
  isFile: boolean;
  /** True for a directory. */
  isDirectory: boolean;
}

/** One entry of {@link FsAdapter.readDir}. */
export interface DirEntry {
  /** The entry's name (no directory part). */
  name: string;
  /** True for a regular file. */
  isFile: boolean;
  /** True for a directory. */
  isDirectory: boolean;
}

/**
 * An open file for writing. Writes go to the end for handles from `openAppend`
 * and sequentially from offset 0 for handles from `openWrite`.
 *
 * @example
 * ```ts
 * import { defaultFs } from "@kevy/persist/fs";
 * const f = await defaultFs().openWrite("/tmp/x.bin");
 * await f.write(new Uint8Array([1, 2, 3]));
 * await f.syncData();
 * await f.close();
 * ```
 */
export interface WritableFile {
  /** Write all of `data`. */
  write(data: Uint8Array): Promise<void>;
  /** Write all of `data`, blocking. */
  writeSync(data: Uint8Array): void;
  /** fdatasync: data (and the size) reach the disk. */
  syncData(): Promise<void>;
  /** fdatasync, blocking. */
  syncDataSync(): void;
  /** fsync: data and all metadata reach the disk. */
  sync(): Promise<void>;
  /** fsync, blocking. */
  syncSync(): void;
  /** Cut (or extend with zeros) the file to `length` bytes. Later appends go to the new end. */
  truncate(length: number): Promise<void>;
  /** Truncate, blocking. */
  truncateSync(length: number): void;
  /** Close the handle. */
  close(): Promise<void>;
  /** Close, blocking. */
  closeSync(): void;
}

/** Options for {@link FsAdapter.openWrite}. */
export interface OpenWriteOptions {
  /** Fail with `EEXIST` if the file exists (for lock files). Default `false`: create or truncate. */
  exclusive?: boolean;
}

/**
 * The adapter interface. Async methods never block the event loop; `*Sync`
 * variants exist for start-up paths and CLIs.
 *
 * @example
 * ```ts
 * import { defaultFs } from "@kevy/persist/fs";
 * const fs = defaultFs();
 * const exists = (await fs.stat("/tmp")) !== null;
 * ```
 */
export interface FsAdapter {
  /** A short name: `"deno"`, `"bun"`, `"node"`, `"crash"`. */
  readonly name: string;
  /** Read a whole file. Throws `ENOENT` if missing. */
  readFile(path: string): Promise<Uint8Array>;
  /** Read a whole file, blocking. */
  readFileSync(path: string): Uint8Array;
  /** Read a file in chunks of at most `chunkSize` bytes (default 1 MiB), in order. */
  readChunks(path: string, chunkSize?: number): AsyncIterable<Uint8Array>;
  /** Read a file in chunks, blocking. */
  readChunksSync(path: string, chunkSize?: number): Iterable<Uint8Array>;
  /** Open for appending, creating the file if missing. */
  openAppend(path: string): Promise<WritableFile>;
  /** Open for appending, blocking. */
  openAppendSync(path: string): WritableFile;
  /** Create or truncate a file and open it for writing from offset 0. */
  openWrite(path: string, options?: OpenWriteOptions): Promise<WritableFile>;
  /** Create or truncate, blocking. */
  openWriteSync(path: string, options?: OpenWriteOptions): WritableFile;
  /** Atomically rename `from` over `to` (same directory in practice). */
  rename(from: string, to: string): Promise<void>;
  /** Rename, blocking. */
  renameSync(from: string, to: string): void;
  /** Remove a file. Throws `ENOENT` if missing. */
  remove(path: string): Promise<void>;
  /** Remove, blocking. */
  removeSync(path: string): void;
  /** Size and kind of a path, or `null` if it does not exist. */
  stat(path: string): Promise<FileInfo | null>;
  /** Stat, blocking. */
  statSync(path: string): FileInfo | null;
  /** List a directory (names only, no `.`/`..`). Throws `ENOENT` if missing. */
  readDir(path: string): Promise<DirEntry[]>;
  /** List, blocking. */
  readDirSync(path: string): DirEntry[];
  /** Create a directory and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** Mkdir, blocking. */
  mkdirSync(path: string): void;
  /** fsync a directory so that creates, renames and removes in it are durable. */
  syncDir(path: string): Promise<void>;
  /** Directory fsync, blocking. */
  syncDirSync(path: string): void;
}

/**
 * True when `e` is a "no such file or directory" error from any adapter.
 *
 * @example
 * ```ts
 * import { isNotFound } from "@kevy/persist/fs";
 * import { defaultFs } from "@kevy/persist/fs";
 * try {
 *   await defaultFs().readFile("no-such-file");
 * } catch (e) {
 *   if (!isNotFound(e)) throw e;
 * }
 * ```
 */
export function isNotFound(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "ENOENT";
}

/**
 * True when `e` is an "already exists" error from any adapter.
 *
 * @example
 * ```ts
 * import { isAlreadyExists } from "@kevy/persist/fs";
 * isAlreadyExists({ code: "EEXIST" }); // true
 * ```
 */
export function isAlreadyExists(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "EEXIST";
}

/**
 * A path that must be a regular file is something else — a directory, a FIFO,
 * a device (such as a symlink to `/dev/zero`) or a socket. Raised before the
 * file is opened, so such a path fails at once instead of blocking or reading
 * forever.
 *
 * @example
 * ```ts
 * import { NotAFileError } from "@kevy/persist/fs";
 * const e = new NotAFileError("data/aof-0.aof", "a FIFO");
 * e.message; // "data/aof-0.aof: not a regular file (a FIFO)"
 * ```
 */
export class NotAFileError extends Error {
  /** Always `"NotAFileError"`. */
  override name = "NotAFileError";
  /** The path. */
  readonly path: string;
  /** What it is instead (`"a directory"`, `"a FIFO"`, `"a character device"`, ...). */
  readonly found: string;
  /**
   * A path that is not a regular file.
   * @param path the path
   * @param found what it is instead
   */
  constructor(path: string, found: string) {
    super(`${path}: not a regular file (${found})`);
    this.path = path;
    this.found = found;
  }
}

/**
 * What a stat result that is not a regular file is, for {@link NotAFileError} (adapters use it).
 *
 * @example
 * ```ts
 * import { kindOf } from "./types.ts";
 * kindOf({ isFifo: true }); // "a FIFO"
 * ```
 */
export function kindOf(s: {
  isDirectory?: boolean | (() => boolean) | null;
  isFIFO?: boolean | (() => boolean) | null;
  isFifo?: boolean | null;
  isCharacterDevice?: boolean | (() => boolean) | null;
  isCharDevice?: boolean | null;
  isBlockDevice?: boolean | (() => boolean) | null;
  isSocket?: boolean | (() => boolean) | null;
}): string {
  const t = (v: boolean | (() => boolean) | null | undefined): boolean =>
    typeof v === "function" ? v.call(s) : v === true;
  if (t(s.isDirectory)) return "a directory";
  if (t(s.isFIFO) || t(s.isFifo)) return "a FIFO";
  if (t(s.isCharacterDevice) || t(s.isCharDevice)) return "a character device";
  if (t(s.isBlockDevice)) return "a block device";
  if (t(s.isSocket)) return "a socket";
  return "not a file";
}
