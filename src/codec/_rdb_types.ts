// Types of the Redis RDB decoder (re-exported by redis_rdb.ts).
import type { Entry } from "./types.ts";
import type { RdbPayload } from "./_rdb_payload.ts";

/** A Redis function library stored in an RDB (`FUNCTION2`, or the 7.0 release-candidate `FUNCTION`). */
export interface RedisRdbFunction {
  /** The library source as `FUNCTION LOAD` takes it (`#!lua name=...` and the code). */
  code: Uint8Array;
  /** 7.0-rc files only: the library name, engine and description kept beside the code. */
  legacy?: { name: Uint8Array; engine: Uint8Array; description: Uint8Array | null };
}

/** Where and how a key was stored. */
export interface RedisRdbEntryInfo {
  /** Database number (from the last `SELECTDB`, 0 before any). */
  db: number;
  /** Offset of the key's first record byte (its expire/idle/freq opcode, or its type byte). */
  offset: number;
  /** The RDB value type byte (0 string, 18 quicklist 2, 25 hash listpack-ex, ...). */
  type: number;
  /** LRU idle seconds (`IDLE` opcode), or `null`. */
  idle: number | null;
  /** LFU frequency (`FREQ` opcode), or `null`. */
  freq: number | null;
}

/**
 * A string key with a string value, as byte ranges of the decoder's buffer
 * (valid only during the call): key `kb[ko, ko + kl)`, value `vb[vo, vo + vl)`.
 */
export type RedisRdbStringSink = (
  db: number,
  kb: Uint8Array,
  ko: number,
  kl: number,
  vb: Uint8Array,
  vo: number,
  vl: number,
  deadline: number | null,
  offset: number,
) => void;

/** Options of `RedisRdbDecoder`. */
export interface RedisRdbDecoderOptions {
  /** Every key (strings too, unless `onString` is given), with where it was stored. */
  onEntry: (entry: Entry, info: RedisRdbEntryInfo) => void;
  /** String keys as byte ranges instead of `onEntry` (bulk loaders: no objects per key). */
  onString?: RedisRdbStringSink;
  /** `AUX` fields (`redis-ver`, `ctime`, `aof-base`, `lua` scripts, ...) in file order. */
  onAux?: (key: Uint8Array, value: Uint8Array) => void;
  /** Stored function libraries, with the file offset of their record. */
  onFunction?: (fn: RedisRdbFunction, offset: number) => void;
  /** `SELECTDB` (with the `RESIZEDB` hint once it follows: keys and keys with a TTL). */
  onDb?: (db: number, hint: { keys: number; expires: number } | null) => void;
  /** Module values and module aux data are left out (counted) instead of refused. Default false. */
  skipModules?: boolean;
  /** Check the CRC-64 at the end (default true; a stored 0 means "disabled" and is accepted). */
  verifyChecksum?: boolean;
  /** File name for errors (default `"<buffer>"`). */
  path?: string;
  /** Total input size when known: a truncated input fails as soon as it can (default: at finish). */
  totalSize?: number;
}

/** What a `RedisRdbDecoder` read. */
export interface RedisRdbStats {
  /** RDB format version (1-12). */
  version: number;
  /** Keys delivered. */
  keys: number;
  /** Keys delivered with a deadline. */
  withDeadline: number;
  /** Empty collections Redis would skip (and so were skipped), by key count. */
  emptyKeysSkipped: number;
  /** Module values and aux records left out (`skipModules`), by module name. */
  skippedModules: Record<string, number>;
  /** `ok` (verified), `disabled` (stored as 0), `unchecked` (`verifyChecksum: false`), `absent` (RDB < 5). */
  checksum: "ok" | "disabled" | "unchecked" | "absent";
  /** Bytes of the RDB itself, through the checksum (an AOF tail starts here). */
  rdbBytes: number;
  /** Bytes after the RDB (the RESP part of an AOF with an RDB preamble). */
  trailingBytes: number;
  /** Keys per RDB value type byte. */
  types: Record<number, number>;
}

/**
 * Package-internal (not in the public options type): a sink for hashes
 * without field TTLs, lists, sets and zsets (the RDB types
 * `isHashPayloadType` / `isCollPayloadType` name), set under this key in
 * `RedisRdbDecoderOptions`. They come there instead of `onEntry`, as an
 * {@link RdbPayload} (kevy snapshot payload layout of the type), valid only
 * during the call.
 */
export const RDB_PAYLOAD_SINK: unique symbol = Symbol("kevy.rdbPayloadSink");

/** Receives a hash, list, set or zset (see {@link RDB_PAYLOAD_SINK}). */
export type RdbPayloadSink = (
  db: number,
  payload: RdbPayload,
  deadline: number | null,
  offset: number,
) => void;

/**
 * Internal option: the chunks pushed are the decoder's to keep (fresh arrays
 * nobody writes again, as `readChunks` yields), so they are not copied.
 */
export const RDB_OWNED_CHUNKS: unique symbol = Symbol("kevy.rdbOwnedChunks");

export interface RdbInternalOptions extends RedisRdbDecoderOptions {
  [RDB_PAYLOAD_SINK]?: RdbPayloadSink;
  [RDB_OWNED_CHUNKS]?: boolean;
}
