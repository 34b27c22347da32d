// Private: the option and result types of SnapshotDecoder (re-exported by snapshot.ts).
import type { Entry } from "./types.ts";
import type { StreamRecordHead } from "./stream_record.ts";

/**
 * The change-feed position a kevy 5.x snapshot was taken at (versions >= 5):
 * two full u64 values.
 */
export interface SnapshotCursor {
  /** Feed generation (kevy draws a random 53-bit number; any u64 is read). */
  generation: bigint;
  /** Offset within the generation. */
  offset: bigint;
}

/** A kevy 5.x row-segment stub (opcode 8): a key whose value lives in `segs-{i}/`. */
export interface SegmentStub {
  /** The key. */
  key: Uint8Array;
  /** The segment's sequence number. */
  seq: number;
  /** kevy's memory-accounting weight of the row. */
  valueWeight: number;
  /** The TTL in the record (kevy 5.4 discards it: stubs are TTL-free). */
  deadline: number | null;
  /** Byte offset of the record. */
  offset: number;
}

/** What {@link SnapshotDecoder.finish} reports. */
export interface SnapshotDecodeStats {
  /** The format version (byte 8): 2 to 7. */
  version: number;
  /** The feed cursor of a version >= 5 file, else null. */
  cursor: SnapshotCursor | null;
  /** Records read before the EOF opcode, including expired ones and opcode-7/8 records. */
  records: number;
  /** Entry records dropped because their deadline was <= `now`. */
  expired: number;
  /** Hash-field TTL records (opcode 7) handed to `onFieldTtl`. */
  fieldTtls: number;
  /** Row-segment stubs (opcode 8) handed to `onSegmentStub`. */
  segmentStubs: number;
  /**
   * `"verified"`: the file ends in this library's checksum trailer and every
   * byte matched it; `"absent"`: no trailer (a file written by kevy, or by
   * this library with `checksum: false`).
   */
  checksum: "verified" | "absent";
  /** Bytes after the EOF opcode other than a verified trailer (ignored, like kevy does). */
  trailingBytes: number;
}

/** Options of {@link SnapshotDecoder}. */
export interface SnapshotDecoderOptions {
  /** Called once per live record, in file order, with the record's absolute byte offset. */
  onEntry: (e: Entry, offset: number) => void;
  /** Load time, unix ms: v2 TTLs are relative to it; records with deadline <= now are dropped. */
  now: number;
  /**
   * `true`: records whose deadline is <= `now` are delivered too (deadline
   * kept), not dropped: for a load that replays a log after the snapshot and
   * judges deadlines once loading is over, as Redis does. Default `false`.
   */
  keepExpired?: boolean;
  /** Named in errors (default `"<buffer>"`). */
  path?: string;
  /** Total input size if known (a file's size): lengths that cannot fit fail at once (default: at finish). */
  totalSize?: number;
  /**
   * `false` (default): byte values are views into the decoder's private copy
   * of each pushed chunk (one allocation per chunk; a live value keeps its
   * chunk alive, so memory stays at most the snapshot size). `true`: every
   * value is its own copy (slower to load, frees memory per key).
   */
  copyValues?: boolean;
  /**
   * Fast path for bulk loads: when set, live string records come here instead
   * of `onEntry`, as byte ranges of `buf` (no per-record objects). `buf` is the
   * decoder's private copy of the input and is never reused, so the bytes may
   * be kept; never mutate them. `offset` is the record's absolute byte offset.
   */
  onString?: StringRecordSink;
  /**
   * Receives each hash-field TTL record (opcode 7) in file order: key, field,
   * absolute deadline (unix ms, not filtered for being due), record offset.
   * Apply them after the last entry (a later record may rewrite the hash).
   * Required to read a file that has any: without it the decoder throws.
   */
  onFieldTtl?: (key: Uint8Array, field: Uint8Array, deadline: number, offset: number) => void;
  /**
   * Receives each row-segment stub (opcode 8). Without it a stub throws
   * `SegmentStubError` (the row's data is not in the snapshot).
   */
  onSegmentStub?: (stub: SegmentStub) => void;
}

/**
 * Receives a live string record as byte ranges (see {@link SnapshotDecoderOptions.onString}).
 *
 * @example
 * ```ts
 * import type { StringRecordSink } from "@kevy/persist/codec";
 * let n = 0;
 * const sink: StringRecordSink = (buf, k, kl, v, vl) => { n += kl + vl; };
 * ```
 */
export type StringRecordSink = (
  buf: Uint8Array,
  keyStart: number,
  keyLen: number,
  valueStart: number,
  valueLen: number,
  deadline: number | null,
  offset: number,
) => void;

/**
 * Package-internal (not in the public options type): a hash record sink, set
 * under this key in {@link SnapshotDecoderOptions}. Live hash records come
 * there instead of `onEntry`, as byte ranges of `buf` (kept by the decoder's
 * rules for `onString`): the key, and the pairs' payload exactly as in the
 * file (`u32le len, field, u32le len, value` repeated, lengths validated).
 */
export const HASH_SINK: unique symbol = Symbol("kevy.hashSink");

