// Private: the byte-level reader behind the RDB decoder and DUMP payloads:
// RDB lengths (6/14/32/64-bit, or a special string encoding), strings (raw,
// INT8/16/32, LZF), little-endian numbers. It reads from one contiguous
// buffer; when the buffer ends first it throws NEED_MORE (the streaming
// decoder keeps the record's bytes and retries once more data arrived) or,
// when the true end of the input is known to be too close, a
// CorruptFileError with the absolute offset. Lengths are checked against the
// bytes present before anything is allocated.
import { CorruptFileError } from "./errors.ts";
import { lzfDecompressInto, LzfError } from "./lzf.ts";
import { intBytes } from "./_redis_num.ts";
import { Slabs } from "./_slab.ts";

/** Thrown (never escapes the decoder) when the buffer ends inside a record. */
export const NEED_MORE: { at: number } = { at: 0 };

/** LZF turns at most 3 input bytes into 264 output bytes: a bound on honest lengths. */
const LZF_MAX_RATIO = 88;

const TWO_32 = 4294967296;
const f64 = new DataView(new ArrayBuffer(8));

/** A string of a container encoding: its bytes and where it came from (for error offsets). */
export interface Blob {
  b: Uint8Array;
  start: number;
  end: number;
  /** Offset (in the reader's buffer) of the string's length prefix. */
  at: number;
  /** True when the bytes are an LZF-decompressed copy (offsets inside do not map to the file). */
  lzf: boolean;
}

export class RdbReader {
  buf: Uint8Array = new Uint8Array(0);
  end = 0;
  pos = 0;
  /** Absolute offset of buf[0] in the whole input. */
  base = 0;
  /** Absolute size of the whole input if known, else Infinity. */
  limit = Infinity;
  /** RDB version of the input (decides byte order of old expire times, etc.). */
  version = 0;
  readonly path: string | undefined;
  readonly slabs = new Slabs();
  /** Set by `lenOrEnc`: the length byte announced a special string encoding. */
  isEnc = false;

  constructor(path: string | undefined) {
    this.path = path;
  }

  /** Points the reader at a whole buffer (DUMP payloads, tests). */
  reset(b: Uint8Array, start: number, end: number, finalInput: boolean): void {
    this.buf = b;
    this.pos = start;
    this.end = end;
    this.base = -start;
    this.limit = finalInput ? end - start : Infinity;
  }

  corrupt(pos: number, expected: string): CorruptFileError {
    return new CorruptFileError({
      ...(this.path === undefined ? {} : { path: this.path }),
      offset: this.base + pos,
      expected,
      bytes: this.buf.subarray(pos, Math.min(this.end, pos + 16)),
    });
  }

  /** The buffer has fewer than `n` bytes at `pos`: wait for more, or fail if the input cannot have them. */
  short(pos: number, n: number, what: string): never {
    const abs = this.base + pos;
    if (abs + n > this.limit) {
      throw this.corrupt(pos, `${what} (${n} byte${n === 1 ? "" : "s"}, ${this.limit - abs} left)`);
    }
    NEED_MORE.at = pos + n;
    throw NEED_MORE;
  }

  /** Consumes `n` bytes; returns where they start. */
  take(n: number, what: string): number {
    const p = this.pos;
    if (this.end - p < n) this.short(p, n, what);
    this.pos = p + n;
    return p;
  }

  u8(what: string): number {
    return this.buf[this.take(1, what)]!;
  }

  #u32at(p: number): number {
    const b = this.buf;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Signed 32-bit little-endian (EXPIRETIME seconds). */
  i32(what: string): number {
    return this.#u32at(this.take(4, what)) | 0;
  }

