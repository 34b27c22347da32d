// Event-loop stalls of the keyspace as it grows and while it is saved: the
// longest single `setString` while n keys are inserted (index and arena
// growth), and the longest gap of a 1 ms interval timer during `saveSnapshot`,
// `Aof.rewriteFrom`, `loadSnapshot` (async) of that store and a bring-up
// (`ShardFiles.open` of the snapshot and the rewritten log: 2n records), with each
// operation's wall time; beside each wall figure the CPU one (the machine's
// scheduler adds wall gaps that are not ours): the process's (every thread:
// GC helpers, fs threads) and the event-loop thread's alone. Each copy of the library runs in its own process:
//   npx deno run -A bench/stall_bench.ts [--n 4000000] [--rounds 1] [--no-load] [--grow-only] [--compare <other checkout>/bench/_lib.ts ...]
//   npx bun bench/stall_bench.ts [...]
// Figures are ms (the best of `--rounds` runs, interleaved: the machine's own
// noise only ever adds to a gap).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

type Mod = typeof import("./_lib.ts");
type Result = Record<string, number>;

const HERE = fileURLToPath(import.meta.url);
const SELF_MOD = fileURLToPath(new URL("./_lib.ts", import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Process CPU ms (user + system, every thread). */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Bun's thread CPU clock through bun:ffi, or null elsewhere. */
const bunClock: (() => number) | null = await (async () => {
  if ((globalThis as { Bun?: unknown }).Bun === undefined || process.platform !== "linux") {
    return null;
  }
  try {
    const spec = "bun:ffi";
    const ffi = await import(spec) as BunFfi;
    const lib = ffi.dlopen("libc.so.6", {
      clock_gettime: { args: [ffi.FFIType.i32, ffi.FFIType.ptr], returns: ffi.FFIType.i32 },
    });
    const ts = new BigInt64Array(2), at = ffi.ptr(ts);
    return () => {
      lib.symbols.clock_gettime(3, at); // CLOCK_THREAD_CPUTIME_ID
      return Number(ts[0]) * 1e3 + Number(ts[1]) / 1e6;
    };
  } catch {
    return null;
  }
})();

interface BunFfi {
  FFIType: { i32: number; ptr: number };
  ptr(a: BigInt64Array): number;
  dlopen(
    path: string,
    symbols: { clock_gettime: { args: number[]; returns: number } },
  ): { symbols: { clock_gettime: (clock: number, ts: number) => number } };
}

/**
 * CPU ms of the calling thread (the one running JS and the event loop):
 * `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through FFI on Deno (its
 * `process.threadCpuUsage` counts in 10 ms ticks, /proc's schedstat in
 * scheduler ticks) and on Bun (bun:ffi; its `threadCpuUsage` moves in 4 ms
 * steps), `process.threadCpuUsage` elsewhere.
 */
const threadCpu: () => number = (() => {
  const D = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
  if (D?.dlopen !== undefined && D.build.os === "linux") {
    try {
      const lib = D.dlopen("libc.so.6", {
        clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
      });
      const ts = new BigInt64Array(2), view = new Uint8Array(ts.buffer);
      const CLOCK_THREAD_CPUTIME_ID = 3;
      return () => {
        lib.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, view);
        return Number(ts[0]) * 1e3 + Number(ts[1]) / 1e6;
      };
    } catch { /* no FFI permission or no libc: fall through */ }
  }
  if ((globalThis as { Bun?: unknown }).Bun !== undefined && bunClock !== null) return bunClock;
  const p = process as { threadCpuUsage?: () => { user: number; system: number } };
  if (typeof p.threadCpuUsage !== "function") return cpu;
  return () => {
    const u = p.threadCpuUsage!();
    return (u.user + u.system) / 1000;
  };
})();

interface DenoFfi {
  build: { os: string };
  dlopen?: (
    path: string,
    symbols: { clock_gettime: { parameters: string[]; result: string } },
  ) => { symbols: { clock_gettime: (clock: number, ts: Uint8Array) => number } };
}

/** What {@link probe} measured, ms. */
interface Probe {
  wall: number;
  /** The call itself, until it returned its promise (a store's capture happens here). */
  call: number;
  gap: number;
  p99: number;
  cpuGap: number;
  /** The most CPU the event-loop thread spent between two ticks: the loop held by JS (and GC). */
  threadGap: number;
}

/**
 * Runs `fn` with a 1 ms interval timer beside it: wall ms, the synchronous
 * part of the call, the longest and 99th-percentile gap between ticks, and
 * the most CPU spent between two ticks (on a loaded machine a wall gap may be
 * the scheduler's; CPU between ticks is ours, plus the runtime's own threads).
 */
async function probe(fn: () => Promise<unknown>): Promise<Probe> {
  let last = performance.now(), lastCpu = cpu(), cgap = 0, lastT = threadCpu(), tgap = 0;
  let gaps: number[] = [];
  const t = setInterval(() => {
    const now = performance.now(), c = cpu(), tc = threadCpu();
    gaps.push(now - last);
    cgap = Math.max(cgap, c - lastCpu);
    tgap = Math.max(tgap, tc - lastT);
    last = now;
    lastCpu = c;
    lastT = tc;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  lastCpu = cpu();
  lastT = threadCpu();
  gaps = [];
  cgap = 0;
  tgap = 0;
  const t0 = performance.now();
  const p = fn();
  const call = performance.now() - t0;
  await p;
  const wall = performance.now() - t0;
  gaps.push(performance.now() - last);
  cgap = Math.max(cgap, cpu() - lastCpu);
  tgap = Math.max(tgap, threadCpu() - lastT);
  clearInterval(t);
  gaps.sort((a, b) => a - b);
  const p99 = gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))]!;
  return { wall, call, gap: gaps[gaps.length - 1]!, p99, cpuGap: cgap, threadGap: tgap };
}

