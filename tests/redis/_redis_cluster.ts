// A throw-away Redis Cluster for the tests: N masters (no replicas) on
// loopback ports, each a RedisServer in its own temp dir with its own
// cluster bus port, joined by `redis-cli --cluster create --cluster-yes`,
// ready once every node reports cluster_state:ok with all slots assigned.
// Nodes keep an AOF (appendfsync no: a SIGKILLed node loses nothing the
// kernel got) so a killed node restarts with its keys and its nodes.conf.
import { freePort, PortTakenError, RedisServer, run } from "./_redis_server.ts";

const td = new TextDecoder();

/** A running cluster. */
export class RedisTestCluster {
  private constructor(readonly nodes: RedisServer[], private readonly busPorts: number[]) {}

  /**
   * Starts `n` masters and creates the cluster (a few seconds at most).
   * `aof: false` (benchmarks) runs the nodes without persistence;
   * `ownSession` runs each in a session of its own (see RedisServerOptions).
   */
  static async start(
    n = 3,
    opts: { aof?: boolean; ownSession?: boolean } = {},
  ): Promise<RedisTestCluster> {
    const seen = new Set<number>();
    const freshPair = async (): Promise<[number, number]> => {
      for (;;) {
        const p = await freePort();
        const b = await freePort();
        if (p === b || seen.has(p) || seen.has(b)) continue;
        seen.add(p).add(b);
        return [p, b];
      }
    };
    const bus: number[] = [];
    const startNode = async (i: number): Promise<RedisServer> => {
      for (let attempt = 0;; attempt++) {
        const [port, busPort] = await freshPair();
        bus[i] = busPort;
        try {
          return await RedisServer.start({
            port,
            aof: opts.aof ?? true,
            ...(opts.ownSession === true ? { ownSession: true } : {}),
            args: [
              ...(opts.aof === false ? [] : ["--appendfsync", "no"]),
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              "nodes.conf",
              "--cluster-port",
              String(busPort),
              // Long enough that a node busy for seconds on a loaded machine (a Lua
              // scan of its keys, a slow fsync) is not voted failed by the others,
              // which would take the whole cluster down under a running test.
              "--cluster-node-timeout",
              "15000",
            ],
          });
        } catch (e) {
          // Another process took a port between freePort() and the bind.
          if (!(e instanceof PortTakenError) || attempt >= 5) throw e;
        }
      }
    };
    const nodes = await Promise.all(Array.from({ length: n }, (_, i) => startNode(i)));
    const ports = nodes.map((s) => s.port);
    const c = new RedisTestCluster(nodes, bus);
    try {
      const r = await run("redis-cli", [
        "--cluster",
        "create",
        ...ports.map((p) => `127.0.0.1:${p}`),
        "--cluster-yes",
      ]);
      if (r.code !== 0) {
        throw new Error(`redis-cli --cluster create: ${td.decode(r.stdout)}${r.stderr}`);
      }
      await c.waitOk();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  /** `redis://127.0.0.1:<port of node i>`. */
  url(i = 0): string {
    return this.nodes[i]!.url;
  }

  /** Waits until every running node says cluster_state:ok, all slots assigned, all nodes known. */
  async waitOk(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(
        this.nodes.map((s) => s.running ? s.cli(["CLUSTER", "INFO"]).catch(() => "") : ""),
      );
      const ok = infos.every((t) =>
        /cluster_state:ok/.test(t) && /cluster_slots_assigned:16384/.test(t) &&
        /cluster_slots_ok:16384/.test(t) &&
        new RegExp(`cluster_known_nodes:${this.nodes.length}\\b`).test(t)
      );
      if (ok) return;
      if (Date.now() > until) {
        throw new Error(`cluster not ok after ${timeoutMs} ms:\n${infos.join("\n")}`);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** The node id of node i. */
  async nodeId(i: number): Promise<string> {
    return (await this.nodes[i]!.cli(["CLUSTER", "MYID"])).trim();
  }

  /** Index of the node that serves `slot`, as node `asked` sees it. */
  async ownerOf(slot: number, asked = 0): Promise<number> {
    const out = await this.nodes[asked]!.cli(["--json", "CLUSTER", "SLOTS"]);
    const ranges = JSON.parse(out) as Array<[number, number, [string, number, string]]>;
    for (const [start, end, [, port]] of ranges) {
      if (slot >= start && slot <= end) return this.nodes.findIndex((n) => n.port === port);
    }
    throw new Error(`slot ${slot} not in CLUSTER SLOTS`);
  }

  /** For every slot, the index of the node serving it, as node 0 sees it. */
  async slotOwners(): Promise<Int8Array> {
    const out = await this.nodes[0]!.cli(["--json", "CLUSTER", "SLOTS"]);
    const owners = new Int8Array(16384).fill(-1);
    for (
      const [start, end, [, port]] of JSON.parse(out) as Array<[number, number, [string, number]]>
    ) {
      owners.fill(this.nodes.findIndex((n) => n.port === port), start, end + 1);
    }
    return owners;
  }

  /**
   * Moves an empty slot to node `to` the way `redis-cli --cluster reshard`
   * does: IMPORTING on the target, MIGRATING on the owner, then SETSLOT NODE
   * on the target first (which bumps its config epoch, so gossip cannot
   * bring the old owner back), the owner, and the others.
   */
  async moveEmptySlot(slot: number, to: number): Promise<void> {
    // A move made while an earlier bump is still gossiping can give the
    // target an epoch another node already holds; the older claim may then
    // win back the slot. Start from a settled cluster, and re-assert the
    // move (with a fresh epoch) while the nodes still disagree.
    await this.waitEpochsSettled();
    const from = await this.ownerOf(slot);
    if (from === to) return;
    const [toId, fromId] = [await this.nodeId(to), await this.nodeId(from)];
    const s = String(slot);
    await this.nodes[to]!.cli(["CLUSTER", "SETSLOT", s, "IMPORTING", fromId]);
    await this.nodes[from]!.cli(["CLUSTER", "SETSLOT", s, "MIGRATING", toId]);
    await this.nodes[to]!.cli(["CLUSTER", "SETSLOT", s, "NODE", toId]);
    await this.nodes[from]!.cli(["CLUSTER", "SETSLOT", s, "NODE", toId]);
    for (const [i, n] of this.nodes.entries()) {
      if (i !== to && i !== from) await n.cli(["CLUSTER", "SETSLOT", s, "NODE", toId]);
    }
    const until = Date.now() + 30_000;
    let reassertAt = Date.now() + 2_000;
    for (;;) {
      const seen = await Promise.all(this.nodes.map((_, i) => this.ownerOf(slot, i)));
      if (seen.every((o) => o === to)) return;
      if (Date.now() > until) throw new Error(`nodes do not agree on slot ${slot}: ${seen}`);
      if (Date.now() > reassertAt) {
        reassertAt = Date.now() + 2_000;
        await this.nodes[to]!.cli(["CLUSTER", "BUMPEPOCH"]);
        for (const n of this.nodes) await n.cli(["CLUSTER", "SETSLOT", s, "NODE", toId]);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Waits until every node reports the same cluster_current_epoch (bumps have spread). */
  private async waitEpochsSettled(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const epochs = await Promise.all(
        this.nodes.map(async (n) =>
          /cluster_current_epoch:(\d+)/.exec(await n.cli(["CLUSTER", "INFO"]))?.[1] ?? "?"
        ),
      );
      if (epochs.every((e) => e !== "?" && e === epochs[0])) return;
      if (Date.now() > until) throw new Error(`cluster epochs do not settle: ${epochs}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  /** Total keys on every node (DBSIZE summed). */
  async dbsize(): Promise<number> {
    let n = 0;
    for (const s of this.nodes) n += Number((await s.cli(["DBSIZE"])).trim());
    return n;
  }

  /** FLUSHALL on every node. */
  async flushAll(): Promise<void> {
    await Promise.all(this.nodes.map((s) => s.cli(["FLUSHALL"])));
  }

  /** SIGKILLs node i. */
  async kill(i: number): Promise<void> {
    await this.nodes[i]!.kill();
  }

  /** Restarts node i on its port and dir (same bus port) and waits for the cluster to be ok. */
  async restart(i: number): Promise<void> {
    this.nodes[i] = await this.nodes[i]!.restart();
    await this.waitOk();
  }

  /** Stops every node. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((s) => s.stop()));
  }

  /** The cluster bus ports (for messages). */
  get bus(): number[] {
    return this.busPorts;
  }
}

/** A short hash tag whose key hashes to `slot` (found by search; cached). */
export function slotTag(slot: number): string {
  const hit = TAGS.get(slot);
  if (hit !== undefined) return hit;
  for (let i = 0;; i++) {
    const t = `t${i}`;
    const s = crc16Slot(t);
    if (!TAGS.has(s)) TAGS.set(s, t);
    if (s === slot) return t;
  }
}

const TAGS = new Map<number, string>();

function crc16Slot(s: string): number {
  let crc = 0;
  for (let i = 0; i < s.length; i++) {
    crc ^= s.charCodeAt(i) << 8;
    for (let k = 0; k < 8; k++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc & 0x3fff;
}
