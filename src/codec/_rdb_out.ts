// Private: the byte sink of the RDB writers: a growable buffer with RDB
// lengths, strings (integer encoding for short canonical integers, LZF for
// longer strings when it saves more than 4 bytes, as Redis's
// rdbSaveRawString does) and little-endian numbers.
import { lzfCompress } from "./lzf.ts";
import { canonicalInt } from "./_redis_num.ts";

const f64 = new DataView(new ArrayBuffer(8));

export class RdbOut {
  buf: Uint8Array;
  pos = 0;
  /** LZF-compress strings longer than 20 bytes when it pays (Redis `rdbcompression`). */
  readonly compress: boolean;

  constructor(compress: boolean, capacity = 1 << 16) {
    this.compress = compress;
    this.buf = new Uint8Array(capacity);
  }

  room(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bytes written so far (a copy); the sink is emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  raw(b: Uint8Array): void {
    this.room(b.length);
    if (b.length <= 16) { for (let i = 0; i < b.length; i++) this.buf[this.pos + i] = b[i]!; }
    else this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** An RDB length (6, 14, 32 or 64 bits). */
  len(n: number | bigint): void {
    this.room(9);
    const b = this.buf;
    let p = this.pos;
    if (typeof n === "bigint") {
      if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`RDB length ${n} outside u64`);
      if (n > 0xffffffffn) {
        b[p++] = 0x81;
        for (let i = 7; i >= 0; i--) b[p++] = Number((n >> BigInt(8 * i)) & 0xffn);
        this.pos = p;
        return;
      }
      n = Number(n);
    }
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`RDB length ${n} is not a u64 integer`);
    }
    if (n < 64) b[p++] = n;
    else if (n < 16384) {
      b[p++] = 0x40 | (n >> 8);
      b[p++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[p++] = 0x80;
      b[p++] = n >>> 24;
      b[p++] = (n >>> 16) & 0xff;
      b[p++] = (n >>> 8) & 0xff;
      b[p++] = n & 0xff;
    } else {
      b[p++] = 0x81;
      const hi = Math.floor(n / 4294967296);
      const lo = n >>> 0;
      for (const w of [hi, lo]) {
        b[p++] = w >>> 24;
        b[p++] = (w >>> 16) & 0xff;
        b[p++] = (w >>> 8) & 0xff;
        b[p++] = w & 0xff;
      }
    }
    this.pos = p;
  }

  /** Signed 64-bit little-endian (millisecond times). */
  i64(v: number | bigint): void {
    this.room(8);
    const b = this.buf;
    const p = this.pos;
    if (typeof v === "bigint") {
      const u = BigInt.asUintN(64, v);
      for (let i = 0; i < 8; i++) b[p + i] = Number((u >> BigInt(8 * i)) & 0xffn);
    } else {
      if (!Number.isSafeInteger(v)) throw new RangeError(`RDB time ${v} is not a safe integer`);
      const lo = v >>> 0;
      const hi = Math.floor(v / 4294967296) | 0;
      for (let i = 0; i < 4; i++) b[p + i] = (lo >>> (8 * i)) & 0xff;
      for (let i = 0; i < 4; i++) b[p + 4 + i] = (hi >>> (8 * i)) & 0xff;
    }
    this.pos = p + 8;
  }

  f64(v: number): void {
    f64.setFloat64(0, v, true);
    this.room(8);
    for (let i = 0; i < 8; i++) this.buf[this.pos + i] = f64.getUint8(i);
    this.pos += 8;
  }

  /** A string as Redis saves it: integer-encoded, LZF-compressed or raw. */
  string(s: Uint8Array): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const v = canonicalInt(s, 0, n);
      if (typeof v === "number" && v >= -2147483648 && v <= 2147483647) {
        this.room(5);
        const b = this.buf;
        const p = this.pos;
        if (v >= -128 && v <= 127) {
          b[p] = 0xc0;
          b[p + 1] = v & 0xff;
          this.pos = p + 2;
        } else if (v >= -32768 && v <= 32767) {
          b[p] = 0xc1;
          b[p + 1] = v & 0xff;
          b[p + 2] = (v >> 8) & 0xff;
          this.pos = p + 3;
        } else {
          b[p] = 0xc2;
          for (let i = 0; i < 4; i++) b[p + 1 + i] = (v >>> (8 * i)) & 0xff;
          this.pos = p + 5;
        }
        return;
      }
    }
    if (this.compress && n > 20) {
      const c = lzfCompress(s, n - 4);
      if (c !== null) {
        this.u8(0xc3);
        this.len(c.length);
        this.len(n);
        this.raw(c);
        return;
      }
    }
    this.len(n);
    this.raw(s);
  }
}
