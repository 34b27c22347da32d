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
