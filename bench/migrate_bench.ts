// Migration benchmark: a 1M-key kevy data dir into a real 3-master Redis
// Cluster with migrateToRedis, side by side in the same run with
//   - migrateToRedis into one standalone server (default: without
//     overwriting, SET NX / MSETNX; and with `replace`, SET / MSET, which is
//     what `--pipe` does),
//   - `redis-cli --pipe` of the same keys into the same server, from a RESP
//     file made beforehand (`kevy-persist dump --format resp`; making it is
//     not timed: this is the floor of the pipe route),
//   - `kevy-persist dump --format resp <dir> | redis-cli --pipe`, the whole
//     pipe route as a user runs it (CLI start-up included),
//   - `redis-cli --cluster import` of the same keys from a standalone server.
// All servers run without persistence on loopback, on this machine. The
// methods take turns within each round (`--rounds`; --cluster import once,
// it is slow). Reported per method: the median wall time, and the CPU time
// of the client and of the servers; and, per round, the ratio of each
// method's wall time to `--pipe`'s in the same round (median over rounds):
// on a shared machine the load moves between rounds, a ratio within one
// round much less. Run it niced like the rest: nice -n 10.
//   nice -n 10 npx deno run -A bench/migrate_bench.ts [--keys N] [--rounds R] [--no-import] [--no-dump]
//     [--only cluster,one,replace,dump] [--data DIR] [--json FILE] [--own-sessions]
//   nice -n 10 npx bun bench/migrate_bench.ts ...
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { tempDir } from "../tests/_helpers.ts";
import { RedisServer } from "../tests/redis/_redis_server.ts";
import { RedisTestCluster } from "../tests/redis/_redis_cluster.ts";
import type { Entry } from "../src/codec/types.ts";
import { runtimeName } from "../src/fs/detect.ts";
import { saveSnapshot } from "../src/persist/snapshot_file.ts";
import { exportRedisCommands } from "../src/redis/export.ts";
import { migrateToRedis } from "../src/redis/migrate.ts";
import { shardIndex } from "../src/shard/routing.ts";
import { writeShardsMeta } from "../src/shard/shards_meta.ts";
import { Store } from "../src/store/store.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    keys: { type: "string", default: "1000000" },
    shards: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    "no-import": { type: "boolean", default: false },
    "no-dump": { type: "boolean", default: false },
    // Only these methods beside --pipe (the reference): cluster,one,replace,dump (default: all).
    only: { type: "string" },
    // Keep the data dir and RESP file here and reuse them when present (the
    // measuring process then never holds the 1M-key Stores that make them).
    data: { type: "string" },
    json: { type: "string" },
    // Every redis-server in a session of its own, as daemons run (see below).
    "own-sessions": { type: "boolean", default: false },
  },
});
const N = Number(values.keys);
const ONLY = values.only === undefined ? null : new Set(values.only.split(","));
/** Is this method part of the run? */
const wanted = (m: string): boolean => ONLY === null || ONLY.has(m);
const SHARDS = Number(values.shards);
const ROUNDS = Number(values.rounds);
const enc = new TextEncoder();
const now = Date.now();

/** The keys: `user:<i>` strings with 24-40 byte values, a tenth with a TTL, 1 in 997 starting with NUL. */
function entry(i: number): Entry {
  const key = i % 997 === 0 ? enc.encode(`\x00user:${i}`) : enc.encode(`user:${i}`);
  return {
    key,
    value: { type: "string", value: enc.encode(`value-${i}-${"x".repeat(16 + (i % 17))}`) },
    deadline: i % 10 === 0 ? now + 86_400_000 + i : null,
  };
}

const loadavg = (): string =>
  readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `cmd` under bash's `time` with stdin from `input` (or none); resolves with output and its CPU ms. */
function runTimed(cmd: string, input?: string): Promise<{ out: string; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const script = `TIMEFORMAT='CPU %U %S'; time (${cmd}${
      input !== undefined ? ` < '${input}'` : ""
    })`;
    const child = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => (out += d));
    child.stderr!.on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || m === null) {
        return reject(new Error(`${cmd}: exit ${code}: ${out}${err}`.slice(-2000)));
      }
      resolve({ out, cpuMs: (Number(m[1]) + Number(m[2])) * 1000 });
    });
  });
}

