/**
 * The Node adapter: {@link FsAdapter} on `node:fs`. Also the base of the Bun adapter, and usable
 * under Deno (which implements `node:fs`).
 *
 * Handles wrap a numeric fd so that one handle type serves both `openAppend` and
 * `openAppendSync`; async methods use the fd callback API wrapped in a Promise instead of
 * `fs/promises` FileHandles. bench/fs_bench.ts, async 100-byte appends (best of 3, three runs):
 * under Deno 2.9.6 fd 196k / 287k / 219k ops/s vs FileHandle 168k / 214k / 167k; under Bun 1.4.5
 * fd 85k / 112k / 64k vs FileHandle 86k / 111k / 75k (a tie); fdatasync is disk-bound (0.5k-12k
 * ops/s either way). Not yet measured under Node itself (the bench is TypeScript; Node 20 needs
 * the compiled build).
 *
 * @module
 */
import * as fs from "node:fs";
import type { DirEntry, FileInfo, FsAdapter, OpenWriteOptions, WritableFile } from "./types.ts";
import { kindOf, NotAFileError } from "./types.ts";

const DEFAULT_CHUNK = 1 << 20;

function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

/** Write all of `data` at the fd's position, looping over short writes. */
async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    off += await call<number>((cb) => fs.write(fd, data, off, data.length - off, null, cb));
  }
}

function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, null);
}

function done(cb: (err: NodeJS.ErrnoException | null, v: undefined) => void) {
  return (err: NodeJS.ErrnoException | null) => cb(err, undefined);
}

/** A {@link WritableFile} over a node fd (append handles were opened with flag "a"). */
function fdFile(fd: number): WritableFile {
  return {
    write: (data) => writeAll(fd, data),
    writeSync: (data) => writeAllSync(fd, data),
    syncData: () => call((cb) => fs.fdatasync(fd, done(cb))),
    syncDataSync: () => fs.fdatasyncSync(fd),
    sync: () => call((cb) => fs.fsync(fd, done(cb))),
    syncSync: () => fs.fsyncSync(fd),
    truncate: (length) => call((cb) => fs.ftruncate(fd, length, done(cb))),
    truncateSync: (length) => fs.ftruncateSync(fd, length),
    close: () => call((cb) => fs.close(fd, done(cb))),
    closeSync: () => fs.closeSync(fd),
  };
}

function checkChunk(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  return chunkSize;
}

/** Refuses anything but a regular file before it is opened (a FIFO would block the open). */
async function regular(path: string): Promise<void> {
  const st = await call<fs.Stats>((cb) => fs.stat(path, cb));
  if (!st.isFile()) throw new NotAFileError(path, kindOf(st));
}

function regularSync(path: string): void {
  const st = fs.statSync(path);
  if (!st.isFile()) throw new NotAFileError(path, kindOf(st));
}

async function* readChunks(path: string, chunkSize = DEFAULT_CHUNK): AsyncIterable<Uint8Array> {
  checkChunk(chunkSize);
  await regular(path);
  const fd = await call<number>((cb) => fs.open(path, "r", cb));
  try {
    for (let pos = 0;;) {
      const buf = new Uint8Array(chunkSize); // fresh: callers may keep chunks
      const n = await call<number>((cb) => fs.read(fd, buf, 0, chunkSize, pos, cb));
      if (n === 0) return;
      pos += n;
      yield n === chunkSize ? buf : buf.subarray(0, n);
    }
  } finally {
    await call((cb) => fs.close(fd, done(cb)));
  }
}

function* readChunksSync(path: string, chunkSize = DEFAULT_CHUNK): Iterable<Uint8Array> {
  checkChunk(chunkSize);
  regularSync(path);
  const fd = fs.openSync(path, "r");
  try {
    for (let pos = 0;;) {
      const buf = new Uint8Array(chunkSize);
      const n = fs.readSync(fd, buf, 0, chunkSize, pos);
      if (n === 0) return;
      pos += n;
      yield n === chunkSize ? buf : buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A plain Uint8Array view of a Buffer (no copy), so callers never see Buffer semantics. */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function info(s: fs.Stats): FileInfo {
  return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory() };
}

function missing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function entries(list: fs.Dirent[]): DirEntry[] {
  return list.map((d) => ({ name: d.name, isFile: d.isFile(), isDirectory: d.isDirectory() }));
}

const writeFlag = (o?: OpenWriteOptions): string => (o?.exclusive ? "wx" : "w");

/**
 * The `node:fs` adapter. Errors are Node's own (`code` is `"ENOENT"`, `"EEXIST"`, ...).
 *
 * @example
 * ```ts
 * import { nodeFs } from "@kevy/persist/fs";
 * const f = await nodeFs.openAppend("/tmp/example.aof");
 * await f.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * await f.syncData();
 * await f.close();
 * ```
 */
export const nodeFs: FsAdapter = {
  name: "node",
  readFile: async (path) => {
    await regular(path);
    return plain(await call<Uint8Array>((cb) => fs.readFile(path, cb)));
  },
  readFileSync: (path) => {
    regularSync(path);
    return plain(fs.readFileSync(path));
  },
  readChunks,
  readChunksSync,
  openAppend: async (path) => fdFile(await call<number>((cb) => fs.open(path, "a", cb))),
  openAppendSync: (path) => fdFile(fs.openSync(path, "a")),
  openWrite: async (path, o) => fdFile(await call<number>((cb) => fs.open(path, writeFlag(o), cb))),
  openWriteSync: (path, o) => fdFile(fs.openSync(path, writeFlag(o))),
  rename: (from, to) => call((cb) => fs.rename(from, to, done(cb))),
  renameSync: (from, to) => fs.renameSync(from, to),
  remove: (path) => call((cb) => fs.unlink(path, done(cb))),
  removeSync: (path) => fs.unlinkSync(path),
  stat: (path) =>
    call<fs.Stats>((cb) => fs.stat(path, cb)).then(info, (e) => {
      if (missing(e)) return null;
      throw e;
    }),
  statSync: (path) => {
    try {
      return info(fs.statSync(path));
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
  },
  readDir: async (path) =>
    entries(await call<fs.Dirent[]>((cb) => fs.readdir(path, { withFileTypes: true }, cb))),
  readDirSync: (path) => entries(fs.readdirSync(path, { withFileTypes: true })),
  mkdir: (path) => call((cb) => fs.mkdir(path, { recursive: true }, done(cb))),
  mkdirSync: (path) => void fs.mkdirSync(path, { recursive: true }),
  syncDir: async (path) => {
    const fd = await call<number>((cb) => fs.open(path, "r", cb));
    try {
      await call((cb) => fs.fsync(fd, done(cb)));
    } finally {
      await call((cb) => fs.close(fd, done(cb)));
    }
  },
  syncDirSync: (path) => {
    const fd = fs.openSync(path, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};
