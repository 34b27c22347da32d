// Private: Redis intsets (RDB set type 11). Layout: u32 LE element width
// (2, 4 or 8 bytes), u32 LE count, the elements as little-endian signed
// integers in strictly ascending order. Checked as Redis's deep sanitization
// does: known width, size equal to the count, not empty, ascending, no
// duplicates.
import { CorruptFileError } from "./errors.ts";
import { intBytes } from "./_redis_num.ts";

function fail(b: Uint8Array, start: number, at: number, expected: string): never {
  throw new CorruptFileError({ offset: at - start, expected, bytes: b.subarray(at, at + 16) });
}

/** The members of the intset `b[start, end)` as decimal text, in ascending order. */
export function decodeIntset(
  b: Uint8Array,
  start: number,
  end: number,
  text: (v: number | bigint) => Uint8Array = intBytes,
): Uint8Array[] {
  const size = end - start;
  if (size < 8) fail(b, start, start, "an intset header (8 bytes)");
  const dv = new DataView(b.buffer, b.byteOffset + start, size);
  const width = dv.getUint32(0, true);
  if (width !== 2 && width !== 4 && width !== 8) fail(b, start, start, "intset width 2, 4 or 8");
  const count = dv.getUint32(4, true);
  if (8 + count * width !== size) {
    fail(b, start, start + 4, `intset of ${count} x ${width} bytes in ${size - 8} bytes`);
  }
  if (count === 0) fail(b, start, start + 4, "a non-empty intset");
  const out: Uint8Array[] = new Array(count);
  let prev: number | bigint = 0;
  for (let i = 0; i < count; i++) {
    const o = 8 + i * width;
    let v: number | bigint;
    if (width === 2) v = dv.getInt16(o, true);
    else if (width === 4) v = dv.getInt32(o, true);
    else {
      const big = dv.getBigInt64(o, true);
      v = Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    if (i > 0 && !(v > prev)) {
      fail(b, start, start + o, "intset members in ascending order, no duplicates");
    }
    prev = v;
    out[i] = text(v);
  }
  return out;
}

/** An intset of `values` (int64, any order, no duplicates) in the narrowest width. */
export function encodeIntset(values: Array<number | bigint>): Uint8Array {
  const sorted = values.map((v) => BigInt(v)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of sorted) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = new Uint8Array(8 + sorted.length * width);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, width, true);
  dv.setUint32(4, sorted.length, true);
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (i > 0 && v === sorted[i - 1]) throw new RangeError("intset: duplicate member");
    if (width === 2) dv.setInt16(8 + 2 * i, Number(v), true);
    else if (width === 4) dv.setInt32(8 + 4 * i, Number(v), true);
    else dv.setBigInt64(8 + 8 * i, v, true);
  }
  return out;
}
