// Private: Redis listpacks (RDB hash/zset/set/list nodes and stream nodes).
//
// Layout: u32 LE total bytes, u16 LE element count (65535: unknown), the
// elements, 0xFF. An element is an encoding byte (with the data it announces:
// small unsigned, 13/16/24/32/64-bit signed integers, 6/12/32-bit-length
// strings) followed by its own length written backwards (7 bits a byte, the
// lowest group last, bit 7 set on all bytes but the first). The reader checks
// each element like Redis's deep sanitization does: encoding known, element
// and back-length inside the listpack, back-length equal to the element's
// length, the terminator exactly at the end, the header count.
import { CorruptFileError } from "./errors.ts";
import { canonicalInt, intBytes } from "./_redis_num.ts";

const HDR = 6;
const EMPTY = new Uint8Array(0);

/** Bytes of the back-length of an element of `l` bytes (Redis's thresholds, `<` not `<=`). */
export function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

function fail(b: Uint8Array, start: number, at: number, expected: string): never {
  throw new CorruptFileError({ offset: at - start, expected, bytes: b.subarray(at, at + 16) });
}

let shared: ListpackReader | null = null;

/**
 * The bulk payload readers' one reader, reset over `b[start, end)`: no object
 * per value (not reentrant: one listpack at a time).
 */
export function sharedListpack(b: Uint8Array, start: number, end: number): ListpackReader {
  return shared === null
    ? (shared = new ListpackReader(b, start, end))
    : shared.reset(b, start, end);
}

/**
 * Walks a listpack `b[start, end)` element by element. After `next()` returns
 * true, the element is an integer (`isInt`, value in `int`, or `big` when it
 * is outside the safe range) or a string `b[sOff, sOff + sLen)`.
 * Offsets in errors are relative to `start`.
 */
export class ListpackReader {
  b: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  /** The header's element count (65535: not recorded). */
  headerCount = 0;
  /** Elements read so far. */
  count = 0;
  /** Offset (absolute) of the current element. */
  at = 0;
  isInt = false;
  int = 0;
  big: bigint | null = null;
  sOff = 0;
  sLen = 0;
  #p = 0;
  #done = false;

  constructor(b: Uint8Array, start: number, end: number) {
    this.reset(b, start, end);
  }

