// Size cliffs of one store, run by hand (heavy: gigabytes of memory; not in
// `npm test`):
//   npx deno run -A bench/size_soak.ts --overwrite [--live-mib 2300] [--value 1024] [--rounds 3]
//   npx deno run -A bench/size_soak.ts --big [--value-mib 512]
//   npx bun bench/size_soak.ts ...
// `--overwrite`: string keys holding `--live-mib` MiB of live values, each
// overwritten `--rounds` times (the arena fills with dead bytes and compacts),
// then saved, loaded back and compared (count and a sample). `--big`: one
// value of `--value-mib` MiB set, saved, loaded and compared. Prints the
// longest single write (wall), the peak RSS seen (sampled after each step
// and every 4096 writes) and each step's wall time, or the error a cliff
// throws.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSnapshot, saveSnapshot } from "../src/persist/mod.ts";
import { Store } from "../src/store/mod.ts";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const MIB = 1 << 20;
let peak = 0;
function rss(): number {
  const r = process.memoryUsage().rss / MIB;
  if (r > peak) peak = r;
  return r;
}

function key(i: number): Uint8Array {
  return new TextEncoder().encode(`key:${i}`);
}

async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const r = await fn();
  console.log(`${name}: ${(performance.now() - t).toFixed(0)} ms, rss ${rss().toFixed(0)} MiB`);
  return r;
}

async function saveLoad(s: Store, dir: string): Promise<Store> {
  const path = join(dir, "dump.rdb");
  await step("saveSnapshot", () => saveSnapshot(s, path));
  const back = await step("loadSnapshot", () => loadSnapshot(path));
  if (back.dbsize() !== s.dbsize()) {
    throw new Error(`loaded ${back.dbsize()} of ${s.dbsize()} keys`);
  }
  return back;
}

function same(a: Uint8Array | null, b: Uint8Array | null, what: string): void {
  if (a === null || b === null || a.length !== b.length) throw new Error(`${what}: length differs`);
  for (let i = 0; i < a.length; i += 4099) if (a[i] !== b[i]) throw new Error(`${what}: byte ${i}`);
}

async function overwrite(dir: string): Promise<void> {
  const live = arg("--live-mib", 2300) * MIB, vlen = arg("--value", 1024);
  const rounds = arg("--rounds", 3);
  const n = Math.ceil(live / vlen);
  console.log(
    `${n} keys x ${vlen} B = ${(n * vlen / MIB).toFixed(0)} MiB live, ${rounds} overwrites each`,
  );
  const s = new Store();
  const v = new Uint8Array(vlen);
  let worst = 0;
  for (let r = 0; r <= rounds; r++) {
    await step(r === 0 ? "fill" : `overwrite round ${r}`, () => {
      for (let i = 0; i < n; i++) {
        v[0] = r;
        v[vlen - 1] = i & 255;
        const t = performance.now();
        s.setString(key(i), v);
        const d = performance.now() - t;
        if (d > worst) worst = d;
        if ((i & 4095) === 0) rss();
      }
    });
  }
  console.log(`longest single setString: ${worst.toFixed(1)} ms`);
  const back = await saveLoad(s, dir);
  for (let i = 0; i < n; i += 9973) {
    same(back.lookup(key(i)) as Uint8Array, s.lookup(key(i)) as Uint8Array, `key:${i}`);
  }
}

async function big(dir: string): Promise<void> {
  const size = arg("--value-mib", 512) * MIB;
  const v = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) v[i] = i & 255;
  const base = rss();
  console.log(`one value of ${size / MIB} MiB (rss with it built: ${base.toFixed(0)} MiB)`);
  const s = new Store();
  await step("setString", () => s.setString(key(0), v));
  const back = await saveLoad(s, dir);
  same(back.lookup(key(0)) as Uint8Array, v, "the value");
}

const dir = mkdtempSync(join(tmpdir(), "size-soak-"));
try {
  if (process.argv.includes("--big")) await big(dir);
  else await overwrite(dir);
  console.log(`ok; peak rss ${peak.toFixed(0)} MiB`);
} catch (e) {
  console.log(`FAILED: ${(e as Error).stack ?? e}; peak rss ${peak.toFixed(0)} MiB`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
