// Private: the records of an RDB (everything after the streaming): the
// header, each opcode and key, and the checksum, on the reader's current
// buffer. A record either completes (its effects applied, the reader past
// it) or throws (NEED_MORE: retried whole once more bytes came).
import { Crc64 } from "./crc64.ts";
import type { Entry, KeyValue } from "./types.ts";
import type { RdbReader } from "./_rdb_reader.ts";
import { readValue, skipModuleData } from "./_rdb_values.ts";
import { EMPTY, isValueType, MODULE, SKIPPED } from "./_rdb_value_kinds.ts";
import { isHashPayloadType, readHashPayload } from "./_rdb_hash_payload.ts";
import { isCollPayloadType, readCollPayload } from "./_rdb_coll_payload.ts";
import { redisModuleName, RedisRdbModuleError, RedisRdbVersionError } from "./rdb_errors.ts";
import {
  RDB_PAYLOAD_SINK,
  type RdbInternalOptions,
  type RdbPayloadSink,
  type RedisRdbDecoderOptions,
  type RedisRdbEntryInfo,
  type RedisRdbStats,
} from "./_rdb_types.ts";

/**
 * The newest RDB format version this package reads and writes (Redis 7.4).
 *
 * @example
 * ```ts
 * import { REDIS_RDB_MAX_VERSION } from "@kevy/persist/codec";
 * REDIS_RDB_MAX_VERSION; // 12
 * ```
 */
export const REDIS_RDB_MAX_VERSION = 12;

export const HEADER = 0;
export const RECORDS = 1;
export const CHECKSUM = 2;
export const DONE = 3;

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, "0");
}

export class RdbRecords {
  readonly r: RdbReader;
  readonly o: RedisRdbDecoderOptions;
  /** CRC of the bytes before the current buffer's commit point (the decoder feeds it). */
  readonly crc = new Crc64();
  readonly verify: boolean;
  readonly payloadSink: RdbPayloadSink | undefined;
  stage = HEADER;
  #db = 0;
  // Attributes of the next key (opcodes before its type byte).
  #deadline: number | null = null;
  #idle: number | null = null;
  #freq: number | null = null;
  #attrAt = -1;
  readonly stats: RedisRdbStats = {
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

  constructor(r: RdbReader, o: RedisRdbDecoderOptions) {
    this.r = r;
    this.o = o;
    this.verify = o.verifyChecksum !== false;
    const ps = (o as RdbInternalOptions)[RDB_PAYLOAD_SINK];
    this.payloadSink = typeof ps === "function" ? ps : undefined;
  }

  header(): void {
    const r = this.r;
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
    this.stats.version = v;
    this.stage = RECORDS;
  }

  checksum(): void {
    const r = this.r;
    if (r.version < 5) {
      this.stats.checksum = "absent";
      this.stage = DONE;
      return;
    }
    const p = r.take(8, "the RDB checksum (8 bytes after EOF)");
    const b = r.buf;
    let zero = true;
    for (let i = 0; i < 8; i++) if (b[p + i] !== 0) zero = false;
    if (zero) this.stats.checksum = "disabled";
    else if (!this.verify) this.stats.checksum = "unchecked";
    else if (!this.crc.equalsLE(b, p)) {
      throw r.corrupt(
        p,
        `the RDB checksum ${hex64(this.crc.value)} (CRC-64 of the ${r.base + p} bytes before it)`,
      );
    } else this.stats.checksum = "ok";
    this.stage = DONE;
  }

  /** One opcode or one key; `start` is where it begins in the buffer. */
  record(start: number): void {
    const r = this.r;
    const o = this.o;
    const t = r.u8("an RDB opcode or value type");
    switch (t) {
      case 0xff:
        this.stage = CHECKSUM;
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
        o.onFunction?.({ code, legacy: { name, engine, description } }, r.base + start);
        return;
      }
      case 0xf5:
        o.onFunction?.({ code: r.string("function library").slice() }, r.base + start);
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
    if (this.#attrAt < 0) this.#attrAt = this.r.base + start;
  }

  #moduleAux(start: number): void {
    const r = this.r;
    const id = r.lenBig("MODULE_AUX module id");
    const name = redisModuleName(id);
    const wAt = r.pos;
    if (r.len("MODULE_AUX when opcode") !== 2) {
      throw r.corrupt(wAt, "MODULE_AUX when opcode 2 (uint)");
    }
    r.len("MODULE_AUX when");
    if (this.o.skipModules !== true) {
      throw new RedisRdbModuleError({
        ...(r.path === undefined ? {} : { path: r.path }),
        offset: r.base + start,
        module: name,
      });
    }
    skipModuleData(r, name);
    const s = this.stats.skippedModules;
    s[name] = (s[name] ?? 0) + 1;
  }

  #key(t: number, start: number): void {
    const r = this.r;
    const o = this.o;
    const offset = this.#attrAt >= 0 ? this.#attrAt : r.base + start;
    const deadline = this.#deadline;
    const sink = o.onString;
    const ps = this.payloadSink;
    if (t === 0 && sink !== undefined) {
      const kb = r.stringAt("key");
      const ko = r.sOff;
      const kl = r.sLen;
      const vb = r.stringAt("string value");
      sink(this.#db, kb, ko, kl, vb, r.sOff, r.sLen, deadline, offset);
    } else if (ps !== undefined && (isHashPayloadType(t) || isCollPayloadType(t))) {
      const kb = r.stringAt("key");
      const p = isHashPayloadType(t)
        ? readHashPayload(r, t, kb, r.sOff, r.sLen)
        : readCollPayload(r, t, kb, r.sOff, r.sLen);
      if (p === null) {
        this.stats.emptyKeysSkipped++;
        this.#attrAt = -1;
        this.#deadline = null;
        this.#idle = null;
        this.#freq = null;
        return;
      }
      ps(this.#db, p, deadline, offset);
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
        const s = this.stats.skippedModules;
        s[v.module] = (s[v.module] ?? 0) + 1;
        return;
      }
      if (v === EMPTY) {
        this.stats.emptyKeysSkipped++;
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
    const s = this.stats;
    s.keys++;
    if (deadline !== null) s.withDeadline++;
    s.types[t] = (s.types[t] ?? 0) + 1;
  }
}
