/**
 * Key commands of a store handle and of a transaction ({@link KeyCommands}).
 *
 * @module
 */
import { bool, bulk, type Bytes, int, intArg, strictBulks } from "./_reply.ts";
import { asString } from "./_reply.ts";
import { expireArgv } from "./_argv.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { StringCommands } from "./cmd_strings.ts";
import type { ExpireMode, KeyType } from "./types.ts";

/**
 * Key commands: DEL, EXISTS, the TTL family, TYPE, KEYS, RANDOMKEY, RENAME, COPY.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.set("a", "1");
 * await db.expire("a", 60);
 * console.log(await db.ttl("a"), await db.keys("*")); // 60 ["a"]
 * await db.close();
 * ```
 */
export class KeyCommands<V extends string | Uint8Array, M> extends StringCommands<V, M> {
  /** `DEL`: how many keys were removed. */
  del(...keys: Bytes[]): Result<V, M, number> {
    if (keys.length === 0) return call(this, "del", [], () => 0);
    return call(this, "del", ["DEL", ...keys], int);
  }

  /** `UNLINK` (DEL; memory is freed by the garbage collector either way). */
  unlink(...keys: Bytes[]): Result<V, M, number> {
    return call(this, "unlink", ["UNLINK", ...keys], int);
  }

  /** `EXISTS`: how many of the keys exist (repeats count). */
  exists(...keys: Bytes[]): Result<V, M, number> {
    if (keys.length === 0) return call(this, "exists", [], () => 0);
    return call(this, "exists", ["EXISTS", ...keys], int);
  }

  /** `TOUCH`: how many of the keys exist (marks them used for LRU/LFU eviction). */
  touch(...keys: Bytes[]): Result<V, M, number> {
    return call(this, "touch", ["TOUCH", ...keys], int);
  }

  /** `EXPIRE`: true when the TTL was set. `mode` is Redis' NX/XX/GT/LT. */
  expire(key: Bytes, seconds: number, mode?: ExpireMode): Result<V, M, boolean> {
    return call(this, "expire", expireArgv("EXPIRE", key, "seconds", seconds, mode), bool);
  }

  /** `PEXPIRE`: true when the TTL was set. */
  pexpire(key: Bytes, ms: number, mode?: ExpireMode): Result<V, M, boolean> {
    return call(this, "pexpire", expireArgv("PEXPIRE", key, "ms", ms, mode), bool);
  }

  /** `EXPIREAT` (unix seconds): true when the TTL was set. */
  expireat(key: Bytes, unixSeconds: number, mode?: ExpireMode): Result<V, M, boolean> {
    const a: unknown[] = ["EXPIREAT", key, intArg("unixSeconds", unixSeconds)];
    if (mode) a.push(mode);
    return call(this, "expireat", a, bool);
  }

  /** `PEXPIREAT` (unix ms): true when the TTL was set. */
  pexpireat(key: Bytes, unixMs: number, mode?: ExpireMode): Result<V, M, boolean> {
    const a: unknown[] = ["PEXPIREAT", key, intArg("unixMs", unixMs)];
    if (mode) a.push(mode);
    return call(this, "pexpireat", a, bool);
  }

  /** `TTL`: seconds left, -1 without TTL, -2 when missing. */
  ttl(key: Bytes): Result<V, M, number> {
    return call(this, "ttl", ["TTL", key], int);
  }

  /** `PTTL`: milliseconds left, -1 without TTL, -2 when missing. */
  pttl(key: Bytes): Result<V, M, number> {
    return call(this, "pttl", ["PTTL", key], int);
  }

  /** `EXPIRETIME`: the deadline in unix seconds, -1 without TTL, -2 when missing. */
  expiretime(key: Bytes): Result<V, M, number> {
    return call(this, "expiretime", ["EXPIRETIME", key], int);
  }

  /** `PEXPIRETIME`: the deadline in unix ms, -1 without TTL, -2 when missing. */
  pexpiretime(key: Bytes): Result<V, M, number> {
    return call(this, "pexpiretime", ["PEXPIRETIME", key], int);
  }

  /** `PERSIST`: true when a TTL was removed. */
  persist(key: Bytes): Result<V, M, boolean> {
    return call(this, "persist", ["PERSIST", key], bool);
  }

  /** `TYPE`. */
  type(key: Bytes): Result<V, M, KeyType> {
    return call(
      this,
      "type",
      ["TYPE", key],
      (r) => (typeof r === "string" ? r : bulk(r, asString)) as KeyType,
    );
  }

  /** `KEYS`: every key matching the glob (all shards). Prefer `scan()` on large stores. */
  keys(pattern: Bytes): Result<V, M, V[]> {
    return call(this, "keys", ["KEYS", pattern], (r) => strictBulks(r, dec<V>(this)));
  }

  /** `RANDOMKEY`: some key, or `null` when the store is empty. */
  randomkey(): Result<V, M, V | null> {
    return call(this, "randomkey", ["RANDOMKEY"], (r) => bulk(r, dec<V>(this)));
  }

  /** `RENAME`: `"OK"` (ERR when `key` is missing). */
  rename(key: Bytes, newKey: Bytes): Result<V, M, "OK"> {
    return call(this, "rename", ["RENAME", key, newKey], () => "OK" as const);
  }

  /** `RENAMENX`: true when renamed (`newKey` did not exist). */
  renamenx(key: Bytes, newKey: Bytes): Result<V, M, boolean> {
    return call(this, "renamenx", ["RENAMENX", key, newKey], bool);
  }

  /** `COPY`: true when copied (`replace` overwrites an existing destination). */
  copy(source: Bytes, destination: Bytes, opts: { replace?: boolean } = {}): Result<V, M, boolean> {
    const a: unknown[] = ["COPY", source, destination];
    if (opts.replace) a.push("REPLACE");
    return call(this, "copy", a, bool);
  }

  /** `DBSIZE`: live keys over all shards. */
  dbsize(): Result<V, M, number> {
    return call(this, "dbsize", ["DBSIZE"], int);
  }
}
