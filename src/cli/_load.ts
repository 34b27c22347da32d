// Loads any supported source (snapshot, kevy AOF, kevy data dir, Redis AOF
// file or dir) into a fresh Store without modifying anything on disk.
import { CommandApplier } from "../store/apply.ts";
import { Store } from "../store/store.ts";
import { joinPath } from "../fs/path.ts";
import { loadSnapshot } from "../persist/snapshot_file.ts";
import { replayAof } from "../persist/replay.ts";
import { replayRedisAof } from "../redis/aof.ts";
import { inferFilesN } from "../codec/names.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { mergeSources, STANDARD_LAYOUT } from "../shard/reshard.ts";
import { applyCommand } from "../store/apply.ts";
import type { CliContext } from "./_command.ts";
import { InputError } from "./_io.ts";
import type { Target } from "./_target.ts";

/** What was loaded, for messages. */
export interface Loaded {
  store: Store;
  source: string;
  frames: number;
  tornBytes: number;
}

/** Loads `target` (database `db` for Redis sources) into a new Store. */
export async function loadTarget(ctx: CliContext, target: Target, db = 0): Promise<Loaded> {
  const store = new Store({ now: ctx.now });
  const fs = ctx.fs;
  if (target.type === "kevy-dir") {
    const names = await fs.readDir(target.path);
    if (names.some((e) => e.name === "reshard.journal")) {
      throw new InputError(
        `${target.path}: an interrupted re-shard is pending; open the store or run \`kevy-persist reshard\` to finish it first`,
      );
    }
    const meta = await readShardsMeta(target.path, { fs });
    const n = meta?.n ?? inferFilesN(names);
    await mergeSources(target.path, n, STANDARD_LAYOUT, store, applyCommand, { fs });
    return { store, source: `kevy dir (${n} shard(s))`, frames: 0, tornBytes: 0 };
  }
  if (target.type === "redis-dir" || (target.type === "file" && target.kind === "aof-legacy")) {
    const stores = new Map<number, Store>([[db, store]]);
    const applier = new CommandApplier((n: number) => {
      let s = stores.get(n);
      if (s === undefined) stores.set(n, s = new Store({ now: ctx.now }));
      return s;
    });
    const stats = await replayRedisAof(target.path, (argv) => applier.apply(argv), { fs });
    applier.finish();
    return { store, source: "Redis AOF", frames: stats.frames, tornBytes: stats.torn?.bytes ?? 0 };
  }
  if (target.kind === "snapshot") {
    await loadSnapshot(target.path, { store, now: ctx.now(), fs });
    return { store, source: "kevy snapshot", frames: 0, tornBytes: 0 };
  }
  if (target.kind === "aof") {
    const stats = await replayAof(target.path, (argv) => applyCommand(store, argv), { fs });
    return { store, source: "kevy AOF", frames: stats.frames, tornBytes: stats.tornBytes };
  }
  throw new InputError(`${target.path}: ${target.kind} files cannot be loaded yet`);
}

/** A path inside a dir (re-exported for commands). */
export { joinPath };
