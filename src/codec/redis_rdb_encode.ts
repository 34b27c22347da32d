/**
 * Writing Redis RDB files (versions 9 to 12) from neutral entries, pulled
 * chunk by chunk. The layout is Redis's: `REDIS00vv`, AUX fields, function
 * libraries (v10+), then per database `SELECTDB`, `RESIZEDB` (when the size
 * is given), the keys (`EXPIRETIME_MS` before a key with a deadline), `EOF`
 * and the CRC-64 (or 8 zero bytes with `checksum: false`, which Redis reads as
 * "disabled"). Values use the encodings Redis picks with its default limits
 * (see the value writer); what the target version cannot hold is refused with
 * a `RangeError` (hash field TTLs before v12, functions in v9).
 *
 * @module
 */
import { Crc64 } from "./crc64.ts";
import type { Entry } from "./types.ts";
import { RdbOut } from "./_rdb_out.ts";
import { isEmptyValue, writeValue } from "./_rdb_write_values.ts";
import type { RedisRdbFunction } from "./_rdb_types.ts";

/** RDB version written by default: 10, what Redis 7.0 writes (and the newest it loads). */
export const REDIS_RDB_DEFAULT_VERSION = 10;

/** One database to write. */
export interface RedisRdbDbSource {
  /** Database number (0-based). */
  db: number;
  /** Its keys. */
  entries: Iterable<Entry>;
  /** Key counts for the `RESIZEDB` hint (written only when given). */
  size?: { keys: number; expires: number };
}

/** Options of {@link encodeRedisRdbChunks}. */
export interface RedisRdbEncodeOptions {
  /** RDB format version, 9 (Redis 5-6.2) to 12 (Redis 7.4). Default {@link REDIS_RDB_DEFAULT_VERSION}. */
  rdbVersion?: number;
  /** LZF-compress strings longer than 20 bytes when it saves space (Redis `rdbcompression`, default true). */
  compress?: boolean;
  /** Write the CRC-64 (default true); false writes 0, "checksum disabled" (Redis `rdbchecksum no`). */
  checksum?: boolean;
  /** Leave out entries whose deadline is `<= now` (unix ms; counted). Default: keep everything. */
  now?: number;
  /** Creation time (unix seconds) for the `ctime` AUX field; left out when not given. */
  ctime?: number;
  /** More AUX fields, written after `redis-bits` and `ctime` (default none). */
  aux?: Array<[string | Uint8Array, string | Uint8Array]>;
  /** Function libraries (`FUNCTION2` records; RDB 10 and later; default none). */
  functions?: RedisRdbFunction[];
  /** Yield a chunk once this many bytes are buffered (default 1 MiB). */
  chunkBytes?: number;
}

/** What {@link encodeRedisRdbChunks} wrote (the generator's return value). */
export interface RedisRdbEncodeStats {
  /** Keys written. */
  keys: number;
  /** Entries left out because their deadline passed (`now`). */
  expiredSkipped: number;
  /** Empty collections left out (Redis skips them when loading). */
  emptySkipped: number;
  /** Bytes written. */
  bytes: number;
  /** Keys per RDB value type byte. */
  types: Record<number, number>;
}

const te = new TextEncoder();
const bytesOf = (x: string | Uint8Array) => (typeof x === "string" ? te.encode(x) : x);

/** A library as `FUNCTION2` stores it; a 7.0-rc library gets its `#!engine name=` line back. */
function functionPayload(f: RedisRdbFunction): Uint8Array {
  if (f.legacy === undefined) return f.code;
  const td = new TextDecoder();
  const head = te.encode(
    `#!${td.decode(f.legacy.engine).toLowerCase()} name=${td.decode(f.legacy.name)}\n`,
  );
  const out = new Uint8Array(head.length + f.code.length);
  out.set(head);
  out.set(f.code, head.length);
  return out;
}