/** Receives a live hash record (see {@link HASH_SINK}). */
export type HashRecordSink = (
  buf: Uint8Array,
  keyStart: number,
  keyLen: number,
  payloadStart: number,
  payloadLen: number,
  count: number,
  maxLen: number,
  deadline: number | null,
  offset: number,
) => void;

/**
 * Package-internal, like {@link HASH_SINK}: a stream record sink. Live stream
 * records come there instead of `onEntry`: the key as a byte range, the
 * stream's scalars and groups (small) parsed, and its entries left in `buf`
 * at `entriesStart` exactly as in the file (`count` times: ms u64le, seq
 * u64le, u32le field count, then `u32le len, bytes` field and value pairs;
 * every length validated), so a big stream is never built as entry objects.
 */
export const STREAM_SINK: unique symbol = Symbol("kevy.streamSink");

/** Receives a live stream record (see {@link STREAM_SINK}). */
export type StreamRecordSink = (
  buf: Uint8Array,
  keyStart: number,
  keyLen: number,
  head: StreamRecordHead,
  entriesStart: number,
  count: number,
  deadline: number | null,
  offset: number,
) => void;

/**
 * Package-internal, like {@link HASH_SINK}: live string records in runs of up
 * to {@link STRING_RUN} consecutive records of one buffer, instead of one
 * `onString` call each (a loader can hash a run's keys and touch their index
 * slots before inserting: the cache misses overlap). Record `i` is the key
 * `buf[key[i], key[i] + keyLen[i])`, the value likewise, `deadline[i]` (NaN:
 * none) and the record's input offset `offset[i]`. A run is delivered before
 * any other record that follows it, and before the decoder stops or fails.
 */
export const STRING_RUN_SINK: unique symbol = Symbol("kevy.stringRunSink");

/** Most records in one run of {@link STRING_RUN_SINK}. */
export const STRING_RUN = 64;

/** The columns of one run of string records (see {@link STRING_RUN_SINK}; read `n` rows). */
export class StringRun {
  /** Records in the run. */
  n = 0;
  readonly key: Float64Array = new Float64Array(STRING_RUN);
  readonly keyLen: Float64Array = new Float64Array(STRING_RUN);
  readonly value: Float64Array = new Float64Array(STRING_RUN);
  readonly valueLen: Float64Array = new Float64Array(STRING_RUN);
  readonly deadline: Float64Array = new Float64Array(STRING_RUN);
  readonly offset: Float64Array = new Float64Array(STRING_RUN);
}

/** Receives a run of live string records (see {@link STRING_RUN_SINK}). */
export type StringRunSink = (buf: Uint8Array, run: StringRun) => void;

/**
 * Package-internal, like {@link STRING_RUN_SINK}: live hash records in runs
 * of up to {@link STRING_RUN} consecutive records of one buffer. Record `i`
 * is the key `buf[key[i], key[i] + keyLen[i])`, the pairs' payload
 * `buf[payload[i], payload[i] + payloadLen[i])` as {@link HASH_SINK} gives
 * it (`count[i]` pairs, longest element `maxLen[i]`), `deadline[i]` (NaN:
 * none), `offset[i]`; the run's records are the bytes `buf[from, to)`, one
 * after another (a loader may copy them in one go).
 */
export const HASH_RUN_SINK: unique symbol = Symbol("kevy.hashRunSink");

/** The columns of one run of hash records (see {@link HASH_RUN_SINK}; read `n` rows). */
export class HashRun {
  /** Records in the run. */
  n = 0;
  /** Where the run's first record starts in its buffer. */
  from = 0;
  /** Where its last record ends. */
  to = 0;
  readonly key: Float64Array = new Float64Array(STRING_RUN);
  readonly keyLen: Float64Array = new Float64Array(STRING_RUN);
  readonly payload: Float64Array = new Float64Array(STRING_RUN);
  readonly payloadLen: Float64Array = new Float64Array(STRING_RUN);
  readonly count: Float64Array = new Float64Array(STRING_RUN);
  readonly maxLen: Float64Array = new Float64Array(STRING_RUN);
  readonly deadline: Float64Array = new Float64Array(STRING_RUN);
  readonly offset: Float64Array = new Float64Array(STRING_RUN);
}

/** Receives a run of live hash records (see {@link HASH_RUN_SINK}). */
export type HashRunSink = (buf: Uint8Array, run: HashRun) => void;

/** Decoder options with the internal hash, stream and string-run sinks. */
export interface InternalDecoderOptions extends SnapshotDecoderOptions {
  [HASH_SINK]?: HashRecordSink;
  [STREAM_SINK]?: StreamRecordSink;
  [STRING_RUN_SINK]?: StringRunSink;
  [HASH_RUN_SINK]?: HashRunSink;
}

/**
 * Package-internal option of `encodeSnapshotChunks`: a consumer that is done
 * with each chunk once it asks for the next-but-one (a file writer with at
 * most one write in flight) lets the encoder write the buffers of chunks
 * handed out again instead of allocating one per chunk. Set to `true` under this key.
 */
export const REUSE_CHUNKS: unique symbol = Symbol("kevy.reuseChunks");

/** Encoder options with {@link REUSE_CHUNKS} (passed where `SnapshotEncodeOptions` are taken). */
export interface InternalEncodeOptions {
  [REUSE_CHUNKS]?: boolean;
}
