// Private: the byte writer behind dumpKeyspaceJsonl (dump_jsonl.ts): one
// growable output chunk, hex and text encoders, and the string-line writer
// for keys held outside the store (StringRows), fused into one loop because
// a 1M-key dump spends most of its time there.
import { compareByteRanges } from "../codec/byte_sort.ts";
import type { StringRows } from "./dump_jsonl.ts";

const enc = new TextEncoder();
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, "0");
  HEX[2 * i] = h.charCodeAt(0);
  HEX[2 * i + 1] = h.charCodeAt(1);
}
export const KEY = enc.encode('{"key":');
const STRING_TYPE = enc.encode(',"type":"string","ttl":');
export const VALUE = enc.encode(',"value":');
export const END = enc.encode("}\n");
const NULL = enc.encode("null");
const strict = new TextDecoder("utf-8", { fatal: true });
const F64_BYTES = new Uint8Array(8);
const F64 = new DataView(F64_BYTES.buffer);

/** A growable output chunk. */
export class Out {
  buf: Uint8Array;
  p = 0;
  readonly size: number;
  readonly reuse: boolean;
  constructor(size: number, reuse = false) {
    this.size = size;
    this.reuse = reuse;
    this.buf = new Uint8Array(size);
  }
  need(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.p + n));
    b.set(this.buf.subarray(0, this.p));
    this.buf = b;
  }
  raw(u: Uint8Array): void {
    const n = u.length;
    this.need(n);
    const b = this.buf;
    let p = this.p;
    for (let i = 0; i < n; i++) b[p++] = u[i]!; // short constants: a loop beats set()
    this.p = p;
  }
  ascii(s: string): void {
    this.need(s.length * 3);
    this.p += enc.encodeInto(s, this.buf.subarray(this.p)).written;
  }
  /** `"<hex>"` of arena bytes. */
  hex(src: Uint8Array, off: number, len: number): void {
    this.need(len * 2 + 2);
    const b = this.buf;
    let p = this.p;
    b[p++] = 0x22;
    for (let i = off, end = off + len; i < end; i++) {
      const x = src[i]! << 1;
      b[p++] = HEX[x]!;
      b[p++] = HEX[x + 1]!;
    }
    b[p++] = 0x22;
    this.p = p;
  }
  /** The 16 hex digits of `x`'s IEEE 754 bits, big-endian (dump.ts `scoreBits`, without a BigInt). */
  scoreBits(x: number): void {
    F64.setFloat64(0, x);
    this.need(16);
    this.p = hexAt(this.buf, this.p, F64_BYTES, 0, 8);
  }
  /** Text when valid UTF-8, else `{"hex":"..."}`. */
  text(src: Uint8Array, off: number, len: number): void {
    const bytes = src.subarray(off, off + len);
    let s: string | null = null;
    try {
      s = strict.decode(bytes);
    } catch {
      // not UTF-8: hex below
    }
    if (s !== null) {
      this.ascii(JSON.stringify(s));
      return;
    }
    this.ascii('{"hex":');
    this.hex(bytes, 0, bytes.length);
    this.ascii("}");
  }
  /**
   * The bytes so far, handed over: a fresh buffer follows (the reader may
   * keep them), or with `reuse` the buffer handed over the time before.
   */
  take(): Uint8Array {
    const chunk = this.buf.subarray(0, this.p);
    if (this.reuse) {
      const next = this.#spare ?? new Uint8Array(this.size);
      this.#spare = this.buf;
      this.buf = next;
    } else this.buf = new Uint8Array(this.size);
    this.p = 0;
    return chunk;
  }
  #spare: Uint8Array | null = null;
}

/** `,"type":"string","ttl":...,"value":...}` and the newline. */
export function stringTail(
  out: Out,
  d: number,
  vb: Uint8Array,
  vo: number,
  vl: number,
  text: boolean,
): void {
  out.raw(STRING_TYPE);
  if (d === d) out.ascii(String(d));
  else out.raw(NULL);
  out.raw(VALUE);
  if (text) out.text(vb, vo, vl);
  else out.hex(vb, vo, vl);
  out.raw(END);
}

const KEY_OPEN = enc.encode('{"key":"');
const TTL_OPEN = enc.encode('","type":"string","ttl":');
const VALUE_OPEN = enc.encode(',"value":"');
const NO_TTL = enc.encode('","type":"string","ttl":null,"value":"');
const LINE_END = enc.encode('"}\n');

/** Copies the short constant `c` to `b[p..]`; returns the end. */
function put(b: Uint8Array, p: number, c: Uint8Array): number {
  for (let i = 0; i < c.length; i++) b[p++] = c[i]!;
  return p;
}

/** Lowercase hex of `src[off, off+len)` at `b[p..]`; returns the end. */
function hexAt(b: Uint8Array, p: number, src: Uint8Array, off: number, len: number): number {
  for (let i = off, end = off + len; i < end; i++) {
    const x = src[i]! << 1;
    b[p++] = HEX[x]!;
    b[p++] = HEX[x + 1]!;
  }
  return p;
}

/** Decimal digits of the safe non-negative integer `d` at `b[p..]`; returns the end. */
function digitsAt(b: Uint8Array, p: number, d: number): number {
  let n = 1;
  for (let x = d; x >= 10; x = Math.floor(x / 10)) n++;
  let x = d;
  for (let i = p + n - 1; i >= p; i--) {
    const q = Math.floor(x / 10);
    b[i] = 0x30 + (x - q * 10);
    x = q;
  }
  return p + n;
}

/**
 * Lines of rows `j, j+1, ...` of `rows` (below `m`) until `out` holds
 * `limit` bytes or the next row's key sorts after `stop[so, so+sl)` (`sl`
 * -1: no stop); returns the next row. Hex lines take the fused loop; text
 * lines the general encoders.
 */
export function writeRows(
  out: Out,
  rows: StringRows,
  j: number,
  m: number,
  limit: number,
  text: boolean,
  stop: Uint8Array,
  so: number,
  sl: number,
): number {
  const keys = rows.keys;
  for (; j < m; j++) {
    const ko = rows.keyOffset(j), kl = rows.keyLength(j);
    if (sl >= 0 && compareByteRanges(keys, ko, kl, stop, so, sl) > 0) break;
    const vb = rows.valueChunk(j), vo = rows.valueOffset(j), vl = rows.valueLength(j);
    const d = rows.deadline(j);
    if (text) {
      out.raw(KEY);
      out.text(keys, ko, kl);
      stringTail(out, d, vb, vo, vl, true);
    } else {
      out.need(2 * (kl + vl) + 96);
      const b = out.buf;
      let p = put(b, out.p, KEY_OPEN);
      p = hexAt(b, p, keys, ko, kl);
      if (d !== d) p = put(b, p, NO_TTL);
      else {
        p = put(b, p, TTL_OPEN);
        if (d >= 0 && Number.isSafeInteger(d)) p = digitsAt(b, p, d);
        else {
          out.p = p;
          out.ascii(String(d));
          p = out.p;
        }
        p = put(b, p, VALUE_OPEN);
      }
      p = hexAt(b, p, vb, vo, vl);
      out.p = put(b, p, LINE_END);
    }
    if (out.p >= limit) return j + 1;
  }
  return j;
}
