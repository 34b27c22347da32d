/**
 * Sorted-set commands of a store handle and of a transaction
 * ({@link ZsetCommands}), with the blocking pops.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import { formatScore } from "../persist/rewrite_commands.ts";
import { bulk, type Bytes, int, intArg, score, scoredMembers, strictBulks } from "./_reply.ts";
import { blockingArgs, zaddArgv, zrangeArgv } from "./_argv.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { SetCommands } from "./cmd_sets.ts";
import type { BlockingOptions, ScoreArg, ScoredMember, ZAddOptions } from "./types.ts";

/** A score bound as Redis reads it: `5`, `(5` (exclusive), `+inf`, `-inf`. */
function bound(b: ScoreArg): string {
  return typeof b === "number" ? formatScore(b) : `(${formatScore(b.exclusive)}`;
}

/** Options of the by-score ranges. */
export interface ZRangeByScoreOptions {
  /** With scores: `{ member, score }` objects. */
  withScores?: boolean;
  /** `LIMIT offset count` (default: every member in the range). */
  limit?: { offset: number; count: number };
}

/**
 * Sorted-set commands. Scores are numbers (`Infinity` for Redis's `+inf`);
 * ranks are 0-based.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.zadd("board", [[10, "ada"], [7, "bob"]]);
 * await db.zincrby("board", 5, "bob");
 * console.log(await db.zrevrank("board", "bob"), await db.zrangebyscore("board", 8, Infinity));
 * // 0 ["ada", "bob"]
 * await db.close();
 * ```
 */
export class ZsetCommands<V extends string | Uint8Array, M> extends SetCommands<V, M> {
  /**
   * `ZADD` of `[score, member]` pairs or `{score, member}` objects: how many
   * members were added (or changed, with `ch`).
   */
  zadd(
    key: Bytes,
    members: Array<[number, Bytes]> | ScoredMember<Bytes> | Array<ScoredMember<Bytes>>,
    opts: ZAddOptions = {},
  ): Result<V, M, number> {
    return call(this, "zadd", zaddArgv(key, members, opts), int);
  }

  /** `ZINCRBY`: the member's new score. */
  zincrby(key: Bytes, by: number, member: Bytes): Result<V, M, number> {
    return call(this, "zincrby", ["ZINCRBY", key, formatScore(by), member], (r) => score(r) ?? NaN);
  }

  /** `ZREM`: how many members were removed. */
  zrem(key: Bytes, ...members: Bytes[]): Result<V, M, number> {
    return call(this, "zrem", ["ZREM", key, ...members], int);
  }

  /** `ZCARD`: the number of members. */
  zcard(key: Bytes): Result<V, M, number> {
    return call(this, "zcard", ["ZCARD", key], int);
  }

  /** `ZSCORE`: the score, or `null`. */
  zscore(key: Bytes, member: Bytes): Result<V, M, number | null> {
    return call(this, "zscore", ["ZSCORE", key, member], score);
  }

  /** `ZMSCORE`: one score (or `null`) per member. */
  zmscore(key: Bytes, ...members: Bytes[]): Result<V, M, Array<number | null>> {
    return call(
      this,
      "zmscore",
      ["ZMSCORE", key, ...members],
      (r) => Array.isArray(r) ? r.map((x) => score(x)) : [],
    );
  }

  /** `ZRANK`: the 0-based rank by ascending score, or `null`. */
  zrank(key: Bytes, member: Bytes): Result<V, M, number | null> {
    return call(this, "zrank", ["ZRANK", key, member], (r) => r === null ? null : int(r));
  }

  /** `ZREVRANK`: the 0-based rank by descending score, or `null`. */
  zrevrank(key: Bytes, member: Bytes): Result<V, M, number | null> {
    return call(this, "zrevrank", ["ZREVRANK", key, member], (r) => r === null ? null : int(r));
  }

  /** `ZCOUNT`: members with a score in `min..max`. */
  zcount(key: Bytes, min: ScoreArg, max: ScoreArg): Result<V, M, number> {
    return call(this, "zcount", ["ZCOUNT", key, bound(min), bound(max)], int);
  }

