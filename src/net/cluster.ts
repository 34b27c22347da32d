/**
 * A Redis Cluster client: the slot map from `CLUSTER SHARDS` (falling back
 * to `CLUSTER SLOTS`), one pipelined {@link RedisConnection} per master,
 * every key routed by its hash slot ({@link keyHashSlot}), and the cluster's
 * redirections handled:
 *
 * - `MOVED slot host:port`: the slot lives elsewhere now; the map is
 *   updated at once (and fully reloaded, at most once per refresh interval)
 *   and the command sent again to the new owner;
 * - `ASK slot host:port`: the slot is being migrated; `ASKING` + the command
 *   go to the target once, the map is left alone;
 * - `TRYAGAIN`, `CLUSTERDOWN`, and a node that cannot be reached: retried
 *   with exponential backoff, reloading the map, until the retry budget is
 *   spent; then the last error is thrown, naming the node.
 *
 * @module
 */

import { keyHashSlot } from "../shard/routing.ts";
import { type Arg, RedisConnection, type RedisConnectionOptions } from "./connection.ts";
import {
  endpointText,
  RedisClusterError,
  RedisConnectionError,
  RedisReplyError,
} from "./errors.ts";
import type { Reply } from "./reply.ts";
import { CLUSTER_SLOTS, parseClusterShards, parseClusterSlots, type SlotRange } from "./slots.ts";
import { parseRedisUrl } from "./url.ts";

/** How cluster operations retry (see {@link RedisClusterOptions.retry}). */
export interface ClusterRetry {
  /** Attempts after the first one (default 8). */
  attempts?: number;
  /** First backoff delay in ms, doubled each time (default 50). */
  baseDelayMs?: number;
  /** Largest backoff delay in ms (default 2000). */
  maxDelayMs?: number;
}

/** Options of {@link RedisCluster.connect}. */
export interface RedisClusterOptions
  extends Omit<RedisConnectionOptions, "url" | "host" | "port" | "db"> {
  /** Seed URLs (any node of the cluster); credentials and TLS are taken from the first one. */
  urls: string[];
  /** Retry budget for TRYAGAIN, CLUSTERDOWN, unreachable nodes (defaults in {@link ClusterRetry}). */
  retry?: ClusterRetry;
  /** Most redirections (MOVED/ASK) one command may follow (default 16). */
  maxRedirects?: number;
  /** Least time between two full map reloads caused by MOVED, ms (default 100). */
  refreshIntervalMs?: number;
}

/** The retry budget with every default filled in. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  attempts: number;
  /** First backoff delay (ms), doubled each time. */
  baseDelayMs: number;
  /** Largest backoff delay (ms). */
  maxDelayMs: number;
}

/** A redirection parsed from an error reply. */
export interface Redirect {
  /** `MOVED` or `ASK`. */
  kind: "MOVED" | "ASK";
  /** The slot. */
  slot: number;
  /** Host of the node to go to. */
  host: string;
  /** Its port. */
  port: number;
}

/**
 * The redirection an error reply asks for, or null.
 *
 * @example
 * ```ts
 * import { parseRedirect } from "@kevy/persist/net";
 * parseRedirect("MOVED 3999 127.0.0.1:6381"); // { kind: "MOVED", slot: 3999, host: "127.0.0.1", port: 6381 }
 * ```
 */
export function parseRedirect(reply: string): Redirect | null {
  const m = /^(MOVED|ASK) (\d+) (.*):(\d+)$/.exec(reply);
  if (m === null) return null;
  const host = m[3]!.startsWith("[") ? m[3]!.slice(1, -1) : m[3]!;
  return { kind: m[1] as "MOVED" | "ASK", slot: Number(m[2]), host, port: Number(m[4]) };
}

/** True for the error codes a cluster clears up by itself (retry after a pause). */
export function isTransientClusterError(code: string): boolean {
  return code === "TRYAGAIN" || code === "CLUSTERDOWN" || code === "LOADING";
}

/** The backoff before attempt `n` (0-based) of a retry. */
export function backoffMs(policy: RetryPolicy, n: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(n, 30));
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/**
 * A connected cluster. Create with {@link RedisCluster.connect}.
 *
 * @example
 * ```ts no-run
 * import { RedisCluster } from "@kevy/persist/net";
 * const c = await RedisCluster.connect({ urls: ["redis://127.0.0.1:7000"] });
 * await c.command(["SET", "user:1", "alice"]);
 * await c.close();
 * ```
 */
