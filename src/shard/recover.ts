/**
 * The one recovery entry of a data directory: every pending journal is
 * finished in the layout that wrote it before anything reads the files.
 *
 * Order matters. A save or rewrite journal (`dump-{i}.rdb.save`) names the
 * files of shard `i` of the layout that was open when it committed; the file
 * names do not say which shard count that was. If a re-shard read the sources
 * first and the journal were rolled forward afterwards, the old shard's temps
 * would be renamed over the re-sharded files (acknowledged keys lost, INCRs
 * applied twice, stale keys back). So: first every save/rewrite journal of the
 * directory's current layout (`shards.meta`, or the one the files imply), then
 * an interrupted re-shard. `openStore` (through `ensureLayout`), `ensureLayout`
 * and `kevy-persist reshard` all start here. Every step is idempotent, so a
 * crash during recovery is recovered by the next run.
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { joinPath } from "../fs/path.ts";
import { inferFilesN, SHARDS_META } from "../codec/names.ts";
import { parseShardsMeta } from "../codec/meta.ts";
import { recoverShardFiles, type SaveOp } from "../persist/shard_files.ts";
import { exists, readIfExists } from "../fs/durable.ts";
import { type GroupRecovery, recoverGroups } from "./_groups.ts";

export type { GroupRecovery } from "./_groups.ts";
import {
  type LayoutSpec,
  type RecoverOutcome,
  recoverReshardJournal,
  type ShardLayout,
} from "./reshard.ts";

/**
 * The layout a directory is in: its `shards.meta`, or without a usable one
 * `{ n: inferFilesN(dir), routing: "kevyhash" }` (n = 0: a fresh directory).
 * `metaBytes` is the record's raw text (null when absent or unreadable).
 *
 * @example
 * ```ts
 * import { currentLayout } from "@kevy/persist/shard";
 * import { STANDARD_LAYOUT } from "@kevy/persist/shard";
 * const { spec } = await currentLayout("data", STANDARD_LAYOUT);
 * console.log(spec.n, spec.routing);
 * ```
 */
export async function currentLayout(
  dir: string,
  layout: ShardLayout,
  opts: { fs?: FsAdapter } = {},
): Promise<{ spec: LayoutSpec; metaBytes: Uint8Array | null }> {
  const fs = opts.fs ?? defaultFs();
  let metaBytes: Uint8Array | null = null;
  try {
    metaBytes = await readIfExists(fs, joinPath(dir, SHARDS_META));
  } catch {
    // unreadable: treated as absent, like kevy
  }
  const meta = metaBytes === null ? null : parseShardsMeta(metaBytes);
  if (meta !== null && meta.n > 0) return { spec: meta, metaBytes };
  let n = inferFilesN(await fs.readDir(dir));
  if (n === 0 && (await hasSingleFiles(fs, dir, layout))) n = 1;
  return { spec: { n, routing: "kevyhash" }, metaBytes };
}

/** Whether the layout's single-shard files (custom names) exist. */
async function hasSingleFiles(fs: FsAdapter, dir: string, layout: ShardLayout): Promise<boolean> {
  return (await exists(fs, joinPath(dir, layout.snapshot(0, 1)))) ||
    (await exists(fs, joinPath(dir, layout.aof(0, 1))));
}

/**
 * What {@link recoverDir} did.
 *
 * @example
 * ```ts
 * import type { DirRecovery } from "@kevy/persist/shard";
 * const r: DirRecovery = {
 *   saves: [{ shard: 0, op: "save" }],
 *   removed: [],
 *   groups: { committed: [], cut: [] },
 *   reshard: "none",
 * };
 * ```
 */
export interface DirRecovery {
  /** Save/rewrite journals rolled forward, by shard of the layout that wrote them. */
  saves: Array<{ shard: number; op: SaveOp }>;
  /** Leftover temps of uncommitted saves/rewrites that were removed. */
  removed: string[];
  /** Multi-key writes split across shards left open by a crash: completed or cut. */
  groups: GroupRecovery;
  /** What happened to an interrupted re-shard. */
  reshard: RecoverOutcome;
}

/**
 * Options of {@link recoverDir}.
 *
 * @example
 * ```ts
 * import type { RecoverDirOptions } from "@kevy/persist/shard";
 * const o: RecoverDirOptions = { groupsSettled: true };
 * ```
 */
export interface RecoverDirOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Wall clock in unix ms, for quarantine file names (default `Date.now`). */
  now?: () => number;
  /**
   * The store that wrote the dir last closed cleanly (its lock was released), so no split
   * write can be open: skips the scan of the logs for groups. Default false.
   */
  groupsSettled?: boolean;
}

/**
 * Finishes every pending journal of `dir` in the layout that wrote it: first
 * each shard's save/rewrite journal (rolled forward if committed, its temps
 * removed if not), then every multi-key write split across shards that a crash
 * left open (completed on every shard, or cut from every shard and kept aside),
 * then an interrupted re-shard (rolled forward or discarded).
 * Idempotent; run it before anything reads the directory's files.
 *
 * @example
 * ```ts
 * import { recoverDir } from "@kevy/persist/shard";
 * import { STANDARD_LAYOUT } from "@kevy/persist/shard";
 * const r = await recoverDir("data", STANDARD_LAYOUT);
 * for (const s of r.saves) console.log(`finished an interrupted ${s.op} of shard ${s.shard}`);
 * ```
 */
export async function recoverDir(
  dir: string,
  layout: ShardLayout,
  opts: RecoverDirOptions = {},
): Promise<DirRecovery> {
  const fs = opts.fs ?? defaultFs();
  const { spec } = await currentLayout(dir, layout, { fs });
  const saves: DirRecovery["saves"] = [];
  const removed: string[] = [];
  for (let i = 0; i < spec.n; i++) {
    const r = await recoverShardFiles(
      joinPath(dir, layout.snapshot(i, spec.n)),
      joinPath(dir, layout.aof(i, spec.n)),
      { fs },
    );
    if (r.rolledForward !== null) saves.push({ shard: i, op: r.rolledForward });
    removed.push(...r.removed);
  }
  // Multi-key writes split across shards: each group on every shard or on none.
  const groups = opts.groupsSettled === true ? { committed: [], cut: [] } : await recoverGroups(
    fs,
    Array.from({ length: spec.n }, (_, i) => joinPath(dir, layout.aof(i, spec.n))),
    opts.now ?? Date.now,
  );
  const reshard = await recoverReshardJournal(dir, layout, { fs });
  return { saves, removed, groups, reshard };
}
