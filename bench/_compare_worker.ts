// One measurement of bench/compare.ts, in a fresh process: builds its input
// (untimed), times one operation, prints one JSON line on stdout and exits.
//
//   <runtime> bench/_compare_worker.ts --lib=kevy --op=save --dataset=strings --n=1000000 --dir=/tmp/x
//
// The library under test is imported dynamically so that the same file runs
// against the sources (Deno, Bun: `./_lib.ts`) and against the npm build
// (Node: `KEVY_COMPARE_ESM=file:///.../npm/esm/`, set by compare_node.mjs).
import process from "node:process";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { enc, FIELDS, rssMB, stallProbe, VALUE, type WorkerResult } from "./_compare_common.ts";
import { peer } from "./_compare_peers.ts";

type Kevy = typeof import("./_lib.ts");

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

async function loadKevy(): Promise<Kevy> {
  const esm = process.env.KEVY_COMPARE_ESM;
  if (!esm) return await import("./_lib.ts");
  const parts = await Promise.all(
    ["codec", "store", "persist", "fs"].map((m) => import(new URL(`src/${m}/mod.js`, esm).href)),
  );
  return Object.assign({}, ...parts) as Kevy;
}

// ---- kevy

function keys(prefix: string, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => enc.encode(`${prefix}${i}`));
}

function kevyStore(k: Kevy, dataset: string, n: number): InstanceType<Kevy["Store"]> {
  const store = new k.Store();
  if (dataset === "strings") {
    for (let i = 0; i < n; i++) {
      store.put({
        key: enc.encode(`key:${i}`),
        value: { type: "string", value: VALUE },
        deadline: null,
      });
    }
  } else {
    const fields = keys("field:", FIELDS);
    for (let i = 0; i < n; i++) {
      const value: Array<[Uint8Array, Uint8Array]> = fields.map((f) => [f, VALUE.slice()]);
      store.put({ key: enc.encode(`hash:${i}`), value: { type: "hash", value }, deadline: null });
    }
  }
  return store;
}

