// One Redis AOF file, streamed: RESP frames through parseFrame, `#` annotation
// lines handled here, MULTI...EXEC held back until EXEC so that an unfinished
// transaction at the end is reverted (as Redis does on load), and the end of
// the file classified as clean, torn or corrupt. Memory: one chunk plus the
// largest frame (plus the commands of one open transaction).
import { findFrameAfter, parseFrame } from "../codec/resp.ts";
import { CorruptFileError } from "../codec/errors.ts";

/** Redis reads annotation lines with a 1024-byte `fgets` buffer. */
const MAX_ANNOTATION = 1024;
const HASH = 0x23;
const LF = 0x0a;

/** Why a file ends early. */
export type TornReason = "incomplete" | "unfinished-multi" | "zero-filled";

/** How one file ended. */
export interface FileEnd {
  /** Frames handed to `apply`. */
  frames: number;
  /** `#` lines skipped. */
  annotations: number;
  /** Of those, `#TS:<unix seconds>` lines. */
  timestamps: number;
  /** Offset just past the last applied byte (the valid length). */
  validBytes: number;
  /** Total bytes read. */
  size: number;
  /** Set when the file ends early (only allowed for the last file; the caller decides). */
  torn: { offset: number; reason: TornReason } | null;
  /** Set when a `#TS:` annotation above the limit stopped the replay. */
  stopped: { offset: number; timestamp: number } | null;
}

function isMulti(a: Uint8Array): boolean {
  return a.length === 5 && (a[0]! | 0x20) === 0x6d && (a[1]! | 0x20) === 0x75 &&
    (a[2]! | 0x20) === 0x6c && (a[3]! | 0x20) === 0x74 && (a[4]! | 0x20) === 0x69;
}

function isWord(a: Uint8Array, w: string): boolean {
  if (a.length !== w.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i]! | 0x20) !== w.charCodeAt(i)) return false;
  return true;
}

/** The chunk-fed reader of one file. */
export class RedisAofFileReader {
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  /** File offset of #buf[0]. */
  #base = 0;
  #size = 0;
  #frames = 0;
  #annotations = 0;
  #timestamps = 0;
  /** Buffered available length at which to retry an incomplete frame (keeps re-parsing linear). */
  #retryAt = 0;
  /** An open transaction: its frames and their file offsets, applied at EXEC. */
  #multi: { at: number; frames: Uint8Array[][]; offsets: number[] } | null = null;
  #zero: { frameAt: number; zeroAt: number; err: CorruptFileError; prefix: Uint8Array } | null =
    null;
  #stopped: { offset: number; timestamp: number } | null = null;

