/**
 * Bytes to values and back, with no I/O and no clock: the `KEVYSNAP`
 * snapshot codec, RESP frames (the AOF's records), the re-shard journal,
 * `shards.meta` and the file names of a data directory. Everything here runs
 * anywhere, a browser included.
 *
 * @example Encode an AOF frame and parse it back
 * ```ts
 * import { encodeCommand, parseFrame } from "@kevy/persist/codec";
 *
 * const frame = encodeCommand(["SET", "k", "v"]);
 * const parsed = parseFrame(frame, 0);
 * console.log(parsed.kind); // "frame"
 * ```
 *
 * @module
 */

export { CorruptFileError } from "./errors.ts";
export type {
  Entry,
  KeyValue,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamPendingEntry,
  StreamValue,
  ValueType,
} from "./types.ts";
export { ByteWriter } from "./bytes.ts";
export {
  AOF_MAGIC,
  encodeCommand,
  encodeCommandInto,
  type FrameResult,
  MAX_BULK_LEN,
  MAX_FRAME_ARGS,
  parseFrame,
} from "./resp.ts";
export { FRAME_CORRUPT, FRAME_INCOMPLETE, FrameCursor, scanFrame } from "./resp_cursor.ts";
export {
  type DecodedSnapshot,
  decodeEntries,
  encodeSnapshotChunks,
  type SegmentStub,
  SegmentStubError,
  SNAPSHOT_MAGIC,
  SNAPSHOT_TRAILER_TAIL,
  SNAPSHOT_VERSION,
  SnapshotChecksumError,
  SnapshotChecksumVerifier,
  type SnapshotCursor,
  SnapshotDecoder,
  type SnapshotDecoderOptions,
  type SnapshotDecodeStats,
  type SnapshotEncodeOptions,
  snapshotTrailerLength,
  type StringRecordSink,
} from "./snapshot.ts";
export { type FieldTtlOutcome, FieldTtlTable } from "./field_ttls.ts";
export { crc32c, crc32cUpdate } from "./crc32c.ts";
export {
  AOF2_MAGIC,
  AOF2_MAX_PAYLOAD,
  AOF2_RECORD_HEADER,
  checkedRecordsEnd,
  encodeRecord,
  encodeRecordInto,
  internalFrame,
  type InternalFrameKind,
  parseRecord,
  type RecordStep,
  SEGMENTED_FRAME,
  setRecordCheckSimd,
  TXN_BEGIN,
  TXN_COMMIT,
  wrapRecordInto,
} from "./aof2.ts";
export { formatReshardJournal, parseReshardJournal, type ReshardJournal } from "./journal.ts";
export { formatShardsMeta, parseShardsMeta, type ShardsMeta } from "./meta.ts";
export type { Routing } from "./routing_types.ts";
export {
  checkSlotRanges,
  formatSlotRanges,
  parseSlotRanges,
  sameSlotRanges,
  slotOwners,
  type SlotRanges,
  standardSlotRanges,
} from "./slot_ranges.ts";
export { aofName, RESHARD_JOURNAL, SHARDS_META, snapshotName } from "./names.ts";
export { Crc64, crc64 } from "./crc64.ts";
export { lzfCompress, lzfDecompress, LzfError } from "./lzf.ts";
export {
  REDIS_RDB_MAX_VERSION,
  RedisRdbDecoder,
  type RedisRdbDecoderOptions,
  type RedisRdbEntryInfo,
  type RedisRdbFunction,
  type RedisRdbStats,
  type RedisRdbStringSink,
} from "./redis_rdb.ts";
export { redisModuleName, RedisRdbModuleError, RedisRdbVersionError } from "./rdb_errors.ts";
export {
  encodeRedisRdbChunks,
  REDIS_RDB_DEFAULT_VERSION,
  type RedisRdbDbSource,
  type RedisRdbEncodeOptions,
  type RedisRdbEncodeStats,
} from "./redis_rdb_encode.ts";
export {
  decodeRedisDump,
  encodeRedisDump,
  type RedisDumpDecodeOptions,
  type RedisDumpEncodeOptions,
  type RedisDumpPayload,
} from "./redis_dump.ts";
export { groupBegin, groupEnd, type GroupMarker, parseGroupMarker } from "./group.ts";