  /** Walks another listpack from its start (one reader per bulk reader: no object per value). */
  reset(b: Uint8Array, start: number, end: number): this {
    this.count = 0;
    this.#done = false;
    this.b = b;
    this.start = start;
    this.end = end;
    const size = end - start;
    if (size < HDR + 1) fail(b, start, start, "a listpack of at least 7 bytes");
    const total = (b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) |
      (b[start + 3]! << 24)) >>> 0;
    if (total !== size) {
      fail(b, start, start, `listpack header total bytes ${size} (it says ${total})`);
    }
    if (b[end - 1] !== 0xff) fail(b, start, end - 1, "the listpack terminator 0xff");
    this.headerCount = b[start + 4]! | (b[start + 5]! << 8);
    this.#p = start + HDR;
    return this;
  }

  /** Moves to the next element; false at the terminator (after checking the count). */
  next(): boolean {
    if (this.#done) return false;
    const b = this.b;
    const p = this.#p;
    const last = this.end - 1;
    this.at = p;
    const e = b[p]!;
    if (e === 0xff) {
      if (p !== last) fail(b, this.start, p, "the listpack terminator only at the end");
      if (this.headerCount !== 0xffff && this.headerCount !== this.count) {
        fail(
          b,
          this.start,
          this.start + 4,
          `listpack header count ${this.count} (it says ${this.headerCount})`,
        );
      }
      this.#done = true;
      return false;
    }
    let len: number; // encoding + data
    this.big = null;
    if (e < 0x80) {
      this.isInt = true;
      this.int = e;
      len = 1;
    } else if (e < 0xc0) {
      this.isInt = false;
      this.sLen = e & 0x3f;
      this.sOff = p + 1;
      len = 1 + this.sLen;
    } else if (e < 0xe0) {
      if (p + 1 > last) fail(b, this.start, p, "a 13-bit integer inside the listpack");
      const u = ((e & 0x1f) << 8) | b[p + 1]!;
      this.isInt = true;
      this.int = u >= 4096 ? u - 8192 : u;
      len = 2;
    } else if (e < 0xf0) {
      if (p + 1 > last) fail(b, this.start, p, "a 12-bit string length inside the listpack");
      this.isInt = false;
      this.sLen = ((e & 0x0f) << 8) | b[p + 1]!;
      this.sOff = p + 2;
      len = 2 + this.sLen;
    } else if (e === 0xf0) {
      if (p + 4 > last) fail(b, this.start, p, "a 32-bit string length inside the listpack");
      this.isInt = false;
      this.sLen = (b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16) | (b[p + 4]! << 24)) >>> 0;
      this.sOff = p + 5;
      len = 5 + this.sLen;
    } else if (e <= 0xf4) {
      len = e === 0xf1 ? 3 : e === 0xf2 ? 4 : e === 0xf3 ? 5 : 9;
      if (p + len > last) fail(b, this.start, p, "an integer inside the listpack");
      this.isInt = true;
      if (e === 0xf1) {
        const u = b[p + 1]! | (b[p + 2]! << 8);
        this.int = u >= 32768 ? u - 65536 : u;
      } else if (e === 0xf2) {
        const u = b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16);
        this.int = u >= 8388608 ? u - 16777216 : u;
      } else {
        const lo = (b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16) | (b[p + 4]! << 24)) >>> 0;
        if (e === 0xf3) this.int = lo | 0;
        else {
          const hi = b[p + 5]! | (b[p + 6]! << 8) | (b[p + 7]! << 16) | (b[p + 8]! << 24);
          if (hi >= -2097152 && hi < 2097152) this.int = hi * 4294967296 + lo;
          else {
            this.big = (BigInt(hi) << 32n) | BigInt(lo);
            this.int = Number(this.big);
          }
        }
      }
    } else {
      return fail(b, this.start, p, "a listpack element encoding (0xf5-0xfe are not used)");
    }
    const bl = backlenSize(len);
    if (p + len + bl > last) {
      fail(b, this.start, p, "a listpack element that ends inside the listpack");
    }
    // The back-length, read backwards as Redis does: low 7 bits last.
    let q = p + len + bl - 1;
    let v = 0;
    let shift = 0;
    for (;;) {
      const c = b[q]!;
      v += (c & 127) * 2 ** shift;
      if (!(c & 128)) break;
      shift += 7;
      q--;
      if (shift > 28 || q < this.start + HDR) {
        fail(b, this.start, p + len, "a listpack element back-length");
      }
    }
    if (v !== len) fail(b, this.start, p + len, `listpack back-length ${len} (it says ${v})`);
    this.#p = p + len + bl;
    this.count++;
    return true;
  }

  /** The current element as bytes: a view of the string, or its decimal text. */
  bytes(): Uint8Array {
    if (!this.isInt) return this.b.subarray(this.sOff, this.sOff + this.sLen);
    return intBytes(this.big ?? this.int);
  }

  /** Fails at the current element. */
  fail(expected: string): never {
    return fail(this.b, this.start, this.at, expected);
  }

  /** The next element, which must be an integer (stream metadata). */
  nextInt(what: string): number {
    if (!this.next()) {
      fail(this.b, this.start, this.at, `${what} (an integer) before the end of the listpack`);
    }
    if (!this.isInt) this.fail(`${what} (an integer)`);
    return this.int;
  }

  /** The next element as bigint, which must be an integer (stream ID deltas). */
  nextBig(what: string): bigint {
    this.nextInt(what);
    return this.big ?? BigInt(this.int);
  }
}

/** Builds a listpack: elements are appended, `finish()` returns the bytes. */
export class ListpackWriter {
  #buf: Uint8Array;
  #pos = HDR;
  #count = 0;

  constructor(capacity = 256) {
    this.#buf = new Uint8Array(Math.max(capacity, HDR + 1));
  }

  /** Bytes written so far (with header and terminator). */
  get size(): number {
    return this.#pos + 1;
  }

  /** Elements appended. */
  get count(): number {
    return this.#count;
  }

