/**
 * A Redis Cluster's slot map: which master serves each of the 16384 hash
 * slots, read from `CLUSTER SHARDS` (Redis 7+) or `CLUSTER SLOTS` (older
 * servers), in RESP2 or RESP3 form.
 *
 * @module
 */

import { type Reply, replyText, RespMap } from "./reply.ts";

/** Number of hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/** One node of the map. */
export interface ClusterNode {
  /** Node id (40 hex characters), or `""` when the server did not say. */
  id: string;
  /** Host to connect to. */
  host: string;
  /** Port to connect to (the TLS port when the map was read for TLS). */
  port: number;
  /** `"master"` or `"replica"`. */
  role: "master" | "replica";
  /** `"online"`, `"failed"` or `"loading"` (CLUSTER SHARDS only; `"online"` otherwise). */
  health: string;
}

/** One contiguous range of slots and who serves it. */
export interface SlotRange {
  /** First slot. */
  start: number;
  /** Last slot (inclusive). */
  end: number;
  /** The master serving the range. */
  master: ClusterNode;
  /** Its replicas. */
  replicas: ClusterNode[];
}

/**
 * The slot ranges of a `CLUSTER SHARDS` reply. `seedHost` replaces an empty
 * or unknown address (a node that does not know its own address reports
 * `""` or `"?"`); `tls` picks each node's `tls-port`.
 *
 * @example
 * ```ts
 * import { parseClusterShards } from "@kevy/persist/net";
 * const reply = [[
 *   "slots", [0, 16383],
 *   "nodes", [["id", "a".repeat(40), "port", 7000, "ip", "127.0.0.1", "role", "master", "health", "online"]],
 * ]];
 * parseClusterShards(reply, "127.0.0.1")[0]!.master.port; // 7000
 * ```
 */
export function parseClusterShards(reply: Reply, seedHost: string, tls = false): SlotRange[] {
  if (!Array.isArray(reply)) throw new TypeError("CLUSTER SHARDS: expected an array of shards");
  const out: SlotRange[] = [];
  for (const shard of reply) {
    const f = fields(shard, "shard");
    const slots = f.get("slots");
    const nodes = f.get("nodes");
    if (!Array.isArray(slots) || !Array.isArray(nodes)) {
      throw new TypeError("CLUSTER SHARDS: a shard without slots or nodes");
    }
    let master: ClusterNode | null = null;
    const replicas: ClusterNode[] = [];
    for (const n of nodes) {
      const nf = fields(n, "node");
      const port = int(
        tls ? nf.get("tls-port") ?? nf.get("port") : nf.get("port") ?? nf.get("tls-port"),
      );
      const endpoint = replyText(nf.get("endpoint"));
      const ip = replyText(nf.get("ip"));
      const host = usable(endpoint) ?? usable(ip) ?? seedHost;
      const role = replyText(nf.get("role")) === "master" ? "master" : "replica";
      const node: ClusterNode = {
        id: replyText(nf.get("id")) ?? "",
        host,
        port,
        role,
        health: replyText(nf.get("health")) ?? "online",
      };
      if (role === "master") master = node;
      else replicas.push(node);
    }
    if (master === null) continue; // a shard whose master is gone serves nothing
    for (let i = 0; i + 1 < slots.length; i += 2) {
      out.push({ start: int(slots[i]), end: int(slots[i + 1]), master, replicas });
    }
  }
  return checkRanges(out);
}

/**
 * The slot ranges of a `CLUSTER SLOTS` reply (see {@link parseClusterShards}).
 *
 * @example
 * ```ts
 * import { parseClusterSlots } from "@kevy/persist/net";
 * const ranges = parseClusterSlots([[0, 16383, ["127.0.0.1", 7000, "a".repeat(40)]]], "127.0.0.1");
 * ranges[0]!.end; // 16383
 * ```
 */
export function parseClusterSlots(reply: Reply, seedHost: string): SlotRange[] {
  if (!Array.isArray(reply)) throw new TypeError("CLUSTER SLOTS: expected an array of ranges");
  const out: SlotRange[] = [];
  for (const r of reply) {
    if (!Array.isArray(r) || r.length < 3) throw new TypeError("CLUSTER SLOTS: a short range");
    const node = (x: Reply | undefined, role: "master" | "replica"): ClusterNode => {
      if (!Array.isArray(x) || x.length < 2) throw new TypeError("CLUSTER SLOTS: a bad node");
      return {
        id: replyText(x[2]) ?? "",
        host: usable(replyText(x[0])) ?? seedHost,
        port: int(x[1]),
        role,
        health: "online",
      };
    };
    out.push({
      start: int(r[0]),
      end: int(r[1]),
      master: node(r[2], "master"),
      replicas: r.slice(3).map((x) => node(x, "replica")),
    });
  }
  return checkRanges(out);
}

function usable(h: string | undefined): string | undefined {
  return h === undefined || h === "" || h === "?" ? undefined : h;
}

function int(x: Reply | undefined): number {
  const n = typeof x === "number" ? x : Number(replyText(x) ?? NaN);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TypeError(`cluster map: expected a number, got ${String(x)}`);
  }
  return n;
}

/** A flat key/value array (RESP2) or a map (RESP3) as a Map by key text. */
function fields(x: Reply | undefined, what: string): Map<string, Reply> {
  const m = new Map<string, Reply>();
  if (x instanceof RespMap) {
    for (const [k, v] of x.entries) m.set(replyText(k) ?? "", v);
    return m;
  }
  if (!Array.isArray(x)) throw new TypeError(`CLUSTER SHARDS: expected a ${what} record`);
  for (let i = 0; i + 1 < x.length; i += 2) m.set(replyText(x[i]) ?? "", x[i + 1]!);
  return m;
}

function checkRanges(ranges: SlotRange[]): SlotRange[] {
  for (const r of ranges) {
    if (r.start > r.end || r.end >= CLUSTER_SLOTS) {
      throw new TypeError(`cluster map: bad slot range ${r.start}-${r.end}`);
    }
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** The slots no range covers, as text (`"0-99, 16000"`), or `""` when all are covered. */
export function uncoveredSlots(ranges: ReadonlyArray<SlotRange>): string {
  const covered = new Uint8Array(CLUSTER_SLOTS);
  for (const r of ranges) covered.fill(1, r.start, r.end + 1);
  const parts: string[] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) {
    if (covered[s]) continue;
    let e = s;
    while (e + 1 < CLUSTER_SLOTS && !covered[e + 1]) e++;
    parts.push(s === e ? String(s) : `${s}-${e}`);
    s = e;
  }
  return parts.join(", ");
}
