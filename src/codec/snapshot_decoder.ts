/**
 * The streaming snapshot decoder (`KEVYSNAP` versions 2 to 7, FORMATS.md §2
 * and SPEC-v5 §2), with the checksum trailer this library appends after the
 * EOF opcode. No I/O and no clock: callers pass `now`.
 *
 * @module
 */
import { CorruptFileError } from "./errors.ts";
import { FIELD_TTL, NEED_MORE, RecordReader, SEG_STUB, STREAM_RAW } from "./_snapshot_reader.ts";
import {
  BlockSummer,
  checkBlocks,
  parseTrailer,
  SUM_BLOCK_LOG2,
  TrailCollector,
} from "./_snapshot_sum.ts";
import {
  HASH_RUN_SINK,
  HASH_SINK,
  type HashRecordSink,
  type InternalDecoderOptions,
  type SegmentStub,
  type SnapshotDecoderOptions,
  type SnapshotDecodeStats,
  STREAM_SINK,
  type StreamRecordSink,
  STRING_RUN_SINK,
  type StringRecordSink,
} from "./snapshot_types.ts";
import { RecordRuns } from "./_snapshot_runs.ts";
import { SegmentStubError } from "./snapshot_errors.ts";
import type { Entry } from "./types.ts";
import { ChunkQueue, openRun } from "./_chunk_queue.ts";

const STAGE_HEADER = 0;
const STAGE_RECORDS = 1;
const STAGE_DONE = 2;

/**
 * Push-based streaming snapshot decoder (versions 2 to 7).
 *
 * Feed any chunking of the file to {@link push}; live records go to
 * `onEntry` as soon as they are complete; {@link finish} ends the input.
 *
 * - TTL: v2 stores remaining ms (deadline = now + remaining), v3+ absolute
 *   unix ms. A TTL flag other than 1 means no TTL (kevy's rule). Records whose
 *   deadline is <= `now` are dropped and counted in `expired` (never turned
 *   into "no TTL" as kevy v1.17 can do in a fresh process).
 * - Version >= 5 headers carry a feed cursor (`cursor` in the stats).
 * - Opcode 7 (a hash-field TTL: key, field, absolute deadline) goes to
 *   `onFieldTtl` in file order; without that option such a record throws
 *   (a silent drop would make fields persistent). The consumer applies them
 *   once every entry is in, so no record order loses one (kevy 5.4 wipes a
 *   key's field TTLs when a later record rewrites the key: SPEC-v5 §6.8).
 * - Opcode 8 (a kevy 5.x row-segment stub, whose row lives in the shard's
 *   `segs-{i}/` directory) goes to `onSegmentStub`; without it, it throws a
 *   {@link SegmentStubError} naming that directory: this library has no
 *   segment store and will not load a key without its value.
 * - Opcodes 7 and 8 are accepted in every version, like kevy 5.4.
 * - Elements are delivered exactly as in the file: duplicate hash fields or
 *   set/zset members (only in crafted files) are NOT merged here; `Store.put`
 *   applies kevy's rules (hash/zset keep the last, set de-duplicates).
 * - Checksum: bytes after the EOF opcode that carry this library's trailer
 *   (see `encodeSnapshotChunks`) are verified at `finish()`: a mismatch
 *   throws {@link SnapshotChecksumError} (the first bad block, and the exact
 *   byte and bit when one flipped bit explains it). Other trailing bytes are
 *   ignored and counted, like kevy does; `checksum` says which case it was.
 *   Records are delivered before the checksum is known: load into a store
 *   nobody sees until `finish()` returned.
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
 * import { encodeSnapshotChunks, type Entry, SnapshotDecoder } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const now = 1767225600000;
 * const chunks = encodeSnapshotChunks([
 *   { key: te.encode("a"), value: { type: "list", value: [te.encode("x")] }, deadline: now + 1000 },
 * ]);
 * const got: Entry[] = [];
 * const dec = new SnapshotDecoder({ now, onEntry: (e) => got.push(e) });
 * for (const c of chunks) dec.push(c);
 * const stats = dec.finish(); // { version: 4, records: 1, checksum: "verified", ... }
 * got[0]?.deadline; // now + 1000
 * ```
 */
