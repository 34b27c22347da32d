// Private: the record parser behind SnapshotDecoder. It reads one complete
// record from a contiguous buffer; when the buffer ends first it throws the
// NEED_MORE sentinel (the decoder keeps the record's bytes and retries once
// more data arrived) or, when the true end of the input is known to be too
// close, a CorruptFileError. Lengths and counts are checked against the bytes
// left before anything is allocated; arrays grow as elements are read.
import { CorruptFileError } from "./errors.ts";
import { readStream, readStreamHead } from "./_snapshot_streams.ts";
import type { StreamRecordHead } from "./stream_record.ts";
import type { Entry, KeyValue, StreamId } from "./types.ts";

/** "KEVYSNAP" */
export const MAGIC: Uint8Array = new Uint8Array([0x4b, 0x45, 0x56, 0x59, 0x53, 0x4e, 0x41, 0x50]);

const TWO_32 = 4294967296;

/** u32le at `p`. */
export function rd32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Thrown (never escapes the decoder) when the buffer ends inside a record. */
export const NEED_MORE: { at: number } = { at: 0 };

// One scratch for u64 bits -> f64 (no per-score DataView).
const f64Scratch = new DataView(new ArrayBuffer(8));

const OPCODE_NAMES =
  "0 (EOF) or 1..8 (string, hash, list, set, zset, stream, hash-field TTL, row-segment stub)";

/** {@link RecordReader.record} result for an opcode-7 record (fields in `ft*`). */
export const FIELD_TTL = 7;
/** {@link RecordReader.record} result for an opcode-8 record (fields in `stub*`). */
export const SEG_STUB = 8;
/** {@link RecordReader.record} result for a live stream record with `rawStreams` (in `st*`). */
export const STREAM_RAW = 6;

/** Parser state over the current contiguous buffer. */
export class RecordReader {
  buf: Uint8Array = new Uint8Array(0);
  end = 0;
  pos = 0;
  /** Absolute offset (in the whole input) of buf[0]. */
  base = 0;
  /** Absolute size of the whole input if known, else Infinity. */
  limit = Infinity;
  version = 0;
  /** The feed cursor of a version >= 5 header, else null. */
  cursor: { generation: bigint; offset: bigint } | null = null;
  readonly now: number;
  /** Records with a deadline <= cutoff are dropped (`now`, or -Infinity to keep them all). */
  readonly cutoff: number;
  readonly path: string | undefined;
  readonly copyValues: boolean;
  /** String records come back as `false` with their ranges below (no objects). */
  readonly rawStrings: boolean;
  /** Hash records come back as `true` with their ranges below (no objects). */
  readonly rawHashes: boolean;
  /** Stream records come back as {@link STREAM_RAW}: entries left in place (no objects). */
  readonly rawStreams: boolean;
  /** Raw stream: scalars and groups, where the entries start, how many. */
  stHead: StreamRecordHead | null = null;
  stStart = 0;
  stCount = 0;
  sKey = 0;
  sKeyLen = 0;
  sVal = 0;
  sValLen = 0;
  sDeadline: number | null = null;
  /** Raw hash: field count and the longest field or value. */
  hCount = 0;
  hMaxLen = 0;
  /** Opcode 7: key, field, absolute deadline. */
  ftKey: Uint8Array = new Uint8Array(0);
  ftField: Uint8Array = new Uint8Array(0);
  ftDeadline = 0;
  /** Opcode 8: key, segment seq, value weight, and the TTL kevy discards. */
  stubKey: Uint8Array = new Uint8Array(0);
  stubSeq = 0;
  stubWeight = 0;
  stubDeadline: number | null = null;

  constructor(
    now: number,
    path: string | undefined,
    copyValues: boolean,
    rawStrings = false,
    rawHashes = false,
    keepExpired = false,
    rawStreams = false,
  ) {
    this.now = now;
    this.cutoff = keepExpired ? -Infinity : now;
    this.path = path;
    this.copyValues = copyValues;
    this.rawStrings = rawStrings;
    this.rawHashes = rawHashes;
    this.rawStreams = rawStreams;
  }

  /** `u32le length` + bytes, skipped; returns where the bytes start. */
  skip(what: string): number {
    return this.take(this.u32(what), what);
  }

