// Filesystem adapter micro-benchmark: which implementation per operation.
//   npx deno run -A bench/fs_bench.ts     (node:fs vs Deno-native)
//   npx bun bench/fs_bench.ts             (node:fs vs Bun-native)
// Ops: append 100-byte records (one write each), append+fdatasync per record, whole-file read.
// Results are printed as ops/s (or MB/s); the chosen figures are copied into the adapters' headers.
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { createBunFs } from "../src/fs/bun.ts";
import { createDenoFs } from "../src/fs/deno.ts";
import { runtimeName } from "../src/fs/detect.ts";
import { nodeFs } from "../src/fs/node.ts";
import type { FsAdapter } from "../src/fs/types.ts";

const dir = fs.mkdtempSync(`${process.env.TMPDIR ?? "/tmp"}/kevy-fsbench-`);
const record = new Uint8Array(100).fill(42);
const APPENDS = 20_000;
const SYNCS = 300;
const ROUNDS = 3;

function report(label: string, n: number, ms: number, unit = "ops/s"): void {
  const rate = unit === "MB/s" ? n / 1e6 / (ms / 1000) : n / (ms / 1000);
  console.log(`${runtimeName()}\t${label.padEnd(34)}\t${rate.toFixed(0).padStart(9)} ${unit}`);
}

async function best(fn: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) min = Math.min(min, await fn());
  return min;
}

async function appendAdapter(a: FsAdapter, sync: boolean, n: number): Promise<number> {
  const p = `${dir}/${a.name}-${sync}.aof`;
  fs.rmSync(p, { force: true });
  const f = await a.openAppend(p);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    await f.write(record);
    if (sync) await f.syncData();
  }
  const ms = performance.now() - t;
  await f.close();
  return ms;
}

function appendAdapterSync(a: FsAdapter, n: number): number {
  const p = `${dir}/${a.name}-sync.aof`;
  fs.rmSync(p, { force: true });
  const f = a.openAppendSync(p);
  const t = performance.now();
  for (let i = 0; i < n; i++) f.writeSync(record);
  const ms = performance.now() - t;
  f.closeSync();
  return ms;
}

async function appendFileHandle(sync: boolean, n: number): Promise<number> {
  const p = `${dir}/filehandle-${sync}.aof`;
  fs.rmSync(p, { force: true });
  const h = await fsp.open(p, "a");
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    await h.write(record);
    if (sync) await h.datasync();
  }
  const ms = performance.now() - t;
  await h.close();
  return ms;
}

async function readAdapter(a: FsAdapter, p: string, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await a.readFile(p);
  return performance.now() - t;
}

const adapters: FsAdapter[] = [nodeFs];
if (runtimeName() === "deno") adapters.push(createDenoFs());
if (runtimeName() === "bun") adapters.push(createBunFs());

for (const a of adapters) {
  report(
    `append 100B async (${a.name})`,
    APPENDS,
    await best(() => appendAdapter(a, false, APPENDS)),
  );
}
report(
  "append 100B async (FileHandle)",
  APPENDS,
  await best(() => appendFileHandle(false, APPENDS)),
);
for (const a of adapters) {
  report(
    `append 100B writeSync (${a.name})`,
    APPENDS,
    await best(() => Promise.resolve(appendAdapterSync(a, APPENDS))),
  );
}
for (const a of adapters) {
  report(`append+fdatasync (${a.name})`, SYNCS, await best(() => appendAdapter(a, true, SYNCS)));
}
report("append+fdatasync (FileHandle)", SYNCS, await best(() => appendFileHandle(true, SYNCS)));

const small = `${dir}/small.bin`;
const big = `${dir}/big.bin`;
fs.writeFileSync(small, new Uint8Array(4096).fill(1));
fs.writeFileSync(big, new Uint8Array(64 << 20).fill(2));
for (const a of adapters) {
  report(`readFile 4 KiB (${a.name})`, 5000, await best(() => readAdapter(a, small, 5000)));
  report(
    `readFile 64 MiB (${a.name})`,
    10 * (64 << 20),
    await best(() => readAdapter(a, big, 10)),
    "MB/s",
  );
}
fs.rmSync(dir, { recursive: true, force: true });
