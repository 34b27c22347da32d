/**
 * RESP pieces written at an offset of a buffer the caller has sized
 * (ByteWriter reserve): decimals, bulk strings, constants. The hot paths that
 * write frames straight from record bytes — an AOF rewrite's SET frames,
 * migrate's string records into a node's batch — use these, without argv
 * arrays or per-key objects. Internal: not in `@kevy/persist/codec`.
 *
 * @module
 */

/** Digits of the decimal `n` (a non-negative integer). */
export function decimalLength(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  let d = 6;
  for (let m = 1000000; n >= m && d < 17; m *= 10) d++;
  return d;
}

/** Writes the decimal `n` at `p`; returns the offset after it. */
export function putDecimal(buf: Uint8Array, p: number, n: number): number {
  const end = p + decimalLength(n);
  let q = end;
  if (n < 2147483648) {
    do {
      const t = (n / 10) | 0;
      buf[--q] = 0x30 + (n - t * 10);
      n = t;
    } while (n > 0);
    return end;
  }
  do {
    const t = Math.floor(n / 10);
    buf[--q] = 0x30 + (n - t * 10);
    n = t;
  } while (n > 0);
  return end;
}

/** Bytes of `$<len>\r\n<bytes>\r\n`. */
export function bulkSize(len: number): number {
  return 5 + decimalLength(len) + len;
}

/**
 * Copies `src[off, off + len)` to `buf` at `p`. Short runs by a loop: a
 * `subarray` + `set` costs an object and a native call each (much more
 * than the copy on Bun), which the keys and values here rarely need.
 */
export function putBytes(
  buf: Uint8Array,
  p: number,
  src: Uint8Array,
  off: number,
  len: number,
): void {
  if (len <= 64) { for (let i = 0; i < len; i++) buf[p + i] = src[off + i]!; }
  else buf.set(src.subarray(off, off + len), p);
}

/** Writes `$<len>\r\n<src[off, off + len)>\r\n` at `p`; returns the offset after it. */
export function putBulk(
  buf: Uint8Array,
  p: number,
  src: Uint8Array,
  off: number,
  len: number,
): number {
  buf[p] = 0x24; // $
  p = putDecimal(buf, p + 1, len);
  buf[p] = 13;
  buf[p + 1] = 10;
  p += 2;
  putBytes(buf, p, src, off, len);
  p += len;
  buf[p] = 13;
  buf[p + 1] = 10;
  return p + 2;
}

/** Writes the bytes of `c` at `p`; returns the offset after them. */
export function putConst(buf: Uint8Array, p: number, c: Uint8Array): number {
  for (let i = 0; i < c.length; i++) buf[p + i] = c[i]!;
  return p + c.length;
}

/** Bytes of `*<argc>\r\n` followed by the bulk `verb`. */
export function headSize(argc: number, verb: Uint8Array): number {
  return 3 + decimalLength(argc) + verb.length;
}

/** Writes `*<argc>\r\n` and the bulk `verb` (already encoded) at `p`; returns the offset after them. */
export function putHead(buf: Uint8Array, p: number, argc: number, verb: Uint8Array): number {
  buf[p] = 0x2a; // *
  p = putDecimal(buf, p + 1, argc);
  buf[p] = 13;
  buf[p + 1] = 10;
  return putConst(buf, p + 2, verb);
}
