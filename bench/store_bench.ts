// Keyspace throughput and memory: 1M string keys `key:<i>` with 16-byte values
// (applyCommand SET, AOF replay, entries(), encode/decode, save/load, AOF
// rewrite, one shard's save / bring-up / rewrite, RSS after loading), and
// 100k hashes x 10 fields encode/decode.
// A plain script that prints a table (each implementation runs in its own
// child process, so one cannot warm up or pollute the heap of the other):
//   npx deno run -A bench/store_bench.ts [--n 1000000] [--cpu] [--rounds 1] [--only ops|rss|all] [--compare <other checkout>/bench/_lib.ts (or an old mod.ts) ...]
//   npx bun bench/store_bench.ts [--n 1000000] [--cpu] [--rounds 1] [--compare <other checkout>/bench/_lib.ts (or an old mod.ts) ...]
// `--compare` adds columns for other copies of the library (e.g. an older
// checkout) next to this one. `--cpu` times process CPU (user + system)
// instead of wall time (steadier on a loaded machine); `--rounds R` runs
// every copy R times, interleaved, and keeps each op's best figure. `--only ops`
// runs just the per-call paths (SET fresh/overwrite, GET, setString, lookup),
// `--only rss` just the RSS after loading.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

type Mod = typeof import("./_lib.ts");
type Result = Record<string, number>;

const HERE = fileURLToPath(import.meta.url);
const SELF_MOD = fileURLToPath(new URL("./_lib.ts", import.meta.url));
const te = new TextEncoder();
const NOW = 1767225600000;

function arg(name: string): string | undefined {
  const a = process.argv;
  const i = a.indexOf(name);
  return i >= 0 ? a[i + 1] : undefined;
}

function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

function rssMB(): number {
  gc();
  return Math.round(process.memoryUsage().rss / 1e6);
}

/** `--cpu`: times are process CPU (user + system, every thread), not wall time. */
const CPU = process.argv.includes("--cpu");

/** Milliseconds of wall time, or of CPU time under `--cpu`. */
function clock(): number {
  if (!CPU) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best of `runs` (ms); `setup` runs untimed before each. */
function best<T>(runs: number, setup: () => T, fn: (x: T) => unknown): number {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const x = setup();
    const t = clock();
    fn(x);
    b = Math.min(b, clock() - t);
  }
  return b;
}

async function child(m: Mod, n: number, dir: string, mode: string): Promise<Result> {
  const out: Result = {};
  const snapPath = join(dir, "dump.rdb");
  if (mode === "rss") {
    const before = rssMB();
    const s = m.loadSnapshotSync(snapPath);
    out["rss MB after loading (process total)"] = rssMB();
    out["rss MB after loading (minus empty runtime)"] = rssMB() - before;
    if (s.dbsize() !== n) throw new Error("rss: count");
    return out;
  }
  const keys: Uint8Array[] = [];
  for (let i = 0; i < n; i++) keys.push(te.encode(`key:${i}`));
  const val = te.encode("v".repeat(16));
  const SET = te.encode("SET");
  const fresh = () => new m.Store();
  if (mode === "ops") {
    // The per-call paths alone: fresh keys, overwrites, reads (ms per n calls = ns per call / 1000).
    out["applyCommand SET (fresh keys)"] = best(3, fresh, (s) => {
      for (let i = 0; i < n; i++) m.applyCommand(s, [SET, keys[i]!, val]);
    });
    const s = fresh();
    for (let i = 0; i < n; i++) m.applyCommand(s, [SET, keys[i]!, val]);
    const GET = te.encode("GET"), other = te.encode("w".repeat(16));
    out["applyCommand SET (overwrite)"] = best(3, () => 0, () => {
      for (let i = 0; i < n; i++) m.applyCommand(s, [SET, keys[i]!, other]);
    });
    out["applyCommand GET"] = best(3, () => 0, () => {
      for (let i = 0; i < n; i++) m.applyCommand(s, [GET, keys[i]!]);
    });
    out["Store.setString (fresh keys)"] = best(3, fresh, (t) => {
      for (let i = 0; i < n; i++) t.setString(keys[i]!, val);
    });
    out["Store.lookup"] = best(3, () => 0, () => {
      for (let i = 0; i < n; i++) s.lookup(keys[i]!);
    });
    return out;
  }
  out["applyCommand SET"] = best(2, fresh, (s) => {
    for (let i = 0; i < n; i++) m.applyCommand(s, [SET, keys[i]!, val]);
  });
  const aofPath = join(dir, "aof-0.aof");
  out["replay+apply AOF (SET frames)"] = best(2, fresh, (s) => {
    // replayAofIntoSync: the replay the embedded store's bring-up (ShardFiles.open) uses
    // (older checkouts given to --compare lack it: the argv path there).
    if (typeof m.replayAofIntoSync === "function") m.replayAofIntoSync(aofPath, s);
    else m.replayAofSync(aofPath, (argv) => m.applyCommand(s, argv));
    if (s.dbsize() !== n) throw new Error("replay: count");
  });
  const store = new m.Store({ now: () => NOW });
  for (let i = 0; i < n; i++) m.applyCommand(store, [SET, keys[i]!, val]);
  keys.length = 0;
  out["entries()"] = best(3, () => 0, () => {
    let c = 0;
    for (const _ of store.entries()) c++;
    if (c !== n) throw new Error("entries: count");
  });
  let image: Uint8Array = new Uint8Array(0);
  out["encodeSnapshot"] = best(3, () => 0, () => image = m.encodeSnapshot(store));
  out["decodeSnapshot"] = best(3, () => 0, () => m.decodeSnapshot(image, { now: NOW }));
  out["decodeSnapshot into a given store"] = best(
    2,
    () => new m.Store({ now: () => NOW }),
    (s) => m.decodeSnapshot(image, { now: NOW, store: s }),
  );
  const savePath = join(dir, "save.rdb");
  out["saveSnapshot (file, fsync)"] = await bestAsync(2, () => m.saveSnapshot(store, savePath));
  out["loadSnapshotSync (file)"] = best(2, () => 0, () => m.loadSnapshotSync(savePath));
  const aof = m.Aof.openSync(join(dir, "rw.aof"), { fsync: "no" });
  out["Aof.rewriteFrom"] = await bestAsync(1, () => aof.rewriteFrom(store));
  await aof.close();
  // One shard's save / bring-up from its snapshot / rewrite (the embedded store's paths).
  const sp = { snapshotPath: join(dir, "dump-s.rdb"), aofPath: join(dir, "aof-s.aof") };
  let shard = await m.ShardFiles.open({ ...sp, fsync: "no", store });
  out["ShardFiles.save"] = await bestAsync(2, () => shard.save());
  await shard.close();
  out["ShardFiles.open (from snapshot)"] = await bestAsync(2, async () => {
    shard = await m.ShardFiles.open({ ...sp, fsync: "no", store: new m.Store({ now: () => NOW }) });
    if (shard.store.dbsize() !== n) throw new Error("ShardFiles.open: count");
    await shard.close();
  });
  shard = await m.ShardFiles.open({ ...sp, fsync: "no", store: new m.Store({ now: () => NOW }) });
  out["ShardFiles.rewrite"] = await bestAsync(1, () => shard.rewrite());
  await shard.close();
  // 100k hashes x 10 fields.
  const hs = new m.Store({ now: () => NOW });
  for (let i = 0; i < n / 10; i++) {
    const value: Array<[Uint8Array, Uint8Array]> = [];
    for (let j = 0; j < 10; j++) {
      value.push([te.encode(`field:${j}`), te.encode(`value:${i}:${j}`)]);
    }
    hs.put({ key: te.encode(`hash:${i}`), value: { type: "hash", value }, deadline: NOW + 1e7 });
  }
  let himage: Uint8Array = new Uint8Array(0);
  out[`encode ${n / 10} hashes x 10`] = best(3, () => 0, () => himage = m.encodeSnapshot(hs));
  out[`decode ${n / 10} hashes x 10`] = best(
    3,
    () => 0,
    () => m.decodeSnapshot(himage, { now: NOW }),
  );
  return out;
}

