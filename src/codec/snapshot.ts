/**
 * The kevy snapshot format (`KEVYSNAP`, FORMATS.md §2): a streaming encoder
 * that writes version 4 and a streaming decoder that reads versions 2, 3 and 4.
 * No I/O and no clock: callers pass `now`.
 *
 * @module
 */
import type { Entry } from "./types.ts";
import {
  ChunkWriter,
  RECORD_CURSOR,
  type RecordSource,
  writeCursor,
  writeEntry,
} from "./_snapshot_writer.ts";
import { MAGIC, NEED_MORE, RecordReader } from "./_snapshot_reader.ts";
import {
  HASH_SINK,
  type HashRecordSink,
  type InternalDecoderOptions,
  type SnapshotDecoderOptions,
  type SnapshotDecodeStats,
  type StringRecordSink,
} from "./_snapshot_types.ts";

export type { SnapshotDecoderOptions, SnapshotDecodeStats, StringRecordSink };

/**
 * The 8 magic bytes every snapshot starts with: ASCII `KEVYSNAP`.
 *
 * @example
 * ```ts
 * import { SNAPSHOT_MAGIC } from "@kevy/persist";
 * new TextDecoder().decode(SNAPSHOT_MAGIC); // "KEVYSNAP"
 * ```
 */
export const SNAPSHOT_MAGIC: Uint8Array = MAGIC.slice();

/**
 * The format version the encoder writes (byte 8 of the file). The decoder also
 * accepts 2 (TTL stored as remaining ms) and 3 (no stream group section).
 *
 * @example
 * ```ts
 * import { SNAPSHOT_VERSION } from "@kevy/persist";
 * SNAPSHOT_VERSION; // 4
 * ```
 */
export const SNAPSHOT_VERSION = 4;

/** Default size of the chunks {@link encodeSnapshotChunks} yields: 1 MiB, like kevy's writer buffer. */
const DEFAULT_CHUNK = 1 << 20;

/**
 * Encodes entries as a version-4 snapshot, pulled chunk by chunk so a caller
 * can `await file.write(chunk)` between chunks and never hold the whole file.
 *
 * - Records are written in the order given; hash fields, list items, set and
 *   zset members in the order given (the store supplies zsets in kevy's
 *   (score, member) order). Duplicates are written as given.
 * - `now`: entries whose `deadline <= now` are skipped. Without `now` nothing
 *   is skipped (the codec has no clock); deadlines are written as absolute
 *   unix ms (TTL flag 1), entries without one get flag 0.
 * - `chunkSize` (default 1 MiB, min 64): every chunk but the last has exactly
 *   this length. Each yielded chunk is a fresh `Uint8Array` that the encoder
 *   never touches again, so it may be kept or written asynchronously. A value
 *   larger than a chunk is spread over several chunks as it is yielded, so a
 *   single huge collection never needs a buffer of its own size.
 * - Bad input (a length or count above u32, a negative or fractional
 *   deadline, a stream id outside u64) throws `RangeError` while encoding.
 *
 * @example
 * ```ts
 * import { encodeSnapshotChunks } from "@kevy/persist";
 * const te = new TextEncoder();
 * const entries = [{ key: te.encode("k"), value: { type: "string" as const, value: te.encode("v") }, deadline: null }];
 * let size = 0;
 * for (const chunk of encodeSnapshotChunks(entries, { now: Date.now() })) size += chunk.length;
 * size; // 8 magic + 1 version + (1 + 1 + 5 + 5) record + 1 EOF = 22
 * ```
 */
export function* encodeSnapshotChunks(
  entries: Iterable<Entry>,
  opts: { now?: number; chunkSize?: number } = {},
): Generator<Uint8Array, void, undefined> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 64) {
    throw new RangeError(
      `encodeSnapshotChunks: chunkSize must be an integer >= 64, got ${chunkSize}`,
    );
  }
  const now = opts.now;
  const w = new ChunkWriter(chunkSize);
  w.raw(MAGIC);
  w.u8(SNAPSHOT_VERSION);
  const cursor = (entries as RecordSource)[RECORD_CURSOR];
  if (typeof cursor === "function") yield* writeCursor(w, cursor.call(entries), now);
  else {
    for (const e of entries) {
      const d = e.deadline;
      if (d !== null && now !== undefined && d <= now) continue;
      const v = e.value;
      if (v.type === "string") {
        w.head(1, d);
        w.bytes(e.key, "key length");
        w.bytes(v.value, "string length");
      } else yield* writeEntry(w, e);
      while (w.ready.length > 0) yield w.ready.shift()!;
    }
  }
  w.u8(0);
  while (w.ready.length > 0) yield w.ready.shift()!;
  const rest = w.takeRest();
  if (rest !== undefined) yield rest;
}

