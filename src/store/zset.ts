/**
 * Sorted set. Two encodings, like Redis: a small set (at most 128 members,
 * each at most 64 bytes: Redis's zset-max-listpack-entries / -value) is one
 * packed byte array scanned linearly; past either limit it becomes for good
 * a skip list with spans (the Redis `zskiplist` design) plus a member →
 * score map. Order: score by IEEE-754 total order (`-Infinity`
 * first, `-0` before `+0`, `+Infinity`, then NaN), ties by
 * member bytes (unsigned lexicographic). In the skip list insert, remove,
 * rank and rank/score lookups are O(log n) expected; levels come from a private
 * deterministic PRNG (no globals).
 *
 * NaN scores: Redis never holds one (ZADD and ZINCRBY refuse NaN), but kevy
 * 1.17's embedded replay stores `ZADD z nan m` and its snapshots keep it, so
 * a set loaded from kevy files may hold NaN members. They sort after
 * `+Infinity` (by member among themselves), count in ZCARD and rank ranges,
 * and fall outside every score range (no bound compares to NaN).
 *
 * @module
 */

export { formatScore } from "./_num.ts";
export { compareScores } from "./_zset_bounds.ts";
export { SortedSet } from "./_sorted_set.ts";

/**
 * A score bound: `value`, exclusive if `ex`.
 *
 * @example
 * ```ts
 * import { ScoreBound } from "@kevy/persist/store";
 * const min: ScoreBound = { value: 1.5, ex: true }; // "(1.5"
 * ```
 */
export interface ScoreBound {
  /** Bound value (may be ±Infinity). */
  value: number;
  /** Exclusive bound (`(` prefix). */
  ex: boolean;
}

/**
 * A lex bound: `-`/`+` infinities or a member, exclusive if `ex`.
 *
 * @example
 * ```ts
 * import { LexBound } from "@kevy/persist/store";
 * const min: LexBound = { member: new Uint8Array([97]), ex: false }; // "[a"
 * ```
 */
export type LexBound = "-" | "+" | { member: Uint8Array; ex: boolean };
