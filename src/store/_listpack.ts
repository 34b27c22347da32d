// Private: the compact encoding of small hashes (Redis' listpack idea). The
// pairs of a hash are one Uint8Array in exactly the snapshot payload layout:
// per pair `u32le field length, field bytes, u32le value length, value bytes`,
// in insertion order. A snapshot record's payload is copied in as is, and
// written out as is. Lookups scan linearly, which is fast for the sizes
// allowed here (COMPACT_MAX_FIELDS pairs of at most COMPACT_MAX_BYTES each).
import { hashBytes } from "./_hash.ts";
import { toKey } from "./_keys.ts";

/** A hash with more fields than this uses the Map encoding. */
export const COMPACT_MAX_FIELDS = 128;
/** A hash with a field or value longer than this (bytes) uses the Map encoding. */
export const COMPACT_MAX_BYTES = 64;

/** u32le at `p`. */
export function rd32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Writes u32le `v` at `p`. */
export function wr32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = v >>> 24;
}

/** Offset of the pair whose field equals `f`, or -1. */
export function lpFind(b: Uint8Array, used: number, f: Uint8Array): number {
  const fl = f.length;
  let p = 0;
  while (p < used) {
    const l = rd32(b, p);
    if (l === fl) {
      let i = 0;
      const q = p + 4;
      while (i < fl && b[q + i] === f[i]) i++;
      if (i === fl) return p;
    }
    const v = p + 4 + l;
    p = v + 4 + rd32(b, v);
  }
  return -1;
}

/** End of the pair starting at `p`. */
export function lpPairEnd(b: Uint8Array, p: number): number {
  const v = p + 4 + rd32(b, p);
  return v + 4 + rd32(b, v);
}

// Scratch for the duplicate check (at most COMPACT_MAX_FIELDS pairs).
const TABLE = 256;
const slotPair = new Int32Array(TABLE);
const slotHash = new Int32Array(TABLE);

function fieldEq(b: Uint8Array, p: number, q: number): boolean {
  const l = rd32(b, p);
  if (rd32(b, q) !== l) return false;
  for (let i = 4; i < l + 4; i++) if (b[p + i] !== b[q + i]) return false;
  return true;
}

/** Whether two of the `n` (<= COMPACT_MAX_FIELDS) pairs in `b[0, used)` share a field. */
export function lpHasDuplicates(b: Uint8Array, used: number, n: number): boolean {
  if (n < 2) return false;
  let size = 8;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  slotPair.fill(0, 0, size);
  let p = 0;
  while (p < used) {
    const h = hashBytes(b, p + 4, rd32(b, p));
    let s = h & mask;
    for (;;) {
      const e = slotPair[s]!;
      if (e === 0) break;
      if (slotHash[s] === h && fieldEq(b, e - 1, p)) return true;
      s = (s + 1) & mask;
    }
    slotPair[s] = p + 1;
    slotHash[s] = h;
    p = lpPairEnd(b, p);
  }
  return false;
}

/** The pairs of `b[0, used)` as `[field, value]` views, in order. */
function lpPairs(b: Uint8Array, used: number): Array<[Uint8Array, Uint8Array]> {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  let p = 0;
  while (p < used) {
    const fl = rd32(b, p);
    const v = p + 4 + fl;
    const vl = rd32(b, v);
    out.push([b.subarray(p + 4, v), b.subarray(v + 4, v + 4 + vl)]);
    p = v + 4 + vl;
  }
  return out;
}

/**
 * The pairs of `b[0, used)` with duplicate fields merged as a Map would
 * (first position, last value): a fresh buffer and its pair count.
 */
export function lpMerge(b: Uint8Array, used: number): [Uint8Array, number, number] {
  const m = new Map<string, [Uint8Array, Uint8Array]>();
  for (const pr of lpPairs(b, used)) {
    const k = toKey(pr[0]);
    const old = m.get(k);
    if (old === undefined) m.set(k, pr);
    else old[1] = pr[1];
  }
  let size = 0;
  for (const [f, v] of m.values()) size += 8 + f.length + v.length;
  const out = new Uint8Array(size);
  let p = 0;
  for (const [f, v] of m.values()) p = lpPut(out, p, f, v);
  return [out, size, m.size];
}

/** Writes one pair at `p`; returns its end. */
export function lpPut(b: Uint8Array, p: number, f: Uint8Array, v: Uint8Array): number {
  wr32(b, p, f.length);
  p += 4;
  for (let i = 0; i < f.length; i++) b[p + i] = f[i]!;
  p += f.length;
  wr32(b, p, v.length);
  p += 4;
  for (let i = 0; i < v.length; i++) b[p + i] = v[i]!;
  return p + v.length;
}
