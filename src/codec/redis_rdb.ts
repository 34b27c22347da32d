/**
 * A streaming decoder for Redis RDB files, every version Redis has written
 * (1 to 12): push the bytes in chunks, get keys (neutral entries with absolute
 * deadlines), aux fields, function libraries and database hints through
 * callbacks. No I/O and no clock: what to do with deadlines that passed is the
 * caller's business (Redis drops them after loading a `dump.rdb`, keeps them
 * for an AOF base).
 *
 * Everything Redis writes is read: opcodes `AUX`, `SELECTDB`, `RESIZEDB`,
 * `EXPIRETIME`, `EXPIRETIME_MS`, `IDLE`, `FREQ`, `MODULE_AUX`, `FUNCTION`
 * (7.0-rc) and `FUNCTION2`, `SLOT_INFO`, `EOF`; lengths of 6, 14, 32 and 64
 * bits; raw, integer and LZF strings; every value type 0-7 and 9-25 (plain,
 * zipmap, ziplist, intset, listpack, quicklist 1 and 2, stream listpacks 1-3,
 * 7.4 hashes with field TTLs). Nested encodings are checked as Redis's
 * `sanitize-dump-payload yes` checks them; a bad byte is a `CorruptFileError`
 * with its offset in the file (for an LZF-compressed string, the offset of the
 * string, and the position inside its decompressed form in the message).
 * Module values are refused with a `RedisRdbModuleError` naming the module
 * unless `skipModules` is set (then they are counted). A record is only
 * buffered until it is complete: memory stays at one chunk plus the largest
 * value.
 *
 * @module
 */
import { CorruptFileError } from "./errors.ts";
import { NEED_MORE, RdbReader } from "./_rdb_reader.ts";
import { ChunkQueue, openRun } from "./_chunk_queue.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "./rdb_errors.ts";
import {
  CHECKSUM,
  DONE,
  HEADER,
  RdbRecords,
  RECORDS,
  REDIS_RDB_MAX_VERSION,
} from "./_rdb_records.ts";
import { RDB_OWNED_CHUNKS, type RdbInternalOptions } from "./_rdb_types.ts";
import type {
  RedisRdbDecoderOptions,
  RedisRdbEntryInfo,
  RedisRdbFunction,
  RedisRdbStats,
  RedisRdbStringSink,
} from "./_rdb_types.ts";

// Shared with the RDB loader (src/redis/) and the CLI's RDB views; not public.
export { RDB_PAYLOAD_SINK, type RdbInternalOptions } from "./_rdb_types.ts";
export { RDB_TYPE_NAMES } from "./_rdb_value_kinds.ts";
export type {
  RedisRdbDecoderOptions,
  RedisRdbEntryInfo,
  RedisRdbFunction,
  RedisRdbStats,
  RedisRdbStringSink,
};
export { RedisRdbModuleError, RedisRdbVersionError };
// The bulk loader's hash/list/set/zset payloads (also shared, not public).
export { RDB_OWNED_CHUNKS } from "./_rdb_types.ts";
export type { RdbPayload } from "./_rdb_payload.ts";

export { REDIS_RDB_MAX_VERSION };

/**
 * Decodes an RDB pushed in chunks; see the module documentation for what is
 * read and checked.
 *
 * @example
 * ```ts
 * import { RedisRdbDecoder } from "@kevy/persist/codec";
 * import type { Entry } from "@kevy/persist/codec";
 * // REDIS0010, SELECTDB 0, a string key "k" = "v", EOF, checksum 0 (disabled)
 * const rdb = new Uint8Array([
 *   ...new TextEncoder().encode("REDIS0010"), 0xfe, 0, 0, 1, 0x6b, 1, 0x76, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
 * ]);
 * const keys: Entry[] = [];
 * const dec = new RedisRdbDecoder({ onEntry: (e) => keys.push(e) });
 * dec.push(rdb);
 * dec.finish().checksum; // "disabled"
 * new TextDecoder().decode(keys[0]!.key); // "k"
 * ```
 */
export class RedisRdbDecoder {
  readonly #r: RdbReader;
  readonly #rec: RdbRecords;
  readonly #totalSize: number;
  readonly #owned: boolean;
  #failed: unknown = undefined;
  #finished = false;
  /** Bytes of an incomplete record and the chunks pushed since. */
  readonly #q = new ChunkQueue();

  /**
   * A decoder waiting for the `REDIS` header.
   *
   * @param opts callbacks and options; `onEntry` is required
   */
  constructor(opts: RedisRdbDecoderOptions) {
    if (typeof opts.onEntry !== "function") {
      throw new TypeError("RedisRdbDecoder: onEntry is required");
    }
    const t = opts.totalSize;
    if (t !== undefined && !(Number.isSafeInteger(t) && t >= 0)) {
      throw new RangeError(`RedisRdbDecoder: totalSize must be a non-negative integer, got ${t}`);
    }
    this.#r = new RdbReader(opts.path);
    this.#rec = new RdbRecords(this.#r, opts);
    this.#totalSize = t ?? Infinity;
    this.#owned = (opts as RdbInternalOptions)[RDB_OWNED_CHUNKS] === true;
  }

