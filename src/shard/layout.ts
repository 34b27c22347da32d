/**
 * `ensureLayout`: the data-directory bring-up that runs before any shard
 * loads (FORMATS.md 6.1, kevy-rt `ensure_layout`). It finishes or discards an
 * interrupted re-shard, works out the directory's current layout and, when it
 * differs from the target, re-shards (merge, redistribute, commit).
 *
 * Differences from kevy v1.17, deliberate: `shards.meta` is written only when
 * its bytes differ from the v2 text (kevy rewrites it at every start); a
 * `shards.meta` saying `0` is treated like a missing one (kevy takes it as
 * "no layout" and would ignore existing shard files); with a custom
 * single-file layout and no meta, existing custom files count as a 1-shard
 * layout (kevy-embedded's legacy file pair).
 *
 * @module
 */

import { sameSlotRanges, standardSlotRanges } from "../codec/slot_ranges.ts";
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { formatShardsMeta } from "../codec/meta.ts";
import { Store } from "../store/store.ts";
import { applyCommand } from "../store/apply.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import {
  type ApplyFn,
  commitReshard,
  type LayoutSpec,
  mergeSources,
  type RecoverOutcome,
  redistribute,
  type ShardLayout,
  STANDARD_LAYOUT,
} from "./reshard.ts";
import { writeShardsMeta } from "./shards_meta.ts";
import { currentLayout, recoverDir } from "./recover.ts";
import { mkdirDurable } from "../fs/durable.ts";
import { checkTarget } from "./_target.ts";

/**
 * Options of {@link ensureLayout}.
 *
 * @example
 * ```ts
 * import { shardLayout } from "@kevy/persist/shard";
 * import type { EnsureLayoutOptions } from "@kevy/persist/shard";
 * const opts: EnsureLayoutOptions = { layout: shardLayout({ snapshot: "db.rdb", aof: "db.aof" }) };
 * ```
 */
export interface EnsureLayoutOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Wall clock in unix ms, for TTLs (default `Date.now`). */
  now?: () => number;
  /** File names per shard (default {@link STANDARD_LAYOUT}). */
  layout?: ShardLayout;
  /** Re-shard stamp source, wall-clock ns (default: Date.now + a sub-ms part). */
  stamp?: () => bigint;
  /** A source AOF command the applier does not support: `"error"` (default) or `"skip"`. */
  onUnknown?: OnUnknown;
  /** The dir was last closed cleanly: no split write can be open (see {@link recoverDir}). */
  groupsSettled?: boolean;
}

/**
 * What {@link ensureLayout} did.
 *
 * @example
 * ```ts
 * import type { EnsureLayoutResult } from "@kevy/persist/shard";
 * const r: EnsureLayoutResult = { action: "none", to: { n: 1, routing: "kevyhash" }, recovered: "none" };
 * ```
 */
export interface EnsureLayoutResult {
  /** `none`: already in the target layout; `created`: only `shards.meta` written; `resharded`. */
  action: "none" | "created" | "resharded";
  /** The layout found (after recovery); absent for a fresh directory. */
  from?: LayoutSpec;
  /** The target layout, now in force. */
  to: LayoutSpec;
  /** What journal recovery did first. */
  recovered: RecoverOutcome;
  /** The re-shard stamp (backup suffix), when `action` is `resharded`. */
  stamp?: bigint;
  /** Source files merged, when `action` is `resharded`. */
  sources?: string[];
  /** Live keys redistributed, when `action` is `resharded`. */
  keys?: number;
  /**
   * Source AOF commands left out under `onUnknown: "skip"`, by lower-case
   * verb, when `action` is `resharded`.
   */
  skipped?: Record<string, number>;
}

/**
 * Brings `dir` to the `target` layout: creates the directory, finishes every
 * pending journal in the layout that wrote it ({@link recoverDir}: each shard's
 * save/rewrite, then an interrupted re-shard), reads the current layout (`shards.meta`, or without a
 * usable one `{n: inferFilesN(dir), routing: "kevyhash"}`), then either writes
 * `shards.meta` (fresh directory or same count and routing) or re-shards:
 * every source merged through `apply` (default `applyCommand`), entries
 * redistributed with exact deadlines, committed crash-safely. Source files are
 * never deleted, only renamed to `<name>.premigration.<stamp>`.
 *
 * @example
 * ```ts
 * import { ensureLayout } from "@kevy/persist/shard";
 * const r = await ensureLayout("data", { n: 2, routing: "kevyhash" });
 * if (r.action === "resharded") console.log(`re-sharded ${r.from?.n} -> 2, ${r.keys} keys`);
 * ```
 */
export async function ensureLayout(
  dir: string,
  target: LayoutSpec,
  apply?: ApplyFn,
  opts: EnsureLayoutOptions = {},
): Promise<EnsureLayoutResult> {
  checkTarget(target);
  const fs = opts.fs ?? defaultFs();
  const layout = opts.layout ?? STANDARD_LAYOUT;
  const to: LayoutSpec = { n: target.n, routing: target.routing };
  // Explicit ranges equal to the standard ones are the standard layout (written as `slots`).
  if (
    target.slotRanges !== undefined &&
    !sameSlotRanges(target.slotRanges, standardSlotRanges(target.n))
  ) {
    to.slotRanges = target.slotRanges;
  }
  await mkdirDurable(fs, dir);
  // Every pending journal first, each in the layout that wrote it (see recover.ts).
  const recovery = await recoverDir(dir, layout, {
    fs,
    now: opts.now ?? Date.now,
    groupsSettled: opts.groupsSettled === true,
  });
  const recovered = recovery.reshard;
  const { spec: from, metaBytes } = await currentLayout(dir, layout, { fs });

  if (
    from.n === 0 ||
    (from.n === to.n && from.routing === to.routing &&
      sameSlotRanges(from.slotRanges, to.slotRanges))
  ) {
    const want = formatShardsMeta(to);
    if (metaBytes !== null && new TextDecoder().decode(metaBytes) === want) {
      return { action: "none", from, to, recovered };
    }
    await writeShardsMeta(dir, to, { fs });
    return from.n === 0
      ? { action: "created", to, recovered }
      : { action: "created", from, to, recovered };
  }

  const now = opts.now ?? Date.now;
  const temp = new Store({ now });
  const applyFn = apply ?? applyCommand;
  const skipped: Record<string, number> = {};
  const mergeOpts = opts.onUnknown === undefined
    ? { fs, skipped }
    : { fs, onUnknown: opts.onUnknown, skipped };
  const sources = await mergeSources(dir, from.n, layout, temp, applyFn, mergeOpts);
  const stores = redistribute(temp, to, { now });
  let keys = 0;
  for (const s of stores) keys += s.dbsize();
  const commitOpts = opts.stamp === undefined ? { fs } : { fs, stamp: opts.stamp };
  const stamp = await commitReshard(dir, from.n, to, stores, layout, commitOpts);
  return { action: "resharded", from, to, recovered, stamp, sources, keys, skipped };
}
