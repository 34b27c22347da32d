/**
 * Follows an AOF that a live store (another process) appends to:
 * {@link AofTail}. Each {@link AofTail.read} hands over the frames appended
 * since the last one, through the same streaming scanner every replay uses
 * (so it reads whatever log format the store writes, and a frame being
 * written is simply not complete yet). The tail keeps its file open, so a
 * save or rewrite that renames a new log over the path does not cut it
 * off: {@link AofTail.replaced} says when that happened.
 *
 * @module
 */

import { fileIdentity, openTailFile, type TailFile } from "../fs/tail.ts";
import { AofScanner } from "./_aof_scan.ts";

/** Bytes read per step (default of {@link AofTail.read}). */
export const AOF_TAIL_CHUNK_BYTES: number = 256 * 1024;

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
  #onFrame: (argv: Uint8Array[]) => void = () => {};
  /** Bytes read from the file (complete frames and a pending partial one). */
  #read = 0;

  private constructor(path: string, file: TailFile | null) {
    this.path = path;
    this.#file = file;
    this.#scanner = new AofScanner(path, (argv) => this.#onFrame(argv), 64 * 1024, null);
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
   * Hands every complete frame appended since the last call to `onFrame`
   * (argv views valid during the call only), reading at most `maxBytes`.
   * Throws `CorruptFileError` for bytes no frame can start with.
   * Returns the number of frames.
   */
  async read(onFrame: (argv: Uint8Array[]) => void, maxBytes = Infinity): Promise<number> {
    if (this.#file === null) return 0;
    const size = await this.#file.size();
    const before = this.#scanner.frameCount;
    this.#onFrame = onFrame;
    try {
      let budget = maxBytes;
      while (this.#read < size && budget > 0) {
        const want = Math.min(AOF_TAIL_CHUNK_BYTES, size - this.#read, budget);
        const chunk = await this.#file.read(this.#read, want);
        if (chunk.length === 0) break;
        this.#read += chunk.length;
        budget -= chunk.length;
        this.#scanner.push(chunk);
      }
    } finally {
      this.#onFrame = () => {};
    }
    return this.#scanner.frameCount - before;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.#file?.close();
  }
}
