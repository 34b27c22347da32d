/**
 * {@link KevyStore}: the handle returned by {@link openStore}. Redis-like async
 * methods over a sharded, optionally durable keyspace.
 *
 * Arguments (keys, values, fields, members) are `string` (UTF-8) or
 * `Uint8Array` (raw bytes). Results come back as UTF-8 strings; the
 * {@link KevyStore.bytes} view of the same store returns `Uint8Array` instead
 * (byte-exact, for binary values). Redis errors (`WRONGTYPE ...`,
 * `ERR ...`) reject with {@link CommandFailedError}; every method rejects with
 * {@link StoreClosedError} after `close()`.
 *
 * Writes resolve once applied in memory and handed to the shard's AOF; with
 * `appendfsync: "always"` only after the fdatasync of their group (callers in
 * the same event-loop turn share one).
 *
 * @module
 */
import type { Reply } from "../store/_apply_common.ts";
import type { Engine } from "./_engine.ts";
import {
  arg,
  asBytes,
  asString,
  bulk,
  bulks,
  type Bytes,
  type Decode,
  hashRecord,
  int,
  intArg,
  score,
  scoredMembers,
  strictBulks,
} from "./_reply.ts";
import { expireArgv, hsetArgv, pairList, setArgv, zaddArgv, zrangeArgv } from "./_argv.ts";
import { buildInfo, type StoreInfo } from "./info.ts";

import type {
  KeyType,
  Pairs,
  ScanOptions,
  ScoredMember,
  SetOptions,
  ZAddOptions,
} from "./types.ts";

/**
 * A store opened by {@link openStore}. `V` is what bulk replies decode to:
 * `string` for the handle itself, `Uint8Array` for its {@link KevyStore.bytes} view.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore({ dir: "./data" });
 * await db.set("greeting", "hello", { ex: 60 });
 * console.log(await db.get("greeting")); // "hello"
 * await db.close();
 * ```
 */
export class KevyStore<V extends string | Uint8Array = string> {
  readonly #e: Engine;
  readonly #d: Decode<V>;
  #bytesView: KevyStore<Uint8Array> | null = null;

  /** @internal Use {@link openStore}. */
  constructor(engine: Engine, decode: Decode<V>) {
    this.#e = engine;
    this.#d = decode;
  }