interface Run {
  wallMs: number;
  clientCpuMs: number;
  serverCpuMs: number;
  keys: number;
}

/** Times `fn` with the CPU of this process (client) and of `servers`. */
async function measure(
  servers: RedisServer[],
  fn: () => Promise<number | void>,
  count: () => Promise<number>,
): Promise<Run> {
  const s0 = servers.map((s) => s.cpuMs());
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const childCpu = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const serverCpuMs = servers.reduce((n, s, i) => n + s.cpuMs() - s0[i]!, 0);
  const clientCpuMs = typeof childCpu === "number" ? childCpu : (c.user + c.system) / 1000;
  return { wallMs, clientCpuMs, serverCpuMs, keys: await count() };
}

function report(label: string, runs: Run[], pipe: Run[]): Record<string, number> {
  const wall = median(runs.map((r) => r.wallMs));
  const client = median(runs.map((r) => r.clientCpuMs));
  const servers = median(runs.map((r) => r.serverCpuMs));
  // Each round's wall time over --pipe's in the same round.
  const ratio = median(runs.map((r, i) => r.wallMs / pipe[i]!.wallMs));
  const r = runs[runs.length - 1]!;
  console.log(
    `${label.padEnd(44)} ${(wall / 1000).toFixed(2).padStart(6)} s ${
      Math.round(N / (wall / 1000)).toString().padStart(8)
    } keys/s  cpu client ${(client / 1000).toFixed(2)} s, servers ${
      (servers / 1000).toFixed(2)
    } s  wall/pipe ${ratio.toFixed(2)}  ${r.keys} keys  [${
      runs.map((x) => (x.wallMs / 1000).toFixed(2)).join(", ")
    }]`,
  );
  return {
    wallMs: wall,
    clientCpuMs: client,
    serverCpuMs: servers,
    cpuMs: client + servers,
    wallOverPipe: ratio,
    keys: r.keys,
  };
}

console.log(
  `${runtimeName()}: ${N} keys, ${SHARDS}-shard data dir, ${ROUNDS} round(s)${
    values["own-sessions"] ? ", servers in their own sessions" : ""
  }; load ${loadavg()}`,
);
const work = values.data ?? tempDir("kevy-migrate-bench-");
const dir = join(work, "data");
const respFile = join(work, "export.resp");
const made = join(work, "made.json"); // what the kept data holds
const wantMade = JSON.stringify({ keys: N, shards: SHARDS });
if (existsSync(made) && readFileSync(made, "utf8") === wantMade) {
  console.log(`reusing the data dir and RESP export in ${work}`);
} else {
  const stores = Array.from({ length: SHARDS }, () => new Store({ now: () => 0 }));
  const all = new Store({ now: () => 0 });
  for (let i = 0; i < N; i++) {
    const e = entry(i);
    stores[shardIndex(e.key, SHARDS, "kevyhash")]!.put(e);
    all.put(e);
  }
  mkdirSync(dir, { recursive: true });
  await writeShardsMeta(dir, { n: SHARDS, routing: "kevyhash" });
  for (let i = 0; i < SHARDS; i++) {
    await saveSnapshot(stores[i]!, join(dir, `dump-${i}.rdb`), { now: 0 });
  }
  // The same keys as RESP for redis-cli --pipe (what `kevy-persist dump --format resp` prints).
  const chunks: Uint8Array[] = [];
  for (const c of exportRedisCommands(all)) chunks.push(c.slice());
  const buf = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    buf.set(c, at);
    at += c.length;
  }
  writeFileSync(respFile, buf);
  writeFileSync(made, wantMade);
  console.log(`data dir and ${(buf.length / 1e6).toFixed(1)} MB RESP export written`);
}