/** The runtime's fs adapter, counting fdatasyncs of append handles. */
function countingFs(k: Kevy): { fs: ReturnType<Kevy["defaultFs"]>; syncs: () => number } {
  const base = k.defaultFs();
  let n = 0;
  type WF = Awaited<ReturnType<typeof base.openAppend>>;
  const wrap = (f: WF): WF => ({
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
  const fs = Object.create(base) as typeof base;
  fs.openAppend = async (p) => wrap(await base.openAppend(p));
  fs.openAppendSync = (p) => wrap(base.openAppendSync(p));
  return { fs, syncs: () => n };
}

async function kevy(
  op: string,
  a: Record<string, string>,
  n: number,
  file: string,
): Promise<WorkerResult> {
  const k = await loadKevy();
  const baseRssMB = rssMB();
  const dataset = a.dataset ?? "strings";
  if (op === "save") {
    const store = kevyStore(k, dataset, n);
    const t0 = performance.now();
    await k.saveSnapshot(store, file);
    const seconds = (performance.now() - t0) / 1000;
    return { ok: true, seconds, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "save_nodir") {
    // As Rust kevy measures a save: temp file, fsync, rename (no directory fsync).
    const store = kevyStore(k, dataset, n);
    const fs = k.defaultFs();
    const t0 = performance.now();
    const f = await fs.openWrite(`${file}.tmp`);
    for (const chunk of k.encodeSnapshotChunks(store.entries(), { now: Date.now() })) {
      await f.write(chunk);
    }
    await f.sync();
    await f.close();
    await fs.rename(`${file}.tmp`, file);
    const seconds = (performance.now() - t0) / 1000;
    return { ok: true, seconds, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "rewrite") {
    const store = kevyStore(k, dataset, n);
    rmSync(file, { force: true });
    const aof = await k.Aof.open(file, { fsync: "no" });
    const t0 = performance.now();
    await aof.rewriteFrom(store);
    const seconds = (performance.now() - t0) / 1000;
    await aof.close();
    return { ok: true, seconds, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "stall") {
    const store = kevyStore(k, dataset, n);
    const of = a.of ?? "save";
    let aof: Awaited<ReturnType<Kevy["Aof"]["open"]>> | null = null;
    if (of === "rewrite") {
      rmSync(file, { force: true });
      aof = await k.Aof.open(file, { fsync: "no" });
    }
    const r = await stallProbe(() =>
      aof !== null ? aof.rewriteFrom(store) : k.saveSnapshot(store, file)
    );
    await aof?.close();
    return { ok: true, ...r, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "bringup") {
    // The embedded store's bring-up: the snapshot `file`, then the log `aof` replayed over it.
    let shard: Awaited<ReturnType<Kevy["ShardFiles"]["open"]>> | null = null;
    const up = { snapshotPath: file, aofPath: a.aof!, fsync: "no" as const };
    const r = await stallProbe(async () => shard = await k.ShardFiles.open(up));
    const rss = rssMB();
    const items = shard!.store.dbsize();
    await shard!.close();
    if (items !== n) throw new Error(`brought up ${items} keys, expected ${n}`);
    return { ok: true, ...r, bytes: statSync(file).size, rssMB: rss, items, baseRssMB };
  }
  if (op === "load") {
    const t0 = performance.now();
    const store = await k.loadSnapshot(file);
    const seconds = (performance.now() - t0) / 1000;
    const rss = rssMB();
    const items = store.dbsize();
    if (items !== n) throw new Error(`loaded ${items} keys, expected ${n}`);
    return { ok: true, seconds, bytes: statSync(file).size, rssMB: rss, items, baseRssMB };
  }
  const SET = enc.encode("SET");
  if (op === "append") {
    const policy = a.policy as "no" | "everysec";
    const ks = keys("key:", n);
    rmSync(file, { force: true });
    const aof = await k.Aof.open(file, { fsync: policy });
    const argv = [SET, ks[0]!, VALUE]; // reused: append encodes synchronously
    const t0 = performance.now();
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < n; i++) {
      argv[1] = ks[i]!;
      last = aof.append(argv);
      if ((i & 0xffff) === 0xffff) await last; // let a turn's flush run
    }
    await last;
    const seconds = (performance.now() - t0) / 1000;
    await aof.close();
    return { ok: true, seconds, bytes: statSync(file).size, items: n, baseRssMB };
  }
  if (op === "always") {
    const writers = Number(a.writers ?? 1);
    const count = Number(a.count ?? 2048);
    const per = Math.ceil(count / writers);
    const ks = keys("key:", per * writers);
    rmSync(file, { force: true });
    const { fs, syncs } = countingFs(k);
    const aof = await k.Aof.open(file, { fsync: "always", fs });
    const s0 = syncs();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < per; i++) await aof.append([SET, ks[w * per + i]!, VALUE]);
    }));
    const seconds = (performance.now() - t0) / 1000;
    const s = syncs() - s0;
    await aof.close();
    return {
      ok: true,
      seconds,
      bytes: statSync(file).size,
      items: per * writers,
      syncs: s,
      baseRssMB,
    };
  }
  if (op === "parse") {
    // Replay without applying: the frame scanner alone (Rust's "replay, parse only").
    let frames = 0;
    const t0 = performance.now();
    await k.replayAof(file, () => void frames++);
    const seconds = (performance.now() - t0) / 1000;
    if (frames !== n) throw new Error(`parsed ${frames} frames, expected ${n}`);
    return { ok: true, seconds, bytes: statSync(file).size, items: frames, baseRssMB };
  }
  if (op === "replay") {
    const store = new k.Store();
    const t0 = performance.now();
    // replayAofInto is what the embedded store's bring-up (ShardFiles.open) uses.
    const stats = await k.replayAofInto(file, store);
    const seconds = (performance.now() - t0) / 1000;
    const rss = rssMB();
    if (store.dbsize() !== stats.frames) {
      throw new Error(`replayed ${stats.frames} frames into ${store.dbsize()} keys`);
    }
    return {
      ok: true,
      seconds,
      bytes: statSync(file).size,
      rssMB: rss,
      items: stats.frames,
      baseRssMB,
    };
  }
  throw new Error(`unknown op ${op}`);
}

async function main(): Promise<WorkerResult> {
  const a = args();
  const lib = a.lib ?? "kevy";
  const op = a.op ?? "save";
  const n = Number(a.n ?? 1_000_000);
  const file = a.file ?? join(a.dir ?? ".", "out.bin");
  return lib === "kevy" ? await kevy(op, a, n, file) : await peer(lib, op, a.dataset!, n, file);
}

let result: WorkerResult;
try {
  result = await main();
} catch (e) {
  const msg = (e as Error)?.stack ?? String(e);
  result = { ok: false, error: msg.split("\n").slice(0, 4).join(" | ") };
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
