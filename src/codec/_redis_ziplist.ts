// Private: Redis ziplists (RDB v2-v9 hashes, zsets, lists and quicklist
// nodes). Layout: u32 LE total bytes, u32 LE offset of the last entry, u16 LE
// entry count (65535: unknown), the entries, 0xFF. An entry is the previous
// entry's length (1 byte below 254, else 0xFE and u32 LE), an encoding
// (strings with 6-bit, 14-bit or 32-bit big-endian lengths; 8/16/24/32/64-bit
// signed integers; 0xF1-0xFD immediates 0-12) and its data. Checked like
// Redis's deep sanitization: everything inside the ziplist, each prevlen equal
// to the entry before it, the tail offset on the last entry, the count.
import { CorruptFileError } from "./errors.ts";
import { intBytes } from "./_redis_num.ts";

const HDR = 10;

function fail(b: Uint8Array, start: number, at: number, expected: string): never {
  throw new CorruptFileError({ offset: at - start, expected, bytes: b.subarray(at, at + 16) });
}

/** Walks a ziplist `b[start, end)`; after `next()` the entry is `isInt`/`int` or `b[sOff, sOff + sLen)`. */
export class ZiplistReader {
  readonly b: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly headerCount: number;
  count = 0;
  at = 0;
  isInt = false;
  int = 0;
  big: bigint | null = null;
  sOff = 0;
  sLen = 0;
  readonly #tail: number;
  #p: number;
  #prevRaw = 0;
  #prevAt = -1;
  #done = false;

  constructor(b: Uint8Array, start: number, end: number) {
    this.b = b;
    this.start = start;
    this.end = end;
    const size = end - start;
    if (size < HDR + 1) fail(b, start, start, "a ziplist of at least 11 bytes");
    const rd = (o: number) =>
      (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
    const total = rd(start);
    if (total !== size) {
      fail(b, start, start, `ziplist header total bytes ${size} (it says ${total})`);
    }
    if (b[end - 1] !== 0xff) fail(b, start, end - 1, "the ziplist terminator 0xff");
    this.#tail = rd(start + 4);
    if (this.#tail > size - 1) {
      fail(b, start, start + 4, "a ziplist tail offset inside the ziplist");
    }
    this.headerCount = b[start + 8]! | (b[start + 9]! << 8);
    this.#p = start + HDR;
  }

  /** Moves to the next entry; false at the terminator (after the tail and count checks). */
  next(): boolean {
    if (this.#done) return false;
    const b = this.b;
    const p = this.#p;
    const last = this.end - 1; // the terminator
    const s = this.start;
    this.at = p;
    if (b[p] === 0xff) {
      if (p !== last) fail(b, s, p, "the ziplist terminator only at the end");
      if (this.#prevAt >= 0 && this.#prevAt - s !== this.#tail) {
        fail(b, s, s + 4, `ziplist header tail offset ${this.#prevAt - s} (it says ${this.#tail})`);
      }
      if (this.headerCount !== 0xffff && this.headerCount !== this.count) {
        fail(b, s, s + 8, `ziplist header count ${this.count} (it says ${this.headerCount})`);
      }
      this.#done = true;
      return false;
    }
    let q = p;
    let prev: number;
    if (b[q]! < 254) prev = b[q++]!;
    else {
      if (q + 5 > last) fail(b, s, p, "a 5-byte ziplist prevlen inside the ziplist");
      prev = (b[q + 1]! | (b[q + 2]! << 8) | (b[q + 3]! << 16) | (b[q + 4]! << 24)) >>> 0;
      q += 5;
    }
    if (prev !== this.#prevRaw) {
      fail(
        b,
        s,
        p,
        `ziplist prevlen ${this.#prevRaw}, the length of the entry before (it says ${prev})`,
      );
    }
    if (q >= last) fail(b, s, p, "a ziplist entry encoding inside the ziplist");
    const e = b[q]!;
    let dataLen: number;
    let hdr: number;
    this.big = null;
    if (e < 0xc0) {
      this.isInt = false;
      const kind = e >> 6;
      if (kind === 0) {
        hdr = 1;
        dataLen = e & 0x3f;
      } else if (kind === 1) {
        if (q + 1 >= last) fail(b, s, q, "a 14-bit ziplist string length");
        hdr = 2;
        dataLen = ((e & 0x3f) << 8) | b[q + 1]!;
      } else {
        if (q + 4 >= last) fail(b, s, q, "a 32-bit ziplist string length");
        hdr = 5;
        dataLen = ((b[q + 1]! << 24) | (b[q + 2]! << 16) | (b[q + 3]! << 8) | b[q + 4]!) >>> 0;
      }
      this.sOff = q + hdr;
      this.sLen = dataLen;
    } else {
      this.isInt = true;
      hdr = 1;
      if (e >= 0xf1 && e <= 0xfd) dataLen = 0;
      else if (e === 0xfe) dataLen = 1;
      else if (e === 0xc0) dataLen = 2;
      else if (e === 0xf0) dataLen = 3;
      else if (e === 0xd0) dataLen = 4;
      else if (e === 0xe0) dataLen = 8;
      else return fail(b, s, q, "a ziplist entry encoding");
    }
    const next = q + hdr + dataLen;
    if (next > last) fail(b, s, p, "a ziplist entry that ends inside the ziplist");
    if (this.isInt) {
      const d = q + 1;
      if (dataLen === 0) this.int = (e & 0x0f) - 1;
      else if (dataLen === 1) this.int = (b[d]! << 24) >> 24;
      else if (dataLen === 2) this.int = ((b[d]! | (b[d + 1]! << 8)) << 16) >> 16;
      else if (dataLen === 3) this.int = ((b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16)) << 8) >> 8;
      else if (dataLen === 4) {
        this.int = b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24);
      } else {
        const lo = (b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24)) >>> 0;
        const hi = b[d + 4]! | (b[d + 5]! << 8) | (b[d + 6]! << 16) | (b[d + 7]! << 24);
        if (hi >= -2097152 && hi < 2097152) this.int = hi * 4294967296 + lo;
        else {
          this.big = (BigInt(hi) << 32n) | BigInt(lo);
          this.int = Number(this.big);
        }
      }
    }
    this.#prevRaw = next - p;
    this.#prevAt = p;
    this.#p = next;
    this.count++;
    return true;
  }

  /** The current entry as bytes: a view of the string, or its decimal text. */
  bytes(): Uint8Array {
    if (!this.isInt) return this.b.subarray(this.sOff, this.sOff + this.sLen);
    return intBytes(this.big ?? this.int);
  }

  /** Fails at the current entry. */
  fail(expected: string): never {
    return fail(this.b, this.start, this.at, expected);
  }
}
