/**
 * Taking a Redis data set into an open store: `importRedis(store, path)`
 * reads a Redis data directory, `appendonlydir` (its base may be an RDB),
 * `appendonly.aof` or `dump.rdb` (see `loadRedisData`) and writes every key of
 * one database through the store's own commands, so the import is logged and
 * routed like any write. Keys already past their deadline are left out.
 *
 * @module
 */
import type { FsAdapter } from "../fs/types.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { rdbEntryCommands } from "../redis/rdb_commands.ts";
import { loadRedisData } from "../redis/redis_data.ts";
import type { KevyStore } from "./handle.ts";

/** Options of {@link importRedis}. */
export interface ImportRedisOptions {
  /**
   * The Redis database to import (default 0). When the source holds keys in
   * other databases and `db` is not given, the import is refused (a store has
   * one keyspace: nothing is left behind silently).
   */
  db?: number;
  /** Filesystem adapter to read the Redis files with (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock deadlines are judged by while reading (default `Date.now`). */
  now?: () => number;
  /** Leave module values out instead of refusing the file. */
  skipModules?: boolean;
  /** A command in the Redis AOF this package does not know: `"error"` (default) or `"skip"`. */
  onUnknown?: OnUnknown;
}

/** What {@link importRedis} did. */
export interface ImportRedisStats {
  /** Keys written into the store. */
  keys: number;
  /** Commands run to write them. */
  commands: number;
  /** `"aof"` or `"rdb"`: what was read. */
  kind: "aof" | "rdb";
  /** The file or directory read. */
  path: string;
}

/**
 * Imports database `opts.db` (default 0) of a Redis data set into `store`.
 * Rejects with the loaders' errors (`CorruptFileError`,
 * `RedisAofLayoutError`, `RedisRdbModuleError`, ...), a `RangeError` when other
 * databases hold keys and `db` was not given, or the store's
 * `CommandFailedError`. Keys written before an error stay written.
 *
 * @example
 * ```ts
 * import { importRedis, openStore } from "@kevy/persist";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * fs.writeFileDurable("/redis/dump.rdb", new Uint8Array([
 *   ...new TextEncoder().encode("REDIS0010"), 0xfe, 0, 0, 1, 0x6b, 1, 0x76, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
 * ]));
 * const db = await openStore();
 * const stats = await importRedis(db, "/redis", { fs });
 * stats.keys; // 1
 * await db.get("k"); // "v"
 * await db.close();
 * ```
 */
export async function importRedis(
  store: KevyStore<string> | KevyStore<Uint8Array>,
  path: string,
  opts: ImportRedisOptions = {},
): Promise<ImportRedisStats> {
  const data = await loadRedisData(path, {
    ...(opts.fs === undefined ? {} : { fs: opts.fs }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
    ...(opts.onUnknown === undefined ? {} : { onUnknown: opts.onUnknown }),
  });
  const db = opts.db ?? 0;
  if (opts.db === undefined) {
    const others = [...data.dbs].filter(([n, s]) => n !== 0 && s.dbsize() > 0).map(([n]) => n);
    if (others.length > 0) {
      throw new RangeError(
        `${data.path}: keys in database${others.length > 1 ? "s" : ""} ${others.join(", ")} ` +
          "besides 0: a store has one keyspace; pass `db` to pick the one to import",
      );
    }
  }
  const source = data.dbs.get(db);
  const stats: ImportRedisStats = { keys: 0, commands: 0, kind: data.kind, path: data.path };
  if (source === undefined) return stats;
  for (const e of source.entries()) {
    for (const argv of rdbEntryCommands(0, 0, e)) {
      await store.command(argv);
      stats.commands++;
    }
    stats.keys++;
  }
  return stats;
}