async function bestAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = clock();
    await fn();
    b = Math.min(b, clock() - t);
  }
  return b;
}

/** The command line that runs this script again with `args`, under the same runtime. */
function selfCommand(args: string[]): [string, string[]] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, ["run", "-A", "--v8-flags=--expose-gc", HERE, ...args]];
  if (g.Bun) return [process.execPath, [HERE, ...args]];
  return [process.execPath, ["--expose-gc", HERE, ...args]];
}

function runChild(impl: string, n: number, dir: string, mode: string): Result {
  const [cmd, args] = selfCommand([
    "--child",
    impl,
    "--n",
    String(n),
    "--dir",
    dir,
    "--mode",
    mode,
    ...(CPU ? ["--cpu"] : []),
  ]);
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child ${impl} ${mode} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Result;
}

async function main(): Promise<void> {
  const n = Number(arg("--n") ?? 1_000_000);
  const childImpl = arg("--child");
  if (childImpl !== undefined) {
    const m = await import(childImpl) as Mod;
    console.log(JSON.stringify(await child(m, n, arg("--dir")!, arg("--mode") ?? "all")));
    return;
  }
  const m = await import(SELF_MOD) as Mod;
  const impls = [SELF_MOD];
  for (let i = 0; i < process.argv.length; i++) {
    if (process.argv[i] === "--compare") impls.push(process.argv[i + 1]!);
  }
  const dir = mkdtempSync(join(tmpdir(), "store-bench-"));
  try {
    // Inputs shared by every implementation: an AOF of n SETs, a snapshot of n strings.
    const w = new m.ByteWriter(n * 48);
    const val = "v".repeat(16);
    for (let i = 0; i < n; i++) m.encodeCommandInto(w, ["SET", `key:${i}`, val]);
    writeFileSync(join(dir, "aof-0.aof"), w.bytes());
    const s = new m.Store();
    for (let i = 0; i < n; i++) s.setValue(te.encode(`key:${i}`), te.encode(val));
    writeFileSync(join(dir, "dump.rdb"), m.encodeSnapshot(s));
    // `--rounds R`: every implementation R times, interleaved; the best figure of each op.
    const rounds = Number(arg("--rounds") ?? 1);
    const cols: Result[] = impls.map(() => ({}));
    for (let r = 0; r < rounds; r++) {
      impls.forEach((impl, i) => {
        const only = arg("--only");
        const got = only !== undefined
          ? runChild(impl, n, dir, only)
          : { ...runChild(impl, n, dir, "all"), ...runChild(impl, n, dir, "rss") };
        for (const [k, v] of Object.entries(got)) {
          cols[i]![k] = Math.min(cols[i]![k] ?? Infinity, v);
        }
      });
    }
    const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
    const rt = g.Deno
      ? `deno ${g.Deno.version.deno}`
      : g.Bun
      ? `bun ${g.Bun.version}`
      : `node ${process.version}`;
    console.log(`${rt}, n = ${n} (ms unless stated)`);
    const head = ["op", ...impls.map((p, i) => i === 0 ? "this" : p)];
    const rows = Object.keys(cols[0]!).map((
      k,
    ) => [k, ...cols.map((c) => (c[k] ?? NaN).toFixed(0))]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) {
      console.log(
        `| ${
          r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join(" | ")
        } |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
