// The split load behind a sorted jsonl dump: a kevy snapshot, or a kevy
// data dir of one shard, with its string records left in the file's bytes
// (persist/split_sorted.ts). Anything else, or anything only a full load
// gets exactly right, is the caller's full load (null).
import { inferFilesN } from "../codec/names.ts";
import { joinPath } from "../fs/path.ts";
import { shardFilesView } from "../persist/shard_files.ts";
import type { SortedStrings } from "../persist/sorted_strings.ts";
import { loadSplitSorted } from "../persist/split_sorted.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { STANDARD_LAYOUT } from "../shard/reshard.ts";
import { Store } from "../store/store.ts";
import type { CliContext } from "./_command.ts";
import { loadClock, type LoadOptions } from "./_load.ts";
import type { Target } from "./_target.ts";

/** A split load: `store` and `strings` hold disjoint keys; expired rows are gone. */
export interface SplitLoaded {
  store: Store;
  strings: SortedStrings;
  /** Commands left out under --skip-unknown, by verb. */
  skipped: Record<string, number>;
}

/** Loads `target` split, or resolves null when the caller must load it in full. */
export async function loadTargetSplit(
  ctx: CliContext,
  target: Target,
  opts: LoadOptions = {},
): Promise<SplitLoaded | null> {
  if (opts.untilUnixSeconds !== undefined) return null; // the full load refuses it
  const fs = ctx.fs;
  let snapshot: string | null, aof: string | null, keep: boolean;
  if (target.type === "file" && target.kind === "snapshot") {
    [snapshot, aof, keep] = [target.path, null, false];
  } else if (target.type === "kevy-dir") {
    const names = await fs.readDir(target.path);
    if (names.some((e) => e.name === "reshard.journal")) return null; // refused there
    const meta = await readShardsMeta(target.path, { fs });
    if ((meta?.n ?? inferFilesN(names)) !== 1) return null;
    // What the full load reads (mergeSources): the files as recovery would leave them.
    const view = await shardFilesView(
      joinPath(target.path, STANDARD_LAYOUT.snapshot(0, 1)),
      joinPath(target.path, STANDARD_LAYOUT.aof(0, 1)),
      { fs },
    );
    [snapshot, aof, keep] = [view.snapshot, view.aof, true];
  } else return null;
  if (snapshot === null) return null;
  const now = loadClock(ctx, opts);
  const store = new Store({ now });
  const r = await loadSplitSorted(snapshot, aof, store, {
    fs,
    now: now(),
    keepExpired: keep,
    onUnknown: opts.onUnknown ?? "error",
  });
  if (r === null) return null;
  r.strings.dropExpired(now());
  return { store, strings: r.strings, skipped: r.replay?.skipped ?? {} };
}
