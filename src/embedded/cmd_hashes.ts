/**
 * Hash commands of a store handle and of a transaction ({@link HashCommands}).
 *
 * @module
 */
import {
  big,
  bool,
  bulk,
  bulks,
  type Bytes,
  exact,
  float,
  hashRecord,
  int,
  intArg,
  strictBulks,
} from "./_reply.ts";
import { hsetArgv } from "./_argv.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { KeyCommands } from "./cmd_keys.ts";
import type { Pairs } from "./types.ts";

/**
 * Hash commands. `hincrby` is exact like the string counters (a `bigint`
 * beyond ±2^53, or always with a `bigint` increment).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.hset("user:1", { name: "ada", visits: "1" });
 * await db.hincrby("user:1", "visits", 2);
 * console.log(await db.hmget("user:1", "name", "visits")); // ["ada", "3"]
 * await db.close();
 * ```
 */
export class HashCommands<V extends string | Uint8Array, M> extends KeyCommands<V, M> {
  /** `HSET key field value`: 1 when the field is new. */
  hset(key: Bytes, field: Bytes, value: Bytes): Result<V, M, number>;
  /** `HSET` of many fields (record, Map or pairs): how many were new. */
  hset(key: Bytes, fieldValues: Pairs): Result<V, M, number>;
  hset(key: Bytes, a: Bytes | Pairs, value?: Bytes): Result<V, M, number> {
    return call(this, "hset", hsetArgv(key, a, value), int);
  }

  /** `HSETNX`: true when the field was new and set. */
  hsetnx(key: Bytes, field: Bytes, value: Bytes): Result<V, M, boolean> {
    return call(this, "hsetnx", ["HSETNX", key, field, value], bool);
  }

  /** `HGET`: the field's value or `null`. */
  hget(key: Bytes, field: Bytes): Result<V, M, V | null> {
    return call(this, "hget", ["HGET", key, field], (r) => bulk(r, dec<V>(this)));
  }

  /** `HMGET`: values in field order, `null` for missing fields. */
  hmget(key: Bytes, ...fields: Bytes[]): Result<V, M, Array<V | null>> {
    return call(this, "hmget", ["HMGET", key, ...fields], (r) => bulks(r, dec<V>(this)));
  }

  /** `HGETALL` as a record (field names decoded as UTF-8). */
  hgetall(key: Bytes): Result<V, M, Record<string, V>> {
    return call(this, "hgetall", ["HGETALL", key], (r) => hashRecord(r, dec<V>(this)));
  }

  /** `HKEYS`: the field names. */
  hkeys(key: Bytes): Result<V, M, V[]> {
    return call(this, "hkeys", ["HKEYS", key], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `HVALS`: the values. */
  hvals(key: Bytes): Result<V, M, V[]> {
    return call(this, "hvals", ["HVALS", key], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `HLEN`: the number of fields. */
  hlen(key: Bytes): Result<V, M, number> {
    return call(this, "hlen", ["HLEN", key], int);
  }

  /** `HEXISTS`. */
  hexists(key: Bytes, field: Bytes): Result<V, M, boolean> {
    return call(this, "hexists", ["HEXISTS", key, field], bool);
  }

  /** `HSTRLEN`: the value's length in bytes (0 when missing). */
  hstrlen(key: Bytes, field: Bytes): Result<V, M, number> {
    return call(this, "hstrlen", ["HSTRLEN", key, field], int);
  }

  /** `HDEL`: how many fields were removed. */
  hdel(key: Bytes, ...fields: Bytes[]): Result<V, M, number> {
    return call(this, "hdel", ["HDEL", key, ...fields], int);
  }

  /** `HINCRBY` with a `bigint`: the new value as a `bigint`. */
  hincrby(key: Bytes, field: Bytes, by: bigint): Result<V, M, bigint>;
  /** `HINCRBY`: the new value (a `bigint` beyond ±2^53). */
  hincrby(key: Bytes, field: Bytes, by: number): Result<V, M, number | bigint>;
  hincrby(key: Bytes, field: Bytes, by: number | bigint): Result<V, M, number | bigint> {
    const d = typeof by === "bigint" ? big : exact;
    return call(this, "hincrby", ["HINCRBY", key, field, intArg("by", by)], d);
  }

  /** `HINCRBYFLOAT`: the new value. */
  hincrbyfloat(key: Bytes, field: Bytes, by: number): Result<V, M, number> {
    return call(this, "hincrbyfloat", ["HINCRBYFLOAT", key, field, by], float);
  }
}
