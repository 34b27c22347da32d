/**
 * Files on disk: crash-safe snapshot files, the append-only log ({@link Aof}:
 * `always`/`everysec`/`no`, group commit, torn-tail repair, rewrite), replay
 * of a log into a keyspace, and {@link ShardFiles}, one shard's snapshot +
 * AOF pair with the crash-consistent save protocol.
 *
 * @example Save a keyspace and load it back
 * ```ts
 * import { loadSnapshot, saveSnapshot } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * import { defaultFs } from "@kevy/persist/fs";
 *
 * const fs = defaultFs();
 * await fs.mkdir("data");
 * const store = new Store();
 * store.setString(new TextEncoder().encode("k"), new TextEncoder().encode("v"));
 * await saveSnapshot(store, "data/dump-0.rdb");
 * console.log((await loadSnapshot("data/dump-0.rdb")).dbsize()); // 1
 * await fs.remove("data/dump-0.rdb");
 * ```
 *
 * @module
 */

export {
  loadSnapshot,
  type LoadSnapshotOptions,
  loadSnapshotSync,
  saveSnapshot,
  type SaveSnapshotOptions,
  saveSnapshotSync,
} from "./snapshot_file.ts";
export { SegmentedFrameError } from "./aof2_errors.ts";
export { loadSplit, type SplitLoad, type SplitLoadOptions } from "./split_load.ts";
export { StringRecordCursor, StringRecords } from "./string_records.ts";
export { KeyList, SortedStrings } from "./sorted_strings.ts";
export { logKeys } from "./log_keys.ts";
export { loadSplitSorted, type SplitSorted, type SplitSortedOptions } from "./split_sorted.ts";
export {
  type SnapshotVerifyResult,
  verifySnapshotFile,
  verifySnapshotFileSync,
} from "./snapshot_verify.ts";
export {
  replayAof,
  replayAofInto,
  replayAofIntoSync,
  replayAofSync,
  type ReplayOptions,
  type ReplayStats,
} from "./replay.ts";
export { type FrameVisitor, replayAofFrames, replayAofFramesSync } from "./replay_frames.ts";
export {
  Aof,
  AofAppender,
  AofClosedError,
  AofFailedError,
  type AofOptions,
  type EntrySource,
  type FsyncPolicy,
  type HeldOptions,
  type NotOnDisk,
  type RepairedTail,
} from "./aof.ts";
export { AOF_TAIL_CHUNK_BYTES, AofTail } from "./aof_tail.ts";
export {
  DroppedTransactionError,
  type OnUnknown,
  type ReplayApply,
  UnknownCommandError,
  UnknownCommandGate,
} from "./unknown.ts";
export { entryToCommands, StreamNotRewritableError } from "./rewrite_commands.ts";
export {
  type BringUpStats,
  recoverShardFiles,
  type RecoveryReport,
  type SaveOp,
  type SaveView,
  ShardFiles,
  type ShardFilesOptions,
  shardFilesView,
} from "./shard_files.ts";
