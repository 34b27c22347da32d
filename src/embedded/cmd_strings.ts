/**
 * String commands of a store handle and of a transaction
 * ({@link StringCommands}). Counters are exact: `incr`/`incrby`/`decr`/
 * `decrby` resolve a `number` while the value is a safe integer and a
 * `bigint` beyond ±2^53 (never a rounded number); given a `bigint`
 * increment they always resolve a `bigint`.
 *
 * @module
 */
import { big, bulk, bulks, type Bytes, exact, float, int, intArg, status } from "./_reply.ts";
import { pairList, setArgv } from "./_argv.ts";
import { call, dec, KevyCommandsBase, type Result } from "./cmd_base.ts";
import type { GetExOptions, Pairs, SetOptions } from "./types.ts";

/**
 * String commands (GET, SET, counters, ranges). See the module docs for how
 * integers come back exactly.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.set("n", "9007199254740991");
 * console.log(await db.incr("n")); // 9007199254740992n: a bigint past 2^53
 * console.log(await db.incrby("c", 5n)); // 5n: a bigint increment answers a bigint
 * await db.close();
 * ```
 */
export class StringCommands<V extends string | Uint8Array, M> extends KevyCommandsBase<V, M> {
  /** `GET`: the value, or `null`. */
  get(key: Bytes): Result<V, M, V | null> {
    return call(this, "get", ["GET", key], (r) => bulk(r, dec<V>(this)));
  }

  /** `SET` with `get: true`: the old value (or `null`). */
  set(key: Bytes, value: Bytes, opts: SetOptions & { get: true }): Result<V, M, V | null>;
  /** `SET`: `"OK"`, or `null` when `nx`/`xx` prevented it. */
  set(key: Bytes, value: Bytes, opts?: SetOptions): Result<V, M, "OK" | null>;
  set(key: Bytes, value: Bytes, opts: SetOptions = {}): Result<V, M, V | "OK" | null> {
    const d = dec<V>(this);
    return call(this, "set", setArgv(key, value, opts), (r) => opts.get ? bulk(r, d) : status(r));
  }

  /** `MGET`: values in key order, `null` for missing keys. */
  mget(...keys: Bytes[]): Result<V, M, Array<V | null>> {
    return call(this, "mget", ["MGET", ...keys], (r) => bulks(r, dec<V>(this)));
  }

  /** `MSET` from a record, a Map or `[key, value]` pairs. */
  mset(entries: Pairs): Result<V, M, "OK"> {
    return call(this, "mset", ["MSET", ...pairList(entries).flat()], () => "OK" as const);
  }

  /** `MSETNX`: true when every key was set (none existed). */
  msetnx(entries: Pairs): Result<V, M, boolean> {
    return call(this, "msetnx", ["MSETNX", ...pairList(entries).flat()], (r) => int(r) === 1);
  }

  /** `INCR`: the new value (a `bigint` beyond ±2^53). */
  incr(key: Bytes): Result<V, M, number | bigint> {
    return call(this, "incr", ["INCR", key], exact);
  }

  /** `INCRBY` with a `bigint`: the new value as a `bigint`. */
  incrby(key: Bytes, by: bigint): Result<V, M, bigint>;
  /** `INCRBY`: the new value (a `bigint` beyond ±2^53). */
  incrby(key: Bytes, by: number): Result<V, M, number | bigint>;
  incrby(key: Bytes, by: number | bigint): Result<V, M, number | bigint> {
    return call(
      this,
      "incrby",
      ["INCRBY", key, intArg("by", by)],
      typeof by === "bigint" ? big : exact,
    );
  }

  /** `DECR`: the new value (a `bigint` beyond ±2^53). */
  decr(key: Bytes): Result<V, M, number | bigint> {
    return call(this, "decr", ["DECR", key], exact);
  }

  /** `DECRBY` with a `bigint`: the new value as a `bigint`. */
  decrby(key: Bytes, by: bigint): Result<V, M, bigint>;
  /** `DECRBY`: the new value (a `bigint` beyond ±2^53). */
  decrby(key: Bytes, by: number): Result<V, M, number | bigint>;
  decrby(key: Bytes, by: number | bigint): Result<V, M, number | bigint> {
    return call(
      this,
      "decrby",
      ["DECRBY", key, intArg("by", by)],
      typeof by === "bigint" ? big : exact,
    );
  }

  /** `INCRBYFLOAT`: the new value (Redis keeps it as text with 17 digits; parsed here). */
  incrbyfloat(key: Bytes, by: number): Result<V, M, number> {
    return call(this, "incrbyfloat", ["INCRBYFLOAT", key, by], float);
  }

  /** `APPEND`: the new length. */
  append(key: Bytes, value: Bytes): Result<V, M, number> {
    return call(this, "append", ["APPEND", key, value], int);
  }

  /** `STRLEN`: the length in bytes (0 for a missing key). */
  strlen(key: Bytes): Result<V, M, number> {
    return call(this, "strlen", ["STRLEN", key], int);
  }

  /** `GETRANGE`: bytes `start..end` (inclusive; negative from the end). */
  getrange(key: Bytes, start: number, end: number): Result<V, M, V> {
    return call(
      this,
      "getrange",
      ["GETRANGE", key, intArg("start", start), intArg("end", end)],
      (r) => bulk(r, dec<V>(this)) as V,
    );
  }

  /** `SETRANGE`: overwrites from `offset`; the new length. */
  setrange(key: Bytes, offset: number, value: Bytes): Result<V, M, number> {
    return call(this, "setrange", ["SETRANGE", key, intArg("offset", offset), value], int);
  }

  /** `GETDEL`: the value, deleting the key, or `null`. */
  getdel(key: Bytes): Result<V, M, V | null> {
    return call(this, "getdel", ["GETDEL", key], (r) => bulk(r, dec<V>(this)));
  }

  /** `GETEX`: the value, setting (`ex`/`px`/`exat`/`pxat`) or removing (`persist`) its TTL. */
  getex(key: Bytes, opts: GetExOptions = {}): Result<V, M, V | null> {
    const a: unknown[] = ["GETEX", key];
    if (opts.ex !== undefined) a.push("EX", intArg("ex", opts.ex));
    if (opts.px !== undefined) a.push("PX", intArg("px", opts.px));
    if (opts.exat !== undefined) a.push("EXAT", intArg("exat", opts.exat));
    if (opts.pxat !== undefined) a.push("PXAT", intArg("pxat", opts.pxat));
    if (opts.persist) a.push("PERSIST");
    return call(this, "getex", a, (r) => bulk(r, dec<V>(this)));
  }
}
