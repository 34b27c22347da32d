/**
 * Options of {@link openStore} and their documented defaults.
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import type { Routing } from "../codec/routing_types.ts";

/** AOF fsync policy, as Redis' `appendfsync`. */
export type AppendFsync = "always" | "everysec" | "no";

/** One metric event passed to {@link OpenStoreOptions.onMetric}. */
export interface MetricEvent {
  /**
   * Event name: `"aof.fsync"` (an fdatasync of a shard's log, `ms`),
   * `"aof.replay"` (a shard's log replayed at open: `frames`, `bytes`, `ms`, `tornBytes`),
   * `"snapshot.load"` (`keys`, `ms`), `"save"` (`ms`), `"aof.rewrite"` (`ms`, `bytes`),
   * `"active_expire"` (`keys`), `"warning"` (`message`: a stale lock taken over, a torn tail cut).
   */
  name: string;
  /** Shard index the event is about, when it is about one. */
  shard?: number;
  /** Duration in milliseconds, when timed. */
  ms?: number;
  /** Any further numeric or text fields of the event. */
  [field: string]: unknown;
}

/**
 * Options of {@link openStore}. Every field is optional.
 *
 * @example
 * ```ts
 * import { openStore, type OpenStoreOptions } from "@kevy/persist";
 * const opts: OpenStoreOptions = { dir: "./data", shards: 4, appendfsync: "always" };
 * const db = await openStore(opts);
 * await db.close();
 * ```
 */
export interface OpenStoreOptions {
  /** Data directory. Absent: a pure in-memory store that never touches the filesystem. */
  dir?: string;
  /** Shard count (default 1). A directory written with another count is re-sharded at open. */
  shards?: number;
  /** Key routing across shards: `"kevyhash"` (default, as kevy-embedded) or `"slots"` (cluster). */
  routing?: Routing;
  /** Keep an append-only log per shard (default `true`). Without it only `save()` persists. */
  aof?: boolean;
  /** AOF fsync policy (default `"everysec"`). */
  appendfsync?: AppendFsync;
  /**
   * AOF format of new logs, rewrites and SAVEs: `1` (default, `KEVYAOF1`,
   * read by kevy 1.x and 5.x) or `2` (`KEVYAOF2`: CRC32C per record, a
   * command's several frames logged as one transaction; read by kevy 5.x, not 1.x). A kevy 5.x dir's v2
   * logs are read either way; an existing log changes format only by a rewrite.
   */
  aofFormat?: 1 | 2;
  /** Snapshot file name when `shards` is 1 (default `dump-0.rdb`). */
  snapshotName?: string;
  /** AOF file name when `shards` is 1 (default `aof-0.aof`). */
  aofName?: string;
  /** Rewrite a shard's AOF once it grew by this percentage over its base size (default 100; 0 disables). */
  autoRewritePercentage?: number;
  /** ...and is at least this many bytes (default 64 MiB). */
  autoRewriteMinSize?: number;
  /** Wall clock in unix milliseconds (default `Date.now`): TTLs and `info()` times use it. */
  clock?: () => number;
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Receives metric events and warnings (default: warnings go to `console.warn`). */
  onMetric?: (event: MetricEvent) => void;
  /** Period of the active-expiry sweep in ms (default 100; 0 disables it). */
  activeExpireIntervalMs?: number;
  /**
   * A command in an AOF (at open, or while re-sharding) that this version
   * cannot apply: `"error"` (default) makes `openStore` reject with
   * `UnknownCommandError` (verb, file, byte offset) and change nothing;
   * `"skip"` leaves it out (counted in the `aof.replay` metric's `skipped`).
   */
  onUnknown?: "error" | "skip";
}

/** Defaults of {@link OpenStoreOptions}. */
export const STORE_DEFAULTS: {
  readonly shards: 1;
  readonly routing: "kevyhash";
  readonly aof: true;
  readonly appendfsync: "everysec";
  readonly snapshotName: "dump-0.rdb";
  readonly aofName: "aof-0.aof";
  readonly autoRewritePercentage: 100;
  readonly autoRewriteMinSize: number;
  readonly activeExpireIntervalMs: 100;
  readonly onUnknown: "error";
} = {
  shards: 1,
  routing: "kevyhash",
  aof: true,
  appendfsync: "everysec",
  snapshotName: "dump-0.rdb",
  aofName: "aof-0.aof",
  autoRewritePercentage: 100,
  autoRewriteMinSize: 64 * 1024 * 1024,
  activeExpireIntervalMs: 100,
  onUnknown: "error",
};
