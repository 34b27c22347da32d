// Loads any supported source (snapshot, kevy AOF, kevy data dir, Redis AOF
// file or dir) into a fresh Store without modifying anything on disk.
import { CommandApplier } from "../store/apply.ts";
import { Store } from "../store/store.ts";
import { joinPath } from "../fs/path.ts";
import { loadSnapshot } from "../persist/snapshot_file.ts";
import { replayAof } from "../persist/replay.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { replayRedisAof } from "../redis/aof.ts";
import { inferFilesN } from "../codec/names.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { mergeSources, STANDARD_LAYOUT } from "../shard/reshard.ts";
import { applyCommand } from "../store/apply.ts";
import type { CliContext } from "./_command.ts";
import { InputError, UsageError } from "./_io.ts";
import type { Target } from "./_target.ts";

/** What was loaded, for messages. */
export interface Loaded {
  store: Store;
  source: string;
  frames: number;
  tornBytes: number;
  /** Commands left out under --skip-unknown, by verb (Redis and kevy AOF sources). */
  skipped: Record<string, number>;
}

/** How to load. */
export interface LoadOptions {
  /** Redis sources: the database to return (default 0). */
  db?: number;
  /** `"skip"` (--skip-unknown) leaves unsupported commands out; default `"error"`. */
  onUnknown?: OnUnknown;
  /** Redis AOF sources only (--until): stop at the first `#TS:` above this. */
  untilUnixSeconds?: number;
}

/** Loads `target` into a new Store. */
export async function loadTarget(
  ctx: CliContext,
  target: Target,
  opts: LoadOptions = {},
): Promise<Loaded> {
  const store = new Store({ now: ctx.now });
  const fs = ctx.fs;
  const db = opts.db ?? 0;
  const onUnknown = opts.onUnknown ?? "error";
  const redis = target.type === "redis-dir" ||
    (target.type === "file" && target.kind === "aof-legacy");
  if (opts.untilUnixSeconds !== undefined && !redis) {
    throw new UsageError("--until needs a Redis AOF (an appendonlydir with #TS: annotations)");
  }
  if (target.type === "kevy-dir") {
    const names = await fs.readDir(target.path);
    if (names.some((e) => e.name === "reshard.journal")) {
      throw new InputError(
        `${target.path}: an interrupted re-shard is pending; open the store or run \`kevy-persist reshard\` to finish it first`,
      );
    }
    const meta = await readShardsMeta(target.path, { fs });
    const n = meta?.n ?? inferFilesN(names);
    await mergeSources(target.path, n, STANDARD_LAYOUT, store, applyCommand, { fs, onUnknown });
    return { store, source: `kevy dir (${n} shard(s))`, frames: 0, tornBytes: 0, skipped: {} };
  }
  if (redis) {
    const stores = new Map<number, Store>([[db, store]]);
    const applier = new CommandApplier((n: number) => {
      let s = stores.get(n);
      if (s === undefined) stores.set(n, s = new Store({ now: ctx.now }));
      return s;
    }, { onUnknown });
    const stats = await replayRedisAof(target.path, (argv) => applier.apply(argv), {
      fs,
      onUnknown,
      ...(opts.untilUnixSeconds === undefined ? {} : { untilUnixSeconds: opts.untilUnixSeconds }),
    });
    applier.finish();
    return {
      store,
      source: "Redis AOF",
      frames: stats.frames,
      tornBytes: stats.torn?.bytes ?? 0,
      skipped: stats.skipped,
    };
  }
  if (target.kind === "snapshot") {
    await loadSnapshot(target.path, { store, now: ctx.now(), fs });
    return { store, source: "kevy snapshot", frames: 0, tornBytes: 0, skipped: {} };
  }
  if (target.kind === "aof") {
    const stats = await replayAof(target.path, (argv) => applyCommand(store, argv), {
      fs,
      onUnknown,
    });
    return {
      store,
      source: "kevy AOF",
      frames: stats.frames,
      tornBytes: stats.tornBytes,
      skipped: stats.skipped,
    };
  }
  throw new InputError(`${target.path}: ${target.kind} files cannot be loaded yet`);
}

/** Tells stderr what --skip-unknown left out (nothing when nothing was). */
export function reportSkipped(
  ctx: CliContext,
  what: string,
  skipped: Record<string, number>,
): void {
  const list = Object.entries(skipped).map(([v, n]) => `${v} x${n}`).join(", ");
  if (list !== "") ctx.io.err(`kevy-persist: ${what}: skipped unsupported commands: ${list}\n`);
}

/** A path inside a dir (re-exported for commands). */
export { joinPath };
