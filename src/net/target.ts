/**
 * Where bulk writes go: one server ({@link RedisNode}) or a cluster
 * ({@link RedisCluster}) behind one small interface, {@link RedisTarget}, so
 * the bulk writer and the migration do not care which. {@link connectTarget}
 * opens either from a URL and refuses a mismatch (a cluster node used as a
 * single server would answer a third of the keys with MOVED).
 *
 * @module
 */

import { RedisCluster, type RedisClusterOptions, type RetryPolicy } from "./cluster.ts";
import { RedisConnection, type RedisConnectionOptions } from "./connection.ts";
import { endpointText, RedisClusterError } from "./errors.ts";
import { replyText } from "./reply.ts";
import { parseRedisUrl } from "./url.ts";

/** What the bulk writer needs from a server or a cluster. */
export interface RedisTarget {
  /** True for a cluster. */
  readonly isCluster: boolean;
  /** The retry budget for unreachable nodes (and TRYAGAIN/CLUSTERDOWN in a cluster). */
  readonly retry: RetryPolicy;
  /** The masters (`host:port`). */
  readonly masters: string[];
  /** The node serving `slot` (a single server serves all), or undefined. */
  ownerOf(slot: number): string | undefined;
  /** The connection to a node (reopened after it broke). */
  connection(addr: string): Promise<RedisConnection>;
  /** A MOVED reply said `slot` lives at `host:port`. */
  moved(slot: number, host: string, port: number): void;
  /** Reloads the slot map (no-op for a single server). */
  refresh(force?: boolean): Promise<void>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/**
 * One server as a {@link RedisTarget}: one connection, reopened (within the
 * retry budget, by the caller) after it broke.
 *
 * @example
 * ```ts no-run
 * import { RedisNode } from "@kevy/persist/net";
 * const node = await RedisNode.connect({ url: "redis://127.0.0.1:6379/2" });
 * const c = await node.connection();
 * await c.command(["PING"]);
 * await node.close();
 * ```
 */
export class RedisNode implements RedisTarget {
  /** Always false. */
  readonly isCluster = false;
  /** The retry budget. */
  readonly retry: RetryPolicy;
  readonly #addr: string;
  readonly #opts: RedisConnectionOptions;
  #conn: Promise<RedisConnection> | null = null;
  #closed = false;

  private constructor(addr: string, opts: RedisConnectionOptions, retry: RetryPolicy) {
    this.#addr = addr;
    this.#opts = opts;
    this.retry = retry;
  }

  /** Connects (the first connection is opened here, so a bad URL or password fails now). */
  static async connect(
    opts: RedisConnectionOptions & { retry?: Partial<RetryPolicy> },
  ): Promise<RedisNode> {
    const { retry, ...conn } = opts;
    const ep = conn.url !== undefined ? parseRedisUrl(conn.url) : undefined;
    const host = conn.host ?? ep?.host ?? "127.0.0.1";
    const port = conn.port ?? ep?.port ?? 6379;
    const node = new RedisNode(endpointText(host, port), { ...conn, host, port }, {
      attempts: retry?.attempts ?? 8,
      baseDelayMs: retry?.baseDelayMs ?? 50,
      maxDelayMs: retry?.maxDelayMs ?? 2000,
    });
    await node.connection();
    return node;
  }

  /** The one address. */
  get masters(): string[] {
    return [this.#addr];
  }

  /** Always the one address. */
  ownerOf(): string {
    return this.#addr;
  }

  /** The connection (reopened if it broke). */
  async connection(): Promise<RedisConnection> {
    if (this.#closed) throw new RedisClusterError("the client is closed");
    if (this.#conn !== null) {
      const c = await this.#conn.catch(() => null);
      if (c !== null && !c.closed) return c;
    }
    this.#conn = RedisConnection.connect(this.#opts);
    return await this.#conn;
  }

  /** A single server does not redirect; a MOVED here means the server is a cluster node. */
  moved(slot: number, host: string, port: number): void {
    throw new RedisClusterError(
      `${this.#addr} answered MOVED ${slot} ${
        endpointText(host, port)
      }: it is a cluster node (use cluster mode)`,
    );
  }

  /** Nothing to reload. */
  refresh(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const c = await this.#conn?.catch(() => null);
    await c?.close();
  }
}

/** Options of {@link connectTarget}. */
export interface ConnectTargetOptions extends Omit<RedisConnectionOptions, "url"> {
  /** The server (or, with `cluster`, any node of the cluster). */
  url: string;
  /** The target is a Redis Cluster (default false). */
  cluster?: boolean;
  /** Retry budget (default: 8 attempts after the first, backoff from 50 ms doubling up to 2 s; see `ClusterRetry`). */
  retry?: Partial<RetryPolicy>;
}

/**
 * Opens a server or a cluster. Asks `INFO cluster` first and refuses a
 * cluster node without `cluster: true` and a plain server with it.
 *
 * @example
 * ```ts no-run
 * import { connectTarget } from "@kevy/persist/net";
 * const t = await connectTarget({ url: "redis://127.0.0.1:7000", cluster: true });
 * console.log(t.masters); // ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"]
 * await t.close();
 * ```
 */
export async function connectTarget(opts: ConnectTargetOptions): Promise<RedisTarget> {
  const { cluster, url, retry, ...conn } = opts;
  const ep = parseRedisUrl(url);
  const db = conn.db ?? ep.db;
  // The probe runs without SELECT: a cluster node refuses SELECT n > 0.
  const probe = await RedisConnection.connect({ ...conn, url, db: 0 });
  let enabled: boolean;
  try {
    const info = replyText(await probe.command(["INFO", "cluster"])) ?? "";
    enabled = /cluster_enabled:1/.test(info);
  } finally {
    await probe.close();
  }
  const where = endpointText(ep.host, ep.port);
  if (cluster) {
    if (!enabled) {
      throw new RedisClusterError(
        `${where} is not a cluster node (cluster_enabled:0): leave out cluster mode`,
      );
    }
    if (db !== undefined && db !== 0) {
      throw new RedisClusterError(`a Redis Cluster has database 0 only (asked for ${db})`);
    }
    const copts: RedisClusterOptions = { ...conn, urls: [url] };
    if (retry !== undefined) copts.retry = retry;
    return await RedisCluster.connect(copts);
  }
  if (enabled) {
    throw new RedisClusterError(
      `${where} is a Redis Cluster node: use cluster mode (--cluster), or its keys land on one node and the rest are refused with MOVED`,
    );
  }
  const nopts: RedisConnectionOptions & { retry?: Partial<RetryPolicy> } = { ...conn, url };
  if (db !== undefined) nopts.db = db;
  if (retry !== undefined) nopts.retry = retry;
  return await RedisNode.connect(nopts);
}
