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
export {
  type DecodedSnapshot,
  decodeEntries,
  encodeSnapshotChunks,
  SNAPSHOT_MAGIC,
  SNAPSHOT_VERSION,
  SnapshotDecoder,
  type SnapshotDecoderOptions,
  type SnapshotDecodeStats,
  type StringRecordSink,
} from "./snapshot.ts";
export { formatReshardJournal, parseReshardJournal, type ReshardJournal } from "./journal.ts";
export { formatShardsMeta, parseShardsMeta, type ShardsMeta } from "./meta.ts";
export type { Routing } from "./routing_types.ts";
export { aofName, RESHARD_JOURNAL, SHARDS_META, snapshotName } from "./names.ts";