function report(out: Result, name: string, r: Probe): void {
  out[`${name}: wall`] = r.wall;
  out[`${name}: the call (sync part)`] = r.call;
  out[`${name}: longest gap (wall)`] = r.gap;
  out[`${name}: p99 gap (wall)`] = r.p99;
  out[`${name}: longest gap (CPU)`] = r.cpuGap;
  out[`${name}: longest gap (loop thread CPU)`] = r.threadGap;
}

async function child(m: Mod, n: number, dir: string): Promise<Result> {
  const out: Result = {};
  const te = new TextEncoder();
  const val = te.encode("v".repeat(16));
  const s = new m.Store();
  // Per call: wall time. Per batch of B calls: CPU time (an upper bound of
  // any one call's, without a clock read per call that costs microseconds).
  const B = 256;
  let worst = 0, over5 = 0, worstCpu = 0, c0 = cpu();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = te.encode(`key:${i}`);
    const t = performance.now();
    s.setString(k, val);
    const d = performance.now() - t;
    if (d > worst) worst = d;
    if (d > 5) over5++;
    if (i % B === B - 1) {
      const c = cpu();
      worstCpu = Math.max(worstCpu, c - c0);
      c0 = c;
    }
  }
  out["grow: wall"] = performance.now() - t0;
  out["grow: longest setString (wall)"] = worst;
  out["grow: setString calls > 5 ms (wall)"] = over5;
  out[`grow: most CPU of ${B} setString calls`] = worstCpu;
  if (process.argv.includes("--grow-only")) return out;
  const path = join(dir, "dump.rdb");
  report(out, "saveSnapshot", await probe(() => m.saveSnapshot(s, path)));
  const aof = m.Aof.openSync(join(dir, "rw.aof"), { fsync: "no" });
  report(out, "rewriteFrom", await probe(() => aof.rewriteFrom(s)));
  await aof.close();
  if (process.argv.includes("--no-load")) return out;
  let loaded: { dbsize(): number } | null = null;
  report(out, "loadSnapshot", await probe(async () => loaded = await m.loadSnapshot(path)));
  if (loaded!.dbsize() !== n) throw new Error("load: count");
  loaded = null;
  // Bring-up: the snapshot, then a log of n SETs over the same keys (the rewrite's).
  let shard: { store: { dbsize(): number }; close(): Promise<void> } | null = null;
  const up = { snapshotPath: path, aofPath: join(dir, "rw.aof"), fsync: "no" as const };
  report(out, "bring-up", await probe(async () => shard = await m.ShardFiles.open(up)));
  if (shard!.store.dbsize() !== n) throw new Error("bring-up: count");
  await shard!.close();
  return out;
}

function selfCommand(args: string[]): [string, string[]] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, ["run", "-A", HERE, ...args]];
  return [process.execPath, [HERE, ...args]];
}

async function main(): Promise<void> {
  const n = Number(arg("--n") ?? 4_000_000);
  const childImpl = arg("--child");
  if (childImpl !== undefined) {
    const m = await import(childImpl) as Mod;
    console.log(JSON.stringify(await child(m, n, arg("--dir")!)));
    return;
  }
  const impls = [SELF_MOD];
  for (let i = 0; i < process.argv.length; i++) {
    if (process.argv[i] === "--compare") impls.push(process.argv[i + 1]!);
  }
  const rounds = Number(arg("--rounds") ?? 1);
  const cols: Result[] = impls.map(() => ({}));
  for (let r = 0; r < rounds; r++) {
    impls.forEach((impl, i) => {
      const dir = mkdtempSync(join(tmpdir(), "stall-bench-"));
      try {
        const extra = ["--no-load", "--grow-only"].filter((f) => process.argv.includes(f));
        const [cmd, args] = selfCommand([
          "--child",
          impl,
          "--n",
          String(n),
          "--dir",
          dir,
          ...extra,
        ]);
        const p = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
        if (p.status !== 0) throw new Error(`child ${impl} failed:\n${p.stderr}`);
        const got = JSON.parse(p.stdout.trim().split("\n").pop()!) as Result;
        for (const [k, v] of Object.entries(got)) {
          cols[i]![k] = Math.min(cols[i]![k] ?? Infinity, v);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const rt = g.Deno
    ? `deno ${g.Deno.version.deno}`
    : g.Bun
    ? `bun ${g.Bun.version}`
    : `node ${process.version}`;
  console.log(`${rt}, n = ${n}, best of ${rounds} (ms)`);
  const head = ["op", ...impls.map((p, i) => (i === 0 ? "this" : p))];
  const rows = Object.keys(cols[0]!).map((k) => [k, ...cols.map((c) => (c[k] ?? NaN).toFixed(1))]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  for (const r of [head, head.map((_, i) => "-".repeat(widths[i]!)), ...rows]) {
    console.log(
      `| ${
        r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")
      } |`,
    );
  }
}

await main();
