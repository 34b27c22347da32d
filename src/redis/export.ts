/**
 * The keyspace as a RESP command stream for Redis or Valkey:
 * `redis-cli --pipe < export.resp` (or any client that writes raw RESP)
 * rebuilds every key.
 *
 * Per key: `SET`, `HSET`, `RPUSH`, `SADD` or `ZADD` (collections split into
 * commands of at most 64 elements, as Redis's own AOF rewrite does), then
 * `PEXPIREAT key <unix ms>` for a key with a TTL. Binary-safe (keys, fields
 * and values are sent as bulk strings). Zset scores are written as the
 * shortest decimal that round-trips (`-0`, `inf`, `-inf`, `1e-20`,
 * `5e-324`), which Redis's `strtod` reads back bit-exact.
 *
 * A stream is written as an AOF rewrite writes it (`entryToCommands` of
 * ./persist): `XADD` of every entry with its id, `XSETID` with the last id,
 * `ENTRIESADDED` and `MAXDELETEDID`, `XGROUP CREATE` (and `SETID ...
 * ENTRIESREAD`) per group, `XGROUP CREATECONSUMER` per consumer and `XCLAIM
 * ... TIME <ms> RETRYCOUNT <n> FORCE JUSTID` per pending entry (delivery
 * time and count exact; a pending entry of a deleted message through a
 * placeholder entry removed again), the same rendering `migrateToRedis`
 * sends to a server that refuses DUMP payloads. What commands cannot carry
 * is counted, never hidden: a pending entry of a deleted message in a
 * stream whose max-deleted-id is 0-0 (a Redis 6 stream; see
 * {@link RedisExportStats.lostPending}; a `RESTORE` payload or an RDB file
 * keeps it) and consumers' seen times (the server sets them to the time of
 * the import). Empty collections (which kevy snapshots may hold and Redis
 * cannot) are skipped and counted.
 * A zset with a NaN score (kevy 1.17 can store one; Redis refuses it) stops
 * the export with a {@link RedisExportError} naming the key: nothing is
 * dropped silently.
 *
 * @module
 */

import { ByteWriter } from "../codec/bytes.ts";
import { encodeCommandInto } from "../codec/resp.ts";
import type { Entry } from "../codec/types.ts";
import { entryToCommands } from "../persist/rewrite_commands.ts";
import { streamToCommands } from "./_stream_commands.ts";
import type { Store } from "../store/store.ts";

/** Default size of the chunks {@link exportRedisCommands} yields (64 KiB). */
export const REDIS_EXPORT_CHUNK_BYTES: number = 64 * 1024;

/** Options of {@link exportRedisCommands}. */
export interface RedisExportOptions {
  /** Emit `SELECT <db>` first (default: none; the connection's database is used). */
  db?: number;
  /** Yield a chunk once this many bytes are buffered (default 64 KiB). */
  chunkBytes?: number;
  /**
   * Called for each key that is not exported: an empty collection (streams
   * are exported since 0.x; `"stream"` is never passed any more).
   */
  onSkip?: (key: Uint8Array, reason: "stream" | "empty") => void;
  /** Called with `(keysDone, keysTotal)` (skipped keys count as done) before each chunk is yielded. */
  onProgress?: (done: number, total: number) => void;
}

/** What an export wrote (the generator's return value). */
export interface RedisExportStats {
  /** Keys exported. */
  keys: number;
  /** Commands written (`SELECT` included). */
  commands: number;
  /** Bytes written. */
  bytes: number;
  /** Streams exported (with their groups, consumers and pending entries). */
  streams: number;
  /**
   * Pending stream entries of deleted messages that commands cannot
   * rebuild (above the stream's first entry while its max-deleted-id is
   * 0-0, as in a stream from Redis 6): left out and counted here. Others are
   * re-created through a placeholder entry.
   */
  lostPending: number;
  /** Always 0: streams are exported (kept for callers that read it). */
  skippedStreams: number;
  /** Empty collections skipped. */
  skippedEmpty: number;
  /** Function libraries written (`FUNCTION LOAD REPLACE`, from `store.libraries`). */
  functions: number;
}

const enc = new TextEncoder();

/**
 * A value Redis cannot hold (a NaN zset score) stopped an export.
 *
 * @example
 * ```ts
 * import { RedisExportError } from "@kevy/persist/redis";
 * const e = new RedisExportError(new TextEncoder().encode("z"), "a NaN zset score");
 * e.message; // "key 7a (hex): a NaN zset score cannot be exported to Redis"
 * ```
 */
