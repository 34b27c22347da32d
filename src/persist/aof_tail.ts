/**
 * Follows an AOF that a live store (another process) appends to:
 * {@link AofTail}. Each {@link AofTail.read} hands over the frames appended
 * since the last one, through the same streaming scanner every replay uses
 * (so it reads whatever log format the store writes, and a frame being
 * written is simply not complete yet). The tail keeps its file open, so a
 * save or rewrite that renames a new log over the path does not cut it
 * off: {@link AofTail.replaced} says when that happened.
 *
 * The store's next open may cut a log's tail (a frame half written when it
 * died, a split write's part that never completed) and append new frames in
 * its place, in the same file. The tail keeps a copy of what it read past the
 * point its caller called final ({@link AofTail.hold}; by default the last
 * complete frame), and {@link AofTail.changed} says when the file no longer
 * holds those bytes.
 *
 * @module
 */

import { fileIdentity, openTailFile, type TailFile } from "../fs/tail.ts";
import { AofScanner } from "./_aof_scan.ts";

/** Bytes read per step (default of {@link AofTail.read}). */
export const AOF_TAIL_CHUNK_BYTES: number = 256 * 1024;

/** At most this many bytes past the final point are kept to be checked (see {@link AofTail.changed}). */
const KEEP_MAX = 4 * 1024 * 1024;

/**
 * One followed AOF file.
 *
 * @example
 * ```ts no-run
 * import { AofTail } from "@kevy/persist/persist";
 * const tail = await AofTail.open("data/aof-0.aof");
 * await tail.read((argv) => console.log(new TextDecoder().decode(argv[0])));
 * console.log(`read up to byte ${tail.offset}`);
 * await tail.close();
 * ```
 */
export class AofTail {
  /** The followed path. */
  readonly path: string;
  readonly #file: TailFile | null;
  #scanner: AofScanner;
  #onFrame: (argv: Uint8Array[], offset: number) => void = () => {};
  /** Bytes read from the file (complete frames and a pending partial one). */
  #read = 0;
  /** The caller's final point (see {@link AofTail.hold}), or null: the last complete frame. */
  #hold: number | null = null;
  /** A copy of the bytes read from `#keptAt` on (at most KEEP_MAX). */
  #kept: Uint8Array = new Uint8Array(0);
  #keptAt = 0;
  /** The chunks the last read gave the scanner, not yet looked at for the copy. */
  #pending: Uint8Array[] = [];

  private constructor(path: string, file: TailFile | null) {
    this.path = path;
    this.#file = file;
    this.#scanner = new AofScanner(path, (argv, at) => this.#onFrame(argv, at), 64 * 1024, null);
  }

  /** Opens `path` (a missing file is followed as empty until it appears: see {@link AofTail.replaced}). */
  static async open(path: string): Promise<AofTail> {
    return new AofTail(path, await openTailFile(path));
  }

  /** The open file's identity, or null when there was no file. */
  get identity(): string | null {
    return this.#file?.identity ?? null;
  }

  /** Offset just past the last complete frame handed over (the log header counts). */
  get offset(): number {
    return this.#scanner.consumed;
  }

  /** Frames handed over so far. */
  get frames(): number {
    return this.#scanner.frameCount;
  }

  /** The size of the open file now (0 when there was none). */
  async size(): Promise<number> {
    return this.#file === null ? 0 : await this.#file.size();
  }

  /** True when the path now names another file than the one open here (or none, or one appeared). */
  async replaced(): Promise<boolean> {
    return (await fileIdentity(this.path)) !== this.identity;
  }

  /**
   * Declares the bytes before `offset` final for the caller (e.g. the offset of a group
   * marker whose frames it holds until the group's EXEC); null: every complete frame is.
   * The tail keeps what it read from there on, to be checked by {@link AofTail.changed}.
   */
  hold(offset: number | null): void {
    this.#hold = offset;
    this.#settle();
  }

  /**
   * True when what was read no longer stands: the file was replaced
   * ({@link AofTail.replaced}), it is shorter than the bytes read, or it no
   * longer holds the bytes read past the final point (a crashed store's next
   * open cut its tail and wrote other frames there). The caller then loads the
   * file again; this tail is done.
   */
  async changed(): Promise<boolean> {
    this.#settle();
    if (await this.replaced()) return true;
    if (this.#file === null) return false;
    if ((await this.#file.size()) < this.#read) return true;
    const k = this.#kept;
    if (k.length === 0) return false;
    const now = await this.#file.read(this.#keptAt, k.length);
    if (now.length !== k.length) return true;
    for (let i = 0; i < k.length; i++) if (now[i] !== k[i]) return true;
    return false;
  }

  /**
   * Hands every complete frame appended since the last call to `onFrame`
   * (argv views valid during the call only), reading at most `maxBytes`.
   * Throws `CorruptFileError` for bytes no frame can start with.
   * Returns the number of frames.
   */
  async read(
    onFrame: (argv: Uint8Array[], offset: number) => void,
    maxBytes = Infinity,
  ): Promise<number> {
    if (this.#file === null) return 0;
    const size = await this.#file.size();
    const before = this.#scanner.frameCount;
    this.#settle();
    this.#onFrame = onFrame;
    const chunks: Uint8Array[] = this.#pending;
    try {
      let budget = maxBytes;
      while (this.#read < size && budget > 0) {
        const want = Math.min(AOF_TAIL_CHUNK_BYTES, size - this.#read, budget);
        const chunk = await this.#file.read(this.#read, want);
        if (chunk.length === 0) break;
        chunks.push(chunk);
        this.#read += chunk.length;
        budget -= chunk.length;
        this.#scanner.push(chunk);
      }
    } finally {
      this.#onFrame = () => {};
    }
    return this.#scanner.frameCount - before;
  }

  /**
   * Keeps a copy of the bytes read from the final point on (a prefix of at most KEEP_MAX
   * bytes): from the old copy and the chunks read since (contiguous, up to `#read`). Runs
   * when the caller declared its final point after a read (or at the next use).
   */
  #settle(): void {
    let chunks = this.#pending;
    // The caller's final point (never before what is kept: bytes before it are gone).
    const from = Math.max(this.#keptAt, Math.min(this.#hold ?? Infinity, this.#scanner.consumed));
    if (chunks.length === 0 && from === this.#keptAt) return;
    this.#pending = [];
    let prev = this.#read;
    for (const c of chunks) prev -= c.length;
    const oldEnd = this.#keptAt + this.#kept.length;
    const parts: Uint8Array[] = [];
    // [from, prev) from the old copy (which starts at or before `from`).
    if (from < prev) {
      const end = Math.min(prev, oldEnd);
      if (from < end) parts.push(this.#kept.subarray(from - this.#keptAt, end - this.#keptAt));
      if (end < prev) chunks = []; // the old copy was full: nothing after it is kept
    }
    for (let i = 0, at = prev; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (at + c.length > from) parts.push(at >= from ? c : c.subarray(from - at));
      at += c.length;
    }
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(Math.min(n, KEEP_MAX));
    let o = 0;
    for (const p of parts) {
      if (o >= out.length) break;
      const take = p.subarray(0, out.length - o);
      out.set(take, o);
      o += take.length;
    }
    this.#kept = out;
    this.#keptAt = from;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.#file?.close();
  }
}