  constructor(
    private readonly path: string,
    /** Gets each command with the file offset of its frame. */
    private readonly apply: (argv: Uint8Array[], offset: number) => void,
    private readonly untilUnixSeconds: number | null,
    initialCapacity: number,
    /** File offset of the first byte pushed (after an RDB preamble: where its commands start). */
    startOffset = 0,
  ) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#base = startOffset;
    this.#size = startOffset;
  }

  /** True once a `#TS` above the limit was met: the caller stops reading. */
  get stopped(): boolean {
    return this.#stopped !== null;
  }

  /** Feed the next chunk. Throws CorruptFileError for corruption followed by data. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#stopped !== null) return;
    this.#size += chunk.length;
    if (this.#zero !== null) {
      const nz = chunk.findIndex((b) => b !== 0);
      if (nz >= 0) throw this.#zeroError(this.#size - chunk.length + nz);
      return;
    }
    this.#append(chunk);
    if (this.#end - this.#start >= this.#retryAt) this.#drain(false);
  }

  /** End of file. */
  finish(): FileEnd {
    if (this.#zero === null && this.#stopped === null) this.#drain(true);
    let torn: FileEnd["torn"] = null;
    let validBytes = this.#base + this.#start;
    if (this.#stopped !== null) {
      validBytes = this.#stopped.offset;
    } else if (this.#multi !== null) {
      torn = { offset: this.#multi.at, reason: "unfinished-multi" };
      validBytes = this.#multi.at;
    } else if (this.#zero !== null) {
      torn = { offset: this.#zero.frameAt, reason: "zero-filled" };
      validBytes = this.#zero.frameAt;
    } else if (this.#start < this.#end) {
      this.#refuseSwallowed(this.#start, this.#end);
      torn = { offset: validBytes, reason: "incomplete" };
    }
    return {
      frames: this.#frames,
      annotations: this.#annotations,
      timestamps: this.#timestamps,
      validBytes,
      size: this.#size,
      torn,
      stopped: this.#stopped,
    };
  }

  /**
   * The frame at #buf[from] runs to the end: a crash leaves a prefix of it, never a whole
   * frame after it. If one follows, a damaged length swallowed it: corruption, not torn.
   * (redis-check-aof and Redis's loader would truncate here; we keep formats, not defects.)
   */
  #refuseSwallowed(from: number, to: number): void {
    const view = this.#buf.subarray(from, to);
    const next = findFrameAfter(view, 1);
    if (next < 0) return;
    throw new CorruptFileError({
      path: this.path,
      offset: this.#base + from,
      expected: `a frame that ends inside the file: this one runs past the end, but a ` +
        `well-formed frame starts at byte ${this.#base + from + next} (a damaged length in ` +
        `the middle of the file, not a torn tail)`,
      bytes: view,
    });
  }

  #zeroError(dataAt: number): CorruptFileError {
    const z = this.#zero!;
    // Preview: the frame's first bytes, then the zeros (not limited by chunk boundaries).
    const preview = new Uint8Array(Math.min(16, z.prefix.length + dataAt - z.zeroAt));
    preview.set(z.prefix.subarray(0, preview.length));
    return new CorruptFileError({
      path: this.path,
      offset: z.err.offset,
      expected:
        `${z.err.expected} (a zero-filled region from byte ${z.zeroAt}, followed by data at byte ${dataAt})`,
      bytes: preview,
    });
  }

  #append(chunk: Uint8Array): void {
    const live = this.#end - this.#start;
    if (this.#start > 0 && (live + chunk.length > this.#buf.length || live === 0)) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#base += this.#start;
      this.#end = live;
      this.#start = 0;
    }
    if (this.#end + chunk.length > this.#buf.length) {
      let cap = Math.max(this.#buf.length * 2, 1024);
      while (cap < this.#end + chunk.length) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.#buf.subarray(0, this.#end));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  #deliver(argv: Uint8Array[], at: number): void {
    const verb = argv[0]!;
    const m = this.#multi;
    if (m !== null) {
      m.frames.push(argv);
      m.offsets.push(at);
      if (isWord(verb, "exec")) {
        for (let i = 0; i < m.frames.length; i++) this.apply(m.frames[i]!, m.offsets[i]!);
        this.#frames += m.frames.length;
        this.#multi = null;
      } else if (isWord(verb, "discard")) {
        this.#multi = null;
      }
      return;
    }
    if (isMulti(verb)) {
      this.#multi = { at, frames: [argv], offsets: [at] };
      return;
    }
    this.apply(argv, at);
    this.#frames++;
  }

  #drain(eof: boolean): void {
    const view = this.#buf.subarray(0, this.#end);
    this.#retryAt = 0;
    while (this.#start < this.#end) {
      const at = this.#start;
      if (view[at] === HASH) {
        const nl = view.indexOf(LF, at);
        if (nl < 0 || nl - at >= MAX_ANNOTATION) {
          if (nl < 0 && this.#end - at < MAX_ANNOTATION) {
            if (!eof) return;
            // An unterminated annotation at EOF: Redis's fgets accepts it.
            this.#annotations++;
            this.#start = this.#end;
            return;
          }
          throw new CorruptFileError({
            path: this.path,
            offset: this.#base + at,
            expected: `an annotation line of at most ${MAX_ANNOTATION - 1} bytes`,
            bytes: view.subarray(at),
          });
        }
        this.#annotations++;
        const ts = annotationTimestamp(view.subarray(at, nl));
        if (ts !== null) this.#timestamps++;
        if (ts !== null && this.untilUnixSeconds !== null && ts > this.untilUnixSeconds) {
          // Like redis-check-aof --truncate-to-timestamp: the file ends here.
          this.#stopped = { offset: this.#base + at, timestamp: ts };
          this.#multi = null;
          return;
        }
        this.#start = nl + 1;
        continue;
      }
      const r = parseFrame(view, at);
      if (r.kind === "frame") {
        this.#start = r.end;
        this.#deliver(r.argv, this.#base + at);
        continue;
      }
      if (r.kind === "incomplete") {
        this.#retryAt = 2 * (this.#end - at);
        return;
      }
      const bad = Math.max(r.offset, at);
      const err = new CorruptFileError({
        path: this.path,
        offset: this.#base + at,
        expected: r.offset > at
          ? `${r.expected} (at byte ${this.#base + r.offset}, in the frame starting here)`
          : r.expected,
        bytes: view.subarray(at),
      });
      if (view[bad] !== 0) throw err;
      this.#refuseSwallowed(at, bad);
      // A zero run: a torn tail if it lasts to EOF (size extended, data never written).
      this.#zero = {
        frameAt: this.#base + at,
        zeroAt: this.#base + bad,
        err,
        prefix: view.slice(at, Math.min(bad, at + 16)),
      };
      const nz = view.subarray(bad).findIndex((b) => b !== 0);
      if (nz >= 0) throw this.#zeroError(this.#base + bad + nz);
      this.#start = this.#end;
      return;
    }
  }
}

function annotationTimestamp(line: Uint8Array): number | null {
  // "#TS:<digits>" (then "\r"): Redis reads it with strtol.
  if (line.length < 5 || line[1] !== 0x54 || line[2] !== 0x53 || line[3] !== 0x3a) return null;
  let v = 0;
  let i = 4;
  for (; i < line.length && line[i]! >= 0x30 && line[i]! <= 0x39 && i < 20; i++) {
    v = v * 10 + (line[i]! - 0x30);
  }
  return i === 4 ? null : v;
}