export class SnapshotDecoder {
  readonly #onEntry: (e: Entry, offset: number) => void;
  readonly #onString: StringRecordSink | undefined;
  readonly #onHash: HashRecordSink | undefined;
  readonly #onStream: StreamRecordSink | undefined;
  /** Runs of string and hash records for the run sinks, or null without any. */
  readonly #runs: RecordRuns | null;
  readonly #onFieldTtl: SnapshotDecoderOptions["onFieldTtl"];
  readonly #onStub: ((stub: SegmentStub) => void) | undefined;
  readonly #r: RecordReader;
  readonly #totalSize: number;
  readonly #path: string | undefined;
  #stage = STAGE_HEADER;
  #records = 0;
  #expired = 0;
  #fieldTtls = 0;
  #stubs = 0;
  #failed: unknown = undefined;
  #finished = false;
  #stats: SnapshotDecodeStats | null = null;
  /** Bytes of an incomplete record and the chunks pushed since. */
  readonly #q = new ChunkQueue();
  /** CRC32C per block of every byte consumed up to and including the EOF opcode. */
  readonly #sum = new BlockSummer(SUM_BLOCK_LOG2);
  /** The bytes after the EOF opcode. */
  #trail: TrailCollector | null = null;

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
    for (const k of ["onString", "onFieldTtl", "onSegmentStub"] as const) {
      if (opts[k] !== undefined && typeof opts[k] !== "function") {
        throw new TypeError(`SnapshotDecoder: ${k} must be a function`);
      }
    }
    this.#onEntry = opts.onEntry;
    this.#onString = opts.onString;
    this.#onFieldTtl = opts.onFieldTtl;
    this.#onStub = opts.onSegmentStub;
    this.#path = opts.path;
    const onHash = (opts as InternalDecoderOptions)[HASH_SINK];
    this.#onHash = typeof onHash === "function" ? onHash : undefined;
    const onStream = (opts as InternalDecoderOptions)[STREAM_SINK];
    this.#onStream = typeof onStream === "function" ? onStream : undefined;
    const o = opts as InternalDecoderOptions;
    const onRun = typeof o[STRING_RUN_SINK] === "function" ? o[STRING_RUN_SINK] : undefined;
    const onHashRun = typeof o[HASH_RUN_SINK] === "function" ? o[HASH_RUN_SINK] : undefined;
    this.#runs = onRun === undefined && onHashRun === undefined
      ? null
      : new RecordRuns(onRun, onHashRun);
    this.#r = new RecordReader(
      opts.now,
      opts.path,
      opts.copyValues === true,
      opts.onString !== undefined || onRun !== undefined,
      this.#onHash !== undefined || onHashRun !== undefined,
      opts.keepExpired === true,
      this.#onStream !== undefined,
    );
    this.#totalSize = t ?? Infinity;
  }

  /**
   * Feeds the next bytes of the input.
   *
   * @example
   * ```ts
   * import { SnapshotDecoder } from "@kevy/persist/codec";
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
      this.#trail!.add(chunk, 0, chunk.length);
      return;
    }
    const q = this.#q, r = this.#r, total = this.#totalSize;
    if (q.length === 0) {
      this.#run(chunk.slice(), false); // copied once: the caller may reuse its buffer
      return;
    }
    // A record began in the last chunk: finish it in a small joined buffer, then decode the
    // rest of this chunk in place (joining the whole chunk would copy every byte twice).
    const c = chunk.slice(), t = q.length;
    const bridge = q.bridge(c);
    if (bridge === null) {
      const buf = q.push(c, r.base, total, true);
      if (buf !== null) this.#run(buf, false);
      return;
    }
    const at = r.base, take = bridge.length - t;
    this.#run(bridge, false);
    if (this.#stage === STAGE_DONE) {
      this.#trail!.add(c, take, c.length);
      return;
    }
    const s = r.base - at; // where the record the bridge run stopped in starts, in the bridge
    if (s >= t) {
      q.clear(); // its bytes are in `c` from s - t on
      this.#run(c.subarray(s - t), false);
    } else {
      const buf = q.push(c.subarray(take), r.base, total, true);
      if (buf !== null) this.#run(buf, false);
    }
  }

  /**
   * Ends the input and returns what was read. Throws `CorruptFileError`
   * if the input ended before the EOF opcode, and {@link SnapshotChecksumError}
   * if the checksum trailer does not match.
   *
   * @example
   * ```ts
   * import { CorruptFileError, SnapshotDecoder } from "@kevy/persist/codec";
   * const dec = new SnapshotDecoder({ now: 0, onEntry: () => {}, path: "dump-0.rdb" });
   * dec.push(new TextEncoder().encode("KEVYSNAP\x04"));
   * try { dec.finish(); } catch (e) { (e as CorruptFileError).offset; } // 9: the missing EOF opcode
   * ```
   */
  finish(): SnapshotDecodeStats {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#stats !== null) return this.#stats;
    this.#finished = true;
    try {
      if (this.#stage !== STAGE_DONE) this.#run(this.#q.take(), true);
      const checksum = this.#verify();
      const r = this.#r;
      const trail = this.#trail!;
      this.#stats = {
        version: r.version,
        cursor: r.cursor,
        records: this.#records,
        expired: this.#expired,
        fieldTtls: this.#fieldTtls,
        segmentStubs: this.#stubs,
        checksum,
        trailingBytes: checksum === "verified" ? 0 : trail.count,
      };
      return this.#stats;
    } catch (e) {
      this.#failed = e;
      throw e;
    }
  }

  /** Checks the trailer, if the bytes after EOF claim to be one. */
  #verify(): "verified" | "absent" {
    const trail = this.#trail!;
    if (!trail.claimed()) return "absent";
    const covered = this.#sum.fed;
    const t = parseTrailer(trail.bytes(), covered);
    const path = this.#path;
    if ("problem" in t) {
      throw new CorruptFileError({
        ...(path === undefined ? {} : { path }),
        offset: covered,
        expected: `a checksum trailer right after the EOF opcode (${t.problem}; ` +
          `${trail.count} bytes follow the EOF opcode at byte ${covered - 1})`,
      });
    }
    checkBlocks(this.#sum.crcs(), t, covered, path);
    return "verified";
  }

  #run(buf: Uint8Array, final: boolean): void {
    const r = this.#r;
    const runs = this.#runs;
    openRun(r, buf, final, this.#totalSize);
    let start = 0;
    try {
      if (this.#stage === STAGE_HEADER) {
        r.header();
        start = r.pos;
        this.#stage = STAGE_RECORDS;
      }
      for (;;) {
        const e = r.record();
        if (runs !== null) {
          if (runs.take(e, r, buf, start, r.base + start)) {
            start = r.pos;
            this.#records++;
            continue;
          }
          runs.flush(buf);
        }
        if (e === undefined) break;
        const at = r.base + start;
        start = r.pos;
        this.#records++;
        if (e === false) {
          this.#onString!(r.buf, r.sKey, r.sKeyLen, r.sVal, r.sValLen, r.sDeadline, at);
        } else if (e === true) {
          const { sKey, sKeyLen, sVal, sValLen, hCount, hMaxLen, sDeadline } = r;
          this.#onHash!(r.buf, sKey, sKeyLen, sVal, sValLen, hCount, hMaxLen, sDeadline, at);
        } else if (e === STREAM_RAW) {
          const { sKey, sKeyLen, stHead, stStart, stCount, sDeadline } = r;
          this.#onStream!(r.buf, sKey, sKeyLen, stHead!, stStart, stCount, sDeadline, at);
        } else if (e === null) this.#expired++;
        else if (e === FIELD_TTL) this.#fieldTtl(at);
        else if (e === SEG_STUB) this.#stub(at);
        else this.#onEntry(e as Entry, at);
      }
      this.#stage = STAGE_DONE;
      this.#sum.feed(buf, 0, r.pos);
      this.#trail = new TrailCollector(r.base + r.pos);
      this.#trail.add(buf, r.pos, r.end);
      r.base += r.pos;
      r.buf = new Uint8Array(0);
    } catch (e) {
      let err = e;
      // The records read before the stop (or the damage) are delivered first, as without runs.
      if (runs !== null && runs.pending && (err === NEED_MORE || err instanceof CorruptFileError)) {
        try {
          runs.flush(buf);
        } catch (e2) {
          err = e2;
        }
      }
      if (err !== NEED_MORE) {
        this.#failed = err;
        r.buf = new Uint8Array(0);
        throw err;
      }
      // Keep the incomplete record; retry once the buffered bytes doubled
      // (or reach what the failed read needed), so retries stay linear.
      this.#sum.feed(buf, 0, start);
      this.#q.stopped(r, buf, start, NEED_MORE.at); // buf is already private
    }
  }

  #fieldTtl(at: number): void {
    const r = this.#r;
    this.#fieldTtls++;
    const sink = this.#onFieldTtl;
    if (sink === undefined) {
      throw new TypeError(
        `SnapshotDecoder: ${this.#path ?? "<buffer>"} holds hash-field TTL records ` +
          `(opcode 7, kevy 5.x; the first at byte ${at}) and no onFieldTtl was given`,
      );
    }
    sink(r.ftKey, r.ftField, r.ftDeadline, at);
  }

  #stub(at: number): void {
    const r = this.#r;
    this.#stubs++;
    const stub: SegmentStub = {
      key: r.stubKey,
      seq: r.stubSeq,
      valueWeight: r.stubWeight,
      deadline: r.stubDeadline,
      offset: at,
    };
    if (this.#onStub !== undefined) this.#onStub(stub);
    else {
      throw new SegmentStubError({
        ...(this.#path === undefined ? {} : { path: this.#path }),
        offset: at,
        key: stub.key,
        seq: stub.seq,
      });
    }
  }
}
