// Loads any supported source (snapshot, kevy AOF, kevy data dir, Redis AOF
// file or dir, Redis RDB, Redis data dir) into fresh Stores without
// modifying anything on disk.
import { Store } from "../store/store.ts";
import { joinPath } from "../fs/path.ts";
import { loadSnapshot } from "../persist/snapshot_file.ts";
import { replayAof } from "../persist/replay.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { loadRedisData } from "../redis/redis_data.ts";
import { inferFilesN } from "../codec/names.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { mergeSources, STANDARD_LAYOUT } from "../shard/reshard.ts";
import { applyCommand } from "../store/apply.ts";
import type { CliContext } from "./_command.ts";
import { InputError, UsageError } from "./_io.ts";
import type { Target } from "./_target.ts";

/** What was loaded, for messages. */
export interface Loaded {
  /** The database asked for (Redis sources: `db`, default 0). */
  store: Store;
  /** Every database that holds keys (kevy sources: just `store`, as 0). */
  dbs: Map<number, Store>;
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
  /** Judge deadlines as of this instant (unix ms; default: the CLI's clock). */
  now?: number;
  /** Keep keys whose deadline has passed (they are never expired). */
  includeExpired?: boolean;
  /** Leave module values of a Redis RDB out (counted) instead of failing. */
  skipModules?: boolean;
}

/** Where a Redis source's keys are: an AOF (file or dir) or an RDB file. */
function redisSource(target: Target): { aof: string } | { rdb: string } | null {
  if (target.type === "redis-dir") return { aof: target.path };
  if (target.type === "redis-data") {
    return target.aof !== null ? { aof: target.aof } : { rdb: target.rdb! };
  }
  if (target.type === "file" && target.kind === "aof-legacy") return { aof: target.path };
  if (target.type === "file" && target.kind === "redis-rdb") {
    // An appendonly.aof that starts with an RDB preamble is an AOF; anything else a dump.
    return target.path.endsWith(".aof") ? { aof: target.path } : { rdb: target.path };
  }
  return null;
}

/** The clock a load judges deadlines by: --include-expired stops it before any deadline. */
export function loadClock(ctx: CliContext, opts: LoadOptions): () => number {
  const at = opts.now;
  return opts.includeExpired
    ? () => Number.MIN_SAFE_INTEGER
    : at !== undefined
    ? () => at
    : ctx.now;
}

/** Loads `target` into a new Store. */
export async function loadTarget(
  ctx: CliContext,
  target: Target,
  opts: LoadOptions = {},
): Promise<Loaded> {
  const now = loadClock(ctx, opts);
  const store = new Store({ now });
  const fs = ctx.fs;
  const db = opts.db ?? 0;
  const onUnknown = opts.onUnknown ?? "error";
  const redis = redisSource(target);
  if (opts.untilUnixSeconds !== undefined && (redis === null || !("aof" in redis))) {
    throw new UsageError("--until needs a Redis AOF (an appendonlydir with #TS: annotations)");
  }
  const single = (source: string, extra: Partial<Loaded> = {}): Loaded => ({
    store,
    dbs: new Map([[0, store]]),
    source,
    frames: 0,
    tornBytes: 0,
    skipped: {},
    ...extra,
  });
  if (target.type === "kevy-dir") {
    const names = await fs.readDir(target.path);
    if (names.some((e) => e.name === "reshard.journal")) {
      throw new InputError(
        `${target.path}: an interrupted re-shard is pending; open the store or run \`kevy-persist reshard\` to finish it first`,
      );
    }
    const meta = await readShardsMeta(target.path, { fs });
    const n = meta?.n ?? inferFilesN(names);
    const skipped: Record<string, number> = {};
    await mergeSources(target.path, n, STANDARD_LAYOUT, store, applyCommand, {
      fs,
      onUnknown,
      skipped,
    });
    return single(`kevy dir (${n} shard(s))`, { skipped });
  }
  if (redis !== null) {
    const r = await loadRedisData(target.path, {
      fs,
      now,
      onUnknown,
      keepExpired: opts.includeExpired === true,
      ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
      ...(opts.untilUnixSeconds === undefined ? {} : { untilUnixSeconds: opts.untilUnixSeconds }),
    });
    const dbs = r.dbs;
    let chosen = dbs.get(db);
    if (chosen === undefined) dbs.set(db, chosen = store);
    const stats = r.aof;
    return {
      store: chosen,
      dbs,
      source: r.rdb !== null
        ? `Redis RDB v${r.rdb.version}`
        : stats!.rdb.length > 0
        ? "Redis AOF (RDB base)"
        : "Redis AOF",
      frames: stats?.frames ?? 0,
      tornBytes: stats?.torn?.bytes ?? 0,
      skipped: stats?.skipped ?? {},
    };
  }
  if (target.type !== "file") throw new InputError(`${target.path}: nothing to load`);
  if (target.kind === "snapshot") {
    await loadSnapshot(target.path, { store, now: now(), fs });
    return single("kevy snapshot");
  }
  if (target.kind === "aof") {
    const stats = await replayAof(target.path, (argv) => applyCommand(store, argv), {
      fs,
      onUnknown,
    });
    return single("kevy AOF", {
      frames: stats.frames,
      tornBytes: stats.tornBytes,
      skipped: stats.skipped,
    });
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
