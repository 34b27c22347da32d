/**
 * List commands of a store handle and of a transaction ({@link ListCommands}),
 * with the blocking pops for in-process queues.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import { bulk, type Bytes, int, intArg, strictBulks } from "./_reply.ts";
import { blockingArgs } from "./_argv.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { HashCommands } from "./cmd_hashes.ts";
import type { BlockingOptions, ListEnd } from "./types.ts";

/**
 * List commands. The blocking forms (`blpop`, `brpop`, `blmove`) take Redis's
 * arguments (keys, then the timeout in seconds; 0 waits forever) and an
 * optional `{ signal }`; they resolve as soon as an element is there — callers
 * waiting for the same key are served first come, first served — or `null`
 * at the timeout. The log records the pop (LPOP/RPOP/LMOVE), never the wait.
 * In a transaction they never wait (as in Redis's MULTI).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * const job = db.blpop("jobs", 5); // waits up to 5 s
 * await db.rpush("jobs", "resize:42");
 * console.log(await job); // ["jobs", "resize:42"]
 * await db.close();
 * ```
 */
export class ListCommands<V extends string | Uint8Array, M> extends HashCommands<V, M> {
  /** `LPUSH`: the new length. */
  lpush(key: Bytes, ...values: Bytes[]): Result<V, M, number> {
    return call(this, "lpush", ["LPUSH", key, ...values], int);
  }

  /** `RPUSH`: the new length. */
  rpush(key: Bytes, ...values: Bytes[]): Result<V, M, number> {
    return call(this, "rpush", ["RPUSH", key, ...values], int);
  }

  /** `LPUSHX`: the new length, 0 (nothing pushed) when the list does not exist. */
  lpushx(key: Bytes, ...values: Bytes[]): Result<V, M, number> {
    return call(this, "lpushx", ["LPUSHX", key, ...values], int);
  }

  /** `RPUSHX`: the new length, 0 (nothing pushed) when the list does not exist. */
  rpushx(key: Bytes, ...values: Bytes[]): Result<V, M, number> {
    return call(this, "rpushx", ["RPUSHX", key, ...values], int);
  }

  /** `LPOP key`: the head, or `null`. */
  lpop(key: Bytes): Result<V, M, V | null>;
  /** `LPOP key count`: up to `count` items, or `null` when the list is missing. */
  lpop(key: Bytes, count: number): Result<V, M, V[] | null>;
  lpop(key: Bytes, count?: number): Result<V, M, V | V[] | null> {
    return this.#pop("LPOP", key, count);
  }

  /** `RPOP key`: the tail, or `null`. */
  rpop(key: Bytes): Result<V, M, V | null>;
  /** `RPOP key count`: up to `count` items, or `null` when the list is missing. */
  rpop(key: Bytes, count: number): Result<V, M, V[] | null>;
  rpop(key: Bytes, count?: number): Result<V, M, V | V[] | null> {
    return this.#pop("RPOP", key, count);
  }

