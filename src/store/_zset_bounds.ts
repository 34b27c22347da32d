// Private: score and lex bound tests of SortedSet's range walks.
import { toKey } from "./_keys.ts";
import type { LexBound, ScoreBound } from "./zset.ts";

/** Strictly before the range's start (a NaN score, sorted last, never is). */
export function belowMin(v: number, min: ScoreBound): boolean {
  return min.ex ? v <= min.value : v < min.value;
}

export function gteMin(v: number, min: ScoreBound): boolean {
  return min.ex ? v > min.value : v >= min.value;
}

export function lteMax(v: number, max: ScoreBound): boolean {
  return max.ex ? v < max.value : v <= max.value;
}

export type LexKey = "-" | "+" | { m: string; ex: boolean };

export function lexKey(b: LexBound): LexKey {
  return typeof b === "string" ? b : { m: toKey(b.member), ex: b.ex };
}

export function lexGte(m: string, min: LexKey): boolean {
  if (min === "-") return true;
  if (min === "+") return false;
  return min.ex ? m > min.m : m >= min.m;
}

export function lexLte(m: string, max: LexKey): boolean {
  if (max === "+") return true;
  if (max === "-") return false;
  return max.ex ? m < max.m : m <= max.m;
}

/**
 * Compares two scores in IEEE-754 total order (NaN, only from kevy files,
 * sorts last). Returns -1, 0 or 1.
 *
 * @example
 * ```ts
 * import { compareScores } from "./zset.ts";
 * compareScores(-0, 0); // -1
 * compareScores(-Infinity, -1e308); // -1
 * ```
 */
export function compareScores(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const na = Object.is(a, -0);
    return na === Object.is(b, -0) ? 0 : na ? -1 : 1;
  }
  // At least one NaN.
  const an = a !== a, bn = b !== b;
  return an === bn ? 0 : an ? 1 : -1;
}
