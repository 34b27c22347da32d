/**
 * Saving stores as a Redis RDB file that `redis-server` loads: version 9 to
 * 12 (default 10, what Redis 7.0 reads), LZF and the CRC-64 on or off,
 * written like the package's snapshots (temp file, fsync, rename, directory
 * fsync: a crash leaves the old file or the whole new one).
 *
 * @module
 */
import type { RedisRdbFunction } from "../codec/redis_rdb.ts";
import {
  encodeRedisRdbChunks,
  type RedisRdbDbSource,
  type RedisRdbEncodeOptions,
  type RedisRdbEncodeStats,
} from "../codec/redis_rdb_encode.ts";
import { writeChunksDurable } from "../fs/durable.ts";
import { defaultFs } from "../fs/detect.ts";
import { basename, dirname } from "../fs/path.ts";
import type { FsAdapter } from "../fs/types.ts";
import { indexOf } from "../store/internals.ts";
import type { Store } from "../store/store.ts";

/** Options of {@link saveRedisRdb}. */
export interface RedisRdbSaveOptions extends Omit<RedisRdbEncodeOptions, "now"> {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
}

/** The databases to save: one store (database 0), stores by database number, or a list (index = database). */
export type RedisRdbStores = Store | ReadonlyMap<number, Store> | ReadonlyArray<Store>;

function list(stores: RedisRdbStores): Array<[number, Store]> {
  return Array.isArray(stores)
    ? (stores as ReadonlyArray<Store>).map((s, i) => [i, s])
    : stores instanceof Map
    ? [...(stores as ReadonlyMap<number, Store>)].sort((a, b) => a[0] - b[0])
    : [[0, stores as Store]];
}

/** Database 0's function libraries (server-wide in Redis; a `CommandApplier` keeps them there). */
function libraries(stores: RedisRdbStores): RedisRdbFunction[] {
  const s0 = list(stores).find(([db]) => db === 0)?.[1];
  return s0 === undefined ? [] : [...s0.libraries.values()].map((code) => ({ code }));
}

function sources(stores: RedisRdbStores): RedisRdbDbSource[] {
  const out: RedisRdbDbSource[] = [];
  for (const [db, s] of list(stores)) {
    const keys = s.dbsize(); // drops what expired first
    if (keys === 0) continue;
    out.push({ db, entries: s.entries(), size: { keys, expires: indexOf(s).ttlCount } });
  }
  return out;
}

/**
 * Writes `stores` to `path` as a Redis RDB file, atomically and durably.
 * Keys that have expired by each store's clock are left out; empty
 * collections are left out (Redis cannot hold them) and counted. Database
 * 0's function libraries (`Store.libraries`) are written too, unless
 * `functions` is given. Rejects with `RangeError` when the version cannot
 * hold a value (hash field TTLs need version 12, functions version 10).
 *
 * @example
 * ```ts
 * import { loadRedisRdb, saveRedisRdb } from "@kevy/persist/redis";
 * import { Store } from "@kevy/persist/store";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * await fs.mkdir("/data");
 * const s = new Store();
 * s.setString(new TextEncoder().encode("k"), new TextEncoder().encode("v"));
 * const stats = await saveRedisRdb(s, "/data/dump.rdb", { fs });
 * stats.keys; // 1
 * (await loadRedisRdb("/data/dump.rdb", { fs })).dbs.get(0)!.dbsize(); // 1
 * ```
 */
export async function saveRedisRdb(
  stores: RedisRdbStores,
  path: string,
  opts: RedisRdbSaveOptions = {},
): Promise<RedisRdbEncodeStats> {
  const fs = opts.fs ?? defaultFs();
  const { fs: _fs, ...enc } = opts;
  const gen = encodeRedisRdbChunks(sources(stores), {
    ctime: Math.floor(Date.now() / 1000),
    functions: libraries(stores),
    ...enc,
  });
  let stats: RedisRdbEncodeStats | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const r = gen.next();
      if (r.done) {
        stats = r.value;
        return;
      }
      yield r.value;
    }
  }
  await writeChunksDurable(fs, dirname(path), basename(path), chunks());
  return stats!;
}
