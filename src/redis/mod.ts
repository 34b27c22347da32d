/**
 * Redis interop: replay a Redis 7 AOF (a single file or an `appendonlydir`
 * with its manifest) or load an RDB into a keyspace, export a keyspace as
 * RESP commands for `redis-cli --pipe`, and move a data dir into a Redis
 * server or Redis Cluster: {@link migrateToRedis}, {@link verifyRedis}, and
 * {@link followToRedis} for the cut-over from a live store.
 *
 * @example Copy a data dir into a cluster and check every key
 * ```ts no-run
 * import { migrateToRedis, verifyRedis } from "@kevy/persist/redis";
 *
 * const url = "redis://127.0.0.1:7000";
 * const stats = await migrateToRedis("./kevy-data", { url, cluster: true });
 * const check = await verifyRedis("./kevy-data", { url, cluster: true });
 * console.log(stats.keys, check.differences.length);
 * ```
 *
 * @example Export a keyspace for redis-cli --pipe
 * ```ts
 * import { exportRedisBytes } from "@kevy/persist/redis";
 * import { applyCommand, Store } from "@kevy/persist/store";
 *
 * const store = new Store();
 * applyCommand(store, ["SET", "k", "v"]);
 * const resp = exportRedisBytes(store);
 * console.log(new TextDecoder().decode(resp).startsWith("*3\r\n$3\r\nSET")); // true
 * ```
 *
 * @module
 */

export {
  RedisAofLayoutError,
  type RedisAofReplayOptions,
  type RedisAofReplayStats,
  RedisAofTimestampError,
  type RedisAofTorn,
  type RedisAofTornReason,
  replayRedisAof,
} from "./aof.ts";
export {
  exportRedisBytes,
  exportRedisCommands,
  RedisExportError,
  type RedisExportOptions,
  type RedisExportStats,
} from "./export.ts";
export {
  type FollowLag,
  type FollowOffset,
  type FollowOptions,
  type FollowResult,
  followToRedis,
  offsetsText,
} from "./follow.ts";
export {
  type KeyDifference,
  type KeyError,
  type MigrateOptions,
  type MigrateProgress,
  type MigrateStats,
  migrateToRedis,
  MigrationError,
  MigrationSourceError,
} from "./migrate.ts";
export {
  loadRedisRdb,
  REDIS_RDB_CHUNK_BYTES,
  type RedisRdbLoad,
  type RedisRdbLoadOptions,
} from "./rdb_load.ts";
export { type RedisRdbSaveOptions, type RedisRdbStores, saveRedisRdb } from "./rdb_save.ts";
export { targetSize, type VerifyOptions, verifyRedis, type VerifyReport } from "./verify.ts";
export { loadRedisData, type RedisDataLoad, type RedisDataLoadOptions } from "./redis_data.ts";
