// Shard routing and re-shard benchmark.
//   npx deno run -A bench/shard_bench.ts      npx bun bench/shard_bench.ts
// 1. routing 1M keys with shardIndex (kevyhash, slots) vs applying 1M SETs;
// 2. re-shard of a 1M-key 4-shard directory to 2 (ensureLayout), with the
//    merge / redistribute / commit phases timed separately.
import { mkdtempSync, rmSync } from "node:fs";
import process from "node:process";
import { shardIndex } from "../src/shard/routing.ts";
import { ensureLayout } from "../src/shard/layout.ts";
import {
  commitReshard,
  mergeSources,
  redistribute,
  STANDARD_LAYOUT,
} from "../src/shard/reshard.ts";
import { writeShardsMeta } from "../src/shard/shards_meta.ts";
import { Store } from "../src/store/store.ts";
import { applyCommand } from "../src/store/apply.ts";
import { saveSnapshot } from "../src/persist/snapshot_file.ts";
import { runtimeName } from "../src/fs/detect.ts";

const N = Number(process.env.KEYS ?? 1_000_000);
const enc = new TextEncoder();
const keys: Uint8Array[] = [];
for (let i = 0; i < N; i++) keys.push(enc.encode(`user:${i}:profile`));
const value = enc.encode("x".repeat(32));
const SET = enc.encode("SET");

function line(label: string, ms: number, ops = N): void {
  const rate = ops / (ms / 1000);
  console.log(
    `${runtimeName()}\t${label.padEnd(40)}\t${ms.toFixed(0).padStart(7)} ms\t${
      (rate / 1e6).toFixed(2)
    } M/s`,
  );
}

function best(fn: () => void, rounds = 3): number {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

let sink = 0;
line(
  "route 1M keys, kevyhash n=4",
  best(() => {
    for (const k of keys) sink += shardIndex(k, 4, "kevyhash");
  }),
);
line(
  "route 1M keys, kevyhash n=3 (modulo)",
  best(() => {
    for (const k of keys) sink += shardIndex(k, 3, "kevyhash");
  }),
);
line(
  "route 1M keys, slots n=4",
  best(() => {
    for (const k of keys) sink += shardIndex(k, 4, "slots");
  }),
);
line(
  "apply 1M SETs (one store)",
  best(() => {
    const s = new Store();
    for (const k of keys) applyCommand(s, [SET, k, value]);
  }, 1),
);

// A 4-shard directory of N keys (routed by kevyhash), then re-shard to 2.
const dir = mkdtempSync(`${process.env.TMPDIR ?? "/tmp"}/kevy-shardbench-`);
const shards = [0, 1, 2, 3].map(() => new Store());
for (const k of keys) {
  shards[shardIndex(k, 4, "kevyhash")]!.put({
    key: k,
    value: { type: "string", value },
    deadline: null,
  });
}
for (let i = 0; i < 4; i++) await saveSnapshot(shards[i]!, `${dir}/dump-${i}.rdb`);
await writeShardsMeta(dir, { n: 4, routing: "kevyhash" });

let t = performance.now();
const merged = new Store();
await mergeSources(dir, 4, STANDARD_LAYOUT, merged, applyCommand);
const tMerge = performance.now() - t;
t = performance.now();
const stores = redistribute(merged, { n: 2, routing: "kevyhash" });
const tRedistribute = performance.now() - t;
line("re-shard phase: merge (load 4 snapshots)", tMerge);
line("re-shard phase: redistribute to 2", tRedistribute);
t = performance.now();
await commitReshard(dir, 4, { n: 2, routing: "kevyhash" }, stores, STANDARD_LAYOUT);
line("re-shard phase: commit (save 2, rename)", performance.now() - t);

// The whole thing through ensureLayout: 2 -> 4 (and the dir is back to 4 shards).
t = performance.now();
const r = await ensureLayout(dir, { n: 4, routing: "kevyhash" });
line(`ensureLayout 2 -> 4 (${r.keys} keys)`, performance.now() - t);
t = performance.now();
await ensureLayout(dir, { n: 2, routing: "kevyhash" });
line("ensureLayout 4 -> 2", performance.now() - t);
rmSync(dir, { recursive: true, force: true });
if (sink === -1) console.log(sink);