  /** Consumes the next `n` bytes and returns where they start (or waits / fails via `short`). */
  take(n: number, what: string): number {
    const p = this.pos;
    if (this.end - p < n) this.short(p, n, what);
    this.pos = p + n;
    return p;
  }

  corrupt(pos: number, expected: string): CorruptFileError {
    return new CorruptFileError({
      ...(this.path === undefined ? {} : { path: this.path }),
      offset: this.base + pos,
      expected,
      bytes: this.buf.subarray(pos, this.end),
    });
  }

  /** The buffer has fewer than n bytes at pos: wait for more, or fail if the input cannot have them. */
  short(pos: number, n: number, what: string): never {
    const abs = this.base + pos;
    if (abs + n > this.limit) {
      throw this.corrupt(pos, `${what} (${n} byte${n === 1 ? "" : "s"}, ${this.limit - abs} left)`);
    }
    NEED_MORE.at = pos + n;
    throw NEED_MORE;
  }

  u8(what: string): number {
    return this.buf[this.take(1, what)]!;
  }

  u32(what: string): number {
    return rd32(this.buf, this.take(4, what));
  }

  /** A u64 as a number (exact up to 2^53). */
  u64(what: string): number {
    const p = this.take(8, what);
    return rd32(this.buf, p + 4) * TWO_32 + rd32(this.buf, p);
  }

