/**
 * Set commands of a store handle and of a transaction ({@link SetCommands}).
 *
 * @module
 */
import { bool, bulk, type Bytes, int, intArg, strictBulks } from "./_reply.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { ListCommands } from "./cmd_lists.ts";

/**
 * Set commands (members come back unordered, as Redis's).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.sadd("a", "x", "y");
 * await db.sadd("b", "y", "z");
 * console.log(await db.sinter("a", "b"), await db.scard("a")); // ["y"] 2
 * await db.close();
 * ```
 */
export class SetCommands<V extends string | Uint8Array, M> extends ListCommands<V, M> {
  /** `SADD`: how many members were new. */
  sadd(key: Bytes, ...members: Bytes[]): Result<V, M, number> {
    return call(this, "sadd", ["SADD", key, ...members], int);
  }

  /** `SREM`: how many members were removed. */
  srem(key: Bytes, ...members: Bytes[]): Result<V, M, number> {
    return call(this, "srem", ["SREM", key, ...members], int);
  }

  /** `SMEMBERS` (unordered). */
  smembers(key: Bytes): Result<V, M, V[]> {
    return call(this, "smembers", ["SMEMBERS", key], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `SISMEMBER`. */
  sismember(key: Bytes, member: Bytes): Result<V, M, boolean> {
    return call(this, "sismember", ["SISMEMBER", key, member], bool);
  }

  /** `SMISMEMBER`: one boolean per member. */
  smismember(key: Bytes, ...members: Bytes[]): Result<V, M, boolean[]> {
    return call(
      this,
      "smismember",
      ["SMISMEMBER", key, ...members],
      (r) => Array.isArray(r) ? r.map((x) => x === 1) : [],
    );
  }

  /** `SCARD`: the number of members. */
  scard(key: Bytes): Result<V, M, number> {
    return call(this, "scard", ["SCARD", key], int);
  }

  /** `SINTER`: members in every set. */
  sinter(...keys: Bytes[]): Result<V, M, V[]> {
    return call(this, "sinter", ["SINTER", ...keys], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `SUNION`: members in any set. */
  sunion(...keys: Bytes[]): Result<V, M, V[]> {
    return call(this, "sunion", ["SUNION", ...keys], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `SDIFF`: members of the first set in none of the others. */
  sdiff(...keys: Bytes[]): Result<V, M, V[]> {
    return call(this, "sdiff", ["SDIFF", ...keys], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `SINTERCARD`: the size of the intersection (counting stops at `limit` when given). */
  sintercard(keys: Bytes[], opts: { limit?: number } = {}): Result<V, M, number> {
    const a: unknown[] = ["SINTERCARD", keys.length, ...keys];
    if (opts.limit !== undefined) a.push("LIMIT", intArg("limit", opts.limit));
    return call(this, "sintercard", a, int);
  }

  /** `SINTERSTORE`: stores the intersection at `destination`; its size. */
  sinterstore(destination: Bytes, ...keys: Bytes[]): Result<V, M, number> {
    return call(this, "sinterstore", ["SINTERSTORE", destination, ...keys], int);
  }

  /** `SUNIONSTORE`: stores the union at `destination`; its size. */
  sunionstore(destination: Bytes, ...keys: Bytes[]): Result<V, M, number> {
    return call(this, "sunionstore", ["SUNIONSTORE", destination, ...keys], int);
  }

  /** `SDIFFSTORE`: stores the difference at `destination`; its size. */
  sdiffstore(destination: Bytes, ...keys: Bytes[]): Result<V, M, number> {
    return call(this, "sdiffstore", ["SDIFFSTORE", destination, ...keys], int);
  }

  /** `SMOVE`: true when `member` moved from `source` to `destination`. */
  smove(source: Bytes, destination: Bytes, member: Bytes): Result<V, M, boolean> {
    return call(this, "smove", ["SMOVE", source, destination, member], bool);
  }

  /** `SPOP key`: a random member, removed, or `null`. */
  spop(key: Bytes): Result<V, M, V | null>;
  /** `SPOP key count`: up to `count` random members, removed. */
  spop(key: Bytes, count: number): Result<V, M, V[]>;
  spop(key: Bytes, count?: number): Result<V, M, V | V[] | null> {
    const d = dec<V>(this);
    if (count === undefined) return call(this, "spop", ["SPOP", key], (r) => bulk(r, d));
    return call(this, "spop", ["SPOP", key, intArg("count", count)], (r) => strictBulks(r, d));
  }
}