  /** True once the RDB (through its checksum) has been read; further bytes are trailing. */
  get done(): boolean {
    return this.#rec.stage === DONE;
  }

  /**
   * Feeds the next bytes (copied: the caller may reuse `chunk`).
   *
   * @example
   * ```ts
   * import { RedisRdbDecoder } from "@kevy/persist/codec";
   * const dec = new RedisRdbDecoder({ onEntry: () => {} });
   * dec.push(new TextEncoder().encode("REDIS00"));
   * dec.push(new Uint8Array([0x30, 0x39, 0xff])); // "09", then EOF
   * dec.push(new Uint8Array(8)); // checksum 0: disabled
   * dec.finish().version; // 9
   * ```
   */
  push(chunk: Uint8Array): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#finished) throw new TypeError("RedisRdbDecoder: push after finish");
    if (chunk.length === 0) return;
    if (this.#rec.stage === DONE) {
      this.#rec.stats.trailingBytes += chunk.length;
      return;
    }
    if (this.#owned && this.#rec.stage === RECORDS) {
      // A record cut by the last chunk's end: finish it in a small bridge
      // buffer, then go on in this chunk (no copy of the whole chunk).
      const tail = this.#q.length;
      const bridge = this.#q.bridge(chunk);
      if (bridge !== null) {
        const used = this.#run(bridge, false, tail);
        const rest = chunk.subarray(bridge.length - tail);
        if (used >= 0) this.#run(chunk.subarray(used - tail), false);
        else if (this.done) this.#rec.stats.trailingBytes += rest.length;
        else {
          const buf = this.#q.push(rest, this.#r.base, this.#totalSize, true);
          if (buf !== null) this.#run(buf, false);
        }
        return;
      }
    }
    const buf = this.#q.push(chunk, this.#r.base, this.#totalSize, this.#owned);
    if (buf !== null) this.#run(buf, false);
  }

  /**
   * Ends the input; returns what was read. Throws `CorruptFileError` when the
   * input ended before the RDB did.
   *
   * @example
   * ```ts
   * import { CorruptFileError, RedisRdbDecoder } from "@kevy/persist/codec";
   * const dec = new RedisRdbDecoder({ onEntry: () => {}, path: "dump.rdb" });
   * dec.push(new Uint8Array([...new TextEncoder().encode("REDIS0010"), 0xfe])); // SELECTDB, no number
   * try { dec.finish(); } catch (e) { (e as CorruptFileError).offset; } // 10: the missing db number
   * ```
   */
  finish(): RedisRdbStats {
    if (this.#failed !== undefined) throw this.#failed;
    if (!this.#finished) {
      this.#finished = true;
      if (this.#rec.stage !== DONE) this.#run(this.#q.take(), true);
    }
    return {
      ...this.#rec.stats,
      skippedModules: { ...this.#rec.stats.skippedModules },
      types: { ...this.#rec.stats.types },
    };
  }

  /**
   * Decodes `buf` (see push/finish). With `stopAt`, stops at the first record
   * boundary at or past it and returns the bytes consumed (the caller goes on
   * in another buffer from there); else -1.
   */
  #run(buf: Uint8Array, final: boolean, stopAt = Infinity): number {
    const r = this.#r;
    openRun(r, buf, final, this.#totalSize);
    let start = 0; // the last commit point: everything before it is consumed
    let crcFrom = 0;
    try {
      if (this.#rec.stage === HEADER) {
        this.#rec.header();
        start = r.pos;
      }
      while (this.#rec.stage === RECORDS) {
        r.slabs.mark();
        try {
          this.#rec.record(start);
        } catch (e) {
          r.slabs.rewind();
          throw e;
        }
        start = r.pos;
        if (start >= stopAt && this.#rec.stage === RECORDS) {
          this.#rec.crc.update(buf, crcFrom, start);
          r.base += start;
          r.buf = new Uint8Array(0);
          return start;
        }
      }
      if (this.#rec.stage === CHECKSUM) {
        this.#rec.crc.update(buf, crcFrom, start);
        crcFrom = start;
        this.#rec.checksum();
        start = r.pos;
        crcFrom = start;
      }
      this.#rec.stats.rdbBytes = r.base + start;
      this.#rec.stats.trailingBytes += r.end - start;
      r.base += r.end;
      r.buf = new Uint8Array(0);
    } catch (err) {
      if (this.#rec.stage !== DONE) this.#rec.crc.update(buf, crcFrom, start);
      if (err !== NEED_MORE) {
        this.#failed = err;
        r.buf = new Uint8Array(0);
        throw err;
      }
      // Keep the incomplete record; retry once the buffered bytes doubled
      // (or reach what the failed read needed), so retries stay linear.
      this.#q.stopped(r, buf, start, NEED_MORE.at);
    }
    return -1;
  }
}

export { CorruptFileError };
