/**
 * Loading whatever Redis left on disk into one `Store` per database: a data
 * directory (`dump.rdb` and/or `appendonlydir/`), an `appendonlydir` or its
 * manifest (the base may be an RDB), a single `appendonly.aof` (with or
 * without an RDB preamble) or a `dump.rdb`. A data directory with both is
 * read the way Redis reads it with `appendonly yes`: the AOF, not the RDB.
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { basename, joinPath } from "../fs/path.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { CommandApplier } from "../store/apply.ts";
import { Store } from "../store/store.ts";
import { RedisAofLayoutError, type RedisAofReplayStats, replayRedisAof } from "./aof.ts";
import { loadRedisRdb, type RedisRdbLoad } from "./rdb_load.ts";

/** Options of {@link loadRedisData}. */
export interface RedisDataLoadOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock of the returned stores, unix ms (default `Date.now`). */
  now?: () => number;
  /** An RDB source: keep keys already past their deadline (see `loadRedisRdb`). */
  keepExpired?: boolean;
  /** Leave module values out (counted) instead of refusing the file. */
  skipModules?: boolean;
  /** An AOF source: what to do with a command the applier does not know (default `"error"`). */
  onUnknown?: OnUnknown;
  /** An AOF source: stop at the first `#TS:` annotation above this (unix seconds; default: read to the end). */
  untilUnixSeconds?: number;
}

/** What {@link loadRedisData} read. */
export interface RedisDataLoad {
  /** One store per database that holds keys. */
  dbs: Map<number, Store>;
  /** `"aof"` (an AOF, whatever its base) or `"rdb"` (a dump). */
  kind: "aof" | "rdb";
  /** The file or directory actually read. */
  path: string;
  /** The RDB load, for an RDB source. */
  rdb: RedisRdbLoad | null;
  /** The AOF replay, for an AOF source. */
  aof: RedisAofReplayStats | null;
}

const REDIS = [0x52, 0x45, 0x44, 0x49, 0x53];

async function firstBytes(fs: FsAdapter, path: string): Promise<Uint8Array> {
  for await (const c of fs.readChunks(path, 16)) return c;
  return new Uint8Array(0);
}

/** Which file or directory of `path` holds the data, and how to read it. */
async function pick(fs: FsAdapter, path: string): Promise<{ kind: "aof" | "rdb"; path: string }> {
  const st = await fs.stat(path);
  if (st === null) throw new RedisAofLayoutError(path, "no such file or directory");
  if (st.isDirectory) {
    const names = (await fs.readDir(path)).map((e) => e.name);
    if (names.some((n) => n.endsWith(".manifest"))) return { kind: "aof", path };
    if ((await fs.stat(joinPath(path, "appendonlydir")))?.isDirectory) {
      return { kind: "aof", path: joinPath(path, "appendonlydir") };
    }
    if (names.includes("dump.rdb")) return { kind: "rdb", path: joinPath(path, "dump.rdb") };
    throw new RedisAofLayoutError(path, "no dump.rdb, appendonlydir or *.manifest here");
  }
  if (basename(path).endsWith(".manifest") || basename(path).endsWith(".aof")) {
    return { kind: "aof", path };
  }
  const head = await firstBytes(fs, path);
  const rdb = head.length >= 5 && REDIS.every((b, i) => head[i] === b);
  return { kind: rdb ? "rdb" : "aof", path };
}

/**
 * Loads a Redis data directory, AOF or RDB (see the module documentation).
 * Rejects with `CorruptFileError`, `RedisAofLayoutError` (nothing to read, a
 * manifest naming a missing file), `RedisRdbModuleError`,
 * `RedisRdbVersionError` or `UnknownCommandError`. Hash-field TTLs are kept.
 *
 * @example
 * ```ts
 * import { loadRedisData } from "@kevy/persist/redis";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * fs.writeFileDurable("/redis/dump.rdb", new Uint8Array([
 *   ...new TextEncoder().encode("REDIS0010"), 0xfe, 0, 0, 1, 0x6b, 1, 0x76, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
 * ]));
 * const { kind, dbs } = await loadRedisData("/redis", { fs });
 * kind; // "rdb"
 * dbs.get(0)!.dbsize(); // 1
 * ```
 */
export async function loadRedisData(
  path: string,
  opts: RedisDataLoadOptions = {},
): Promise<RedisDataLoad> {
  const fs = opts.fs ?? defaultFs();
  const now = opts.now ?? Date.now;
  const src = await pick(fs, path);
  if (src.kind === "rdb") {
    const rdb = await loadRedisRdb(src.path, {
      fs,
      now,
      ...(opts.keepExpired === undefined ? {} : { keepExpired: opts.keepExpired }),
      ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
    });
    return { dbs: rdb.dbs, kind: "rdb", path: src.path, rdb, aof: null };
  }
  const dbs = new Map<number, Store>();
  const storeOf = (n: number): Store => {
    let s = dbs.get(n);
    if (s === undefined) dbs.set(n, s = new Store({ now }));
    return s;
  };
  const onUnknown = opts.onUnknown ?? "error";
  const applier = new CommandApplier(storeOf, { onUnknown, replay: true });
  const aof = await replayRedisAof(src.path, (argv) => applier.apply(argv), {
    fs,
    onUnknown,
    onRdbEntry: (n, e) => storeOf(n).put(e),
    ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
    ...(opts.untilUnixSeconds === undefined ? {} : { untilUnixSeconds: opts.untilUnixSeconds }),
  });
  applier.finish();
  for (const [n, s] of dbs) if (s.dbsize() === 0) dbs.delete(n);
  return { dbs, kind: "aof", path: src.path, rdb: null, aof };
}
