/**
 * Crash-safe persistence for an in-memory, Redis-compatible keyspace kept
 * inside your process: atomic snapshots, an append-only log with group
 * commit, shards and a crash-safe re-shard, byte-compatible with the Rust
 * kevy server (kevy-persist v1.17 formats), with its data-loss defects fixed.
 *
 * This entry point is the embedded store: {@link openStore} gives a
 * {@link KevyStore} with Redis-like methods, durable according to
 * {@link OpenStoreOptions}.
 *
 * @example Open a store, write, read, close
 * ```ts
 * import { openStore } from "@kevy/persist";
 *
 * const db = await openStore(); // no `dir`: in memory only
 * await db.set("session:42", "alice", { ex: 3600 });
 * await db.incr("visits");
 * console.log(await db.get("session:42")); // "alice"
 * await db.close();
 * ```
 *
 * The layers underneath have their own entry points:
 * `@kevy/persist/store` (the keyspace and the command applier),
 * `@kevy/persist/codec` (snapshot, RESP, journal and meta codecs),
 * `@kevy/persist/persist` (snapshot files, the AOF, replay),
 * `@kevy/persist/shard` (routing and the re-shard engine),
 * `@kevy/persist/redis` (Redis AOF import, RESP export),
 * `@kevy/persist/fs` (filesystem adapters),
 * `@kevy/persist/testing` (`CrashFs`, simulated power cuts) and
 * `@kevy/persist/cli` (`runCli`, the `kevy-persist` command).
 *
 * @module
 */

export { openStore } from "./src/embedded/open.ts";
export { AtomicConflictError, type AtomicOptions, KevyStore } from "./src/embedded/handle.ts";
export { KevyCommandsBase, type Now, type Queued, type Result } from "./src/embedded/cmd_base.ts";
export { StringCommands } from "./src/embedded/cmd_strings.ts";
export { KeyCommands } from "./src/embedded/cmd_keys.ts";
export { HashCommands } from "./src/embedded/cmd_hashes.ts";
export { ListCommands } from "./src/embedded/cmd_lists.ts";
export { SetCommands } from "./src/embedded/cmd_sets.ts";
export { type ZRangeByScoreOptions, ZsetCommands } from "./src/embedded/cmd_zsets.ts";
export { KevyCommands } from "./src/embedded/kevy_commands.ts";
export { type ExecReplies, Multi, TransactionAbortedError } from "./src/embedded/multi.ts";
export { JsonCommands, JsonValueError, toJsonText } from "./src/embedded/json.ts";
export {
  Subscription,
  type SubscriptionOptions,
  SubscriptionOverflowError,
} from "./src/embedded/subscription.ts";
export type {
  EventClass,
  KeyspaceEvent,
  KeyspaceEventOptions,
  Message,
} from "./src/embedded/events.ts";
export { StreamCommands } from "./src/embedded/streams.ts";
export {
  type AppendFsync,
  type MaxmemoryPolicy,
  type MetricEvent,
  type OpenStoreOptions,
  STORE_DEFAULTS,
} from "./src/embedded/options.ts";
export type {
  BlockingOptions,
  Bytes,
  ExpireMode,
  GetExOptions,
  KeyType,
  ListEnd,
  Pairs,
  ScanOptions,
  ScoreArg,
  ScoredMember,
  SetOptions,
  ZAddOptions,
} from "./src/embedded/types.ts";
export type {
  AutoClaimResult,
  ConsumerInfo,
  DeletedMessage,
  GroupPosition,
  PendingEntryInfo,
  PendingSummary,
  StreamCounter,
  StreamGroupDetail,
  StreamGroupInfo,
  StreamInfo,
  StreamInfoBase,
  StreamInfoFull,
  StreamMessage,
  StreamRead,
  StreamReadOptions,
  StreamsToRead,
  StreamTrimOptions,
  XAddOptions,
  XClaimOptions,
  XPendingRange,
} from "./src/embedded/stream_types.ts";
export type { ReplaySummary, ShardInfo, StoreInfo } from "./src/embedded/info.ts";
export { CommandFailedError, StoreClosedError, StoreLockedError } from "./src/embedded/errors.ts";
export { dirLockHolder } from "./src/embedded/lock.ts";
export { CorruptFileError } from "./src/codec/errors.ts";
export { SegmentStubError } from "./src/codec/snapshot_errors.ts";
export { AofClosedError, AofFailedError } from "./src/persist/aof.ts";
export { DroppedTransactionError, UnknownCommandError } from "./src/persist/unknown.ts";
export { SegmentedFrameError } from "./src/persist/aof2_errors.ts";
export { StreamNotRewritableError } from "./src/persist/rewrite_commands.ts";
export type { Reply, ReplyError } from "./src/store/apply.ts";
export type { Routing } from "./src/codec/routing_types.ts";
export type { FsAdapter } from "./src/fs/types.ts";
export {
  importRedis,
  type ImportRedisOptions,
  type ImportRedisStats,
} from "./src/embedded/import_redis.ts";
