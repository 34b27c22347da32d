// Private: the option and result types of SnapshotDecoder (re-exported by snapshot.ts).
import type { Entry } from "./types.ts";

/** What {@link SnapshotDecoder.finish} reports. */
export interface SnapshotDecodeStats {
  /** The format version (byte 8): 2, 3 or 4. */
  version: number;
  /** Records read before the EOF opcode, including expired ones. */
  records: number;
  /** Records dropped because their deadline was <= `now`. */
  expired: number;
  /** Bytes after the EOF opcode (ignored, like kevy does). */
  trailingBytes: number;
}

/** Options of {@link SnapshotDecoder}. */
export interface SnapshotDecoderOptions {
  /** Called once per live record, in file order, with the record's absolute byte offset. */
  onEntry: (e: Entry, offset: number) => void;
  /** Load time, unix ms: v2 TTLs are relative to it; records with deadline <= now are dropped. */
  now: number;
  /** Named in errors (default `"<buffer>"`). */
  path?: string;
  /** Total input size if known (a file's size): lengths that cannot fit fail at once. */
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
}

/**
 * Receives a live string record as byte ranges (see {@link SnapshotDecoderOptions.onString}).
 *
 * @example
 * ```ts
 * import type { StringRecordSink } from "@kevy/persist";
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