const STAGE_HEADER = 0;
const STAGE_RECORDS = 1;
const STAGE_DONE = 2;

/**
 * Push-based streaming snapshot decoder (versions 2, 3, 4).
 *
 * Feed any chunking of the file to {@link push}; live records go to
 * `onEntry` as soon as they are complete; {@link finish} ends the input.
 *
 * - TTL: v2 stores remaining ms (deadline = now + remaining), v3/v4 absolute
 *   unix ms. A TTL flag other than 1 means no TTL (kevy's rule). Records whose
 *   deadline is <= `now` are dropped and counted in `expired` (never turned
 *   into "no TTL" as kevy v1.17 can do in a fresh process).
 * - Elements are delivered exactly as in the file: duplicate hash fields or
 *   set/zset members (only in crafted files) are NOT merged here; `Store.put`
 *   applies kevy's rules (hash/zset keep the last, set de-duplicates).
 * - `push` copies each chunk once, so the caller may reuse its read buffer;
 *   values are views into that copy (see `copyValues`). Never mutate them
 *   in place.
 * - Corrupt input throws `CorruptFileError` (path, absolute offset,
 *   what was expected). The decoder is then failed: later calls rethrow it.
 *   Truncation is only certain at `finish()`, or earlier with `totalSize`.
 * - Linear time: a record split across chunks is re-parsed from its start
 *   only after the buffered bytes at least doubled; nothing is allocated from
 *   a count, and no length is sliced before its bytes are present.
 *
 * @example
 * ```ts
 * import { encodeSnapshotChunks, SnapshotDecoder, type Entry } from "@kevy/persist";
 * const te = new TextEncoder();
 * const now = 1767225600000;
 * const chunks = encodeSnapshotChunks([
 *   { key: te.encode("a"), value: { type: "list", value: [te.encode("x")] }, deadline: now + 1000 },
 * ]);
 * const got: Entry[] = [];
 * const dec = new SnapshotDecoder({ now, onEntry: (e) => got.push(e) });
 * for (const c of chunks) dec.push(c);
 * dec.finish(); // { version: 4, records: 1, expired: 0, trailingBytes: 0 }
 * got[0]?.deadline; // now + 1000
 * ```
 */
export class SnapshotDecoder {
  readonly #onEntry: (e: Entry, offset: number) => void;
  readonly #onString: StringRecordSink | undefined;
  readonly #onHash: HashRecordSink | undefined;
  readonly #r: RecordReader;
  readonly #totalSize: number;
  #stage = STAGE_HEADER;
  #records = 0;
  #expired = 0;
  #trailing = 0;
  #failed: unknown = undefined;
  #finished = false;
  // Bytes of an incomplete record (copied), and how many are wanted before the next attempt.
  #pending: Uint8Array[] = [];
  #pendingLen = 0;
  #want = 0;