  u64b(what: string): bigint {
    const p = this.take(8, what);
    const lo = rd32(this.buf, p);
    const hi = rd32(this.buf, p + 4);
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  f64(what: string): number {
    const p = this.take(8, what);
    f64Scratch.setUint32(0, rd32(this.buf, p), true);
    f64Scratch.setUint32(4, rd32(this.buf, p + 4), true);
    return f64Scratch.getFloat64(0, true);
  }

  /** `u32le length` + bytes: a view into the decoder's private buffer, or a copy with `copyValues`. */
  bytes(what: string): Uint8Array {
    const len = this.u32(what);
    const p = this.take(len, what);
    return this.copyValues ? this.buf.slice(p, p + len) : this.buf.subarray(p, p + len);
  }

  /** A u32 count whose elements take at least `minEach` bytes each: checked against what is left. */
  count(minEach: number, what: string): number {
    const at = this.pos;
    const n = this.u32(what);
    const left = this.limit - (this.base + this.pos);
    if (n * minEach > left) {
      throw this.corrupt(at, `${what} of at most ${Math.floor(left / minEach)} (found ${n})`);
    }
    return n;
  }

  id(what: string): StreamId {
    const ms = this.u64b(what);
    const seq = this.u64b(what);
    return { ms, seq };
  }

  /** Magic and version; sets `version`. */
  header(): void {
    if (this.end - this.pos < 8) this.short(this.pos, 8, 'magic "KEVYSNAP"');
    for (let i = 0; i < 8; i++) {
      if (this.buf[this.pos + i] !== MAGIC[i]) {
        throw this.corrupt(this.pos + i, 'magic "KEVYSNAP"');
      }
    }
    this.pos += 8;
    const at = this.pos;
    const v = this.u8("version byte");
    if (v < 2 || v > 7) throw this.corrupt(at, "snapshot version 2..7");
    if (v >= 5) {
      const generation = this.u64b("feed cursor generation");
      this.cursor = { generation, offset: this.u64b("feed cursor offset") };
    }
    this.version = v;
  }

  /**
   * One record. Returns `undefined` at the EOF opcode, `null` for a record
   * whose deadline is <= now (read and dropped), `false` for a live string
   * record with `rawStrings` (ranges in `sKey`.. `sDeadline`), `true` for a
   * live hash record with `rawHashes` (key in `sKey`/`sKeyLen`, the pairs'
   * payload in `sVal`/`sValLen`, `hCount` pairs, longest element `hMaxLen`),
   * {@link STREAM_RAW} for a live stream record with `rawStreams` (key in
   * `sKey`/`sKeyLen`, the rest in `st*`), {@link FIELD_TTL} or
   * {@link SEG_STUB} for opcodes 7 and 8 (accepted in every version, like
   * kevy 5.4), else the entry.
   */
  record(): Entry | null | undefined | boolean | number {
    const at = this.pos;
    const op = this.u8("record opcode");
    if (op === 0) return undefined;
    if (op === 7) {
      // No TTL flag: key, field, absolute deadline.
      this.ftKey = this.bytes("field TTL key");
      this.ftField = this.bytes("field TTL field");
      this.ftDeadline = this.u64("field TTL deadline");
      return FIELD_TTL;
    }
    if (op > 8) throw this.corrupt(at, `opcode ${OPCODE_NAMES}`);
    // Reference rule: only flag 1 carries a TTL; any other value means none.
    let deadline: number | null = null;
    if (this.u8("TTL flag") === 1) {
      const t = this.u64("TTL");
      deadline = this.version === 2 ? this.now + t : t;
    }
    if (op === 1 && this.rawStrings) {
      const k = this.skip("key");
      const v = this.skip("string value");
      if (deadline !== null && deadline <= this.cutoff) return null;
      this.sKey = k;
      this.sKeyLen = v - 4 - k;
      this.sVal = v;
      this.sValLen = this.pos - v;
      this.sDeadline = deadline;
      return false;
    }
    if (op === 2 && this.rawHashes) {
      const k = this.skip("key");
      const kl = this.pos - k;
      this.hCount = this.count(8, "hash field count");
      const v = this.pos;
      this.hMaxLen = this.skipPairs(this.hCount);
      if (deadline !== null && deadline <= this.cutoff) return null;
      this.sKey = k;
      this.sKeyLen = kl;
      this.sVal = v;
      this.sValLen = this.pos - v;
      this.sDeadline = deadline;
      return true;
    }
    if (op === 6 && this.rawStreams) {
      const k = this.skip("key");
      const kl = this.pos - k;
      const head = readStreamHead(this);
      if (deadline !== null && deadline <= this.cutoff) return null;
      this.sKey = k;
      this.sKeyLen = kl;
      this.sDeadline = deadline;
      this.stHead = head;
      return STREAM_RAW;
    }
    if (op === 8) {
      this.stubDeadline = deadline;
      this.stubKey = this.bytes("key");
      this.stubSeq = this.u32("segment seq");
      this.stubWeight = this.u32("value weight");
      return SEG_STUB;
    }
    const key = this.bytes("key");
    const value = this.value(op);
    if (deadline !== null && deadline <= this.cutoff) return null;
    return { key, value, deadline };
  }

  private value(op: number): KeyValue {
    switch (op) {
      case 1:
        return { type: "string", value: this.bytes("string value") };
      case 2:
        return { type: "hash", value: this.pairs("hash field count", "hash field", "hash value") };
      case 3:
      case 4: {
        const n = this.count(4, op === 3 ? "list length" : "set size");
        const out: Uint8Array[] = [];
        const what = op === 3 ? "list item" : "set member";
        for (let i = 0; i < n; i++) out.push(this.bytes(what));
        return op === 3 ? { type: "list", value: out } : { type: "set", value: out };
      }
      case 5: {
        const n = this.count(12, "zset size");
        const out: Array<[Uint8Array, number]> = [];
        for (let i = 0; i < n; i++) {
          const m = this.bytes("zset member");
          out.push([m, this.f64("zset score")]);
        }
        return { type: "zset", value: out };
      }
      default:
        return { type: "stream", value: readStream(this) };
    }
  }

  /** A u32 count of (bytes, bytes) pairs, then the pairs (hash fields, stream entry fields). */
  pairs(count: string, first: string, second: string): Array<[Uint8Array, Uint8Array]> {
    const n = this.count(8, count);
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < n; i++) {
      const f = this.bytes(first);
      out.push([f, this.bytes(second)]);
    }
    return out;
  }

  /** Skips `n` hash pairs (same checks as `pairs`); returns the longest field or value. */
  private skipPairs(n: number): number {
    const b = this.buf, end = this.end;
    let p = this.pos, max = 0;
    for (let i = 0; i < n; i++) {
      for (let half = 0; half < 2; half++) {
        if (end - p < 4 || end - p - 4 < rd32(b, p)) {
          this.pos = p;
          this.skip(half === 0 ? "hash field" : "hash value"); // throws, as `pairs` would
        }
        const len = rd32(b, p);
        if (len > max) max = len;
        p += 4 + len;
      }
    }
    this.pos = p;
    return max;
  }
}
