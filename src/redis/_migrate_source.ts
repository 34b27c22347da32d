// What a migration reads: a kevy data dir (one shard at a time, so memory
// holds one shard), a kevy snapshot or AOF, a Redis AOF (file or
// appendonlydir, whatever its base), a Redis dump.rdb or data dir, or a
// Store given by the caller. Nothing on disk changes.
// Keys load with expiry frozen (nothing expires while loading, as in
// Redis); the caller skips what is past its deadline at copy time.
import { CorruptFileError } from "../codec/errors.ts";
import { inferFilesN, RESHARD_JOURNAL } from "../codec/names.ts";
import type { FsAdapter } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { replayAofInto } from "../persist/replay.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { loadSnapshot } from "../persist/snapshot_file.ts";
import { loadSplit } from "../persist/split_load.ts";
import type { StringRecords } from "../persist/string_records.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { STANDARD_LAYOUT } from "../shard/reshard.ts";
import { Store } from "../store/store.ts";
import { loadRedisData } from "./redis_data.ts";

/** One piece of the source, loaded. */
export interface SourcePart {
  /** What it is, for messages (`"shard 2 of 4"`). */
  label: string;
  /** Its keys (all of them, or all but those in `strings`). */
  store: Store;
  /** String records of a snapshot kept as byte ranges, none of them in `store` (split loads). */
  strings?: StringRecords;
  /** Function libraries (`FUNCTION LOAD` source) that travel with it (RDB sources). */
  functions?: Uint8Array[];
}

/** An opened source. */
export interface OpenedSource {
  /** What it is (`"kevy data dir, 4 shards (kevyhash)"`). */
  description: string;
  /** How many parts {@link OpenedSource.parts} yields. */
  partCount: number;
  /** The parts, loaded one at a time. */
  parts(): AsyncIterable<SourcePart>;
  /**
   * Commands left out so far under `onUnknown: "skip"`, by lower-case verb
   * (filled in as the parts load; always empty in mode `"error"`, where an
   * unsupported command stops the load with an `UnknownCommandError`).
   */
  skipped: Record<string, number>;
}

/** Thrown when the source cannot be read as asked (not corrupt: wrong kind, pending journal, ...). */
export class MigrationSourceError extends Error {
  /** Always `"MigrationSourceError"`. */
  override name = "MigrationSourceError";
}

/** Options for reading a source. */
export interface SourceOptions {
  fs: FsAdapter;
  /** Which database of a Redis AOF (default: 0, refusing data in other databases). */
  sourceDb?: number;
  /**
   * An unsupported command in an AOF of the source: `"error"` (default)
   * stops with an `UnknownCommandError` (verb, file, byte offset); `"skip"`
   * leaves it out and counts it in {@link OpenedSource.skipped}.
   */
  onUnknown?: OnUnknown;
  /**
   * Kevy snapshots (and data dirs) load split (see persist/split_load.ts):
   * string records nothing in the log names stay as byte ranges in
   * {@link SourcePart.strings}. Default false: everything in the Store.
   */
  split?: boolean;
}

/** Adds one replay's per-verb counts to the source's. */
function addSkipped(into: Record<string, number>, from: Record<string, number>): void {
  for (const [verb, n] of Object.entries(from)) into[verb] = (into[verb] ?? 0) + n;
}

/** A store whose clock stands still at 0 while loading (nothing expires). */
function frozenStore(): Store {
  return new Store({ now: () => 0 });
}

const enc = new TextEncoder();

async function head(fs: FsAdapter, path: string): Promise<Uint8Array> {
  for await (const c of fs.readChunks(path, 16)) return c;
  return new Uint8Array(0);
}

function startsWith(b: Uint8Array, s: string): boolean {
  const m = enc.encode(s);
  if (b.length < m.length) return false;
  for (let i = 0; i < m.length; i++) if (b[i] !== m[i]) return false;
  return true;
}

