// Migration benchmark: a 1M-key kevy data dir into a real 3-master Redis
// Cluster with migrateToRedis, side by side in the same run with
//   - `redis-cli --pipe` of the same keys (our RESP export) into one node,
//   - `redis-cli --cluster import` of the same keys from a standalone server.
// All servers run without persistence on loopback, on this machine.
//   npx deno run -A bench/migrate_bench.ts [--keys N] [--no-import] [--json FILE]
//   npx bun bench/migrate_bench.ts ...
import { spawn } from "node:child_process";
import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
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
    "no-import": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const N = Number(values.keys);
const SHARDS = Number(values.shards);
const enc = new TextEncoder();
const now = Date.now();

/** The keys: `user:<i>` strings of 24-40 bytes, a tenth with a TTL, 1 in 997 starting with NUL. */
function entry(i: number): Entry {
  const key = i % 997 === 0 ? enc.encode(`\x00user:${i}`) : enc.encode(`user:${i}`);
  return {
    key,
    value: { type: "string", value: enc.encode(`value-${i}-${"x".repeat(16 + (i % 17))}`) },
    deadline: i % 10 === 0 ? now + 86_400_000 + i : null,
  };
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

/** Runs a command with stdin from a file; resolves with its stdout. */
function runWithInput(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on(
      "close",
      (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd}: exit ${code}: ${out}`))),
    );
    createReadStream(input).pipe(child.stdin!);
  });
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => (out += d));
    child.stderr!.on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on(
      "close",
      (
        code,
      ) => (code === 0
        ? resolve(out)
        : reject(new Error(`${cmd}: exit ${code}: ${out.slice(-2000)}`))),
    );
  });
}

console.log(`${runtimeName()}: ${N} keys, ${SHARDS}-shard data dir`);
const work = tempDir("kevy-migrate-bench-");
const dir = join(work, "data");
{
  const stores = Array.from({ length: SHARDS }, () => new Store({ now: () => 0 }));
  const all = new Store({ now: () => 0 });
  for (let i = 0; i < N; i++) {
    const e = entry(i);
    stores[shardIndex(e.key, SHARDS, "kevyhash")]!.put(e);
    all.put(e);
  }
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  await writeShardsMeta(dir, { n: SHARDS, routing: "kevyhash" });
  for (let i = 0; i < SHARDS; i++) {
    await saveSnapshot(stores[i]!, join(dir, `dump-${i}.rdb`), { now: 0 });
  }
  // The same keys as RESP for redis-cli --pipe (what `kevy-persist dump --format resp` prints).
  const chunks: Uint8Array[] = [];
  for (const c of exportRedisCommands(all)) chunks.push(c.slice());
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    buf.set(c, at);
    at += c.length;
  }
  writeFileSync(join(work, "export.resp"), buf);
  console.log(`data dir and ${(total / 1e6).toFixed(1)} MB RESP export written`);
}

const cluster = await RedisTestCluster.start(3, { aof: false });
const single = await RedisServer.start({ aof: false });
const results: Record<string, unknown> = { runtime: runtimeName(), keys: N, shards: SHARDS };
try {
  // 1. Ours, into the cluster.
  const [stats, ms] = await timed(() =>
    migrateToRedis(dir, { url: cluster.url(0), cluster: true })
  );
  const inCluster = await cluster.dbsize();
  console.log(
    `migrateToRedis -> 3-master cluster: ${secs(ms)} s (${
      Math.round(N / (ms / 1000))
    } keys/s), ${inCluster} keys on the cluster`,
  );
  results.migrateCluster = { ms, keys: inCluster, copied: stats.keys };

  // 2. Ours, into one node (for reference).
  const [, msOne] = await timed(() => migrateToRedis(dir, { url: single.url, db: 1 }));
  console.log(`migrateToRedis -> one node:          ${secs(msOne)} s`);
  results.migrateOne = { ms: msOne };

  // 3. redis-cli --pipe of the same keys into one node.
  const [pipeOut, msPipe] = await timed(() =>
    runWithInput("redis-cli", ["-p", String(single.port), "--pipe"], join(work, "export.resp"))
  );
  const pipeKeys = Number((await single.cli(["DBSIZE"], 0)).trim());
  console.log(
    `redis-cli --pipe -> one node:        ${secs(msPipe)} s, ${pipeKeys} keys (${
      /errors: \d+/.exec(pipeOut)?.[0]
    })`,
  );
  results.pipeOne = { ms: msPipe, keys: pipeKeys };

  // 4. redis-cli --cluster import of the same keys (database 0 of the standalone server).
  if (!values["no-import"]) {
    await cluster.flushAll();
    const [, msImport] = await timed(() =>
      run("redis-cli", [
        "--cluster",
        "import",
        `127.0.0.1:${cluster.nodes[0]!.port}`,
        "--cluster-from",
        `127.0.0.1:${single.port}`,
        "--cluster-copy",
      ])
    );
    const imported = await cluster.dbsize();
    console.log(
      `redis-cli --cluster import -> cluster: ${
        secs(msImport)
      } s, ${imported} keys on the cluster (${pipeKeys - imported} not copied)`,
    );
    results.clusterImport = { ms: msImport, keys: imported };
    console.log(
      `ratio: migrateToRedis is ${(msImport / ms).toFixed(1)}x faster than --cluster import`,
    );
  }
  console.log(
    `ratio: migrateToRedis into the cluster takes ${
      (ms / msPipe).toFixed(2)
    }x the time of --pipe into one node`,
  );
} finally {
  await cluster.stop();
  await single.stop();
}
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2) + "\n");
