// Private: the compact encoding of small sorted sets (Redis's zset listpack
// idea), used by SortedSet (zset.ts). The members of a zset are one
// Uint8Array in exactly the kevy snapshot zset payload layout: per member
// `u32le length, member bytes, f64le score`, in (score, member) order. A
// snapshot record's payload is adopted as is; lookups scan linearly, which
// is fast for the sizes allowed (ZSET_COMPACT_ENTRIES members of at most
// ZSET_COMPACT_BYTES bytes, Redis's zset-max-listpack-entries / -value).
import { rd32, wr32 } from "./_listpack.ts";
import { findItem } from "./_packed.ts";
import { toKey } from "./_keys.ts";
import { compareScores, gteMin, lexGte, lexKey, lexLte, lteMax } from "./_zset_bounds.ts";
import type { LexBound, ScoreBound } from "./zset.ts";

/** A zset with more members than this uses the skip list. */
export const ZSET_COMPACT_ENTRIES = 128;
/** A zset with a member longer than this (bytes) uses the skip list. */
export const ZSET_COMPACT_BYTES = 64;

const F64 = new Float64Array(1);
const F8 = new Uint8Array(F64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The f64le at `p`. */
export function rdScore(b: Uint8Array, p: number): number {
  if (LE) { for (let i = 0; i < 8; i++) F8[i] = b[p + i]!; }
  else for (let i = 0; i < 8; i++) F8[7 - i] = b[p + i]!;
  return F64[0]!;
}

/** Writes `v` as f64le at `p`. */
export function wrScore(b: Uint8Array, p: number, v: number): void {
  F64[0] = v;
  if (LE) { for (let i = 0; i < 8; i++) b[p + i] = F8[i]!; }
  else for (let i = 0; i < 8; i++) b[p + i] = F8[7 - i]!;
}

/** End of the entry at `p`. */
export function zpNext(b: Uint8Array, p: number): number {
  return p + 12 + rd32(b, p);
}

/** Score of the entry at `p`. */
export function zpScore(b: Uint8Array, p: number): number {
  return rdScore(b, p + 4 + rd32(b, p));
}

/** Offset of the entry whose member equals `m`, or -1 (an item search past each score). */
export function zpFind(b: Uint8Array, used: number, m: Uint8Array): number {
  return findItem(b, used, m, 8);
}

/** Compares member bytes `b[p, p + pl)` with `m` (unsigned lexicographic). */
function cmpBytes(b: Uint8Array, p: number, pl: number, m: Uint8Array): number {
  const n = Math.min(pl, m.length);
  for (let i = 0; i < n; i++) {
    const d = b[p + i]! - m[i]!;
    if (d !== 0) return d;
  }
  return pl - m.length;
}

/** Offset of the first entry not before (`score`, `m`): where it is inserted. */
export function zpInsertAt(b: Uint8Array, used: number, score: number, m: Uint8Array): number {
  let p = 0;
  while (p < used) {
    const l = rd32(b, p);
    const c = compareScores(rdScore(b, p + 4 + l), score);
    if (c > 0 || (c === 0 && cmpBytes(b, p + 4, l, m) >= 0)) return p;
    p += 12 + l;
  }
  return used;
}

/** Writes one entry at `p`; returns its end. */
export function zpPut(b: Uint8Array, p: number, m: Uint8Array, score: number): number {
  const ml = m.length;
  wr32(b, p, ml);
  for (let i = 0; i < ml; i++) b[p + 4 + i] = m[i]!;
  wrScore(b, p + 4 + ml, score);
  return p + 12 + ml;
}

/**
 * Whether `b[start, used)` holds exactly `n` well-formed entries within the
 * compact limits, strictly ascending in (score, member) order (so no member
 * twice): then it can be adopted as is.
 */
export function zpAdoptable(
  b: Uint8Array,
  used: number,
  n: number,
  unique = false,
  start = 0,
): boolean {
  if (n > ZSET_COMPACT_ENTRIES) return false;
  let p = start;
  let prev = -1;
  let prevLen = 0;
  let prevScore = 0;
  let count = 0;
  while (p < used) {
    if (p + 4 > used) return false;
    const l = rd32(b, p);
    if (l > ZSET_COMPACT_BYTES || p + 12 + l > used) return false;
    const s = rdScore(b, p + 4 + l);
    if (prev >= 0) {
      const c = compareScores(prevScore, s);
      if (c > 0) return false;
      if (c === 0 && cmpBytes(b, prev + 4, prevLen, b.subarray(p + 4, p + 4 + l)) >= 0) {
        return false;
      }
    }
    prev = p;
    prevLen = l;
    prevScore = s;
    p += 12 + l;
    count++;
  }
  return count === n && (unique || (start === 0 && !zpHasDuplicates(b, used, n)));
}

/** Whether two entries of `b[0, used)` (`n` of them) have the same member. */
function zpHasDuplicates(b: Uint8Array, used: number, n: number): boolean {
  if (n < 2) return false;
  if (n > 16) {
    const seen = new Set<string>();
    for (let p = 0; p < used; p = zpNext(b, p)) {
      const k = toKey(b.subarray(p + 4, p + 4 + rd32(b, p)));
      if (seen.has(k)) return true;
      seen.add(k);
    }
    return false;
  }
  for (let p = 0; p < used; p = zpNext(b, p)) {
    const l = rd32(b, p);
    for (let q = zpNext(b, p); q < used; q = zpNext(b, q)) {
      if (rd32(b, q) !== l) continue;
      let i = 0;
      while (i < l && b[p + 4 + i] === b[q + 4 + i]) i++;
      if (i === l) return true;
    }
  }
  return false;
}

/** Offsets of the `n` entries of `b`, in order. */
export function zpOffsets(b: Uint8Array, n: number): number[] {
  const out = new Array<number>(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    out[i] = p;
    p = zpNext(b, p);
  }
  return out;
}

/** The member (a copy) and score of the entry at `p`. */
export function zpPair(b: Uint8Array, p: number): [Uint8Array, number] {
  const l = rd32(b, p);
  return [b.slice(p + 4, p + 4 + l), zpScore(b, p)];
}

/** ZRANGEBYSCORE over the `n` entries of `b` (see SortedSet.rangeByScore). */
export function zpRangeByScore(
  b: Uint8Array,
  n: number,
  min: ScoreBound,
  max: ScoreBound,
  reverse: boolean,
  offset: number,
  limit: number,
): Array<[Uint8Array, number]> {
  const out: Array<[Uint8Array, number]> = [];
  const at = zpOffsets(b, n);
  for (let i = 0; i < n && limit !== 0; i++) {
    const p = at[reverse ? n - 1 - i : i]!;
    const s = zpScore(b, p);
    if (!gteMin(s, min) || !lteMax(s, max)) continue;
    if (offset > 0) {
      offset--;
      continue;
    }
    out.push(zpPair(b, p));
    if (limit > 0) limit--;
  }
  return out;
}

/** ZRANGEBYLEX over the entries in `b[0, used)` (see SortedSet.rangeByLex). */
export function zpRangeByLex(
  b: Uint8Array,
  used: number,
  min: LexBound,
  max: LexBound,
): Array<[Uint8Array, number]> {
  const out: Array<[Uint8Array, number]> = [];
  const lo = lexKey(min), hi = lexKey(max);
  for (let p = 0; p < used; p = zpNext(b, p)) {
    const m = toKey(b.subarray(p + 4, p + 4 + rd32(b, p)));
    if (!lexGte(m, lo)) continue;
    if (!lexLte(m, hi)) break;
    out.push(zpPair(b, p));
  }
  return out;
}
