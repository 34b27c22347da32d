// Streams at scale: XADD / XRANGE / XREVRANGE / XREADGROUP+XACK throughput on
// a 1M-entry stream through the applier, heap bytes per entry (next to the
// neutral array layout streams were carried in before, measured in the same
// run, and to redis-server's MEMORY USAGE for the same entries when it is
// installed), and the snapshot / rewrite of that stream.
//   npx deno run -A --v8-flags=--expose-gc bench/stream_bench.ts [--n 1000000]
//   npx bun bench/stream_bench.ts [--n 1000000]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { applyCommand } from "../src/store/apply.ts";
import { Store } from "../src/store/store.ts";
import { decodeSnapshot, encodeSnapshot } from "../src/store/snapshot.ts";
import { SnapshotDecoder } from "../src/codec/snapshot_decoder.ts";
import { compactLogPieces } from "../src/persist/_rewrite_frames.ts";
import { encodeCommand } from "../src/codec/resp.ts";
import type { StreamValue } from "../src/codec/types.ts";

const te = new TextEncoder();
const argN = process.argv.indexOf("--n");
const N = argN >= 0 ? Number(process.argv[argN + 1]) : 1_000_000;
const T0 = 1_767_225_600_000;

function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const rows: Array<[string, string]> = [];
function row(name: string, value: string): void {
  rows.push([name, value]);
  console.log(`${name.padEnd(58)} ${value}`);
}

function rate(count: number, ms: number, unit = "ops/s"): string {
  return `${Math.round((count / ms) * 1000).toLocaleString("en-US")} ${unit} (${ms.toFixed(0)} ms)`;
}

const XADD = te.encode("XADD"), KEY = te.encode("s"), STAR = te.encode("*");
const TEMP = te.encode("temp"), HUM = te.encode("hum");
const vals = Array.from({ length: 1000 }, (_, i) => te.encode(String(15 + (i % 200) / 10)));

// --- XADD -------------------------------------------------------------------
let t = T0;
const store = new Store({ now: () => t });
const h0 = heap();
let start = performance.now();
for (let i = 0; i < N; i++) {
  if (i % 100 === 0) t++;
  const r = applyCommand(store, [
    XADD,
    KEY,
    STAR,
    TEMP,
    vals[i % 1000]!,
    HUM,
    vals[(i * 7) % 1000]!,
  ]);
  if (!r.ok) throw new Error(r.error);
}
row(`XADD * (2 fields), ${N.toLocaleString("en-US")} entries`, rate(N, performance.now() - start));
const perEntry = (heap() - h0) / N;
row("heap per entry, StreamData (nodes)", `${perEntry.toFixed(1)} B`);

