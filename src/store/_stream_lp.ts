// Private: the byte size Redis's listpack would give a stream node. Redis
// starts a new node when the tail listpack reaches stream-node-max-bytes
// (4096) or stream-node-max-entries (100); approximate trimming (`~`) removes
// whole nodes only, so replies and XINFO's radix-tree-keys match Redis only if
// our nodes split exactly where Redis's do. Sizes follow listpack.c
// (lpEncodeGetType, lpEncodeIntegerGetType, lpEncodeBacklen) of Redis 7.0.
import { big, type U64 } from "./_stream_id.ts";

/** Redis defaults: stream-node-max-bytes and stream-node-max-entries. */
export const NODE_MAX_BYTES = 4096;
/** See {@link NODE_MAX_BYTES}. */
export const NODE_MAX_ENTRIES = 100;
/** Header (total bytes u32 + element count u16) and the end byte of an empty listpack. */
export const LP_EMPTY = 7;
/** STREAM_LISTPACK_MAX_SIZE: larger entries are refused ("Elements are too large"). */
export const LP_MAX_SIZE = 1 << 30;

/** Bytes of the encoded integer plus its 1-byte backlen. */
export function intSize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function backlen(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** `lpStringToInt64`: the int64 a listpack would store `b[off, off + n)` as, or null. */
function asInt(b: Uint8Array, off: number, n: number): number | bigint | null {
  if (n === 0 || n >= 21) return null;
  if (n === 1 && b[off] === 0x30) return 0;
  let i = off;
  const end = off + n;
  const neg = b[off] === 0x2d;
  if (neg && ++i === end) return null;
  const d0 = b[i]! - 0x30;
  if (d0 < 1 || d0 > 9) return null;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (n - (neg ? 1 : 0) <= 15) return neg ? -v : v;
  let s = "";
  for (let j = off; j < end; j++) s += String.fromCharCode(b[j]!);
  const x = BigInt(s);
  return x < I64_MIN || x > I64_MAX ? null : x;
}

/** Bytes a string element takes in a listpack (as an integer when it is one). */
export function strSize(b: Uint8Array): number {
  return strSizeAt(b, 0, b.length);
}

/** {@link strSize} of the string `b[off, off + n)`. */
export function strSizeAt(b: Uint8Array, off: number, n: number): number {
  const v = asInt(b, off, n);
  if (v !== null) return typeof v === "number" ? intSize(v) : 10;
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlen(enc);
}

const TWO64 = 1n << 64n;

/** The int64 Redis stores for the u64 difference `a - b` (wrapping, then signed). */
export function deltaSize(a: U64, b: U64): number {
  if (typeof a === "number" && typeof b === "number") return intSize(a - b);
  let d = (big(a) - big(b)) % TWO64;
  if (d < 0n) d += TWO64;
  if (d >= 1n << 63n) d -= TWO64;
  return d >= -2147483648n && d <= 2147483647n ? intSize(Number(d)) : 10;
}
