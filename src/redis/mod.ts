/**
 * Redis interop: replay a Redis 7 AOF (a single file or an `appendonlydir`
 * with its manifest) into a keyspace, and export a keyspace as RESP
 * commands for `redis-cli --pipe`.
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
  RedisRdbNotSupportedError,
  replayRedisAof,
} from "./aof.ts";
export {
  exportRedisBytes,
  exportRedisCommands,
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
