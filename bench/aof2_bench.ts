// KEVYAOF2 vs KEVYAOF1 in one run: replay of n frames (SET key:<i> <16-byte
// value>) from a v2 log and a v1 log holding the same commands, alternating,
// and the append rate of each format. Target (issue 18): v2 replay <= 1.15x v1.
//
//   deno run -A bench/aof2_bench.ts [--n=1000000] [--runs=5] [--value=16]
//   bun bench/aof2_bench.ts [...]
//
// --value: bytes per value (default 16; the CRC's share grows with the value:
// v1 replay only makes views of the value bytes, v2 must checksum each one).
// --js: also run each v2 case with the WebAssembly CRC32C off (the JS loop),
// as "v2js", so the wasm gain shows in the same run.
// --kernels: also run v2 with the record check's SIMD kernel forced off
// ("v2scalar") and forced on ("v2simd"); plain "v2" is what the library
// picks on this runtime (SIMD where the module has it, except on Bun).
// --fs=mem: replay from an in-memory file system (CrashFs) instead of the
// disk, so read syscalls (noisy on a loaded machine) drop out and the ratio is
// the parse + CRC work alone; append stays on disk.
// --no-append: skip the append case (shorter runs when only replay matters).
// Cases: replay_into = replayAofInto (the store fast path, what openStore
// uses); replay_argv = replayAof with an argv callback that counts;
// append = Aof.append of n frames under fsync "no" (awaiting every 65536).
//
// On a shared machine wall times swing between rounds, so each round runs
// v1 and v2 back to back (order alternating) and the ratio is taken per
// round (paired) and then the median of those; CPU time of the process
// (user + system, process.cpuUsage) is reported beside wall time.
import process from "node:process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Aof } from "../src/persist/aof.ts";
import { replayAof, replayAofInto } from "../src/persist/replay.ts";
import { Store } from "../src/store/store.ts";
import { ByteWriter } from "../src/codec/bytes.ts";
import { AOF_MAGIC, encodeCommandInto } from "../src/codec/resp.ts";
import { AOF2_MAGIC, checkedRecordsEnd, encodeRecordInto } from "../src/codec/aof2.ts";
import { crc32c } from "../src/codec/crc32c.ts";
import { setUseSimd, setUseWasm, wasmCrc } from "../src/codec/_crc32c_wasm.ts";
import { CrashFs } from "../src/fs/crash.ts";

