/**
 * Options of {@link openStore} and their documented defaults.
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import type { Routing } from "../codec/routing_types.ts";
import type { FsyncPolicy } from "../persist/aof.ts";
import type { EvictionPolicy } from "../store/evict.ts";

/** AOF fsync policy, as Redis' `appendfsync`: the `Aof`'s {@link FsyncPolicy}, one type. */
export type AppendFsync = FsyncPolicy;

/**
 * What `maxmemory` evicts when the store is full, Redis's `maxmemory-policy` names:
 * `noeviction` refuses writes that need memory (Redis's OOM error); `allkeys-*` choose
 * among every key, `volatile-*` among keys with a TTL; `lru` the least recently used,
 * `lfu` the least frequently used, `ttl` the nearest deadline, `random` any. Approximated
 * as Redis does: a pool of the best candidates among a few sampled keys.
 */
export type MaxmemoryPolicy = EvictionPolicy;

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
  now?: () => number;
  /** @deprecated Use `now`, the clock option's name in every API. */
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
  /**
   * Memory cap in bytes of the keyspace (default 0: none), as Redis's `maxmemory`, for the
   * whole store (every shard together, as Redis counts the whole instance). Memory is
   * counted from the store's own structures (keys, values, collections' members, TTLs, a
   * per-key overhead: `info().usedMemory`). Before each command, while the store is above
   * the cap, keys are evicted by {@link OpenStoreOptions.maxmemoryPolicy}; each eviction is
   * logged as a DEL (a replay or a follower sees the same keyspace) and fires an `evicted`
   * keyspace event. When nothing may be evicted (`noeviction`, or a `volatile-*` policy with
   * no key with a TTL), a command that may grow memory (SET, LPUSH... Redis's `denyoom`
   * ones) is refused with Redis's `OOM command not allowed when used memory > 'maxmemory'.`;
   * reads and deletes still work. A command may take the store past the cap: the next one
   * evicts back under it, as in Redis. The process holds more than `usedMemory` (arena growth
   * room, the runtime): budget for about twice the cap.
   */
  maxmemory?: number;
  /** What to evict under `maxmemory` (default `"noeviction"`, as Redis). */
  maxmemoryPolicy?: MaxmemoryPolicy;
  /** Keys sampled per shard and round of eviction, as Redis's `maxmemory-samples` (default 5). */
  maxmemorySamples?: number;
  /** LFU counter growth, as Redis's `lfu-log-factor` (default 10: ~1M hits to saturate). */
  lfuLogFactor?: number;
  /** Minutes idle per LFU counter decrement, as Redis's `lfu-decay-time` (default 1; 0 never). */
  lfuDecayTime?: number;
  /** Seed of eviction's sampling and LFU randomness (default random): reproducible tests. */
  evictionSeed?: number;
  /**
   * Publish keyspace events to pub/sub channels as Redis's `notify-keyspace-events` does
   * (default `""`: not published; `"KEA"`: every class on `__keyspace@0__:<key>` and
   * `__keyevent@0__:<event>`). {@link KevyStore.keyspaceEvents} works without it.
   */
  notifyKeyspaceEvents?: string;
  /**
   * Close the store when the process ends (default false): on SIGINT (Ctrl-C), SIGTERM and
   * a normal exit, the logs are flushed and synced and the directory lock released; the
   * signal then ends the process as it would have (unless the program listens for it
   * itself). With `process.exit()` what can be done synchronously is done.
   */
  closeOnExit?: boolean;
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
  readonly maxmemory: 0;
  readonly maxmemoryPolicy: "noeviction";
  readonly maxmemorySamples: 5;
  readonly lfuLogFactor: 10;
  readonly lfuDecayTime: 1;
  readonly notifyKeyspaceEvents: "";
  readonly closeOnExit: false;
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
  maxmemory: 0,
  maxmemoryPolicy: "noeviction",
  maxmemorySamples: 5,
  lfuLogFactor: 10,
  lfuDecayTime: 1,
  notifyKeyspaceEvents: "",
  closeOnExit: false,
};