  /**
   * A decoder waiting for the first bytes of a snapshot.
   *
   * @param opts see {@link SnapshotDecoderOptions}; `now` and `onEntry` are required.
   */
  constructor(opts: SnapshotDecoderOptions) {
    if (typeof opts.onEntry !== "function") {
      throw new TypeError("SnapshotDecoder: onEntry is required");
    }
    if (typeof opts.now !== "number" || !Number.isFinite(opts.now)) {
      throw new TypeError("SnapshotDecoder: now (unix ms) is required");
    }
    const t = opts.totalSize;
    if (t !== undefined && !(Number.isInteger(t) && t >= 0)) {
      throw new RangeError(`SnapshotDecoder: totalSize must be a non-negative integer, got ${t}`);
    }
    this.#onEntry = opts.onEntry;
    if (opts.onString !== undefined && typeof opts.onString !== "function") {
      throw new TypeError("SnapshotDecoder: onString must be a function");
    }
    this.#onString = opts.onString;
    const onHash = (opts as InternalDecoderOptions)[HASH_SINK];
    this.#onHash = typeof onHash === "function" ? onHash : undefined;
    this.#r = new RecordReader(
      opts.now,
      opts.path,
      opts.copyValues === true,
      opts.onString !== undefined,
      this.#onHash !== undefined,
    );
    this.#totalSize = t ?? Infinity;
  }

  /**
   * Feeds the next bytes of the input.
   *
   * @example
   * ```ts
   * import { SnapshotDecoder } from "@kevy/persist";
   * const dec = new SnapshotDecoder({ now: 0, onEntry: () => {} });
   * dec.push(new TextEncoder().encode("KEVYSNAP"));
   * dec.push(new Uint8Array([4, 0]));
   * dec.finish().records; // 0
   * ```
   */
  push(chunk: Uint8Array): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#finished) throw new TypeError("SnapshotDecoder: push after finish");
    if (chunk.length === 0) return;
    if (this.#stage === STAGE_DONE) {
      this.#trailing += chunk.length;
      return;
    }
    if (this.#pendingLen === 0) {
      this.#run(chunk.slice(), false);
      return;
    }
    this.#pending.push(chunk.slice());
    this.#pendingLen += chunk.length;
    if (this.#pendingLen < this.#want && this.#r.base + this.#pendingLen < this.#totalSize) return;
    this.#run(this.#takePending(), false);
  }

  /**
   * Ends the input and returns what was read. Throws `CorruptFileError`
   * if the input ended before the EOF opcode.
   *
   * @example
   * ```ts
   * import { CorruptFileError, SnapshotDecoder } from "@kevy/persist";
   * const dec = new SnapshotDecoder({ now: 0, onEntry: () => {}, path: "dump-0.rdb" });
   * dec.push(new TextEncoder().encode("KEVYSNAP\x04"));
   * try { dec.finish(); } catch (e) { (e as CorruptFileError).offset; } // 9: the missing EOF opcode
   * ```
   */
  finish(): SnapshotDecodeStats {
    if (this.#failed !== undefined) throw this.#failed;
    if (!this.#finished) {
      this.#finished = true;
      if (this.#stage !== STAGE_DONE) this.#run(this.#takePending(), true);
    }
    return {
      version: this.#r.version,
      records: this.#records,
      expired: this.#expired,
      trailingBytes: this.#trailing,
    };
  }

  #takePending(): Uint8Array {
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
    let start = 0;
    try {
      if (this.#stage === STAGE_HEADER) {
        r.header();
        start = r.pos;
        this.#stage = STAGE_RECORDS;
      }
      for (;;) {
        const e = r.record();
        if (e === undefined) break;
        const at = r.base + start;
        start = r.pos;
        this.#records++;
        if (e === false) {
          this.#onString!(r.buf, r.sKey, r.sKeyLen, r.sVal, r.sValLen, r.sDeadline, at);
        } else if (e === true) {
          const { sKey, sKeyLen, sVal, sValLen, hCount, hMaxLen, sDeadline } = r;
          this.#onHash!(r.buf, sKey, sKeyLen, sVal, sValLen, hCount, hMaxLen, sDeadline, at);
        } else if (e === null) this.#expired++;
        else this.#onEntry(e, at);
      }
      this.#stage = STAGE_DONE;
      this.#trailing += r.end - r.pos;
      r.base += r.pos;
      r.buf = new Uint8Array(0);
    } catch (err) {
      if (err !== NEED_MORE) {
        this.#failed = err;
        r.buf = new Uint8Array(0);
        throw err;
      }
      // Keep the incomplete record; retry once the buffered bytes doubled
      // (or reach what the failed read needed), so retries stay linear.
      const tail = buf.subarray(start); // buf is already private
      r.base += start;
      r.buf = new Uint8Array(0);
      this.#want = Math.max(NEED_MORE.at - start, 2 * tail.length, 1);
      if (tail.length > 0) {
        this.#pending = [tail];
        this.#pendingLen = tail.length;
      }
    }
  }
}

/** What {@link decodeEntries} returns. */
export interface DecodedSnapshot extends SnapshotDecodeStats {
  /** Live entries in file order. */
  entries: Entry[];
}

/**
 * Decodes a whole in-memory snapshot (see {@link SnapshotDecoder} for the rules).
 *
 * @example
 * ```ts
 * import { decodeEntries, encodeSnapshotChunks } from "@kevy/persist";
 * const te = new TextEncoder();
 * const parts = [...encodeSnapshotChunks([
 *   { key: te.encode("k"), value: { type: "set", value: [te.encode("m")] }, deadline: null },
 * ])];
 * const { version, entries } = decodeEntries(parts[0]!, { now: Date.now() });
 * version; // 4
 * entries.length; // 1
 * ```
 */
export function decodeEntries(
  bytes: Uint8Array,
  opts: { now: number; path?: string },
): DecodedSnapshot {
  const entries: Entry[] = [];
  const dec = new SnapshotDecoder({
    now: opts.now,
    onEntry: (e) => entries.push(e),
    totalSize: bytes.length,
    ...(opts.path === undefined ? {} : { path: opts.path }),
  });
  dec.push(bytes);
  const stats = dec.finish();
  return { ...stats, entries };
}
