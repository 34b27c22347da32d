/**
 * What {@link KevyStore.info} reports: Redis `INFO persistence` in spirit,
 * camelCase, with per-shard detail.
 *
 * @module
 */
import type { Routing } from "../codec/routing_types.ts";
import type { Engine } from "./_engine.ts";
import type { AppendFsync, MaxmemoryPolicy } from "./options.ts";

/** Replay facts of the bring-up (one shard, or summed over shards). */
export interface ReplaySummary {
  /** AOF frames applied. */
  frames: number;
  /** Valid AOF bytes read (headers included). */
  bytes: number;
  /** Replay wall time in ms (summed over shards). */
  ms: number;
  /** Bytes of torn AOF tails cut at open (0 when every log ended cleanly). */
  tornBytes: number;
  /** Keys loaded from snapshots. */
  snapshotKeys: number;
  /** AOF commands left out at open (`onUnknown: "skip"`), by lower-case verb. */
  skipped: Record<string, number>;
}

/** One shard's part of {@link StoreInfo}. */
export interface ShardInfo {
  /** Shard index. */
  index: number;
  /** Live keys. */
  keys: number;
  /** AOF path (null in memory mode). */
  aofPath: string | null;
  /** Current AOF size in bytes, buffered frames included (0 without a log). */
  aofSizeBytes: number;
  /** AOF size after its last rewrite/save, or at open. */
  aofBaseSizeBytes: number;
  /** Rewrites (and saves, which reset the log) done since open. */
  aofRewrites: number;
  /** `"ok"`, or `"failed"` after a write/sync error (writes are then refused). */
  aofLastWriteStatus: "ok" | "failed";
  /** An automatic rewrite is running. */
  aofRewriteInProgress: boolean;
  /** Bring-up replay of this shard, or null in memory mode. */
  lastReplay: (ReplaySummary & { recovery: string }) | null;
}

/**
 * Persistence facts of an open store.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore({ dir: "./data", appendfsync: "always" });
 * const info = db.info();
 * console.log(info.appendfsync, info.aofCurrentSize, info.lastReplay.frames);
 * await db.close();
 * ```
 */
export interface StoreInfo {
  /** `"memory"` (no dir) or `"disk"`. */
  mode: "memory" | "disk";
  /** The data directory, or null. */
  dir: string | null;
  /** Shard count. */
  shards: number;
  /** Key routing. */
  routing: Routing;
  /** Whether writes are logged (a dir and `aof: true`). */
  aofEnabled: boolean;
  /** The fsync policy. */
  appendfsync: AppendFsync;
  /** Total AOF bytes over shards. */
  aofCurrentSize: number;
  /** Total AOF base bytes (size after the last rewrite/save, or at open). */
  aofBaseSize: number;
  /** Total rewrites (and saves) since open. */
  aofRewrites: number;
  /** Some shard is rewriting its log right now. */
  aofRewriteInProgress: boolean;
  /** `"ok"` unless some shard's log failed. */
  aofLastWriteStatus: "ok" | "failed";
  /** Last `rewriteAof()`/auto-rewrite outcome. */
  aofLastRewriteStatus: "ok" | "err" | "none";
  /** fdatasync/fsync calls on the logs since open, and their total ms. */
  aofFsyncs: { count: number; ms: number };
  /** Unix ms of the last `save()` (null if none since open). */
  lastSaveTime: number | null;
  /** Outcome of the last `save()`. */
  lastSaveStatus: "ok" | "err" | "none";
  /** Error text of a failed last `save()`. */
  lastSaveError: string | null;
  /** Bring-up replay totals. */
  lastReplay: ReplaySummary;
  /** Live keys over all shards. */
  keys: number;
  /**
   * Keys removed because their TTL passed since open (read after the deadline, swept, or
   * written over), as Redis's `expired_keys`. Each fired an `expired` keyspace event.
   */
  expiredKeys: number;
  /**
   * Estimated bytes the keyspace holds over every shard (Redis's `used_memory` in spirit,
   * counted from the store's own structures: keys, values, members, TTLs, per-key overhead).
   */
  usedMemory: number;
  /**
   * The largest {@link StoreInfo.usedMemory} seen since open: after every write under
   * `maxmemory`; without a cap, as sampled by each active-expiry tick and `info()`.
   */
  usedMemoryPeak: number;
  /** The cap (`maxmemory`, 0: none). */
  maxmemory: number;
  /** What is evicted at the cap. */
  maxmemoryPolicy: MaxmemoryPolicy;
  /**
   * Keys evicted under `maxmemory` since open, as Redis's `evicted_keys`. Each was logged as
   * a DEL and fired an `evicted` keyspace event.
   */
  evictedKeys: number;
  /** Unix ms at which the store was opened. */
  openedAt: number;
  /** Per-shard detail. */
  perShard: ShardInfo[];
}

