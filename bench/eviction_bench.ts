// maxmemory and eviction. `npx deno run -A bench/eviction_bench.ts` (or `npx bun ...`) prints:
//   - a write stream under a cap (default 1 GiB of 1 KiB values into a 64 MiB cap,
//     allkeys-lru, memory mode): ops/s, usedMemory at the end, evicted keys, RSS before and
//     its peak (sampled every 4,096 writes);
//   - the hit rate of each policy on a skewed (Zipf) cache-aside workload (GET, SET on a
//     miss; every key has a TTL so the volatile-* policies have the same choice);
//   - the cost of the access tracking: SET and GET ops/s without a cap and under a cap
//     large enough that nothing is evicted (LRU, LFU), in this one process.
// Options: --stream-mib=1024 --cap-mib=64 --value=1024 --zipf-ops=400000 --zipf-keys=100000
//          --zipf-s=1.0 --zipf-cap-mib=4 --ops=300000 --rounds=5 --only=stream|zipf|cost
import process from "node:process";
import { openStore } from "../src/embedded/open.ts";
import type { MaxmemoryPolicy } from "../src/embedded/options.ts";

function opt(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const only = process.argv.find((x) => x.startsWith("--only="))?.slice(7) ?? null;
const MiB = 1024 * 1024;
const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "Bun"
  : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "Deno"
  : "Node";
const rss = () => process.memoryUsage().rss;
const mib = (b: number) => (b / MiB).toFixed(1);

async function stream(): Promise<void> {
  const total = opt("stream-mib", 1024) * MiB, cap = opt("cap-mib", 64) * MiB;
  const size = opt("value", 1024);
  const value = new Uint8Array(size).fill(120);
  const n = Math.ceil(total / size);
  const db = await openStore({ maxmemory: cap, maxmemoryPolicy: "allkeys-lru", evictionSeed: 1 });
  const rss0 = rss();
  let peak = rss0;
  const quarters: number[] = [0, 0, 0, 0]; // peak RSS per quarter of the stream: bounded?
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await db.set(`key:${i}`, value);
    if ((i & 4095) === 0) {
      const r = rss(), q = Math.min(3, Math.floor((4 * i) / n));
      if (r > peak) peak = r;
      if (r > quarters[q]!) quarters[q] = r;
    }
  }
  const s = (performance.now() - t0) / 1000;
  const info = db.info();
  console.log(
    `stream (${runtime}): ${n} SETs of ${size} B (${mib(n * size)} MiB) into a ${mib(cap)} MiB ` +
      `cap: ${Math.round(n / s)} ops/s; usedMemory ${mib(info.usedMemory)} MiB (peak ` +
      `${mib(info.usedMemoryPeak)}), ${info.keys} keys, ${info.evictedKeys} evicted; ` +
      `RSS ${mib(rss0)} MiB before, peak ${mib(peak)} MiB (x${(peak / cap).toFixed(2)} the cap); ` +
      `peak per quarter of the stream ${quarters.map(mib).join(" / ")} MiB`,
  );
  // What of the peak was garbage the runtime had not collected yet (dead arenas, requests).
  const gc = (globalThis as { Bun?: { gc(full: boolean): void } }).Bun?.gc ??
    (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc(true);
    console.log(`  after a full GC: RSS ${mib(rss())} MiB`);
  }
  await db.close();
}

/** A Zipf(s) sampler over 0..n-1 (rank 0 the most popular), seeded. */
function zipf(n: number, s: number, seed: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const u = (x / 4294967296) * sum;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    // Popularity is not key order: scatter the ranks over the key names.
    return (lo * 2654435761) % n;
  };
}

async function hitRates(): Promise<void> {
  const ops = opt("zipf-ops", 400_000), keys = opt("zipf-keys", 100_000);
  const s = opt("zipf-s", 1.0), cap = opt("zipf-cap-mib", 4) * MiB;
  const value = new Uint8Array(200).fill(97);
  const policies: MaxmemoryPolicy[] = [
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
  ];
  console.log(
    `hit rate (${runtime}): ${ops} GETs over ${keys} keys, Zipf s=${s}, 200-byte values, ` +
      `SET (1 h TTL) on a miss, ${mib(cap)} MiB cap; first ${ops / 4} GETs warm up`,
  );
  for (const policy of policies) {
    let now = 1_700_000_000_000;
    const db = await openStore({
      maxmemory: cap,
      maxmemoryPolicy: policy,
      evictionSeed: 7,
      now: () => now,
      activeExpireIntervalMs: 0,
    });
    const next = zipf(keys, s, 42);
    let hits = 0, counted = 0;
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) {
      now += 1; // a millisecond per request: 400k requests ~ 7 minutes of LFU decay
      const k = `obj:${next()}`;
      const hit = (await db.get(k)) !== null;
      if (!hit) await db.set(k, value, { px: 3_600_000 });
      if (i >= ops / 4) {
        counted++;
        if (hit) hits++;
      }
    }
    const ms = performance.now() - t0;
    const info = db.info();
    console.log(
      `  ${policy.padEnd(16)} hit rate ${(100 * hits / counted).toFixed(1)}%  ` +
        `(${info.keys} keys held, ${info.evictedKeys} evicted, ${
          Math.round(ops / ms * 1000)
        } req/s)`,
    );
    await db.close();
  }
}

async function cost(): Promise<void> {
  const n = opt("ops", 300_000);
  const value = new Uint8Array(16).fill(48);
  const keys = Array.from({ length: n }, (_, i) => `key:${i}`);
  const rounds = opt("rounds", 5);
  const cases: Array<[string, MaxmemoryPolicy | null]> = [
    ["no cap", null],
    ["cap, allkeys-lru", "allkeys-lru"],
    ["cap, allkeys-lfu", "allkeys-lfu"],
  ];
  const best = new Map<string, { set: number; get: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, policy] of cases) {
      const db = await openStore(
        policy === null ? {} : { maxmemory: 1024 * MiB, maxmemoryPolicy: policy, evictionSeed: 1 },
      );
      let t0 = performance.now();
      for (let i = 0; i < n; i++) await db.set(keys[i]!, value);
      const set = n / (performance.now() - t0) * 1000;
      t0 = performance.now();
      for (let i = 0; i < n; i++) await db.get(keys[i]!);
      const get = n / (performance.now() - t0) * 1000;
      await db.close();
      const b = best.get(name) ?? { set: 0, get: 0 };
      best.set(name, { set: Math.max(b.set, set), get: Math.max(b.get, get) });
    }
  }
  const base = best.get("no cap")!;
  console.log(
    `tracking cost (${runtime}): ${n} SETs then GETs, best of ${rounds} alternating rounds`,
  );
  for (const [name] of cases) {
    const b = best.get(name)!;
    console.log(
      `  ${name.padEnd(18)} SET ${Math.round(b.set)} ops/s (x${(b.set / base.set).toFixed(2)})  ` +
        `GET ${Math.round(b.get)} ops/s (x${(b.get / base.get).toFixed(2)})`,
    );
  }
}

if (only === null || only === "cost") await cost();
if (only === null || only === "zipf") await hitRates();
if (only === null || only === "stream") await stream();