  /** Signed 64-bit little-endian as a number (millisecond times; exact within ±2^53). */
  i64(what: string): number {
    const p = this.take(8, what);
    return (this.#u32at(p + 4) | 0) * TWO_32 + this.#u32at(p);
  }

  /** Signed 64-bit little-endian as a bigint. */
  i64b(what: string): bigint {
    const p = this.take(8, what);
    return BigInt.asIntN(64, (BigInt(this.#u32at(p + 4)) << 32n) | BigInt(this.#u32at(p)));
  }

  f64(what: string): number {
    const p = this.take(8, what);
    f64.setUint32(0, this.#u32at(p), true);
    f64.setUint32(4, this.#u32at(p + 4), true);
    return f64.getFloat64(0, true);
  }

  /** An RDB length, or (with `isEnc` set) the number of a special string encoding. */
  lenOrEnc(what: string): number {
    const p = this.take(1, what);
    const c = this.buf[p]!;
    const kind = c >> 6;
    this.isEnc = false;
    if (kind === 0) return c & 0x3f;
    if (kind === 1) return ((c & 0x3f) << 8) | this.buf[this.take(1, what)]!;
    if (kind === 3) {
      this.isEnc = true;
      return c & 0x3f;
    }
    if (c === 0x80) {
      const q = this.take(4, what);
      const b = this.buf;
      return ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) >>> 0;
    }
    if (c === 0x81) {
      const q = this.take(8, what);
      const b = this.buf;
      const hi = ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) >>> 0;
      const lo = ((b[q + 4]! << 24) | (b[q + 5]! << 16) | (b[q + 6]! << 8) | b[q + 7]!) >>> 0;
      if (hi >= 0x200000) throw this.corrupt(p, `${what} (a length below 2^53)`);
      return hi * TWO_32 + lo;
    }
    throw this.corrupt(p, `${what} (an RDB length: 0x00-0x7f, 0x80, 0x81 or 0xc0-0xc3)`);
  }

  /** A plain RDB length (a special encoding is corrupt here). */
  len(what: string): number {
    const p = this.pos;
    const n = this.lenOrEnc(what);
    if (this.isEnc) throw this.corrupt(p, `${what} (a length, not a string encoding)`);
    return n;
  }

  /** A count of items that each take at least `min` bytes: bounded by the bytes the input can still hold. */
  count(what: string, min = 1): number {
    const p = this.pos;
    const n = this.len(what);
    if ((this.limit - (this.base + this.pos)) < n * min) {
      throw this.corrupt(
        p,
        `${what} (${n} items do not fit in the ${this.limit - (this.base + this.pos)} bytes left)`,
      );
    }
    return n;
  }

  /** A 64-bit RDB length as a bigint (stream IDs, counters). */
  lenBig(what: string): bigint {
    const p = this.pos;
    const c = this.buf[p];
    if (c === 0x81) {
      const q = this.take(9, what) + 1;
      const b = this.buf;
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[q + i]!);
      return v;
    }
    return BigInt(this.len(what));
  }

  /**
   * A string: a view of the buffer (raw), or a fresh array (integer or LZF
   * encoded). Views are only valid until the next push; `copy()` keeps one.
   */
  string(what: string): Uint8Array {
    const p = this.pos;
    const n = this.lenOrEnc(what);
    if (!this.isEnc) {
      const q = this.take(n, what);
      return this.buf.subarray(q, q + n);
    }
    if (n === 0) return intBytes((this.buf[this.take(1, what)]! << 24) >> 24);
    if (n === 1) {
      const q = this.take(2, what);
      return intBytes(((this.buf[q]! | (this.buf[q + 1]! << 8)) << 16) >> 16);
    }
    if (n === 2) return intBytes(this.#u32at(this.take(4, what)) | 0);
    if (n === 3) return this.#lzf(p, what);
    throw this.corrupt(p, `${what} (string encoding 0-3; this is ${n})`);
  }

  /** An LZF string (`p`: its length prefix) in a fresh array, or in a scratch buffer (sets `sLen`). */
  #lzf(p: number, what: string, scratch = false): Uint8Array {
    const clen = this.len(`${what}: LZF compressed length`);
    const ulen = this.len(`${what}: LZF uncompressed length`);
    if (ulen > clen * LZF_MAX_RATIO + LZF_MAX_RATIO) {
      throw this.corrupt(p, `${what}: an LZF length (${clen} bytes cannot expand to ${ulen})`);
    }
    const q = this.take(clen, what);
    const d = scratch ? this.#scratch(ulen) : new Uint8Array(ulen);
    try {
      lzfDecompressInto(d, this.buf, ulen, q, q + clen);
    } catch (e) {
      if (e instanceof LzfError) {
        throw this.corrupt(q + e.offset, `${what}: LZF data (${e.message.replace(/^.*: /, "")})`);
      }
      throw e;
    }
    this.sLen = ulen;
    return d;
  }

  /** Where `stringAt` found the string: `sBuf[sOff, sOff + sLen)`. */
  sOff = 0;
  sLen = 0;

  /**
   * A string without a view object: returns the buffer holding it and sets
   * `sOff`/`sLen`. A raw string is in this reader's buffer; an integer or LZF
   * encoded one is decoded into one of two scratch buffers used in turn, so it
   * stays valid until the second `stringAt` after this one (a key and its
   * string value can be read before either is used).
   */
  stringAt(what: string): Uint8Array {
    const c = this.buf[this.pos];
    if (c !== undefined && c < 0x40) {
      const n = c & 0x3f;
      const q = this.take(1 + n, what) + 1;
      this.sOff = q;
      this.sLen = n;
      return this.buf;
    }
    const at = this.pos;
    const n = this.lenOrEnc(what);
    if (!this.isEnc) {
      this.sOff = this.take(n, what);
      this.sLen = n;
      return this.buf;
    }
    this.sOff = 0;
    if (n === 3) return this.#lzf(at, what, true);
    if (n > 3) {
      this.pos = at;
      return this.string(what); // the error
    }
    let v: number;
    if (n === 0) v = (this.buf[this.take(1, what)]! << 24) >> 24;
    else if (n === 1) {
      const q = this.take(2, what);
      v = ((this.buf[q]! | (this.buf[q + 1]! << 8)) << 16) >> 16;
    } else v = this.#u32at(this.take(4, what)) | 0;
    const d = this.#scratch(11);
    let x = v < 0 ? -v : v;
    let len = v < 0 ? 2 : 1;
    for (let t = x; t >= 10; t = Math.floor(t / 10)) len++;
    let p = len;
    do {
      d[--p] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
    if (v < 0) d[0] = 0x2d;
    this.sLen = len;
    return d;
  }

  #scratchA = new Uint8Array(256);
  #scratchB = new Uint8Array(256);
  #turn = false;

  /** The next scratch buffer in turn, of at least `n` bytes. */
  #scratch(n: number): Uint8Array {
    this.#turn = !this.#turn;
    let s = this.#turn ? this.#scratchA : this.#scratchB;
    if (s.length < n) {
      s = new Uint8Array(Math.max(n, s.length * 2));
      // Huge strings get their own array rather than a scratch kept forever.
      if (n <= 1 << 20) {
        if (this.#turn) this.#scratchA = s;
        else this.#scratchB = s;
      }
    }
    return s;
  }

  /** A string kept after the current buffer goes away (copied into shared slabs). */
  copy(what: string): Uint8Array {
    const s = this.string(what);
    return s.buffer === this.buf.buffer ? this.slabs.copy(s, 0, s.length) : s;
  }

  /** Where `blobAt` found a container string: `bB[bS, bE)`, its length prefix at `bAt`. */
  bB: Uint8Array = this.buf;
  bS = 0;
  bE = 0;
  bAt = 0;
  /** The bytes of the last `blobAt` are an LZF-decompressed copy. */
  bLzf = false;

  /** The string holding a container encoding, without an object: sets `bB`, `bS`, `bE`, `bAt`, `bLzf`. */
  blobAt(what: string): void {
    const at = this.pos;
    this.bAt = at;
    // A raw string (the usual case): its range, without a view object.
    const n = this.lenOrEnc(what);
    if (!this.isEnc) {
      const start = this.take(n, what);
      this.bB = this.buf;
      this.bS = start;
      this.bE = start + n;
      this.bLzf = false;
      return;
    }
    this.pos = at;
    const s = this.string(what);
    if (s.buffer === this.buf.buffer) {
      const start = s.byteOffset - this.buf.byteOffset;
      this.bB = this.buf;
      this.bS = start;
      this.bE = start + s.length;
      this.bLzf = false;
      return;
    }
    this.bB = s;
    this.bS = 0;
    this.bE = s.length;
    this.bLzf = true;
  }

  /** The string holding a container encoding (ziplist, listpack, intset, zipmap). */
  blob(what: string): Blob {
    this.blobAt(what);
    return { b: this.bB, start: this.bS, end: this.bE, at: this.bAt, lzf: this.bLzf };
  }

  /** Runs a container decoder on `blob`, mapping its errors to offsets in the input. */
  inBlob<T>(blob: Blob, what: string, decode: (b: Uint8Array, start: number, end: number) => T): T {
    try {
      return decode(blob.b, blob.start, blob.end);
    } catch (e) {
      return this.blobFail(e, blob.start, blob.at, blob.lzf, what);
    }
  }

  /**
   * Rethrows `e`, thrown while decoding a container string starting at
   * `start` (its length prefix at `at`; `lzf`: decompressed), with a
   * CorruptFileError's offset mapped to the input.
   */
  blobFail(e: unknown, start: number, at: number, lzf: boolean, what: string): never {
    if (!(e instanceof CorruptFileError)) throw e;
    if (!lzf) throw e.withPath(this.path ?? "<buffer>", this.base + start);
    throw this.corrupt(
      at,
      `${what}: ${e.expected} (at byte ${e.offset} of the LZF-decompressed string starting here)`,
    );
  }
}