  /** `ZRANGE key start stop [REV]` by rank: members. */
  zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts?: { rev?: boolean; withScores?: false },
  ): Result<V, M, V[]>;
  /** `ZRANGE ... WITHSCORES`: members with scores. */
  zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts: { rev?: boolean; withScores: true },
  ): Result<V, M, Array<ScoredMember<V>>>;
  zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts: { rev?: boolean; withScores?: boolean } = {},
  ): Result<V, M, V[] | Array<ScoredMember<V>>> {
    return call(this, "zrange", zrangeArgv(key, start, stop, opts), (r) => this.#members(r, opts));
  }

  /** `ZRANGEBYSCORE key min max`: members by ascending score. */
  zrangebyscore(
    key: Bytes,
    min: ScoreArg,
    max: ScoreArg,
    opts?: ZRangeByScoreOptions & { withScores?: false },
  ): Result<V, M, V[]>;
  /** `ZRANGEBYSCORE ... WITHSCORES`. */
  zrangebyscore(
    key: Bytes,
    min: ScoreArg,
    max: ScoreArg,
    opts: ZRangeByScoreOptions & { withScores: true },
  ): Result<V, M, Array<ScoredMember<V>>>;
  zrangebyscore(
    key: Bytes,
    min: ScoreArg,
    max: ScoreArg,
    opts: ZRangeByScoreOptions = {},
  ): Result<V, M, V[] | Array<ScoredMember<V>>> {
    const a = byScore("ZRANGEBYSCORE", key, bound(min), bound(max), opts);
    return call(this, "zrangebyscore", a, (r) => this.#members(r, opts));
  }

  /** `ZREVRANGEBYSCORE key max min`: members by descending score. */
  zrevrangebyscore(
    key: Bytes,
    max: ScoreArg,
    min: ScoreArg,
    opts?: ZRangeByScoreOptions & { withScores?: false },
  ): Result<V, M, V[]>;
  /** `ZREVRANGEBYSCORE ... WITHSCORES`. */
  zrevrangebyscore(
    key: Bytes,
    max: ScoreArg,
    min: ScoreArg,
    opts: ZRangeByScoreOptions & { withScores: true },
  ): Result<V, M, Array<ScoredMember<V>>>;
  zrevrangebyscore(
    key: Bytes,
    max: ScoreArg,
    min: ScoreArg,
    opts: ZRangeByScoreOptions = {},
  ): Result<V, M, V[] | Array<ScoredMember<V>>> {
    const a = byScore("ZREVRANGEBYSCORE", key, bound(max), bound(min), opts);
    return call(this, "zrevrangebyscore", a, (r) => this.#members(r, opts));
  }

  /** `ZREMRANGEBYSCORE`: how many members were removed. */
  zremrangebyscore(key: Bytes, min: ScoreArg, max: ScoreArg): Result<V, M, number> {
    return call(this, "zremrangebyscore", ["ZREMRANGEBYSCORE", key, bound(min), bound(max)], int);
  }

  /** `ZREMRANGEBYRANK`: how many members were removed. */
  zremrangebyrank(key: Bytes, start: number, stop: number): Result<V, M, number> {
    const a = ["ZREMRANGEBYRANK", key, intArg("start", start), intArg("stop", stop)];
    return call(this, "zremrangebyrank", a, int);
  }

  /** `ZPOPMIN`: up to `count` (default 1) lowest members with their scores, removed. */
  zpopmin(key: Bytes, count?: number): Result<V, M, Array<ScoredMember<V>>> {
    const a: unknown[] = ["ZPOPMIN", key];
    if (count !== undefined) a.push(intArg("count", count));
    return call(this, "zpopmin", a, (r) => scoredMembers(r, dec<V>(this)));
  }

  /** `ZPOPMAX`: up to `count` (default 1) highest members with their scores, removed. */
  zpopmax(key: Bytes, count?: number): Result<V, M, Array<ScoredMember<V>>> {
    const a: unknown[] = ["ZPOPMAX", key];
    if (count !== undefined) a.push(intArg("count", count));
    return call(this, "zpopmax", a, (r) => scoredMembers(r, dec<V>(this)));
  }

  /** `BZPOPMIN key [key ...] timeout`: `[key, member, score]`, or `null` at the timeout. */
  bzpopmin(...args: [...keys: Bytes[], timeout: number]): Result<V, M, [V, V, number] | null>;
  /** `BZPOPMIN` with `{ signal }`. */
  bzpopmin(
    ...args: [...keys: Bytes[], timeout: number, opts: BlockingOptions]
  ): Result<V, M, [V, V, number] | null>;
  bzpopmin(...args: unknown[]): Result<V, M, [V, V, number] | null> {
    const { argv, opts } = blockingArgs("bzpopmin", "BZPOPMIN", args);
    return call(this, "bzpopmin", argv, (r) => keyMemberScore(r, dec<V>(this)), opts);
  }

  /** `BZPOPMAX key [key ...] timeout`: `[key, member, score]`, or `null` at the timeout. */
  bzpopmax(...args: [...keys: Bytes[], timeout: number]): Result<V, M, [V, V, number] | null>;
  /** `BZPOPMAX` with `{ signal }`. */
  bzpopmax(
    ...args: [...keys: Bytes[], timeout: number, opts: BlockingOptions]
  ): Result<V, M, [V, V, number] | null>;
  bzpopmax(...args: unknown[]): Result<V, M, [V, V, number] | null> {
    const { argv, opts } = blockingArgs("bzpopmax", "BZPOPMAX", args);
    return call(this, "bzpopmax", argv, (r) => keyMemberScore(r, dec<V>(this)), opts);
  }

  #members(r: Reply, opts: { withScores?: boolean }): V[] | Array<ScoredMember<V>> {
    return opts.withScores ? scoredMembers(r, dec<V>(this)) : strictBulks(r, dec<V>(this));
  }
}

function byScore(
  verb: string,
  key: Bytes,
  a: string,
  b: string,
  opts: ZRangeByScoreOptions,
): unknown[] {
  const argv: unknown[] = [verb, key, a, b];
  if (opts.withScores) argv.push("WITHSCORES");
  if (opts.limit) {
    argv.push("LIMIT", intArg("offset", opts.limit.offset), intArg("count", opts.limit.count));
  }
  return argv;
}

function keyMemberScore<V>(r: Reply, d: (b: Uint8Array) => V): [V, V, number] | null {
  if (!Array.isArray(r)) return null;
  return [bulk(r[0]!, d) as V, bulk(r[1]!, d) as V, score(r[2]!) ?? NaN];
}
