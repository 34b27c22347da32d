/**
 * Redis `DUMP` / `RESTORE` payloads: one value in RDB object encoding (its
 * type byte and body, no key, no TTL), then the RDB version (2 bytes, little
 * endian) and the CRC-64 of everything before it (8 bytes, little endian).
 * `RESTORE key ttl payload` on a server whose RDB version is at least the
 * payload's loads it; the TTL travels as the command's argument.
 *
 * @module
 */
import { CorruptFileError } from "./errors.ts";
import { Crc64 } from "./crc64.ts";
import type { KeyValue } from "./types.ts";
import { RdbReader } from "./_rdb_reader.ts";
import { RdbOut } from "./_rdb_out.ts";
import { readValue } from "./_rdb_values.ts";
import { EMPTY, isValueType, MODULE } from "./_rdb_value_kinds.ts";
import { isEmptyValue, writeValue } from "./_rdb_write_values.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "./rdb_errors.ts";
import { checkRdbVersion, REDIS_RDB_DEFAULT_VERSION } from "./redis_rdb_encode.ts";

/** Options of {@link encodeRedisDump}. */
export interface RedisDumpEncodeOptions {
  /**
   * RDB version in the footer and encodings to use, 9 to 12 (default 10:
   * Redis 7.0 refuses payloads newer than its own version, 7.2 takes 11, 7.4
   * takes 12). Hash field TTLs need 12.
   */
  rdbVersion?: number;
  /** LZF-compress long strings when it pays (default true, as Redis's DUMP). */
  compress?: boolean;
}

/**
 * The `DUMP` payload of a value, for `RESTORE` on a Redis server. Throws
 * `RangeError` for what the version cannot hold or Redis refuses (an empty
 * collection, a NaN score, hash field TTLs before version 12).
 *
 * @example
 * ```ts
 * import { decodeRedisDump, encodeRedisDump } from "@kevy/persist/codec";
 * const payload = encodeRedisDump({ type: "list", value: [new TextEncoder().encode("a")] });
 * const { value, rdbVersion } = decodeRedisDump(payload);
 * rdbVersion; // 10
 * value.type; // "list"
 * ```
 */
export function encodeRedisDump(value: KeyValue, opts: RedisDumpEncodeOptions = {}): Uint8Array {
  const version = checkRdbVersion(opts.rdbVersion ?? REDIS_RDB_DEFAULT_VERSION);
  if (isEmptyValue(value)) throw new RangeError("DUMP: Redis cannot restore an empty collection");
  const out = new RdbOut(opts.compress !== false, 256);
  writeValue(out, null, value, version);
  out.u8(version & 0xff);
  out.u8(version >> 8);
  const crc = new Crc64().update(out.buf, 0, out.pos);
  out.room(8);
  crc.writeLE(out.buf, out.pos);
  out.pos += 8;
  return out.take();
}

/** What {@link decodeRedisDump} returns. */
export interface RedisDumpPayload {
  /** The value (bytes are copies: the payload may be reused). */
  value: KeyValue;
  /** The RDB version in the footer. */
  rdbVersion: number;
  /** The RDB value type byte (0 string, 16 hash listpack, ...). */
  type: number;
}

/** Options of {@link decodeRedisDump}. */
export interface RedisDumpDecodeOptions {
  /** Check the CRC-64 (default true, as Redis's RESTORE). */
  verifyChecksum?: boolean;
  /** Name for errors (default `"<payload>"`). */
  path?: string;
}

/**
 * Decodes a `DUMP` payload (what `DUMP key` returns). Throws
 * `CorruptFileError` for a bad footer, checksum or body (offsets into the
 * payload), `RedisRdbVersionError` for a version newer than 12,
 * `RedisRdbModuleError` for a module value.
 *
 * @example
 * ```ts
 * import { decodeRedisDump } from "@kevy/persist/codec";
 * // What `DUMP foo` returned from Redis 7.0.15 after `SET foo hello`
 * const p = new Uint8Array([0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x63, 0x72, 0xdf, 0x76, 0x65, 0x34, 0x20, 0x0a]);
 * const { value, rdbVersion } = decodeRedisDump(p);
 * rdbVersion; // 10
 * new TextDecoder().decode((value as { value: Uint8Array }).value); // "hello"
 * ```
 */
export function decodeRedisDump(
  payload: Uint8Array,
  opts: RedisDumpDecodeOptions = {},
): RedisDumpPayload {
  const path = opts.path ?? "<payload>";
  const n = payload.length;
  const bad = (offset: number, expected: string) =>
    new CorruptFileError({ path, offset, expected, bytes: payload.subarray(offset) });
  if (n < 11) throw bad(0, "a DUMP payload: value, 2-byte RDB version, 8-byte CRC-64");
  const version = payload[n - 10]! | (payload[n - 9]! << 8);
  if (version > 12) throw new RedisRdbVersionError(path, version);
  if (
    opts.verifyChecksum !== false && !new Crc64().update(payload, 0, n - 8).equalsLE(payload, n - 8)
  ) {
    throw bad(n - 8, "the payload's CRC-64 (the DUMP payload is damaged)");
  }
  const r = new RdbReader(path);
  r.reset(payload, 0, n - 10, true);
  r.version = version;
  const t = r.u8("a value type");
  if (!isValueType(t)) throw r.corrupt(0, `a value type (0-7, 9-25; this byte is ${t})`);
  const v = readValue(r, t, false);
  if (v === MODULE) {
    throw new RedisRdbModuleError({ path, offset: MODULE.at, module: MODULE.module, key: null });
  }
  if (v === EMPTY) {
    throw r.corrupt(0, "a non-empty collection (Redis refuses to restore an empty one)");
  }
  if (r.pos !== n - 10) throw r.corrupt(r.pos, "the end of the value (the RDB version footer)");
  return { value: v as KeyValue, rdbVersion: version, type: t };
}