/** Opens a path (kind found from its contents) or wraps a Store. */
export async function openSource(
  source: string | Store,
  opts: SourceOptions,
): Promise<OpenedSource> {
  if (source instanceof Store) {
    return {
      description: "a Store",
      partCount: 1,
      skipped: {},
      async *parts() {
        yield { label: "store", store: source };
      },
    };
  }
  const fs = opts.fs;
  const info = await fs.stat(source);
  if (info === null) throw new MigrationSourceError(`${source}: no such file or directory`);
  if (info.isDirectory) return await openDir(source, opts);
  const h = await head(fs, source);
  if (h.length === 0) throw new MigrationSourceError(`${source}: empty file`);
  if (startsWith(h, "KEVYSNAP")) {
    if (opts.split === true) {
      return {
        description: `kevy snapshot ${source}`,
        partCount: 1,
        skipped: {},
        async *parts() {
          const r = await loadSplit(source, null, frozenStore(), { fs });
          yield { label: "kevy snapshot", store: r.store, strings: r.strings };
        },
      };
    }
    return single(source, "kevy snapshot", async () => {
      const store = frozenStore();
      await loadSnapshot(source, { store, fs, now: 0 });
      return store;
    });
  }
  if (startsWith(h, "REDIS")) {
    // A dump.rdb, or a Redis 7 base / pre-7 appendonly.aof that starts with an RDB.
    return redisData(source, /\.(aof|manifest)$/.test(source) ? "Redis AOF" : "Redis RDB", opts);
  }
  if (source.endsWith(".manifest") || h[0] === 0x23 /* # annotation: Redis */) {
    return redisData(source, "Redis AOF", opts);
  }
  if (startsWith(h, "KEVYAOF") || h[0] === 0x2a /* * */) {
    const skipped: Record<string, number> = {};
    return single(source, "kevy AOF", async () => {
      const store = frozenStore();
      const stats = await replayAofInto(source, store, {
        fs,
        onUnknown: opts.onUnknown ?? "error",
      });
      addSkipped(skipped, stats.skipped);
      return store;
    }, skipped);
  }
  throw new MigrationSourceError(
    `${source}: not a kevy snapshot, kevy AOF, Redis AOF or data dir (unknown first bytes)`,
  );
}

function single(
  path: string,
  what: string,
  load: () => Promise<Store>,
  skipped: Record<string, number> = {},
): OpenedSource {
  return {
    description: `${what} ${path}`,
    partCount: 1,
    skipped,
    async *parts() {
      yield { label: what, store: await load() };
    },
  };
}

async function openDir(dir: string, opts: SourceOptions): Promise<OpenedSource> {
  const fs = opts.fs;
  const entries = await fs.readDir(dir);
  const names = new Set(entries.map((e) => e.name));
  if ([...names].some((n) => n.endsWith(".manifest"))) return redisData(dir, "Redis AOF", opts);
  if (names.has(RESHARD_JOURNAL)) {
    throw new MigrationSourceError(
      `${dir}: an interrupted re-shard is pending; open the store once (or run \`kevy-persist reshard\`) to finish it first`,
    );
  }
  const kevy = [...names].some((x) => /^(dump-\d+\.rdb|aof-\d+\.aof|shards\.meta)$/.test(x));
  if (!kevy && (names.has("dump.rdb") || names.has("appendonlydir"))) {
    // A Redis data dir: its appendonlydir before its dump.rdb, as Redis with appendonly yes.
    return redisData(dir, "Redis data dir", opts);
  }
  const meta = await readShardsMeta(dir, { fs });
  const n = meta?.n ?? inferFilesN(entries);
  if (n === 0 || ![...names].some((x) => /^(dump-\d+\.rdb|aof-\d+\.aof)$/.test(x))) {
    throw new MigrationSourceError(
      `${dir}: no kevy files here (expected dump-<i>.rdb, aof-<i>.aof or shards.meta, or a Redis data dir: dump.rdb, appendonlydir)`,
    );
  }
  const routing = meta?.routing ?? "kevyhash";
  const skipped: Record<string, number> = {};
  const onUnknown = opts.onUnknown ?? "error";
  return {
    description: `kevy data dir ${dir}, ${n} shard(s) (${routing})`,
    partCount: n,
    skipped,
    async *parts() {
      for (let i = 0; i < n; i++) {
        const label = `shard ${i + 1} of ${n}`;
        if (opts.split === true) {
          yield { label, ...await loadShardSplit(dir, i, n, fs, { onUnknown, skipped }) };
        } else yield { label, store: await loadShard(dir, i, n, fs, { onUnknown, skipped }) };
      }
    },
  };
}

