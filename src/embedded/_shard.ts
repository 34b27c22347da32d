// One shard of an open store: its keyspace, its log (null when nothing is
// logged) and the persistence operations, over a ShardFiles unit for a
// directory or nothing at all in memory mode.
import { Store } from "../store/store.ts";
import type { Aof } from "../persist/aof.ts";
import { type BringUpStats, ShardFiles } from "../persist/shard_files.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { FsyncPolicy } from "../persist/aof.ts";

/** Replay facts of one shard's bring-up. */
export interface ReplayInfo {
  /** AOF frames applied. */
  frames: number;
  /** Valid AOF bytes read (header included). */
  bytes: number;
  /** Replay wall time, ms. */
  ms: number;
  /** Torn-tail bytes cut from the AOF (0 when it ended cleanly). */
  tornBytes: number;
  /** Live keys the snapshot gave. */
  snapshotKeys: number;
  /** Whole bring-up wall time (recovery, snapshot, replay), ms. */
  totalMs: number;
  /** What the save-journal recovery did. */
  recovery: string;
  /** AOF commands left out by `onUnknown: "skip"`, by verb. */
  skipped: Record<string, number>;
}

/** @internal A shard as the engine sees it. */
export interface ShardRt {
  readonly index: number;
  readonly store: Store;
  /** The log commands are appended to; null in memory mode or with `aof: false`. */
  readonly aof: Aof | null;
  /** The unit's log even with `aof: false` (size facts); null in memory mode. */
  readonly files: ShardFiles | null;
  readonly replay: ReplayInfo | null;
  save(): Promise<void>;
  rewrite(): Promise<void>;
  close(): Promise<void>;
  /** Save/rewrite chain (serialised per shard). */
  maint: Promise<void>;
  /** An automatic rewrite in flight. */
  autoRewrite: Promise<void> | null;
}

/** @internal A shard that lives in memory only. */
export function memoryShard(index: number, clock: () => number): ShardRt {
  const nothing = () => Promise.resolve();
  return {
    index,
    store: new Store({ now: clock }),
    aof: null,
    files: null,
    replay: null,
    save: nothing,
    rewrite: nothing,
    close: nothing,
    maint: Promise.resolve(),
    autoRewrite: null,
  };
}

/** Options of {@link fileShard}. */
export interface FileShardOptions {
  index: number;
  snapshotPath: string;
  aofPath: string;
  fsync: FsyncPolicy;
  logWrites: boolean;
  fs: FsAdapter;
  clock: () => number;
  autoRewritePercentage: number;
  autoRewriteMinSize: number;
  onUnknown: "error" | "skip";
  aofFormat: 1 | 2;
}

function describeRecovery(s: BringUpStats): string {
  const r = s.recovery;
  if (r.rolledForward !== null) return `rolled-forward ${r.rolledForward}`;
  return r.removed.length > 0 ? `removed ${r.removed.length} temp file(s)` : "none";
}

/** @internal Bring a shard up from its files: recover, load snapshot, replay AOF, open AOF. */
export async function fileShard(o: FileShardOptions): Promise<ShardRt> {
  const store = new Store({ now: o.clock });
  const files = await ShardFiles.open({
    snapshotPath: o.snapshotPath,
    aofPath: o.aofPath,
    // With `aof: false` nothing is appended; the log stays a header that save() resets.
    fsync: o.logWrites ? o.fsync : "no",
    fs: o.fs,
    store,
    now: o.clock,
    // Automatic rewrites are driven by the engine (one at a time per shard).
    autoRewritePercentage: o.logWrites ? o.autoRewritePercentage : 0,
    autoRewriteMinSize: o.autoRewriteMinSize,
    onUnknown: o.onUnknown,
    aofFormat: o.aofFormat,
  });
  const s = files.stats;
  return {
    index: o.index,
    store,
    aof: o.logWrites ? files.aof : null,
    files,
    replay: {
      frames: s.aof.frames,
      bytes: s.aof.bytes,
      ms: s.aof.ms,
      tornBytes: s.repairedTail?.bytes ?? s.aof.tornBytes,
      snapshotKeys: s.snapshot.entries,
      totalMs: s.ms,
      recovery: describeRecovery(s),
      skipped: s.aof.skipped,
    },
    save: () => files.save(),
    rewrite: () => files.rewrite(),
    close: () => files.close(),
    maint: Promise.resolve(),
    autoRewrite: null,
  };
}