export class RedisExportError extends Error {
  /** Always `"RedisExportError"`. */
  override name = "RedisExportError";
  /** The key whose value cannot be exported. */
  readonly key: Uint8Array;
  /**
   * An export stopped at `key`.
   * @param key the key
   * @param what what Redis cannot hold
   */
  constructor(key: Uint8Array, what: string) {
    const hex = Array.from(key.subarray(0, 64), (b) => b.toString(16).padStart(2, "0")).join("");
    super(`key ${hex}${key.length > 64 ? "..." : ""} (hex): ${what} cannot be exported to Redis`);
    this.key = key;
  }
}

/**
 * Streams the store as RESP commands, in chunks of about `chunkBytes`:
 * `SELECT` (with `db`), a `FUNCTION LOAD REPLACE` per library of
 * `store.libraries`, then every key. The generator's return value holds the
 * counts ({@link RedisExportStats}).
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
 * import { exportRedisCommands } from "@kevy/persist/redis";
 * const t = new TextEncoder();
 * const store = new Store();
 * store.put({ key: t.encode("k"), value: { type: "string", value: t.encode("v") }, deadline: null });
 * let size = 0;
 * for (const chunk of exportRedisCommands(store, { db: 0 })) size += chunk.length; // write to redis-cli --pipe
 * ```
 */
export function* exportRedisCommands(
  store: Store,
  opts: RedisExportOptions = {},
): Generator<Uint8Array, RedisExportStats, undefined> {
  const chunkBytes = opts.chunkBytes ?? REDIS_EXPORT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  if (opts.db !== undefined && !(Number.isSafeInteger(opts.db) && opts.db >= 0)) {
    throw new RangeError(`db must be a non-negative integer, got ${opts.db}`);
  }
  const stats: RedisExportStats = {
    keys: 0,
    commands: 0,
    bytes: 0,
    streams: 0,
    lostPending: 0,
    skippedStreams: 0,
    skippedEmpty: 0,
    functions: 0,
  };
  const w = new ByteWriter(Math.min(chunkBytes * 2, 1 << 20));
  const total = store.dbsize();
  if (opts.db !== undefined) {
    encodeCommandInto(w, [enc.encode("SELECT"), enc.encode(String(opts.db))]);
    stats.commands++;
  }
  // Function libraries (server-wide in Redis; kept on database 0's store here).
  for (const code of store.libraries.values()) {
    encodeCommandInto(w, [enc.encode("FUNCTION"), enc.encode("LOAD"), enc.encode("REPLACE"), code]);
    stats.commands++;
    stats.functions++;
  }
  for (const entry of store.entries()) {
    if (isEmpty(entry)) {
      stats.skippedEmpty++;
      opts.onSkip?.(entry.key, "empty");
      continue;
    }
    if (entry.value.type === "zset" && entry.value.value.some(([, sc]) => sc !== sc)) {
      throw new RedisExportError(entry.key, "a NaN zset score");
    }
    let commands: Uint8Array[][];
    if (entry.value.type === "stream") {
      const r = streamToCommands(entry);
      commands = r.commands;
      stats.streams++;
      stats.lostPending += r.loss.deletedPending;
    } else commands = entryToCommands(entry);
    for (const argv of commands) {
      encodeCommandInto(w, argv);
      stats.commands++;
      if (w.length >= chunkBytes) {
        stats.bytes += w.length;
        opts.onProgress?.(stats.keys + stats.skippedStreams + stats.skippedEmpty, total);
        yield w.take();
      }
    }
    stats.keys++;
  }
  if (w.length > 0) {
    stats.bytes += w.length;
    yield w.take();
  }
  return stats;
}

function isEmpty(e: Entry): boolean {
  return e.value.type !== "string" && e.value.type !== "stream" && e.value.value.length === 0;
}

/**
 * The whole export as one byte array (see {@link exportRedisCommands}).
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
 * import { exportRedisBytes } from "@kevy/persist/redis";
 * const bytes = exportRedisBytes(new Store(), { db: 0 });
 * new TextDecoder().decode(bytes); // "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
 * ```
 */
export function exportRedisBytes(store: Store, opts: RedisExportOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const c of exportRedisCommands(store, opts)) {
    parts.push(c);
    total += c.length;
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of parts) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
