/**
 * Reading a file another process is appending to and may replace: an open
 * handle that keeps reading the same file (inode) after a rename over its
 * path, positional reads, and the identity of the file a path names now,
 * so a reader notices the replacement. On `node:fs` (Deno, Bun and Node).
 *
 * @module
 */
import * as fs from "node:fs";

function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

function idOf(s: { dev: number | bigint; ino: number | bigint }): string {
  return `${s.dev}:${s.ino}`;
}

/**
 * The identity (device and inode) of the file at `path`, or `null` when
 * there is none. Two paths (or two moments) with the same identity name
 * the same file.
 *
 * @example
 * ```ts
 * import { fileIdentity } from "@kevy/persist/fs";
 * (await fileIdentity("/")) !== null; // true
 * ```
 */
export async function fileIdentity(path: string): Promise<string | null> {
  try {
    return idOf(await call<fs.Stats>((cb) => fs.stat(path, cb)));
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return null;
    throw e;
  }
}

/** An open file read at any position (see {@link openTailFile}). */
export interface TailFile {
  /** The identity of the open file (see {@link fileIdentity}). */
  readonly identity: string;
  /** The open file's size now (it may have grown). */
  size(): Promise<number>;
  /** Up to `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/**
 * Opens `path` for reading; `null` when it does not exist. The handle
 * keeps reading the file it opened even after another file is renamed over
 * the path.
 *
 * @example
 * ```ts
 * import { openTailFile } from "@kevy/persist/fs";
 * const f = await openTailFile("/etc/hostname");
 * if (f !== null) {
 *   const head = await f.read(0, 16);
 *   await f.close();
 * }
 * ```
 */
export async function openTailFile(path: string): Promise<TailFile | null> {
  let fd: number;
  try {
    fd = await call<number>((cb) => fs.open(path, "r", cb));
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return null;
    throw e;
  }
  const st = await call<fs.Stats>((cb) => fs.fstat(fd, cb));
  let closed = false;
  return {
    identity: idOf(st),
    size: async () => (await call<fs.Stats>((cb) => fs.fstat(fd, cb))).size,
    read: async (position, length) => {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = await call<number>((cb) =>
          fs.read(fd, buf, got, length - got, position + got, cb)
        );
        if (n === 0) break;
        got += n;
      }
      return got === length ? buf : buf.subarray(0, got);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await call<void>((cb) => fs.close(fd, (err) => cb(err, undefined)));
    },
  };
}