/** @internal */
export function buildInfo(e: Engine): StoreInfo {
  const perShard: ShardInfo[] = e.shards.map((sh) => {
    const log = sh.files?.aof ?? null;
    const r = sh.replay;
    return {
      index: sh.index,
      keys: sh.store.dbsize(),
      aofPath: log?.path ?? null,
      aofSizeBytes: log?.sizeBytes ?? 0,
      aofBaseSizeBytes: log?.sizeAtLastRewrite ?? 0,
      aofRewrites: log?.rewritesTotal ?? 0,
      aofLastWriteStatus: log?.lastWriteStatus ?? "ok",
      aofRewriteInProgress: sh.autoRewrite !== null,
      lastReplay: r === null ? null : {
        frames: r.frames,
        bytes: r.bytes,
        ms: r.ms,
        tornBytes: r.tornBytes,
        snapshotKeys: r.snapshotKeys,
        skipped: { ...r.skipped },
        recovery: r.recovery,
      },
    };
  });
  const sum = (f: (s: ShardInfo) => number) => perShard.reduce((a, s) => a + f(s), 0);
  return {
    mode: e.opts.dir === null ? "memory" : "disk",
    dir: e.opts.dir,
    shards: e.shards.length,
    routing: e.opts.routing,
    aofEnabled: e.opts.dir !== null && e.opts.aof,
    appendfsync: e.opts.appendfsync,
    aofCurrentSize: sum((s) => s.aofSizeBytes),
    aofBaseSize: sum((s) => s.aofBaseSizeBytes),
    aofRewrites: sum((s) => s.aofRewrites),
    aofRewriteInProgress: perShard.some((s) => s.aofRewriteInProgress),
    aofLastWriteStatus: perShard.some((s) => s.aofLastWriteStatus === "failed") ? "failed" : "ok",
    aofLastRewriteStatus: e.lastRewrite.status,
    aofFsyncs: { count: e.syncs.syncs, ms: e.syncs.ms },
    lastSaveTime: e.lastSave.time,
    lastSaveStatus: e.lastSave.status,
    lastSaveError: e.lastSave.error,
    lastReplay: {
      frames: sum((s) => s.lastReplay?.frames ?? 0),
      bytes: sum((s) => s.lastReplay?.bytes ?? 0),
      ms: sum((s) => s.lastReplay?.ms ?? 0),
      tornBytes: sum((s) => s.lastReplay?.tornBytes ?? 0),
      snapshotKeys: sum((s) => s.lastReplay?.snapshotKeys ?? 0),
      skipped: sumCounts(perShard.map((s) => s.lastReplay?.skipped ?? {})),
    },
    keys: sum((s) => s.keys),
    expiredKeys: e.expiredKeys,
    usedMemory: e.memory.note(),
    usedMemoryPeak: e.memory.peak,
    maxmemory: e.opts.maxmemory,
    maxmemoryPolicy: e.opts.maxmemoryPolicy,
    evictedKeys: e.memory.evicted,
    openedAt: e.startedAt,
    perShard,
  };
}

function sumCounts(parts: Array<Record<string, number>>): Record<string, number> {
  const m = new Map<string, number>();
  for (const p of parts) for (const [k, n] of Object.entries(p)) m.set(k, (m.get(k) ?? 0) + n);
  return Object.fromEntries(m);
}