// --- reads ----------------------------------------------------------------------
const XRANGE = te.encode("XRANGE"), XREVRANGE = te.encode("XREVRANGE"), COUNT = te.encode("COUNT");
const C100 = te.encode("100");
function page(verb: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array[][] {
  const r = applyCommand(store, [verb, KEY, from, to, COUNT, C100]);
  if (!r.ok) throw new Error(r.error);
  return r.reply as unknown as Uint8Array[][];
}
start = performance.now();
let seen = 0;
for (let from = te.encode("-");;) {
  const p = page(XRANGE, from, te.encode("+"));
  seen += p.length;
  if (p.length < 100) break;
  from = te.encode(`(${new TextDecoder().decode(p[p.length - 1]![0])}`);
}
row(
  "XRANGE - + COUNT 100, paging through every entry",
  rate(seen, performance.now() - start, "entries/s"),
);
start = performance.now();
seen = 0;
for (let to = te.encode("+");;) {
  const p = page(XREVRANGE, to, te.encode("-"));
  seen += p.length;
  if (p.length < 100) break;
  to = te.encode(`(${new TextDecoder().decode(p[p.length - 1]![0])}`);
}
row(
  "XREVRANGE + - COUNT 100, paging through every entry",
  rate(seen, performance.now() - start, "entries/s"),
);
const lastMs = t;
start = performance.now();
const pages = 20_000;
for (let i = 0; i < pages; i++) {
  const at = T0 + 1 + Math.floor(((i * 7919) % N) / 100);
  page(XRANGE, te.encode(String(at)), te.encode("+"));
}
row("XRANGE <random ms> + COUNT 100 (a page anywhere)", rate(pages, performance.now() - start));
void lastMs;

// --- consumer group ---------------------------------------------------------------
applyCommand(store, ["XGROUP", "CREATE", "s", "g", "0"]);
const XREADGROUP = ["XREADGROUP", "GROUP", "g", "c", "COUNT", "100", "STREAMS", "s", ">"].map((x) =>
  te.encode(x)
);
start = performance.now();
let delivered = 0;
for (;;) {
  const r = applyCommand(store, XREADGROUP);
  if (!r.ok) throw new Error(r.error);
  if (r.reply === null) break;
  const entries = (r.reply as unknown as Uint8Array[][][])[0]![1] as unknown as Uint8Array[][];
  delivered += entries.length;
  const ack = applyCommand(store, [
    te.encode("XACK"),
    KEY,
    te.encode("g"),
    ...entries.map((e) => e[0]!),
  ]);
  if (!ack.ok) throw new Error(ack.error);
}
row(
  "XREADGROUP COUNT 100 + XACK of each page",
  rate(delivered, performance.now() - start, "entries/s"),
);

// --- snapshot and rewrite -------------------------------------------------------------
start = performance.now();
const snap = encodeSnapshot(store, { now: t });
row(
  `encodeSnapshot (${(snap.length / 1e6).toFixed(0)} MB)`,
  `${(performance.now() - start).toFixed(0)} ms`,
);
// Same bytes, same run: the records as neutral entries put into a store (how
// streams loaded before the in-place stream path), then decodeSnapshot.
start = performance.now();
const viaEntries = new Store({ now: () => t });
const dec = new SnapshotDecoder({ now: t, onEntry: (e) => viaEntries.put(e) });
dec.push(snap);
dec.finish();
const before = performance.now() - start;
row("decode, entries as neutral objects + Store.put (before)", `${before.toFixed(0)} ms`);
start = performance.now();
const back = decodeSnapshot(snap, { now: t });
const after = performance.now() - start;
row("decodeSnapshot (stream records read in place)", `${after.toFixed(0)} ms`);
row("ratio before / after", `${(before / after).toFixed(1)}x`);
start = performance.now();
let logBytes = 0;
for (const p of compactLogPieces(back.entries(), t)) logBytes += p.length;
row(
  `AOF rewrite of the store (${(logBytes / 1e6).toFixed(0)} MB of frames)`,
  `${(performance.now() - start).toFixed(0)} ms`,
);

// --- the neutral layout, for comparison -------------------------------------------------
const neutral = store.getEntry(KEY)!.value as { type: "stream"; value: StreamValue };
const h1 = heap();
const copy: StreamValue = {
  ...neutral.value,
  entries: neutral.value.entries.map((e) => ({
    id: { ms: e.id.ms, seq: e.id.seq },
    fields: e.fields.map(([f, v]) => [f.slice(), v.slice()] as [Uint8Array, Uint8Array]),
  })),
};
const perNeutral = (heap() - h1) / N;
row("heap per entry, neutral StreamValue arrays (the old StreamBox)", `${perNeutral.toFixed(1)} B`);
row("ratio neutral / StreamData", `${(perNeutral / perEntry).toFixed(1)}x`);
void copy.entries.length;

// --- redis-server, for comparison ---------------------------------------------------------
if (spawnSync("redis-server", ["--version"]).status === 0) {
  const dir = mkdtempSync(join(tmpdir(), "kevy-stream-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const srv = spawnSync("redis-server", [
    "--port",
    String(port),
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "yes",
    "--logfile",
    join(dir, "log"),
  ]);
  if (srv.status === 0) {
    for (
      let i = 0;
      i < 50 && spawnSync("redis-cli", ["-p", String(port), "ping"]).status !== 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i < N; i++) {
      parts.push(
        encodeCommand([
          XADD,
          KEY,
          te.encode(`${T0 + 1 + Math.floor(i / 100)}-${i % 100}`),
          TEMP,
          vals[i % 1000]!,
          HUM,
          vals[(i * 7) % 1000]!,
        ]),
      );
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    spawnSync("redis-cli", ["-p", String(port), "--pipe"], { input: buf, maxBuffer: 1 << 30 });
    const mem = spawnSync("redis-cli", [
      "-p",
      String(port),
      "MEMORY",
      "USAGE",
      "s",
      "SAMPLES",
      "0",
    ]);
    const bytes = Number(new TextDecoder().decode(mem.stdout).trim());
    row("redis-server 7 MEMORY USAGE per entry (same entries)", `${(bytes / N).toFixed(1)} B`);
    row("ratio StreamData / redis-server", `${(perEntry / (bytes / N)).toFixed(1)}x`);
    spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
  }
  rmSync(dir, { recursive: true, force: true });
}
