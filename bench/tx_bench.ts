// Transactions and blocking queues of the embedded store, one run, ratios within the run.
// `deno run -A bench/tx_bench.ts [--n=20000]` (or `bun bench/tx_bench.ts`) prints:
//   - SET one awaited call at a time vs the same SETs in multi() batches of 100, in memory
//     and under appendfsync "always" (3 shards, so a batch is one split group);
//   - compare-and-set increments (db.atomic) with 1 and 8 concurrent tasks (retries counted);
//   - a queue: 1,000 waiting blpop consumers served by RPUSHes of 100 (hand-offs/s);
//   - the cost of one keyspace-event listener on SET throughput.
import process from "node:process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../src/embedded/open.ts";

const n = Number(process.argv.find((a) => a.startsWith("--n="))?.slice(4) ?? 20_000);
const rt = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function tmp(): string {
  const dir = join(process.env.TMPDIR ?? "/tmp", `kevy-txbench-${Date.now()}-${Math.random()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function rate(ops: number, ms: number): string {
  return `${Math.round(ops / (ms / 1000)).toLocaleString("en-US")} ops/s`;
}

async function setsVsMulti(disk: boolean): Promise<void> {
  const dir = disk ? tmp() : null;
  const db = await openStore(
    dir === null ? { shards: 3 } : { dir, shards: 3, appendfsync: "always" },
  );
  const count = disk ? Math.min(n, 2_000) : n;
  let t0 = performance.now();
  for (let i = 0; i < count; i++) await db.set(`k${i}`, "v");
  const one = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < count; i += 100) {
    const tx = db.multi();
    for (let j = i; j < i + 100; j++) tx.set(`k${j}`, "w");
    await tx.exec();
  }
  const batched = performance.now() - t0;
  await db.close();
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  const label = disk ? "always, 3 shards" : "memory, 3 shards";
  console.log(
    `SET x${count} (${label}): one by one ${rate(count, one)}; multi() of 100 ${
      rate(count, batched)
    } (x${(one / batched).toFixed(1)})`,
  );
}

async function cas(tasks: number): Promise<void> {
  const db = await openStore();
  await db.set("c", "0");
  let runs = 0;
  const each = Math.floor(n / 4 / tasks);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: tasks }, async () => {
    for (let i = 0; i < each; i++) {
      await db.atomic(async (tx) => {
        runs++;
        await tx.watch("c");
        const v = Number(await tx.get("c"));
        return tx.multi().set("c", String(v + 1));
      }, { attempts: 1_000 });
    }
  }));
  const ms = performance.now() - t0;
  const done = Number(await db.get("c"));
  await db.close();
  console.log(
    `atomic() increments, ${tasks} task(s): ${rate(done, ms)}, ${
      (runs / done).toFixed(2)
    } runs per commit`,
  );
}

async function queue(): Promise<void> {
  const db = await openStore();
  const consumers = 1_000, rounds = Math.max(1, Math.floor(n / consumers / 2));
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const waits = Array.from({ length: consumers }, () => db.blpop("q", 0));
    for (let i = 0; i < consumers; i += 100) {
      await db.rpush("q", ...Array.from({ length: 100 }, (_, j) => String(i + j)));
    }
    await Promise.all(waits);
  }
  const ms = performance.now() - t0;
  await db.close();
  console.log(`blpop hand-offs (1,000 waiting consumers): ${rate(rounds * consumers, ms)}`);
}

async function events(): Promise<void> {
  const db = await openStore();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await db.set(`k${i}`, "v");
  const plain = performance.now() - t0;
  let seen = 0;
  const stop = db.onKeyspaceEvent(() => seen++);
  t0 = performance.now();
  for (let i = 0; i < n; i++) await db.set(`k${i}`, "w");
  await Promise.resolve();
  const listened = performance.now() - t0;
  stop();
  await db.close();
  console.log(
    `SET x${n} in memory: ${rate(n, plain)}; with a keyspace listener ${rate(n, listened)} ` +
      `(x${(plain / listened).toFixed(2)}; ${seen} events)`,
  );
}

console.log(`tx_bench on ${rt}, n=${n}`);
await setsVsMulti(false);
await setsVsMulti(true);
await cas(1);
await cas(8);
await queue();
await events();
