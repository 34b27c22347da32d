// Persistence throughput. `deno run -A bench/persist_bench.ts [--n=1000000]`
// (or `bun bench/persist_bench.ts`) prints a table of figures; under
// `deno bench` only a small append case is registered.
import process from "node:process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Aof, type FsyncPolicy } from "../src/persist/aof.ts";
import { replayAof } from "../src/persist/replay.ts";
import { loadSnapshot, saveSnapshot } from "../src/persist/snapshot_file.ts";
import { defaultFs } from "../src/fs/detect.ts";
import type { FsAdapter, WritableFile } from "../src/fs/types.ts";
import { Store } from "../src/store/store.ts";
import { applyCommand } from "../src/store/apply.ts";

const enc = new TextEncoder();
const SET = enc.encode("SET");
const VALUE = enc.encode("0123456789abcdef"); // 16 B

// Keys are encoded up front so the figures measure the log, not TextEncoder.
let KEYS: Uint8Array[] = [];
function keyOf(i: number): Uint8Array {
  return KEYS[i] ?? enc.encode(`key:${i}`);
}

/** The runtime's fs, counting fdatasyncs. */
function countingFs(): { fs: FsAdapter; syncs: () => number } {
  const base = defaultFs();
  let n = 0;
  const wrap = (f: WritableFile): WritableFile => ({
    ...f,
    write: (d) => f.write(d),
    writeSync: (d) => f.writeSync(d),
    syncData: () => (n++, f.syncData()),
    syncDataSync: () => (n++, f.syncDataSync()),
    sync: () => f.sync(),
    syncSync: () => f.syncSync(),
    truncate: (l) => f.truncate(l),
    truncateSync: (l) => f.truncateSync(l),
    close: () => f.close(),
    closeSync: () => f.closeSync(),
  });
  const fs: FsAdapter = Object.create(base);
  fs.openAppend = async (p) => wrap(await base.openAppend(p));
  fs.openAppendSync = (p) => wrap(base.openAppendSync(p));
  return { fs, syncs: () => n };
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function appendMany(dir: string, policy: FsyncPolicy, n: number): Promise<string> {
  const path = join(dir, `aof-${policy}.aof`);
  rmSync(path, { force: true });
  const aof = await Aof.open(path, { fsync: policy });
  const t0 = performance.now();
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < n; i++) {
    last = aof.append([SET, keyOf(i), VALUE]);
    if (i % 65536 === 65535) await last; // one turn's worth, then let the flush run
  }
  await last;
  const ms = performance.now() - t0;
  await aof.close();
  console.log(
    `append ${policy.padEnd(8)} ${n} frames: ${ms.toFixed(0)} ms, ${rate(n, ms)} (${
      (statSync(path).size / 1048576).toFixed(1)
    } MiB)`,
  );
  return path;
}

async function always(dir: string, writers: number, perWriter: number): Promise<void> {
  const path = join(dir, `aof-always-${writers}.aof`);
  rmSync(path, { force: true });
  const { fs, syncs } = countingFs();
  const aof = await Aof.open(path, { fsync: "always", fs });
  const before = syncs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; i < perWriter; i++) await aof.append([SET, keyOf(w * perWriter + i), VALUE]);
  }));
  const ms = performance.now() - t0;
  const n = writers * perWriter;
  const s = syncs() - before;
  await aof.close();
  console.log(
    `append always, ${String(writers).padStart(2)} writers: ${n} frames in ${ms.toFixed(0)} ms, ${
      rate(n, ms)
    }, ${(n / s).toFixed(1)} frames/fdatasync (${s} fdatasyncs)`,
  );
}

async function main(n: number): Promise<void> {
  const dir = join(process.env.TMPDIR ?? "/tmp", `kevy-bench-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  try {
    console.log(`runtime: ${defaultFs().name}, n = ${n}`);
    KEYS = Array.from({ length: n }, (_, i) => enc.encode(`key:${i}`));
    const log = await appendMany(dir, "no", n);
    await appendMany(dir, "everysec", n);
    await always(dir, 1, 2000);
    await always(dir, 8, 500);
    await always(dir, 64, 100);

    // Replay alone (parse only): memory stays flat whatever the log size.
    const rss0 = process.memoryUsage().rss;
    peakRss = rss0;
    let t0 = performance.now();
    let frames = 0;
    await replayAof(log, () => {
      if ((++frames & 0xffff) === 0) sampleRss();
    });
    let ms = performance.now() - t0;
    console.log(
      `replay (parse only) ${frames} frames: ${ms.toFixed(0)} ms, ${rate(frames, ms)}; rss growth ${
        ((peakRss - rss0) / 1048576).toFixed(1)
      } MiB`,
    );

    let store = new Store();
    peakRss = 0;
    sampleRss();
    const rssBefore = process.memoryUsage().rss;
    const timer = setInterval(sampleRss, 20);
    t0 = performance.now();
    let k = 0;
    const stats = await replayAof(log, (argv) => {
      applyCommand(store, argv);
      if ((++k & 0xffff) === 0) sampleRss();
    });
    ms = performance.now() - t0;
    clearInterval(timer);
    sampleRss();
    console.log(
      `replay+apply ${stats.frames} frames: ${ms.toFixed(0)} ms, ${rate(stats.frames, ms)}; rss ${
        (rssBefore / 1048576).toFixed(0)
      } -> peak ${(peakRss / 1048576).toFixed(0)} MiB (file ${
        (stats.bytes / 1048576).toFixed(0)
      } MiB)`,
    );

    const rw = join(dir, "aof-rewrite.aof");
    const aof = await Aof.open(rw, { fsync: "no" });
    t0 = performance.now();
    await aof.rewriteFrom(store);
    ms = performance.now() - t0;
    await aof.close();
    console.log(
      `rewrite ${store.dbsize()} keys: ${ms.toFixed(0)} ms (${
        (statSync(rw).size / 1048576).toFixed(1)
      } MiB)`,
    );

    const snap = join(dir, "dump-0.rdb");
    t0 = performance.now();
    await saveSnapshot(store, snap);
    ms = performance.now() - t0;
    console.log(
      `snapshot save ${store.dbsize()} keys: ${ms.toFixed(0)} ms (${
        (statSync(snap).size / 1048576).toFixed(1)
      } MiB)`,
    );
    store = new Store();
    t0 = performance.now();
    const loaded = await loadSnapshot(snap);
    ms = performance.now() - t0;
    console.log(`snapshot load ${loaded.dbsize()} keys: ${ms.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const deno =
  (globalThis as { Deno?: { bench?: (name: string, fn: () => Promise<void>) => void } }).Deno;
if (import.meta.main === false && deno?.bench) {
  deno.bench("append 10k frames (fsync no)", async () => {
    const dir = join(process.env.TMPDIR ?? "/tmp", `kevy-bench-${Date.now()}-${Math.random()}`);
    mkdirSync(dir, { recursive: true });
    const aof = await Aof.open(join(dir, "a.aof"), { fsync: "no" });
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < 10_000; i++) last = aof.append([SET, keyOf(i), VALUE]);
    await last;
    await aof.close();
    rmSync(dir, { recursive: true, force: true });
  });
} else {
  const arg = process.argv.find((a) => a.startsWith("--n="));
  await main(arg ? Number(arg.slice(4)) : 1_000_000);
}