/** How {@link loadShard} treats unsupported commands in the shard's AOF. */
export interface ShardLoadOptions {
  /** `"error"` (default) or `"skip"` (counted into `skipped`). */
  onUnknown?: OnUnknown;
  /** Where skipped commands are counted, by verb. */
  skipped?: Record<string, number>;
}

/** The snapshot and AOF paths of shard `i`, refused while a save of it is being committed. */
async function shardPaths(
  dir: string,
  i: number,
  n: number,
  fs: FsAdapter,
): Promise<{ snap: string; aof: string }> {
  const snap = joinPath(dir, STANDARD_LAYOUT.snapshot(i, n));
  const aof = joinPath(dir, STANDARD_LAYOUT.aof(i, n));
  if (await fs.stat(`${snap}.save`) !== null) {
    throw new MigrationSourceError(
      `${dir}: a save of shard ${i} is being committed (${snap}.save); wait for it or open the store once`,
    );
  }
  return { snap, aof };
}

/** {@link loadShard} split: untouched string records of the snapshot stay as byte ranges. */
async function loadShardSplit(
  dir: string,
  i: number,
  n: number,
  fs: FsAdapter,
  opts: ShardLoadOptions,
): Promise<{ store: Store; strings: StringRecords }> {
  const { snap, aof } = await shardPaths(dir, i, n, fs);
  const r = await loadSplit(snap, aof, frozenStore(), { fs, onUnknown: opts.onUnknown ?? "error" });
  if (opts.skipped !== undefined) addSkipped(opts.skipped, r.replay.skipped);
  return { store: r.store, strings: r.strings };
}

/** One shard's snapshot, then its AOF on top (the order of a store's bring-up). */
export async function loadShard(
  dir: string,
  i: number,
  n: number,
  fs: FsAdapter,
  opts: ShardLoadOptions = {},
): Promise<Store> {
  const { snap, aof } = await shardPaths(dir, i, n, fs);
  const store = frozenStore();
  if (await fs.stat(snap) !== null) await loadSnapshot(snap, { store, fs, now: 0 });
  const stats = await replayAofInto(aof, store, { fs, onUnknown: opts.onUnknown ?? "error" });
  if (opts.skipped !== undefined) addSkipped(opts.skipped, stats.skipped);
  return store;
}

/** The database to copy of a Redis source: `sourceDb`, or 0 when no other one holds keys. */
function pickDb(
  path: string,
  what: string,
  stores: Map<number, Store>,
  want: number | undefined,
): Store {
  if (want === undefined) {
    const others = [...stores].filter(([d, s]) => d !== 0 && s.dbsize() > 0).map(([d]) => d);
    if (others.length > 0) {
      throw new MigrationSourceError(
        `${path}: the ${what} holds keys in database(s) ${others.join(", ")} besides 0: ` +
          `pick one with the source database option (--source-db N); nothing was copied`,
      );
    }
  }
  return stores.get(want ?? 0) ?? frozenStore();
}

/**
 * A Redis source (a dump.rdb, an AOF file or appendonlydir whatever its base,
 * or a data dir holding them, read as Redis reads it) through loadRedisData:
 * keys of an RDB part as entries (streams whole), function libraries with
 * them.
 */
function redisData(path: string, what: string, opts: SourceOptions): OpenedSource {
  const want = opts.sourceDb;
  const skipped: Record<string, number> = {};
  return {
    description: `${what} ${path}${want === undefined ? "" : ` (database ${want})`}`,
    partCount: 1,
    skipped,
    async *parts() {
      // Expiry frozen while loading, as for every source: the copy skips what is past.
      // An AOF command the applier cannot apply stops the load (or is counted with "skip").
      const r = await loadRedisData(path, {
        fs: opts.fs,
        now: () => 0,
        keepExpired: true,
        onUnknown: opts.onUnknown ?? "error",
      });
      addSkipped(skipped, r.aof?.skipped ?? {});
      const libraries = r.dbs.get(0)?.libraries ?? new Map<string, Uint8Array>();
      yield {
        label: `database ${want ?? 0}`,
        store: pickDb(path, r.kind === "rdb" ? "RDB file" : "Redis AOF", r.dbs, want),
        functions: [...libraries.values()],
      };
    },
  };
}

/** Re-exported for callers that report corrupt input. */
export { CorruptFileError };
