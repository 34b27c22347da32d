/**
 * A small RESP client with no dependencies, over `node:net` / `node:tls`
 * (Deno, Bun and Node): pipelined connections with a bound on the bytes in
 * flight, `redis://` and `rediss://` URLs with AUTH and SELECT, RESP2 and
 * RESP3, a Redis Cluster client (slot map, MOVED, ASK, TRYAGAIN,
 * CLUSTERDOWN) and a bulk writer that reports exactly what the server
 * acknowledged. Errors are typed and name the server and the command.
 *
 * @example Talk to a server
 * ```ts no-run
 * import { RedisConnection } from "@kevy/persist/net";
 *
 * const c = await RedisConnection.connect({ url: "redis://127.0.0.1:6379/0" });
 * await c.command(["SET", "greeting", "hello"]);
 * console.log(new TextDecoder().decode(await c.command(["GET", "greeting"]) as Uint8Array));
 * await c.close();
 * ```
 *
 * @module
 */

export { type BulkJob, BulkWriter, type BulkWriterOptions } from "./bulk.ts";
export {
  backoffMs,
  type ClusterRetry,
  isTransientClusterError,
  parseRedirect,
  type Redirect,
  RedisCluster,
  type RedisClusterOptions,
  type RetryPolicy,
  splitAddress,
} from "./cluster.ts";
export {
  type Arg,
  type BatchError,
  type BatchResult,
  DEFAULT_MAX_IN_FLIGHT,
  RedisConnection,
  type RedisConnectionOptions,
  type TlsSettings,
} from "./connection.ts";
export {
  endpointText,
  RedisAuthError,
  RedisClusterError,
  RedisConnectionError,
  RedisProtocolError,
  RedisReplyError,
  RedisTimeoutError,
} from "./errors.ts";
export {
  MAX_REPLY_BULK,
  MAX_REPLY_LINE,
  NEED_MORE,
  type Reply,
  ReplyParser,
  replyText,
  RespMap,
  RespPush,
} from "./reply.ts";
export {
  CLUSTER_SLOTS,
  type ClusterNode,
  parseClusterShards,
  parseClusterSlots,
  type SlotRange,
  uncoveredSlots,
} from "./slots.ts";
export { connectTarget, type ConnectTargetOptions, RedisNode, type RedisTarget } from "./target.ts";
export { parseRedisUrl, redactRedisUrl, REDIS_DEFAULT_PORT, type RedisEndpoint } from "./url.ts";