function flag(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a?.slice(a.indexOf("=") + 1);
}
const N = Number(flag("n") ?? 1_000_000);
const RUNS = Number(flag("runs") ?? 5);
const JS = process.argv.includes("--js");
const KERNELS = process.argv.includes("--kernels");
const APPEND = !process.argv.includes("--no-append");
const memFs = flag("fs") === "mem" ? new CrashFs() : null;
memFs?.mkdirSync("/bench");
const replayOpts = memFs !== null ? { fs: memFs } : {};
const dir = join(tmpdir(), `kevy-aof2-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const te = new TextEncoder();
const SET = te.encode("SET");
const VALUE = Number(flag("value") ?? 16);
const value = te.encode("0123456789abcdef".repeat(Math.ceil(VALUE / 16)).slice(0, VALUE));

function build(v2: boolean): string {
  const w = new ByteWriter(1 << 26);
  w.writeBytes(v2 ? AOF2_MAGIC : AOF_MAGIC);
  for (let i = 0; i < N; i++) {
    const argv = [SET, te.encode(`key:${i}`), value];
    if (v2) encodeRecordInto(w, argv);
    else encodeCommandInto(w, argv);
  }
  const path = join(dir, v2 ? "v2.aof" : "v1.aof");
  writeFileSync(path, w.bytes());
  if (memFs === null) return path;
  const mem = `/bench/${v2 ? "v2" : "v1"}.aof`;
  memFs.writeFileDurable(mem, w.bytes());
  return mem;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);
const G = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
const runtime = G.Deno
  ? `deno ${G.Deno.version.deno}`
  : G.Bun
  ? `bun ${G.Bun.version}`
  : `node ${process.version}`;

const v1 = build(false), v2 = build(true);
const sizeOf = (p: string) => memFs !== null ? memFs.readFileSync(p).length : statSync(p).size;
console.log(
  `${runtime}, n = ${N}, runs = ${RUNS}, value ${VALUE} B; v1 ${sizeOf(v1)} B, v2 ${
    sizeOf(v2)
  } B; CRC32C in ${
    wasmCrc !== null ? `WebAssembly (module: ${wasmCrc.kernel})` : "JS (no WebAssembly)"
  }; replay from ${memFs !== null ? "memory (CrashFs)" : "disk"}`,
);

// CRC32C throughput on a 64 MiB buffer (wasm and the JS loop).
for (const wasm of wasmCrc !== null ? [true, false] : [false]) {
  const b = new Uint8Array(64 << 20).map((_, i) => (i * 2654435761) >>> 24);
  const t: number[] = [];
  const was = setUseWasm(wasm);
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    crc32c(b);
    t.push(performance.now() - t0);
  }
  setUseWasm(was);
  console.log(
    `crc32c 64 MiB (${wasm ? "wasm" : "js"}): ${(64 / (min(t) / 1000)).toFixed(0)} MiB/s best, ${
      (64 / (median(t) / 1000)).toFixed(0)
    } median`,
  );
}

/** CPU ms (user + system) of this process since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};
// The record check alone (checkedRecordsEnd over the whole v2 log in memory),
// per kernel, CPU time: what a v2 replay adds to a v1 one, mostly.
{
  const log = memFs !== null ? memFs.readFileSync(v2) : new Uint8Array(readFileSync(v2));
  for (const simd of wasmCrc !== null && wasmCrc.kernel !== "scalar" ? [false, true] : [false]) {
    const was = setUseSimd(simd);
    const t: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const c0 = process.cpuUsage();
      if (checkedRecordsEnd(log, AOF2_MAGIC.length, log.length) !== log.length) {
        throw new Error("bad");
      }
      t.push(cpuSince(c0));
    }
    setUseSimd(was);
    const mib = log.length / 2 ** 20;
    console.log(
      `record check ${mib.toFixed(0)} MiB (${simd ? wasmCrc!.kernel : "scalar wasm"}): ${
        (mib / (min(t) / 1000)).toFixed(0)
      } MiB/s best, ${(mib / (median(t) / 1000)).toFixed(0)} median (CPU time)`,
    );
  }
}

const times: Record<string, number[]> = {};
const cpus: Record<string, number[]> = {};
const rec = (k: string, ms: number, cpu: number) => {
  (times[k] ??= []).push(ms);
  (cpus[k] ??= []).push(cpu);
};
const variants: Array<[string, string]> = [["v1", v1], ["v2", v2]];
if (JS) variants.push(["v2js", v2]);
if (KERNELS) variants.push(["v2scalar", v2], ["v2simd", v2]);
/** The library's own choice of record kernel, restored after the forced variants. */
const defaultSimd = setUseSimd(true);
setUseSimd(defaultSimd);
for (let r = 0; r < RUNS; r++) {
  // Rotate the order so no variant always runs first (or right after a GC-heavy one).
  const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
  for (const [name, path] of order) {
    const wasWasm = setUseWasm(name !== "v2js");
    setUseSimd(name === "v2simd" ? true : name === "v2scalar" ? false : defaultSimd);
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    const store = new Store();
    const s = await replayAofInto(path, store, replayOpts);
    rec(`replay_into ${name}`, performance.now() - t0, cpuSince(c0));
    if (s.frames !== N || store.dbsize() !== N) throw new Error(`${name}: ${s.frames} frames`);
    let count = 0;
    t0 = performance.now();
    c0 = process.cpuUsage();
    await replayAof(path, () => void count++, replayOpts);
    if (count !== N) throw new Error(`${name}: ${count} argv`);
    rec(`replay_argv ${name}`, performance.now() - t0, cpuSince(c0));
    if (!APPEND) {
      setUseWasm(wasWasm);
      continue;
    }
    const ap = join(dir, `append-${name}.aof`);
    rmSync(ap, { force: true });
    const aof = await Aof.open(ap, { fsync: "no", aofFormat: name === "v1" ? 1 : 2 });
    const keys = Array.from({ length: 65536 }, (_, i) => te.encode(`key:${i}`));
    t0 = performance.now();
    c0 = process.cpuUsage();
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < N; i++) {
      last = aof.append([SET, keys[i & 65535]!, value]);
      if ((i & 65535) === 65535) await last;
    }
    await last;
    rec(`append ${name}`, performance.now() - t0, cpuSince(c0));
    await aof.close();
    setUseWasm(wasWasm);
    setUseSimd(defaultSimd);
  }
}
console.log("case              median ms   best ms   cpu ms (median)   frames/s (median)");
for (const [k, xs] of Object.entries(times).sort()) {
  console.log(
    `${k.padEnd(17)} ${median(xs).toFixed(0).padStart(9)} ${min(xs).toFixed(0).padStart(9)} ${
      median(cpus[k]!).toFixed(0).padStart(12)
    }        ${(N / (median(xs) / 1000) / 1e6).toFixed(2)} M`,
  );
}
for (
  const c of APPEND ? ["replay_into", "replay_argv", "append"] : ["replay_into", "replay_argv"]
) {
  for (const v of variants.map(([name]) => name).filter((x) => x !== "v1")) {
    const w1 = times[`${c} v1`]!, w2 = times[`${c} ${v}`]!;
    const c1 = cpus[`${c} v1`]!, c2 = cpus[`${c} ${v}`]!;
    const paired = w2.map((t, i) => t / w1[i]!);
    const pairedCpu = c2.map((t, i) => t / c1[i]!);
    console.log(
      `${c}: ${v}/v1 wall = ${median(paired).toFixed(3)} (median of ${RUNS} paired rounds; ${
        Math.min(...paired).toFixed(3)
      }..${Math.max(...paired).toFixed(3)}), cpu = ${median(pairedCpu).toFixed(3)} (${
        Math.min(...pairedCpu).toFixed(3)
      }..${Math.max(...pairedCpu).toFixed(3)}), best/best wall ${(min(w2) / min(w1)).toFixed(3)}`,
    );
  }
}
// Issue 17's "replay, parse only" row: Rust's replay_aof with an empty
// callback (0.165 s for 1M frames, shared/spec/BENCH.md) is replay_argv here.
for (const v of variants.map(([name]) => name)) {
  const xs = times[`replay_argv ${v}`]!;
  console.log(
    `parse-only (replay_argv) ${v}: ${(median(xs) / 1000).toFixed(3)} s median wall, ${
      (min(xs) / 1000).toFixed(3)
    } s best, ${(median(cpus[`replay_argv ${v}`]!) / 1000).toFixed(3)} s median cpu; ` +
      `Rust kevy 1.17: 0.165 s (wall, quiet machine)`,
  );
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
rmSync(dir, { recursive: true, force: true });
