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
import { Crc64 } from "./crc64.ts";
import type { Entry, KeyValue } from "./types.ts";
import { NEED_MORE, RdbReader } from "./_rdb_reader.ts";
import { EMPTY, isValueType, MODULE, readValue, skipModuleData, SKIPPED } from "./_rdb_values.ts";
import { redisModuleName, RedisRdbModuleError, RedisRdbVersionError } from "./rdb_errors.ts";
import { readHashPayload } from "./_rdb_hash_payload.ts";
import {
  RDB_HASH_SINK,
  type RdbHashSink,
  type RdbInternalOptions,
  type RedisRdbDecoderOptions,
  type RedisRdbEntryInfo,
  type RedisRdbFunction,
  type RedisRdbStats,
  type RedisRdbStringSink,
} from "./_rdb_types.ts";

export type {
  RedisRdbDecoderOptions,
  RedisRdbEntryInfo,
  RedisRdbFunction,
  RedisRdbStats,
  RedisRdbStringSink,
};
export { RedisRdbModuleError, RedisRdbVersionError };

/** The newest RDB format version this package reads and writes (Redis 7.4). */
export const REDIS_RDB_MAX_VERSION = 12;

const HEADER = 0;
const RECORDS = 1;
const CHECKSUM = 2;
const DONE = 3;

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
  readonly #o: RedisRdbDecoderOptions;
  readonly #r: RdbReader;
  readonly #crc = new Crc64();
  readonly #verify: boolean;
  readonly #hashSink: RdbHashSink | undefined;
  readonly #totalSize: number;
  #stage = HEADER;
  #failed: unknown = undefined;
  #finished = false;
  #pending: Uint8Array[] = [];
  #pendingLen = 0;
  #want = 0;
  #db = 0;
  // Attributes of the next key (opcodes before its type byte).
  #deadline: number | null = null;
  #idle: number | null = null;
  #freq: number | null = null;
  #attrAt = -1;
  readonly #stats: RedisRdbStats = {
    version: 0,
    keys: 0,
    withDeadline: 0,
    emptyKeysSkipped: 0,
    skippedModules: {},
    checksum: "absent",
    rdbBytes: 0,
    trailingBytes: 0,
    types: {},
  };

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
    this.#o = opts;
    this.#r = new RdbReader(opts.path);
    this.#verify = opts.verifyChecksum !== false;
    const hs = (opts as RdbInternalOptions)[RDB_HASH_SINK];
    this.#hashSink = typeof hs === "function" ? hs : undefined;
    this.#totalSize = t ?? Infinity;
  }

  /** True once the RDB (through its checksum) has been read; further bytes are trailing. */
  get done(): boolean {
    return this.#stage === DONE;
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
    if (this.#stage === DONE) {
      this.#stats.trailingBytes += chunk.length;
      return;
    }
    if (this.#pendingLen === 0) {
      this.#run(chunk.slice(), false);
      return;
    }
    this.#pending.push(chunk.slice());
    this.#pendingLen += chunk.length;
    if (this.#pendingLen < this.#want && this.#r.base + this.#pendingLen < this.#totalSize) return;
    this.#run(this.#take(), false);
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
      if (this.#stage !== DONE) this.#run(this.#take(), true);
    }
    return {
      ...this.#stats,
      skippedModules: { ...this.#stats.skippedModules },
      types: { ...this.#stats.types },
    };
  }

  #take(): Uint8Array {
    const parts = this.#pending;
    let buf: Uint8Array;
    if (parts.length === 1) buf = parts[0]!;
    else {
      buf = new Uint8Array(this.#pendingLen);
      let o = 0;
      for (const p of parts) {
        buf.set(p, o);
        o += p.length;
      }
    }
    this.#pending = [];
    this.#pendingLen = 0;
    return buf;
  }

  #run(buf: Uint8Array, final: boolean): void {
    const r = this.#r;
    r.buf = buf;
    r.end = buf.length;
    r.pos = 0;
    r.limit = final ? r.base + buf.length : this.#totalSize;
    let start = 0; // the last commit point: everything before it is consumed
    let crcFrom = 0;
    try {
      if (this.#stage === HEADER) {
        this.#header();
        start = r.pos;
      }
      while (this.#stage === RECORDS) {
        r.slabs.mark();
        try {
          this.#record(start);
        } catch (e) {
          r.slabs.rewind();
          throw e;
        }
        start = r.pos;
      }
      if (this.#stage === CHECKSUM) {
        this.#crc.update(buf, crcFrom, start);
        crcFrom = start;
        this.#checksum();
        start = r.pos;
        crcFrom = start;
      }
      this.#stats.rdbBytes = r.base + start;
      this.#stats.trailingBytes += r.end - start;
      r.base += r.end;
      r.buf = new Uint8Array(0);
    } catch (err) {
      if (this.#stage !== DONE) this.#crc.update(buf, crcFrom, start);
      if (err !== NEED_MORE) {
        this.#failed = err;
        r.buf = new Uint8Array(0);
        throw err;
      }
      // Keep the incomplete record; retry once the buffered bytes doubled
      // (or reach what the failed read needed), so retries stay linear.
      const tail = buf.subarray(start);
      r.base += start;
      r.buf = new Uint8Array(0);
      this.#want = Math.max(NEED_MORE.at - start, 2 * tail.length, 1);
      if (tail.length > 0) {
        this.#pending = [tail];
        this.#pendingLen = tail.length;
      }
    }
  }

  #header(): void {
    const r = this.#r;
    const p = r.take(9, "the RDB header REDISnnnn");
    const b = r.buf;
    if (
      b[p] !== 0x52 || b[p + 1] !== 0x45 || b[p + 2] !== 0x44 || b[p + 3] !== 0x49 ||
      b[p + 4] !== 0x53
    ) {
      throw r.corrupt(p, "the RDB magic 'REDIS'");
    }
    let v = 0;
    for (let i = 5; i < 9; i++) {
      const d = b[p + i]! - 0x30;
      if (d < 0 || d > 9) throw r.corrupt(p + 5, "a 4-digit RDB version after 'REDIS'");
      v = v * 10 + d;
    }
    if (v < 1 || v > REDIS_RDB_MAX_VERSION) throw new RedisRdbVersionError(r.path ?? "<buffer>", v);
    r.version = v;
    this.#stats.version = v;
    this.#stage = RECORDS;
  }

  #checksum(): void {
    const r = this.#r;
    if (r.version < 5) {
      this.#stats.checksum = "absent";
      this.#stage = DONE;
      return;
    }
    const p = r.take(8, "the RDB checksum (8 bytes after EOF)");
    const b = r.buf;
    let zero = true;
    for (let i = 0; i < 8; i++) if (b[p + i] !== 0) zero = false;
    if (zero) this.#stats.checksum = "disabled";
    else if (!this.#verify) this.#stats.checksum = "unchecked";
    else if (!this.#crc.equalsLE(b, p)) {
      throw r.corrupt(
        p,
        `the RDB checksum ${hex64(this.#crc.value)} (CRC-64 of the ${r.base + p} bytes before it)`,
      );
    } else this.#stats.checksum = "ok";
    this.#stage = DONE;
  }

  /** One opcode or one key; `start` is where it begins in the buffer. */
  #record(start: number): void {
    const r = this.#r;
    const o = this.#o;
    const t = r.u8("an RDB opcode or value type");
    switch (t) {
      case 0xff:
        this.#stage = CHECKSUM;
        return;
      case 0xfe:
        this.#db = r.len("database number");
        o.onDb?.(this.#db, null);
        return;
      case 0xfb: {
        const keys = r.len("RESIZEDB key count");
        const expires = r.len("RESIZEDB expires count");
        o.onDb?.(this.#db, { keys, expires });
        return;
      }
      case 0xfa: {
        const key = r.string("AUX field name").slice();
        const value = r.string("AUX field value").slice();
        o.onAux?.(key, value);
        return;
      }
      case 0xfc:
        this.#attr(start);
        this.#deadline = r.i64("EXPIRETIME_MS deadline");
        return;
      case 0xfd:
        this.#attr(start);
        this.#deadline = r.i32("EXPIRETIME deadline (seconds)") * 1000;
        return;
      case 0xf8:
        this.#attr(start);
        this.#idle = r.len("IDLE seconds");
        return;
      case 0xf9:
        this.#attr(start);
        this.#freq = r.u8("FREQ counter");
        return;
      case 0xf7:
        this.#moduleAux(start);
        return;
      case 0xf6: {
        const name = r.string("function library name").slice();
        const engine = r.string("function engine name").slice();
        const hasDesc = r.len("function description flag");
        const description = hasDesc ? r.string("function description").slice() : null;
        const code = r.string("function library code").slice();
        o.onFunction?.({ code, legacy: { name, engine, description } });
        return;
      }
      case 0xf5:
        o.onFunction?.({ code: r.string("function library").slice() });
        return;
      case 0xf4:
        r.len("SLOT_INFO slot");
        r.len("SLOT_INFO slot size");
        r.len("SLOT_INFO expires size");
        return;
    }
    if (!isValueType(t)) {
      throw r.corrupt(
        start,
        `an RDB opcode (0xf4-0xff) or value type (0-7, 9-25; this byte is ${t})`,
      );
    }
    this.#key(t, start);
  }

  #attr(start: number): void {
    if (this.#attrAt < 0) this.#attrAt = this.#r.base + start;
  }

  #moduleAux(start: number): void {
    const r = this.#r;
    const id = r.lenBig("MODULE_AUX module id");
    const name = redisModuleName(id);
    const wAt = r.pos;
    if (r.len("MODULE_AUX when opcode") !== 2) {
      throw r.corrupt(wAt, "MODULE_AUX when opcode 2 (uint)");
    }
    r.len("MODULE_AUX when");
    if (this.#o.skipModules !== true) {
      throw new RedisRdbModuleError({
        ...(r.path === undefined ? {} : { path: r.path }),
        offset: r.base + start,
        module: name,
      });
    }
    skipModuleData(r, name);
    const s = this.#stats.skippedModules;
    s[name] = (s[name] ?? 0) + 1;
  }

  #key(t: number, start: number): void {
    const r = this.#r;
    const o = this.#o;
    const offset = this.#attrAt >= 0 ? this.#attrAt : r.base + start;
    const deadline = this.#deadline;
    const sink = o.onString;
    const hs = this.#hashSink;
    if (t === 0 && sink !== undefined) {
      const kb = r.stringAt("key");
      const ko = r.sOff;
      const kl = r.sLen;
      const vb = r.stringAt("string value");
      sink(this.#db, kb, ko, kl, vb, r.sOff, r.sLen, deadline, offset);
    } else if (hs !== undefined && (t === 4 || t === 9 || t === 13 || t === 16)) {
      const kb = r.stringAt("key");
      const h = readHashPayload(r, t, kb, r.sOff, r.sLen);
      if (h === null) {
        this.#stats.emptyKeysSkipped++;
        this.#attrAt = -1;
        this.#deadline = null;
        this.#idle = null;
        this.#freq = null;
        return;
      }
      hs(this.#db, h.buf, h.keyLen, h.end, h.count, h.maxLen, deadline, offset);
    } else {
      const key = r.copy("key");
      const v = readValue(r, t, o.skipModules === true);
      if (v === MODULE) {
        throw new RedisRdbModuleError({
          ...(r.path === undefined ? {} : { path: r.path }),
          offset,
          module: MODULE.module,
          key: key.slice(),
        });
      }
      const info: RedisRdbEntryInfo = {
        db: this.#db,
        offset,
        type: t,
        idle: this.#idle,
        freq: this.#freq,
      };
      this.#attrAt = -1;
      this.#deadline = null;
      this.#idle = null;
      this.#freq = null;
      if (v === SKIPPED) {
        const s = this.#stats.skippedModules;
        s[v.module] = (s[v.module] ?? 0) + 1;
        return;
      }
      if (v === EMPTY) {
        this.#stats.emptyKeysSkipped++;
        return;
      }
      this.#count(t, deadline);
      o.onEntry({ key, value: v as KeyValue, deadline } as Entry, info);
      return;
    }
    this.#attrAt = -1;
    this.#deadline = null;
    this.#idle = null;
    this.#freq = null;
    this.#count(t, deadline);
  }

  #count(t: number, deadline: number | null): void {
    const s = this.#stats;
    s.keys++;
    if (deadline !== null) s.withDeadline++;
    s.types[t] = (s.types[t] ?? 0) + 1;
  }
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

export { CorruptFileError };