  /** The same store, with bulk replies as `Uint8Array` (byte-exact). */
  get bytes(): KevyStore<Uint8Array> {
    if ((this.#d as unknown) === asBytes) return this as unknown as KevyStore<Uint8Array>;
    return this.#bytesView ??= new KevyStore<Uint8Array>(this.#e, asBytes);
  }

  /** True once {@link KevyStore.close} was called. */
  get closed(): boolean {
    return this.#e.closed;
  }

  #run(argv: Array<Bytes | number | bigint>): Reply | Promise<Reply> {
    return this.#e.run(argv.map(arg));
  }

  /** Run any command the store knows (`["HINCRBY", "h", "f", "2"]`); resolves to the raw reply. */
  async command(argv: ReadonlyArray<Bytes | number>): Promise<Reply> {
    return await this.#run([...argv]);
  }

  // --- strings -------------------------------------------------------------

  /** `GET`: the value, or `null`. */
  async get(key: Bytes): Promise<V | null> {
    return bulk(await this.#run(["GET", key]), this.#d);
  }

  /** `SET` with `get: true`: the old value (or `null`). */
  set(key: Bytes, value: Bytes, opts: SetOptions & { get: true }): Promise<V | null>;
  /** `SET`: `"OK"`, or `null` when `nx`/`xx` prevented it. */
  set(key: Bytes, value: Bytes, opts?: SetOptions): Promise<"OK" | null>;
  async set(key: Bytes, value: Bytes, opts: SetOptions = {}): Promise<V | "OK" | null> {
    const r = await this.#run(setArgv(key, value, opts));
    if (opts.get) return bulk(r, this.#d);
    return r === null ? null : "OK";
  }

  /** `MGET`: values in key order, `null` for missing keys. */
  async mget(...keys: Bytes[]): Promise<Array<V | null>> {
    return bulks(await this.#run(["MGET", ...keys]), this.#d);
  }

  /** `MSET` from a record, a Map or `[key, value]` pairs. */
  async mset(entries: Pairs): Promise<"OK"> {
    await this.#run(["MSET", ...pairList(entries).flat()]);
    return "OK";
  }

  /** `INCR`: the new value. */
  async incr(key: Bytes): Promise<number> {
    return int(await this.#run(["INCR", key]));
  }

  /** `INCRBY`: the new value. */
  async incrby(key: Bytes, by: number | bigint): Promise<number> {
    return int(await this.#run(["INCRBY", key, intArg("by", by)]));
  }

  /** `DECR`: the new value. */
  async decr(key: Bytes): Promise<number> {
    return int(await this.#run(["DECR", key]));
  }

  /** `DECRBY`: the new value. */
  async decrby(key: Bytes, by: number | bigint): Promise<number> {
    return int(await this.#run(["DECRBY", key, intArg("by", by)]));
  }

  /** `APPEND`: the new length. */
  async append(key: Bytes, value: Bytes): Promise<number> {
    return int(await this.#run(["APPEND", key, value]));
  }

  // --- keys ----------------------------------------------------------------

  /** `DEL`: how many keys were removed. */
  async del(...keys: Bytes[]): Promise<number> {
    return keys.length === 0 ? 0 : int(await this.#run(["DEL", ...keys]));
  }

  /** `EXISTS`: how many of the keys exist (repeats count). */
  async exists(...keys: Bytes[]): Promise<number> {
    return keys.length === 0 ? 0 : int(await this.#run(["EXISTS", ...keys]));
  }

  /** `EXPIRE`: true when the TTL was set. `mode` is Redis' NX/XX/GT/LT. */
  async expire(key: Bytes, seconds: number, mode?: "NX" | "XX" | "GT" | "LT"): Promise<boolean> {
    return int(await this.#run(expireArgv("EXPIRE", key, "seconds", seconds, mode))) === 1;
  }

  /** `PEXPIRE`: true when the TTL was set. */
  async pexpire(key: Bytes, ms: number, mode?: "NX" | "XX" | "GT" | "LT"): Promise<boolean> {
    return int(await this.#run(expireArgv("PEXPIRE", key, "ms", ms, mode))) === 1;
  }

  /** `TTL`: seconds left, -1 without TTL, -2 when missing. */
  async ttl(key: Bytes): Promise<number> {
    return int(await this.#run(["TTL", key]));
  }

  /** `PTTL`: milliseconds left, -1 without TTL, -2 when missing. */
  async pttl(key: Bytes): Promise<number> {
    return int(await this.#run(["PTTL", key]));
  }

  /** `PERSIST`: true when a TTL was removed. */
  async persist(key: Bytes): Promise<boolean> {
    return int(await this.#run(["PERSIST", key])) === 1;
  }

  /** `TYPE`. */
  async type(key: Bytes): Promise<KeyType> {
    const r = await this.#run(["TYPE", key]);
    return (typeof r === "string" ? r : asString(r as Uint8Array)) as KeyType;
  }

  /** `DBSIZE`: live keys over all shards. */
  async dbsize(): Promise<number> {
    this.#e.check();
    return await Promise.resolve(this.#e.dbsize());
  }

  /**
   * Every live key matching `match`, shard after shard, in batches of `count`
   * examined keys. Like Redis `SCAN`: keys present for the whole iteration
   * are returned exactly once; keys added or removed meanwhile may or may not be.
   */
  async *scan(opts: ScanOptions = {}): AsyncIterableIterator<V> {
    const count = opts.count ?? 100;
    for (const sh of this.#e.shards) {
      let cursor = 0;
      do {
        this.#e.check();
        const [next, keys] = sh.store.scan(cursor, count, opts.match);
        for (const k of keys) yield this.#d(k);
        cursor = next;
      } while (cursor !== 0);
    }
  }

  // --- hashes --------------------------------------------------------------

  /** `HSET key field value`: 1 when the field is new. */
  hset(key: Bytes, field: Bytes, value: Bytes): Promise<number>;
  /** `HSET` of many fields (record, Map or pairs): how many were new. */
  hset(key: Bytes, fieldValues: Pairs): Promise<number>;
  async hset(key: Bytes, a: Bytes | Pairs, value?: Bytes): Promise<number> {
    return int(await this.#run(hsetArgv(key, a, value)));
  }

  /** `HGET`: the field's value or `null`. */
  async hget(key: Bytes, field: Bytes): Promise<V | null> {
    return bulk(await this.#run(["HGET", key, field]), this.#d);
  }

  /** `HGETALL` as a record (field names decoded as UTF-8). */
  async hgetall(key: Bytes): Promise<Record<string, V>> {
    return hashRecord(await this.#run(["HGETALL", key]), this.#d);
  }

  /** `HDEL`: how many fields were removed. */
  async hdel(key: Bytes, ...fields: Bytes[]): Promise<number> {
    return int(await this.#run(["HDEL", key, ...fields]));
  }

  // --- lists ---------------------------------------------------------------

  /** `LPUSH`: the new length. */
  async lpush(key: Bytes, ...values: Bytes[]): Promise<number> {
    return int(await this.#run(["LPUSH", key, ...values]));
  }

  /** `RPUSH`: the new length. */
  async rpush(key: Bytes, ...values: Bytes[]): Promise<number> {
    return int(await this.#run(["RPUSH", key, ...values]));
  }

  /** `LPOP key`: the head, or `null`. */
  lpop(key: Bytes): Promise<V | null>;
  /** `LPOP key count`: up to `count` items, or `null` when the list is missing. */
  lpop(key: Bytes, count: number): Promise<V[] | null>;
  async lpop(key: Bytes, count?: number): Promise<V | V[] | null> {
    return await this.#pop("LPOP", key, count);
  }

  /** `RPOP key`: the tail, or `null`. */
  rpop(key: Bytes): Promise<V | null>;
  /** `RPOP key count`: up to `count` items, or `null` when the list is missing. */
  rpop(key: Bytes, count: number): Promise<V[] | null>;
  async rpop(key: Bytes, count?: number): Promise<V | V[] | null> {
    return await this.#pop("RPOP", key, count);
  }

  async #pop(verb: string, key: Bytes, count?: number): Promise<V | V[] | null> {
    if (count === undefined) return bulk(await this.#run([verb, key]), this.#d);
    const r = await this.#run([verb, key, intArg("count", count)]);
    return r === null ? null : strictBulks(r, this.#d);
  }

  /** `LRANGE` (inclusive, negative indexes count from the end). */
  async lrange(key: Bytes, start: number, stop: number): Promise<V[]> {
    return strictBulks(
      await this.#run(["LRANGE", key, intArg("start", start), intArg("stop", stop)]),
      this.#d,
    );
  }

  // --- sets ----------------------------------------------------------------

  /** `SADD`: how many members were new. */
  async sadd(key: Bytes, ...members: Bytes[]): Promise<number> {
    return int(await this.#run(["SADD", key, ...members]));
  }

  /** `SREM`: how many members were removed. */
  async srem(key: Bytes, ...members: Bytes[]): Promise<number> {
    return int(await this.#run(["SREM", key, ...members]));
  }

  /** `SMEMBERS` (unordered). */
  async smembers(key: Bytes): Promise<V[]> {
    return strictBulks(await this.#run(["SMEMBERS", key]), this.#d);
  }

  /** `SISMEMBER`. */
  async sismember(key: Bytes, member: Bytes): Promise<boolean> {
    return int(await this.#run(["SISMEMBER", key, member])) === 1;
  }

  // --- sorted sets ---------------------------------------------------------

  /**
   * `ZADD` of `[score, member]` pairs or `{score, member}` objects: how many
   * members were added (or changed, with `ch`).
   */
  async zadd(
    key: Bytes,
    members: Array<[number, Bytes]> | ScoredMember<Bytes> | Array<ScoredMember<Bytes>>,
    opts: ZAddOptions = {},
  ): Promise<number> {
    return int(await this.#run(zaddArgv(key, members, opts)));
  }

  /** `ZREM`: how many members were removed. */
  async zrem(key: Bytes, ...members: Bytes[]): Promise<number> {
    return int(await this.#run(["ZREM", key, ...members]));
  }

  /** `ZRANGE key start stop [REV]` by rank: members. */
  zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts?: { rev?: boolean; withScores?: false },
  ): Promise<V[]>;
  /** `ZRANGE ... WITHSCORES`: members with scores. */
  zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts: { rev?: boolean; withScores: true },
  ): Promise<Array<ScoredMember<V>>>;
  async zrange(
    key: Bytes,
    start: number,
    stop: number,
    opts: { rev?: boolean; withScores?: boolean } = {},
  ): Promise<V[] | Array<ScoredMember<V>>> {
    const r = await this.#run(zrangeArgv(key, start, stop, opts));
    return opts.withScores ? scoredMembers(r, this.#d) : strictBulks(r, this.#d);
  }

  /** `ZSCORE`: the score, or `null`. */
  async zscore(key: Bytes, member: Bytes): Promise<number | null> {
    return score(await this.#run(["ZSCORE", key, member]));
  }

  // --- persistence ---------------------------------------------------------

  /**
   * `SAVE`: write every shard's snapshot and reset its AOF, crash-consistently.
   * Throws `TypeError` for an in-memory store (no `dir`).
   */
  async save(): Promise<void> {
    await this.#e.save();
  }

  /** `BGREWRITEAOF` for every shard: the logs are compacted to the current keyspace. */
  async rewriteAof(): Promise<void> {
    await this.#e.rewriteAof();
  }

  /** INFO-persistence style facts (see {@link StoreInfo}). */
  info(): StoreInfo {
    this.#e.check();
    return buildInfo(this.#e);
  }

  /**
   * Flush and fdatasync every AOF, close the files and release the directory
   * lock. Later method calls reject with {@link StoreClosedError}; calling
   * `close()` again is harmless.
   */
  async close(): Promise<void> {
    await this.#e.close();
  }
}

/** @internal */
export function stringHandle(engine: Engine): KevyStore<string> {
  return new KevyStore<string>(engine, asString);
}