// With --own-sessions every server runs in a session of its own, as a
// redis-server daemon does: where the kernel shares CPU between sessions
// (sched_autogroup_enabled), a busy machine then gives each server its own
// share, as it gives each daemon, instead of one share for the benchmark and
// all its servers (which holds the three masters to what one server gets).
const ownSession = values["own-sessions"];
const cluster = await RedisTestCluster.start(3, { aof: false, ownSession });
const single = await RedisServer.start({ aof: false, ownSession });
const results: Record<string, unknown> = {
  runtime: runtimeName(),
  keys: N,
  shards: SHARDS,
  rounds: ROUNDS,
  serversOwnSessions: values["own-sessions"],
};
try {
  const runs: Record<string, Run[]> = { cluster: [], one: [], oneReplace: [], pipe: [], dump: [] };
  const countOne = async () => Number((await single.cli(["DBSIZE"])).trim());
  const cli = fileURLToPath(new URL("../src/cli/bin.ts", import.meta.url));
  const dumpCmd = runtimeName() === "bun" ? `npx bun ${cli}` : `npx deno run -A ${cli}`;
  const one = (replace: boolean) => async () =>
    void await migrateToRedis(dir, { url: single.url, ...(replace ? { replace } : {}) });
  // In turn within each round: --pipe first (the reference), then the others.
  const methods: Array<[string, () => Promise<number | void>, boolean]> = [
    [
      "cluster",
      async () => void await migrateToRedis(dir, { url: cluster.url(0), cluster: true }),
      true,
    ],
    ["one", one(false), false],
    ["oneReplace", one(true), false],
  ];
  if (!values["no-dump"]) {
    methods.push([
      "dump",
      async () =>
        (await runTimed(
          `${dumpCmd} dump --format resp ${dir} | redis-cli -p ${single.port} --pipe`,
        )).cpuMs,
      false,
    ]);
  }
  const picked = methods.filter(([m]) => wanted(m === "oneReplace" ? "replace" : m));
  for (let r = 0; r < ROUNDS; r++) {
    await single.cli(["FLUSHALL"]);
    runs.pipe!.push(
      await measure(
        [single],
        async () => (await runTimed(`redis-cli -p ${single.port} --pipe`, respFile)).cpuMs,
        countOne,
      ),
    );
    for (const [m, fn, intoCluster] of picked) {
      if (intoCluster) await cluster.flushAll();
      else await single.cli(["FLUSHALL"]);
      runs[m]!.push(
        await measure(
          intoCluster ? cluster.nodes : [single],
          fn,
          intoCluster ? () => cluster.dbsize() : countOne,
        ),
      );
    }
    console.log(`round ${r + 1} done; load ${loadavg()}`);
  }
  console.log(`load ${loadavg()}`);
  const pipe = runs.pipe!;
  results.pipeOne = report("redis-cli --pipe (RESP file ready) -> one node", pipe, pipe);
  const reported = (m: string, key: string, label: string): void => {
    if (runs[m]!.length > 0) results[key] = report(label, runs[m]!, pipe);
  };
  reported("dump", "dumpPipeOne", "dump --format resp | redis-cli --pipe -> one");
  reported("one", "migrateOne", "migrateToRedis -> one node");
  reported("oneReplace", "migrateOneReplace", "migrateToRedis replace -> one node");
  reported("cluster", "migrateCluster", "migrateToRedis -> 3-master cluster");
  if (!values["no-import"]) {
    // --cluster import reads database 0 of the standalone server (filled by the last --pipe).
    await cluster.flushAll();
    const imp = await measure(
      [...cluster.nodes, single],
      async () =>
        (await runTimed(
          `redis-cli --cluster import 127.0.0.1:${
            cluster.nodes[0]!.port
          } --cluster-from 127.0.0.1:${single.port} --cluster-copy > /dev/null`,
        )).cpuMs,
      () => cluster.dbsize(),
    );
    results.clusterImport = report("redis-cli --cluster import -> cluster", [imp], [pipe[0]!]);
    console.log(
      `  (--cluster import left ${N - imp.keys} of ${N} keys behind: the ones starting with NUL)`,
    );
  }
  const c = results.migrateCluster as { wallMs: number; cpuMs: number } | undefined;
  if (results.clusterImport !== undefined && c !== undefined) {
    const i = results.clusterImport as { wallMs: number; cpuMs: number };
    console.log(
      `ratio wall: --cluster import / migrateToRedis into the cluster = ${
        (i.wallMs / c.wallMs).toFixed(1)
      }x`,
    );
  }
  results.load = loadavg();
} finally {
  await cluster.stop();
  await single.stop();
}
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2) + "\n");
