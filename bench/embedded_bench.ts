// Embedded store throughput. `deno run -A bench/embedded_bench.ts [--n=1000000]`
// (or `bun bench/embedded_bench.ts`) prints:
//   - SET / GET ops/s, one awaited call at a time, per fsync policy (and memory mode);
//   - `always` with 64 concurrent callers (ops/s and fdatasyncs per op);
//   - bring-up of an n-key, 4-shard directory from its AOFs and from snapshots,
//     save() and rewriteAof(), and bring-up from the rewritten AOFs.
// `--bringup [--compare <other checkout>/src/embedded/open.ts ...]` runs only
// the bring-up steps, each implementation in a child process, as a table;
// `--ops [--compare ...]` the same for sequential SET/GET calls (memory and
// `appendfsync: "no"`), `n` calls each; `--rounds=k` alternates the children k times
// and keeps the best of each step.
// Under `deno bench` only a small memory-mode case is registered.
import process from "node:process";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
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

type Open = typeof openStore;

/** Bring-up, save and rewrite of an n-key 4-shard directory; ms per step. */
async function bringUpTimes(open: Open, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const dir = tmp();
  try {
    let db = await open({ dir, shards: 4, appendfsync: "no", activeExpireIntervalMs: 0 });
    let t0 = performance.now();
    const BATCH = 1000;
    for (let i = 0; i < n; i += BATCH) {
      const rec: Record<string, string> = {};
      for (let j = i; j < Math.min(n, i + BATCH); j++) rec[`key:${j}`] = VALUE;
      await db.mset(rec);
    }
    out[`fill (MSET x${BATCH}, fsync no)`] = performance.now() - t0;
    await db.close();
    const step = async (name: string, fn: () => Promise<unknown>) => {
      t0 = performance.now();
      await fn();
      out[name] = performance.now() - t0;
    };
    const reopen = async () => {
      db = await open({ dir, shards: 4, activeExpireIntervalMs: 0 });
      if (db.info().keys !== n) throw new Error(`bring-up: ${db.info().keys} keys`);
    };
    await step("bring-up from AOFs", reopen);
    await step("save() 4 shards", () => db.save());
    await db.close();
    await step("bring-up from snapshots", reopen);
    await step("save() 4 shards (again)", () => db.save());
    await step("rewriteAof() 4 shards", () => db.rewriteAof());
    await db.close();
    await step("bring-up from rewritten AOFs", reopen);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Sequential awaited SET then GET of n keys, in memory and with an AOF (fsync no); ms per step. */
async function opsTimes(open: Open, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const policy of ["memory", "no"] as const) {
    const dir = policy === "memory" ? undefined : tmp();
    const db = dir === undefined
      ? await open({ activeExpireIntervalMs: 0 })
      : await open({ dir, appendfsync: "no", activeExpireIntervalMs: 0 });
    try {
      let best = Infinity, bestGet = Infinity;
      for (let round = 0; round < 3; round++) {
        let t0 = performance.now();
        for (let i = 0; i < n; i++) await db.set(`key:${i}`, VALUE);
        best = Math.min(best, performance.now() - t0);
        t0 = performance.now();
        for (let i = 0; i < n; i++) await db.get(`key:${i}`);
        bestGet = Math.min(bestGet, performance.now() - t0);
      }
      out[`SET x${n} (${policy})`] = best;
      out[`GET x${n} (${policy})`] = bestGet;
    } finally {
      await db.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

async function bringUp(n: number): Promise<void> {
  const t = await bringUpTimes(openStore, n);
  for (const [k, ms] of Object.entries(t)) {
    console.log(`${k}: ${ms.toFixed(0)} ms (${rate(n, ms)} keys)`);
  }
}

/**
 * `--bringup [--compare <other open.ts> ...]`: only the n-key bring-up / save /
 * rewrite steps, each implementation in its own child process, as a table.
 */
function bringUpCompare(n: number, impls: string[], mode: "bringup" | "ops"): void {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const here = fileURLToPath(import.meta.url);
  // Children alternate (this, other, this, other...) `--rounds` times; the best
  // of each step is kept, so a noisy neighbour cannot favour one column.
  const roundsArg = process.argv.find((a) => a.startsWith("--rounds="));
  const rounds = roundsArg ? Number(roundsArg.slice(9)) : 1;
  const cols: Array<Record<string, number>> = impls.map(() => ({}));
  for (let round = 0; round < rounds; round++) {
    impls.forEach((impl, i) => {
      const args = g.Deno
        ? ["run", "-A", here, "--child", impl, `--n=${n}`, `--${mode}`]
        : [here, "--child", impl, `--n=${n}`, `--${mode}`];
      const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`child ${impl} failed:\n${r.stderr}`);
      const got = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
      for (const [k, ms] of Object.entries(got)) {
        cols[i]![k] = Math.min(cols[i]![k] ?? Infinity, ms);
      }
    });
  }
  const rt = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : "node";
  console.log(mode === "ops" ? `${rt}, ${n} calls (ms)` : `${rt}, ${n} keys, 4 shards (ms)`);
  const head = ["step", ...impls.map((p, i) => i === 0 ? "this" : p)];
  const rows = Object.keys(cols[0]!).map((k) => [k, ...cols.map((c) => (c[k] ?? NaN).toFixed(0))]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) {
    console.log(
      `| ${r.map((c, i) => i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!)).join(" | ")} |`,
    );
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
  const argv = process.argv;
  const arg = argv.find((a) => a.startsWith("--n="));
  const n = arg ? Number(arg.slice(4)) : 1_000_000;
  const child = argv.indexOf("--child");
  if (child >= 0) {
    const m = await import(argv[child + 1]!) as { openStore: Open };
    const times = argv.includes("--ops") ? opsTimes : bringUpTimes;
    console.log(JSON.stringify(await times(m.openStore, n)));
  } else if (argv.includes("--bringup") || argv.includes("--ops")) {
    const impls = [fileURLToPath(new URL("../src/embedded/open.ts", import.meta.url))];
    for (let i = 0; i < argv.length; i++) if (argv[i] === "--compare") impls.push(argv[i + 1]!);
    bringUpCompare(n, impls, argv.includes("--ops") ? "ops" : "bringup");
  } else await main(n);
}
