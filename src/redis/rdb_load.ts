/**
 * Loading a Redis RDB file (`dump.rdb`, an AOF `.base.rdb`) into one `Store`
 * per database, with Redis's loading semantics: nothing expires while the
 * file is read; once it is read, keys whose deadline has passed are dropped
 * (Redis drops them as it loads a `dump.rdb`; the outcome is the same), unless
 * `keepExpired` is set. A key stored twice in one database is refused, as
 * Redis refuses it ("Duplicated key found in RDB file").
 *
 * @module
 */
import {
  RDB_OWNED_CHUNKS,
  RDB_PAYLOAD_SINK,
  type RdbInternalOptions,
  RedisRdbDecoder,
  type RedisRdbFunction,
  type RedisRdbStats,
} from "../codec/redis_rdb.ts";
import { defaultFs } from "../fs/detect.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { Store } from "../store/store.ts";
import { RdbStoreSink } from "./_rdb_sink.ts";

/** Default read size when streaming an RDB file (1 MiB). */
export const REDIS_RDB_CHUNK_BYTES: number = 1 << 20;

/** Options of {@link loadRedisRdb}. */
export interface RedisRdbLoadOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock of the returned stores, unix ms (default `Date.now`); deadlines are judged by it after loading. */
  now?: () => number;
  /**
   * Keep keys whose deadline passed before the file was loaded (default
   * false: they are dropped and counted in `expired`). The stores still judge
   * deadlines by their clock when a key is read: pair this with a `now` set
   * before the deadlines to see such keys.
   */
  keepExpired?: boolean;
  /** Leave module values (and module aux data) out, counted, instead of refusing the file. */
  skipModules?: boolean;
  /** Check the CRC-64 (default true). */
  verifyChecksum?: boolean;
  /** Read size (default 1 MiB). */
  chunkBytes?: number;
}

/** What {@link loadRedisRdb} returns. */
export interface RedisRdbLoad {
  /** RDB format version of the file (1-12). */
  version: number;
  /** `AUX` fields in file order: name (ASCII) and raw value. */
  aux: Array<[string, Uint8Array]>;
  /**
   * Stored function libraries. Those of Redis 7.0 and later (`FUNCTION2`)
   * are in database 0's `Store.libraries` too, as FUNCTION LOAD keeps them;
   * the release-candidate ones (`legacy`) only here.
   */
  functions: RedisRdbFunction[];
  /** One store per database that holds keys (database 0 also when it holds only libraries). */
  dbs: Map<number, Store>;
  /** What the decoder read, plus `expired` (dropped after loading) and `loaded` (keys in the stores). */
  stats: RedisRdbStats & { expired: number; loaded: number };
}

/**
 * Loads a Redis RDB file: its version, aux fields, functions and one `Store`
 * per database. Rejects with `CorruptFileError` (path, offset, expected),
 * `RedisRdbVersionError` or `RedisRdbModuleError`; a missing file is an
 * ENOENT error naming it. Hash-field TTLs are kept (expiring on the stores'
 * clock).
 *
 * @example
 * ```ts
 * import { loadRedisRdb } from "@kevy/persist/redis";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * // REDIS0010, SELECTDB 0, "k" = "v", EOF, checksum disabled
 * const bytes = new Uint8Array([...new TextEncoder().encode("REDIS0010"), 0xfe, 0, 0, 1, 0x6b, 1, 0x76, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
 * fs.writeFileDurable("/dump.rdb", bytes);
 * const { version, dbs } = await loadRedisRdb("/dump.rdb", { fs });
 * version; // 10
 * dbs.get(0)!.dbsize(); // 1
 * ```
 */
export async function loadRedisRdb(
  path: string,
  opts: RedisRdbLoadOptions = {},
): Promise<RedisRdbLoad> {
  const fs = opts.fs ?? defaultFs();
  const chunk = opts.chunkBytes ?? REDIS_RDB_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunk}`);
  }
  const st = await fs.stat(path);
  if (st === null || !st.isFile) {
    throw Object.assign(new Error(`${path}: RDB file not found`), { code: "ENOENT" });
  }
  const sink = new RdbStoreSink(opts.now ?? Date.now, path);
  sink.bytesLeft = (offset) => st.size - offset;
  const decOpts: RdbInternalOptions = {
    path,
    totalSize: st.size,
    onEntry: sink.onEntry,
    onString: sink.onString,
    onAux: sink.onAux,
    onFunction: sink.onFunction,
    onDb: sink.onDb,
    [RDB_PAYLOAD_SINK]: sink.onPayload,
    // The runtime adapters' readChunks yield a fresh array per chunk: no copy needed.
    [RDB_OWNED_CHUNKS]: opts.fs === undefined,
    ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
    ...(opts.verifyChecksum === undefined ? {} : { verifyChecksum: opts.verifyChecksum }),
  };
  const dec = new RedisRdbDecoder(decOpts);
  for await (const c of fs.readChunks(path, chunk)) {
    dec.push(c);
    if (dec.done) break;
  }
  const stats = dec.finish();
  const end = sink.finish(opts.keepExpired === true);
  return {
    version: stats.version,
    aux: sink.aux,
    functions: sink.functions,
    dbs: sink.dbs,
    stats: { ...stats, ...end, trailingBytes: st.size - stats.rdbBytes },
  };
}