export class RedisCluster {
  /** Always true (see `RedisTarget`). */
  readonly isCluster = true;
  /** The retry budget. */
  readonly retry: RetryPolicy;
  /** Most redirections per command. */
  readonly maxRedirects: number;
  readonly #seeds: Array<{ host: string; port: number }>;
  readonly #connOpts: RedisConnectionOptions;
  readonly #tls: boolean;
  /** Slot -> index into #owners, -1 when unserved. */
  readonly #owner = new Int32Array(CLUSTER_SLOTS).fill(-1);
  #owners: string[] = [];
  #ranges: SlotRange[] = [];
  readonly #conns = new Map<string, Promise<RedisConnection>>();
  readonly #refreshMs: number;
  #lastRefresh = -Infinity;
  #refreshing: Promise<void> | null = null;
  #closed = false;

  private constructor(opts: RedisClusterOptions) {
    if (opts.urls.length === 0) {
      throw new TypeError("RedisCluster: at least one seed URL is needed");
    }
    const eps = opts.urls.map((u) => parseRedisUrl(u));
    const first = eps[0]!;
    for (const e of eps) {
      if (e.db !== undefined && e.db !== 0) {
        throw new TypeError(`a Redis Cluster has database 0 only (the URL asks for /${e.db})`);
      }
    }
    this.#seeds = eps.map((e) => ({ host: e.host, port: e.port }));
    this.#tls = first.tls || (opts.tls !== undefined && opts.tls !== false);
    const { urls: _u, retry: _r, maxRedirects: _m, refreshIntervalMs: _i, ...rest } = opts;
    this.#connOpts = { ...rest };
    if (this.#connOpts.tls === undefined && first.tls) this.#connOpts.tls = true;
    if (this.#connOpts.username === undefined && first.username !== undefined) {
      this.#connOpts.username = first.username;
    }
    if (this.#connOpts.password === undefined && first.password !== undefined) {
      this.#connOpts.password = first.password;
    }
    this.retry = {
      attempts: opts.retry?.attempts ?? 8,
      baseDelayMs: opts.retry?.baseDelayMs ?? 50,
      maxDelayMs: opts.retry?.maxDelayMs ?? 2000,
    };
    this.maxRedirects = opts.maxRedirects ?? 16;
    this.#refreshMs = opts.refreshIntervalMs ?? 100;
  }

  /** Connects to a seed, loads the slot map; throws if slots are not covered. */
  static async connect(opts: RedisClusterOptions): Promise<RedisCluster> {
    const c = new RedisCluster(opts);
    try {
      await c.refresh(true);
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** The slot ranges of the last map loaded, sorted by first slot. */
  get ranges(): ReadonlyArray<SlotRange> {
    return this.#ranges;
  }

  /** The masters (`host:port`) of the last map loaded. */
  get masters(): string[] {
    return [...new Set(this.#owners)];
  }

  /** The master (`host:port`) that serves `slot` by the current map, or undefined. */
  ownerOf(slot: number): string | undefined {
    const i = this.#owner[slot]!;
    return i < 0 ? undefined : this.#owners[i];
  }

  /** Records that `slot` is served by `host:port` (a MOVED reply). */
  moved(slot: number, host: string, port: number): void {
    const addr = endpointText(host, port);
    let i = this.#owners.indexOf(addr);
    if (i < 0) i = this.#owners.push(addr) - 1;
    this.#owner[slot] = i;
  }

  /**
   * Reloads the slot map from the first node that answers (seeds, then the
   * known masters). Concurrent calls share one reload; without `force`, a
   * reload within the refresh interval of the last one is skipped.
   */
  refresh(force = false): Promise<void> {
    if (this.#refreshing !== null) return this.#refreshing;
    if (!force && performance.now() - this.#lastRefresh < this.#refreshMs) return Promise.resolve();
    this.#refreshing = this.#load().finally(() => {
      this.#refreshing = null;
      this.#lastRefresh = performance.now();
    });
    return this.#refreshing;
  }

  async #load(): Promise<void> {
    const candidates = [
      ...this.#owners,
      ...this.#seeds.map((s) => endpointText(s.host, s.port)),
    ].reverse(); // seeds first
    const tried = new Set<string>();
    let last: unknown = null;
    for (const addr of candidates) {
      if (tried.has(addr)) continue;
      tried.add(addr);
      try {
        const conn = await this.connection(addr);
        // A partial map is still usable: unserved slots fail per command
        // (see uncoveredSlots for a message).
        this.#install(await this.#readMap(conn));
        return;
      } catch (e) {
        if (e instanceof RedisClusterError) throw e;
        last = e;
      }
    }
    throw new RedisClusterError(
      `cannot load the cluster's slot map from ${[...tried].join(", ")}: ${
        (last as Error)?.message ?? last
      }`,
    );
  }

  async #readMap(conn: RedisConnection): Promise<SlotRange[]> {
    try {
      return parseClusterShards(await conn.command(["CLUSTER", "SHARDS"]), conn.host, this.#tls);
    } catch (e) {
      if (!(e instanceof RedisReplyError)) throw e;
      if (/cluster support disabled/i.test(e.reply)) {
        throw new RedisClusterError(
          `${conn.address} is not a cluster node (cluster support disabled)`,
        );
      }
      if (!/unknown subcommand|unknown command/i.test(e.reply)) throw e;
    }
    return parseClusterSlots(await conn.command(["CLUSTER", "SLOTS"]), conn.host);
  }

  #install(ranges: SlotRange[]): void {
    const owners: string[] = [];
    this.#owner.fill(-1);
    for (const r of ranges) {
      if (r.master.health === "failed") continue;
      const addr = endpointText(r.master.host, r.master.port);
      let i = owners.indexOf(addr);
      if (i < 0) i = owners.push(addr) - 1;
      this.#owner.fill(i, r.start, r.end + 1);
    }
    this.#owners = owners;
    this.#ranges = ranges;
  }

  /** The connection to `host:port` (opened on first use; reopened after it broke). */
  async connection(addr: string): Promise<RedisConnection> {
    if (this.#closed) throw new RedisClusterError("the cluster client is closed");
    const have = this.#conns.get(addr);
    if (have !== undefined) {
      const c = await have.catch(() => null);
      if (c !== null && !c.closed) return c;
      if (this.#conns.get(addr) === have) this.#conns.delete(addr);
      if (c === null) return await this.connection(addr);
    }
    const { host, port } = splitAddress(addr);
    const p = RedisConnection.connect({ ...this.#connOpts, host, port });
    this.#conns.set(addr, p);
    p.catch(() => {
      if (this.#conns.get(addr) === p) this.#conns.delete(addr);
    });
    return await p;
  }

  /**
   * Sends one command to the master of `key`'s slot (default: `argv[1]`),
   * following MOVED/ASK and retrying TRYAGAIN/CLUSTERDOWN/unreachable nodes
   * within the budget. Rejects with the error reply (naming the command), a
   * {@link RedisConnectionError} or a {@link RedisClusterError}.
   */
  async command(argv: ReadonlyArray<Arg>, key?: Uint8Array | string): Promise<Reply> {
    const k = key ?? argv[1];
    if (k === undefined) {
      throw new TypeError("RedisCluster.command: a command without a key needs a key to route by");
    }
    const slot = keyHashSlot(typeof k === "string" ? new TextEncoder().encode(k) : k);
    let redirects = 0;
    let attempt = 0;
    let ask: string | null = null;
    for (;;) {
      const addr = ask ?? this.ownerOf(slot);
      try {
        if (addr === undefined) {
          throw new RedisClusterError(`slot ${slot} has no master in the cluster's slot map`);
        }
        const conn = await this.connection(addr);
        if (ask !== null) {
          const [, r] = await Promise.all([conn.command(["ASKING"]), conn.command(argv)]);
          return r;
        }
        return await conn.command(argv);
      } catch (e) {
        ask = null;
        if (e instanceof RedisReplyError) {
          const r = parseRedirect(e.reply);
          if (r !== null) {
            if (++redirects > this.maxRedirects) {
              throw new RedisClusterError(`too many redirections (${redirects}) for ${e.command}`);
            }
            if (r.kind === "MOVED") {
              this.moved(r.slot, r.host, r.port);
              void this.refresh().catch(() => {});
            } else ask = endpointText(r.host, r.port);
            continue;
          }
          if (!isTransientClusterError(e.code)) throw e;
        } else if (!(e instanceof RedisConnectionError) && !(e instanceof RedisClusterError)) {
          throw e;
        }
        if (attempt >= this.retry.attempts) throw e;
        await sleep(backoffMs(this.retry, attempt++));
        await this.refresh(true).catch(() => {});
      }
    }
  }

  /** Sends `argv` to every master; resolves with the replies by `host:port`. */
  async onEveryMaster(argv: ReadonlyArray<Arg>): Promise<Map<string, Reply>> {
    const out = new Map<string, Reply>();
    await Promise.all(this.masters.map(async (addr) => {
      out.set(addr, await (await this.connection(addr)).command(argv));
    }));
    return out;
  }

  /** Closes every connection (waiting for their replies). */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#conns.values()];
    this.#conns.clear();
    await Promise.all(all.map(async (p) => {
      const c = await p.catch(() => null);
      await c?.close();
    }));
  }
}

/** `host:port` or `[v6]:port` into its parts. */
export function splitAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  const h = addr.slice(0, i);
  return { host: h.startsWith("[") ? h.slice(1, -1) : h, port: Number(addr.slice(i + 1)) };
}
