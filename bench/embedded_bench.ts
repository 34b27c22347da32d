// Embedded store throughput. `deno run -A bench/embedded_bench.ts [--n=1000000]`
// (or `bun bench/embedded_bench.ts`) prints:
//   - SET / GET ops/s, one awaited call at a time, per fsync policy (and memory mode);
//   - `always` with 64 concurrent callers (ops/s and fdatasyncs per op);
//   - bring-up of an n-key, 4-shard directory from its AOFs and from snapshots.
// Under `deno bench` only a small memory-mode case is registered.
import process from "node:process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../src/embedded/open.ts";
import type { AppendFsync } from "../src/embedded/options.ts";

const VALUE = "0123456789abcdef";

function tmp(): string {
  const dir = join(
    process.env.TMPDIR ?? "/tmp",
    `kevy-ebench-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

function rate(n: number, ms: number): string {
  const r = n / (ms / 1000);
  return r >= 1e6
    ? `${(r / 1e6).toFixed(2)} M/s`
    : r >= 1e3
    ? `${(r / 1e3).toFixed(1)} k/s`
    : `${r.toFixed(0)} /s`;
}

async function setGet(policy: AppendFsync | "memory", n: number): Promise<void> {
  const dir = policy === "memory" ? undefined : tmp();
  const db = policy === "memory" || dir === undefined
    ? await openStore({ activeExpireIntervalMs: 0 })
    : await openStore({ dir, appendfsync: policy, activeExpireIntervalMs: 0 });
  try {
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await db.set(`key:${i}`, VALUE);
    const setMs = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < n; i++) await db.get(`key:${i}`);
    const getMs = performance.now() - t0;
    console.log(
      `${policy.padEnd(8)} SET ${rate(n, setMs).padStart(10)}  GET ${
        rate(n, getMs).padStart(10)
      }  (${n} sequential awaited calls)`,
    );
  } finally {
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function alwaysConcurrent(n: number, callers: number): Promise<void> {
  const dir = tmp();
  const db = await openStore({ dir, appendfsync: "always", activeExpireIntervalMs: 0 });
  try {
    const syncs0 = db.info().aofFsyncs.count;
    const t0 = performance.now();
    let next = 0;
    // `callers` independent loops, each awaiting its own SET: group commit batches them.
    await Promise.all(Array.from({ length: callers }, async () => {
      while (next < n) await db.set(`key:${next++}`, VALUE);
    }));
    const ms = performance.now() - t0;
    const syncs = db.info().aofFsyncs.count - syncs0;
    console.log(
      `always, ${callers} concurrent callers: SET ${rate(n, ms)}  (${n} ops, ${syncs} fdatasyncs, ${
        (n / Math.max(1, syncs)).toFixed(1)
      } ops per fdatasync)`,
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bringUp(n: number): Promise<void> {
  const dir = tmp();
  try {
    let db = await openStore({ dir, shards: 4, appendfsync: "no", activeExpireIntervalMs: 0 });
    let t0 = performance.now();
    const BATCH = 1000;
    for (let i = 0; i < n; i += BATCH) {
      const rec: Record<string, string> = {};
      for (let j = i; j < Math.min(n, i + BATCH); j++) rec[`key:${j}`] = VALUE;
      await db.mset(rec);
    }
    console.log(
      `fill ${n} keys (MSET x${BATCH}, 4 shards, fsync no): ${
        (performance.now() - t0).toFixed(0)
      } ms`,
    );
    await db.close();

    t0 = performance.now();
    db = await openStore({ dir, shards: 4, activeExpireIntervalMs: 0 });
    let ms = performance.now() - t0;
    let info = db.info();
    console.log(
      `bring-up from AOFs: ${
        ms.toFixed(0)
      } ms, ${info.keys} keys, ${info.lastReplay.frames} frames (${
        rate(info.lastReplay.frames, ms)
      })`,
    );
    t0 = performance.now();
    await db.save();
    console.log(`save() 4 shards: ${(performance.now() - t0).toFixed(0)} ms`);
    await db.close();

    t0 = performance.now();
    db = await openStore({ dir, shards: 4, activeExpireIntervalMs: 0 });
    ms = performance.now() - t0;
    info = db.info();
    console.log(
      `bring-up from snapshots: ${ms.toFixed(0)} ms, ${info.keys} keys (${rate(info.keys, ms)})`,
    );
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(n: number): Promise<void> {
  for (const p of ["memory", "no", "everysec"] as const) await setGet(p, 200_000);
  await setGet("always", 2_000);
  await alwaysConcurrent(20_000, 64);
  await bringUp(n);
}

const deno =
  (globalThis as { Deno?: { bench?: (name: string, fn: () => Promise<void>) => void } }).Deno;
if (import.meta.main === false && deno?.bench) {
  deno.bench("embedded memory SET+GET 10k", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    for (let i = 0; i < 10_000; i++) await db.set(`key:${i}`, VALUE);
    for (let i = 0; i < 10_000; i++) await db.get(`key:${i}`);
    await db.close();
  });
} else {
  const arg = process.argv.find((a) => a.startsWith("--n="));
  await main(arg ? Number(arg.slice(4)) : 1_000_000);
}
