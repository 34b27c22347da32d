// Finish of a committed re-shard (FORMATS.md 6.3), also the roll-forward step
// of recovery. Every step is idempotent, and every batch of renames is made
// durable (directory fsync) before the next batch starts, so no crash can
// persist a later step without the earlier ones.
import type { FsAdapter } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { premigrationName, RESHARD_JOURNAL, reshardName } from "../codec/names.ts";
import type { Routing } from "../codec/routing_types.ts";
import type { SlotRanges } from "../codec/slot_ranges.ts";
import type { ShardLayout } from "./reshard.ts";
import { writeShardsMeta } from "./shards_meta.ts";
import { exists, removeIfExists, renameIfExists } from "../fs/durable.ts";

/** What a journal commits to (the decoded journal). */
export interface Committed {
  stamp: bigint;
  prevN: number;
  n: number;
  routing: Routing;
  slotRanges?: SlotRanges;
}

export async function finishReshard(
  fs: FsAdapter,
  dir: string,
  j: Committed,
  layout: ShardLayout,
): Promise<void> {
  const finals = new Set<string>();
  for (let i = 0; i < j.n; i++) finals.add(layout.snapshot(i, j.n));

  // 1. Back up every source (never delete). An old snapshot whose name is also
  //    a new final name is a source only while its `.reshard` is pending:
  //    once that temp was renamed into place, the file is the new shard.
  //    (kevy's rule is `i >= n || .reshard exists`; this is the same for the
  //    standard names and also right for a custom single-file layout.)
  for (let i = 0; i < j.prevN; i++) {
    const snap = layout.snapshot(i, j.prevN);
    const isSource = !finals.has(snap) || (await exists(fs, joinPath(dir, reshardName(snap))));
    if (isSource) {
      await renameIfExists(fs, joinPath(dir, snap), joinPath(dir, premigrationName(snap, j.stamp)));
    }
    // A committed layout has no AOFs until its shards start, so any old-name AOF is a source.
    const aof = layout.aof(i, j.prevN);
    await renameIfExists(fs, joinPath(dir, aof), joinPath(dir, premigrationName(aof, j.stamp)));
  }
  // Backups must be durable before a temp may take a source's name.
  await fs.syncDir(dir);

  // 2. Move the new snapshots into place.
  for (const name of finals) {
    await renameIfExists(fs, joinPath(dir, reshardName(name)), joinPath(dir, name));
  }
  await fs.syncDir(dir);

  // 3. The new layout record (temp, fsync, rename, dir fsync).
  const meta = { n: j.n, routing: j.routing };
  await writeShardsMeta(
    dir,
    j.slotRanges === undefined ? meta : { ...meta, slotRanges: j.slotRanges },
    { fs },
  );

  // 4. Done: drop the journal (already gone is fine: finish is idempotent).
  await removeIfExists(fs, joinPath(dir, RESHARD_JOURNAL));
  await fs.syncDir(dir);
}