/** Checks an RDB version option. */
export function checkRdbVersion(v: number): number {
  if (!Number.isInteger(v) || v < 9 || v > 12) {
    throw new RangeError(`rdbVersion must be 9, 10, 11 or 12, got ${v}`);
  }
  return v;
}

/**
 * Encodes databases as an RDB file, yielded in chunks (each a fresh array).
 * The generator's return value holds the counts.
 *
 * @example
 * ```ts
 * import { encodeRedisRdbChunks } from "@kevy/persist/codec";
 * import { RedisRdbDecoder } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const entries = [{ key: te.encode("k"), value: { type: "string" as const, value: te.encode("v") }, deadline: null }];
 * const dec = new RedisRdbDecoder({ onEntry: () => {} });
 * for (const chunk of encodeRedisRdbChunks([{ db: 0, entries }])) dec.push(chunk);
 * const stats = dec.finish();
 * stats.keys; // 1
 * stats.checksum; // "ok"
 * ```
 */
export function* encodeRedisRdbChunks(
  dbs: Iterable<RedisRdbDbSource>,
  opts: RedisRdbEncodeOptions = {},
): Generator<Uint8Array, RedisRdbEncodeStats, undefined> {
  const version = checkRdbVersion(opts.rdbVersion ?? REDIS_RDB_DEFAULT_VERSION);
  const chunkBytes = opts.chunkBytes ?? 1 << 20;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  const now = opts.now;
  const out = new RdbOut(opts.compress !== false, Math.min(chunkBytes * 2, 1 << 22));
  const crc = new Crc64();
  const stats: RedisRdbEncodeStats = {
    keys: 0,
    expiredSkipped: 0,
    emptySkipped: 0,
    bytes: 0,
    types: {},
  };
  const flush = (): Uint8Array => {
    const c = out.take();
    crc.update(c);
    stats.bytes += c.length;
    return c;
  };
  out.raw(te.encode(`REDIS${String(version).padStart(4, "0")}`));
  const aux = (k: string | Uint8Array, v: string | Uint8Array) => {
    out.u8(0xfa);
    out.string(bytesOf(k));
    out.string(bytesOf(v));
  };
  aux("redis-bits", "64");
  if (opts.ctime !== undefined) aux("ctime", String(Math.floor(opts.ctime)));
  for (const [k, v] of opts.aux ?? []) aux(k, v);
  const fns = opts.functions ?? [];
  if (fns.length > 0 && version < 10) throw new RangeError("RDB version 9 cannot hold functions");
  for (const f of fns) {
    out.u8(0xf5);
    out.string(functionPayload(f));
  }
  const seen = new Set<number>();
  for (const src of dbs) {
    const db = src.db;
    if (!Number.isSafeInteger(db) || db < 0) {
      throw new RangeError(`database number ${db} is not valid`);
    }
    if (seen.has(db)) throw new RangeError(`database ${db} given twice`);
    seen.add(db);
    out.u8(0xfe);
    out.len(db);
    if (src.size !== undefined) {
      out.u8(0xfb);
      out.len(src.size.keys);
      out.len(src.size.expires);
    }
    for (const e of src.entries) {
      const d = e.deadline;
      if (d !== null && now !== undefined && d <= now) {
        stats.expiredSkipped++;
        continue;
      }
      if (isEmptyValue(e.value)) {
        stats.emptySkipped++;
        continue;
      }
      if (d !== null) {
        if (!Number.isSafeInteger(d)) {
          throw new RangeError(`deadline ${d} is not an integer (unix ms)`);
        }
        out.u8(0xfc);
        out.i64(d);
      }
      const t = writeValue(out, e.key, e.value, version);
      stats.keys++;
      stats.types[t] = (stats.types[t] ?? 0) + 1;
      if (out.pos >= chunkBytes) yield flush();
    }
  }
  out.u8(0xff);
  const body = flush();
  const tail = new Uint8Array(8);
  if (opts.checksum !== false) crc.writeLE(tail, 0);
  stats.bytes += 8;
  if (body.length > 0) yield body;
  yield tail;
  return stats;
}