  #room(n: number): void {
    if (this.#pos + n + 1 <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n + 1));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  #backlen(len: number): void {
    const b = this.#buf;
    const n = backlenSize(len);
    let p = this.#pos + n - 1;
    let v = len;
    b[p] = v & 127;
    for (let i = 1; i < n; i++) {
      b[p] = b[p]! | 128;
      v = Math.floor(v / 128);
      b[--p] = v & 127;
    }
    // The first byte carries the highest bits and no continuation flag.
    this.#pos += n;
  }

  /** Appends an integer element (int64). */
  appendInt(v: number | bigint): void {
    let len: number;
    if (typeof v === "bigint" && v >= -(2n ** 53n) && v <= 2n ** 53n) v = Number(v);
    this.#room(14);
    const b = this.#buf;
    const p = this.#pos;
    if (typeof v === "bigint") {
      b[p] = 0xf4;
      const u = BigInt.asUintN(64, v);
      for (let i = 0; i < 8; i++) b[p + 1 + i] = Number((u >> BigInt(8 * i)) & 0xffn);
      len = 9;
    } else if (v >= 0 && v <= 127) {
      b[p] = v;
      len = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      b[p] = 0xc0 | (u >> 8);
      b[p + 1] = u & 0xff;
      len = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p] = 0xf1;
      b[p + 1] = v & 0xff;
      b[p + 2] = (v >> 8) & 0xff;
      len = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p] = 0xf2;
      b[p + 1] = v & 0xff;
      b[p + 2] = (v >> 8) & 0xff;
      b[p + 3] = (v >> 16) & 0xff;
      len = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p] = 0xf3;
      b[p + 1] = v & 0xff;
      b[p + 2] = (v >> 8) & 0xff;
      b[p + 3] = (v >> 16) & 0xff;
      b[p + 4] = (v >>> 24) & 0xff;
      len = 5;
    } else {
      b[p] = 0xf4;
      const lo = v >>> 0;
      const hi = Math.floor(v / 4294967296) | 0;
      for (let i = 0; i < 4; i++) b[p + 1 + i] = (lo >>> (8 * i)) & 0xff;
      for (let i = 0; i < 4; i++) b[p + 5 + i] = (hi >>> (8 * i)) & 0xff;
      len = 9;
    }
    this.#pos += len;
    this.#backlen(len);
    this.#count++;
  }

  /** Appends `s` as Redis's lpAppend does: as an integer when it spells a canonical int64. */
  append(s: Uint8Array): void {
    const n = canonicalInt(s, 0, s.length);
    if (n !== null) this.appendInt(n);
    else this.appendString(s);
  }

  /** Appends `s` as a string element. */
  appendString(s: Uint8Array): void {
    const n = s.length;
    if (n > 0xffffffff) throw new RangeError("listpack: element longer than 4 GiB");
    const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
    this.#room(hdr + n + 5);
    const b = this.#buf;
    const p = this.#pos;
    if (hdr === 1) b[p] = 0x80 | n;
    else if (hdr === 2) {
      b[p] = 0xe0 | (n >> 8);
      b[p + 1] = n & 0xff;
    } else {
      b[p] = 0xf0;
      b[p + 1] = n & 0xff;
      b[p + 2] = (n >>> 8) & 0xff;
      b[p + 3] = (n >>> 16) & 0xff;
      b[p + 4] = n >>> 24;
    }
    if (n <= 32) { for (let i = 0; i < n; i++) b[p + hdr + i] = s[i]!; }
    else b.set(s, p + hdr);
    this.#pos += hdr + n;
    this.#backlen(hdr + n);
    this.#count++;
  }

  /** The finished listpack (the writer is spent). */
  finish(): Uint8Array {
    const b = this.#buf;
    const total = this.#pos + 1;
    b[this.#pos] = 0xff;
    b[0] = total & 0xff;
    b[1] = (total >>> 8) & 0xff;
    b[2] = (total >>> 16) & 0xff;
    b[3] = total >>> 24;
    const c = this.#count > 0xfffe ? 0xffff : this.#count;
    b[4] = c & 0xff;
    b[5] = c >> 8;
    return b.subarray(0, total);
  }
}

/** Bytes `append(s)` would add for `s` (to split quicklist nodes by size). */
export function listpackEntrySize(s: Uint8Array): number {
  const n = s.length;
  if (n <= 20 && canonicalInt(s, 0, n) !== null) return 11; // at most 9 + backlen
  const l = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  return l + backlenSize(l);
}