  #pop(verb: string, key: Bytes, count?: number): Result<V, M, V | V[] | null> {
    const d = dec<V>(this);
    if (count === undefined) return call(this, verb.toLowerCase(), [verb, key], (r) => bulk(r, d));
    return call(
      this,
      verb.toLowerCase(),
      [verb, key, intArg("count", count)],
      (r) => r === null ? null : strictBulks(r, d),
    );
  }

  /** `LRANGE` (inclusive, negative indexes count from the end). */
  lrange(key: Bytes, start: number, stop: number): Result<V, M, V[]> {
    return call(
      this,
      "lrange",
      ["LRANGE", key, intArg("start", start), intArg("stop", stop)],
      (r) => strictBulks(r, dec<V>(this)),
    );
  }

  /** `LLEN`: the length (0 for a missing key). */
  llen(key: Bytes): Result<V, M, number> {
    return call(this, "llen", ["LLEN", key], int);
  }

  /** `LINDEX`: the element at `index` (negative from the end), or `null`. */
  lindex(key: Bytes, index: number): Result<V, M, V | null> {
    return call(
      this,
      "lindex",
      ["LINDEX", key, intArg("index", index)],
      (r) => bulk(r, dec<V>(this)),
    );
  }

  /** `LSET`: `"OK"` (ERR for an index out of range or a missing key). */
  lset(key: Bytes, index: number, value: Bytes): Result<V, M, "OK"> {
    return call(this, "lset", ["LSET", key, intArg("index", index), value], () => "OK" as const);
  }

  /**
   * `LREM`: removes `count` occurrences of `value` (from the head; negative from the tail;
   * 0 all); how many were removed.
   */
  lrem(key: Bytes, count: number, value: Bytes): Result<V, M, number> {
    return call(this, "lrem", ["LREM", key, intArg("count", count), value], int);
  }

  /** `LTRIM`: keeps `start..stop` (inclusive). */
  ltrim(key: Bytes, start: number, stop: number): Result<V, M, "OK"> {
    return call(
      this,
      "ltrim",
      ["LTRIM", key, intArg("start", start), intArg("stop", stop)],
      () => "OK" as const,
    );
  }

  /** `LINSERT`: the new length, -1 when `pivot` is not found, 0 for a missing key. */
  linsert(key: Bytes, where: "BEFORE" | "AFTER", pivot: Bytes, value: Bytes): Result<V, M, number> {
    return call(this, "linsert", ["LINSERT", key, where, pivot, value], int);
  }

  /** `LMOVE`: moves one element from one end of `source` to one end of `destination`. */
  lmove(source: Bytes, destination: Bytes, from: ListEnd, to: ListEnd): Result<V, M, V | null> {
    return call(
      this,
      "lmove",
      ["LMOVE", source, destination, from, to],
      (r) => bulk(r, dec<V>(this)),
    );
  }

  /** `BLPOP key [key ...] timeout`: `[key, element]` of the first non-empty list, or `null`. */
  blpop(...args: [...keys: Bytes[], timeout: number]): Result<V, M, [V, V] | null>;
  /** `BLPOP` with `{ signal }`. */
  blpop(
    ...args: [...keys: Bytes[], timeout: number, opts: BlockingOptions]
  ): Result<V, M, [V, V] | null>;
  blpop(...args: unknown[]): Result<V, M, [V, V] | null> {
    const { argv, opts } = blockingArgs("blpop", "BLPOP", args);
    return call(this, "blpop", argv, (r) => keyValue(r, dec<V>(this)), opts);
  }

  /** `BRPOP key [key ...] timeout`: `[key, element]` from the tail, or `null`. */
  brpop(...args: [...keys: Bytes[], timeout: number]): Result<V, M, [V, V] | null>;
  /** `BRPOP` with `{ signal }`. */
  brpop(
    ...args: [...keys: Bytes[], timeout: number, opts: BlockingOptions]
  ): Result<V, M, [V, V] | null>;
  brpop(...args: unknown[]): Result<V, M, [V, V] | null> {
    const { argv, opts } = blockingArgs("brpop", "BRPOP", args);
    return call(this, "brpop", argv, (r) => keyValue(r, dec<V>(this)), opts);
  }

  /** `BLMOVE source destination from to timeout`: the element moved, or `null`. */
  blmove(
    source: Bytes,
    destination: Bytes,
    from: ListEnd,
    to: ListEnd,
    timeout: number,
    opts: BlockingOptions = {},
  ): Result<V, M, V | null> {
    const { argv } = blockingArgs("blmove", "BLMOVE", [source, destination, from, to, timeout]);
    return call(this, "blmove", argv, (r) => bulk(r, dec<V>(this)), opts);
  }
}

/** `[key, value]` of a blocking pop, or null. */
function keyValue<V>(r: Reply, d: (b: Uint8Array) => V): [V, V] | null {
  if (r === null) return null;
  const [k, v] = strictBulks(r, d);
  return [k!, v!];
}
