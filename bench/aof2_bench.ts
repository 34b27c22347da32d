// KEVYAOF2 vs KEVYAOF1 in one run: replay of n frames (SET key:<i> <value>)
// from a v2 log and a v1 log holding the same commands, and the append rate
// of each format. Target (issue 18): v2 replay <= 1.15x v1.
//
//   deno run -A --v8-flags=--expose-gc bench/aof2_bench.ts [options]
//   bun bench/aof2_bench.ts [options]
//
// --n=1000000        frames per log
// --runs=11          paired rounds per case (each round: every variant once)
// --warmup=1         untimed runs of every variant before the rounds (JIT and
//                    wasm tier-up out of the figures)
// --value=16         bytes per value (the CRC's share grows with the value:
//                    v1 replay only makes views of the value bytes, v2 must
//                    checksum each one)
// --cases=into,argv  any of into (replayAofInto: the store fast path, what
//                    openStore uses), argv (replayAof with an argv callback
//                    that counts), visit (replayAofFrames with a visitor
//                    that counts: frames as offsets in a reused cursor, no
//                    argv views; issue 17's "parse only"), append (Aof.append
//                    of n frames, fsync "no", awaiting every 65536)
// --js               also "v2js": v2 with the JS CRC32C (wasm off)
// --kernels          also "v2scalar" / "v2simd": the record check's SIMD
//                    kernel forced off / on ("v2" is the library's choice)
// --fs=mem           replay from an in-memory file system (CrashFs): no read
//                    syscalls, the ratio is parse + CRC alone
// --fresh            every sample in a fresh child process (variants
//                    interleaved, warm-up runs inside each child): nothing a
//                    variant leaves behind (heap, JIT state) reaches the next
// --sync             the blocking replays (replayAofIntoSync, replayAofSync,
//                    replayAofFramesSync): no async read per chunk
// --aa               also "v1again": v1 measured a second time in every round,
//                    so v1again/v1 shows the noise floor of the ratios
// --no-append        (kept) same as leaving append out of --cases
//
// How the figures are made trustworthy on a shared 2-core machine: each case
// is measured on its own; a full GC runs before every sample (when the
// runtime allows it: Bun, or --expose-gc) so one replay's 1M-key store is not
// collected inside the next one; each round runs every variant back to back
// with the order rotated per round; the v2/v1 ratio is taken per round
// (paired) in CPU time (process.cpuUsage, user + system) and wall time; and
// the report gives median, quartiles and range. "met" = three quarters of
// the paired CPU ratios <= 1.15, "NOT met" = three quarters above, else
// inconclusive.
import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aof } from "../src/persist/aof.ts";
import {
  replayAof,
  replayAofInto,
  replayAofIntoSync,
  replayAofSync,
} from "../src/persist/replay.ts";
import { replayAofFrames, replayAofFramesSync } from "../src/persist/replay_frames.ts";
import { Store } from "../src/store/store.ts";
import { ByteWriter } from "../src/codec/bytes.ts";
import { AOF_MAGIC, encodeCommandInto } from "../src/codec/resp.ts";
import { AOF2_MAGIC, checkedRecordsEnd, encodeRecordInto } from "../src/codec/aof2.ts";
import { crc32c } from "../src/codec/crc32c.ts";
import { setUseSimd, setUseWasm, wasmCrc } from "../src/codec/_crc32c_wasm.ts";
import { CrashFs } from "../src/fs/crash.ts";
import { CAN_GC, fmt, load, RUNTIME, type Sample, sample, summary, verdict } from "./_paired.ts";

function flag(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a?.slice(a.indexOf("=") + 1);
}
const has = (name: string) => process.argv.includes(`--${name}`);
const N = Number(flag("n") ?? 1_000_000);
const RUNS = Number(flag("runs") ?? 11);
const WARMUP = Number(flag("warmup") ?? 1);
const VALUE = Number(flag("value") ?? 16);
const MEM = flag("fs") === "mem";
const SYNC = has("sync");
const FRESH = has("fresh");
/** In a child of --fresh: "<case>:<variant>", the logs' dir. */
const CHILD = flag("child");
const LOGS = flag("logs");
const CASES = (flag("cases") ?? "into,argv,visit,append").split(",")
  .filter((c) => c !== "append" || !has("no-append"));
const TARGET = 1.15;

const te = new TextEncoder();
const SET = te.encode("SET");
const value = te.encode("0123456789abcdef".repeat(Math.ceil(VALUE / 16)).slice(0, VALUE));
const dir = LOGS ?? join(tmpdir(), `kevy-aof2-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const memFs = MEM ? new CrashFs() : null;
memFs?.mkdirSync("/bench");
const replayOpts = memFs !== null ? { fs: memFs } : {};

/** Writes the n-frame log of one format (once; a child reuses the parent's). */
function build(v2: boolean): string {
  const path = join(dir, v2 ? "v2.aof" : "v1.aof");
  let bytes: Uint8Array;
  if (LOGS !== undefined) {
    bytes = new Uint8Array(readFileSync(path));
  } else {
    const w = new ByteWriter(1 << 26);
    w.writeBytes(v2 ? AOF2_MAGIC : AOF_MAGIC);
    for (let i = 0; i < N; i++) {
      const argv = [SET, te.encode(`key:${i}`), value];
      if (v2) encodeRecordInto(w, argv);
      else encodeCommandInto(w, argv);
    }
    bytes = w.bytes();
    writeFileSync(path, bytes);
  }
  if (memFs === null) return path;
  const mem = `/bench/${v2 ? "v2" : "v1"}.aof`;
  memFs.writeFileDurable(mem, bytes);
  return mem;
}
const logs = { v1: build(false), v2: build(true) };

const variants = ["v1", "v2"];
if (has("js")) variants.push("v2js");
if (has("kernels")) variants.push("v2scalar", "v2simd");
if (has("aa")) variants.push("v1again");
/** The library's own choice of record kernel, restored after the forced variants. */
const defaultSimd = setUseSimd(true);
setUseSimd(defaultSimd);

/** One timed run of `c` on variant `v`. */
async function run(c: string, v: string): Promise<Sample> {
  const v1 = v === "v1" || v === "v1again";
  const path = v1 ? logs.v1 : logs.v2;
  const wasWasm = setUseWasm(v !== "v2js");
  setUseSimd(v === "v2simd" ? true : v === "v2scalar" ? false : defaultSimd);
  try {
    if (c === "into") {
      let store: Store | null = null;
      const s = await sample(async () => {
        store = new Store();
        const st = SYNC
          ? replayAofIntoSync(path, store, replayOpts)
          : await replayAofInto(path, store, replayOpts);
        if (st.frames !== N) throw new Error(`${v}: ${st.frames} frames`);
      });
      if (store!.dbsize() !== N) throw new Error(`${v}: ${store!.dbsize()} keys`);
      return s;
    }
    if (c === "argv") {
      let count = 0;
      const cb = () => void count++;
      const s = await sample(() =>
        SYNC ? replayAofSync(path, cb, replayOpts) : replayAof(path, cb, replayOpts)
      );
      if (count !== N) throw new Error(`${v}: ${count} argv`);
      return s;
    }
    if (c === "visit") {
      let count = 0;
      const cb = () => void count++;
      const s = await sample(() =>
        SYNC ? replayAofFramesSync(path, cb, replayOpts) : replayAofFrames(path, cb, replayOpts)
      );
      if (count !== N) throw new Error(`${v}: ${count} frames visited`);
      return s;
    }
    if (c === "append") {
      const ap = join(dir, `append-${v}-${process.pid}.aof`);
      rmSync(ap, { force: true });
      const aof = await Aof.open(ap, { fsync: "no", aofFormat: v1 ? 1 : 2 });
      const keys = Array.from({ length: 65536 }, (_, i) => te.encode(`key:${i}`));
      const s = await sample(async () => {
        let last: Promise<void> = Promise.resolve();
        for (let i = 0; i < N; i++) {
          last = aof.append([SET, keys[i & 65535]!, value]);
          if ((i & 65535) === 65535) await last;
        }
        await last;
      });
      await aof.close();
      rmSync(ap, { force: true });
      return s;
    }
    throw new Error(`unknown case ${c}`);
  } finally {
    setUseWasm(wasWasm);
    setUseSimd(defaultSimd);
  }
}

/** One sample in a fresh process: `--warmup` untimed runs there first. */
function runFresh(c: string, v: string): Sample {
  const self = new URL(import.meta.url).pathname;
  const pre = process.versions.bun !== undefined
    ? [self]
    : ["run", "-A", "--v8-flags=--expose-gc", self];
  const args = [
    ...pre,
    `--n=${N}`,
    `--value=${VALUE}`,
    `--warmup=${WARMUP}`,
    `--child=${c}:${v}`,
    `--logs=${dir}`,
    ...(MEM ? ["--fs=mem"] : []),
    ...(SYNC ? ["--sync"] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) {
    throw new Error(`child ${c}:${v} failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(line) as Sample;
}

if (CHILD !== undefined) {
  const [c, v] = CHILD.split(":") as [string, string];
  for (let i = 0; i < WARMUP; i++) await run(c, v);
  console.log(JSON.stringify(await run(c, v)));
  process.exit(0);
}

const sizeOf = (p: string) => memFs !== null ? memFs.readFileSync(p).length : statSync(p).size;
console.log(
  `${RUNTIME}, n = ${N}, value ${VALUE} B; v1 ${sizeOf(logs.v1)} B, v2 ${sizeOf(logs.v2)} B; ` +
    `CRC32C in ${wasmCrc !== null ? `WebAssembly (${wasmCrc.kernel})` : "JS"}; replay from ${
      MEM ? "memory (CrashFs)" : "disk"
    }${SYNC ? " (blocking replays)" : ""}; ${RUNS} rounds + ${WARMUP} warm-up, ${
      FRESH ? "fresh process per sample" : "in-process"
    }; ` +
    `GC before each sample: ${
      FRESH || CAN_GC ? "yes" : "NO (run deno with --v8-flags=--expose-gc)"
    }`,
);
console.log(`load average at the start ${load()}`);

// CRC32C and the record check alone, CPU time (what a v2 replay adds, mostly).
{
  const b = new Uint8Array(64 << 20).map((_, i) => (i * 2654435761) >>> 24);
  for (const wasm of wasmCrc !== null ? [true, false] : [false]) {
    const was = setUseWasm(wasm);
    crc32c(b.subarray(0, 1 << 20));
    const t: number[] = [];
    for (let r = 0; r < 5; r++) t.push((await sample(() => crc32c(b))).cpu);
    setUseWasm(was);
    console.log(
      `crc32c 64 MiB (${wasm ? "wasm" : "js"}): MiB/s ${fmt(summary(t.map((x) => 64000 / x)))}`,
    );
  }
  const log = memFs !== null ? memFs.readFileSync(logs.v2) : new Uint8Array(readFileSync(logs.v2));
  const mib = log.length / 2 ** 20;
  for (const simd of wasmCrc !== null && wasmCrc.kernel !== "scalar" ? [false, true] : [false]) {
    const was = setUseSimd(simd);
    const t: number[] = [];
    for (let r = 0; r < 5; r++) {
      t.push(
        (await sample(() => {
          if (checkedRecordsEnd(log, AOF2_MAGIC.length, log.length) !== log.length) {
            throw new Error("bad");
          }
        })).cpu,
      );
    }
    setUseSimd(was);
    console.log(
      `record check ${mib.toFixed(0)} MiB (${simd ? wasmCrc!.kernel : "scalar wasm"}): MiB/s ${
        fmt(summary(t.map((x) => mib * 1000 / x)))
      } (CPU)`,
    );
  }
}

const samples = new Map<string, Sample[]>();
for (const c of CASES) {
  if (!FRESH) { for (let i = 0; i < WARMUP; i++) for (const v of variants) await run(c, v); }
  for (let r = 0; r < RUNS; r++) {
    // Rotate the order so no variant always runs first.
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      const s = FRESH ? runFresh(c, v) : await run(c, v);
      const k = `${c} ${v}`;
      if (!samples.has(k)) samples.set(k, []);
      samples.get(k)!.push(s);
    }
  }
}

console.log(
  "\ncase         variant   cpu ms: median [p25..p75] (min..max)     wall ms: median [p25..p75] (min..max)",
);
for (const c of CASES) {
  for (const v of variants) {
    const ss = samples.get(`${c} ${v}`)!;
    console.log(
      `${c.padEnd(12)} ${v.padEnd(9)} ${fmt(summary(ss.map((s) => s.cpu))).padEnd(40)} ${
        fmt(summary(ss.map((s) => s.wall)))
      }`,
    );
  }
}
console.log(
  `\npaired ratios ${"vX/v1"}, per round: median [p25..p75] (min..max); target <= ${TARGET}`,
);
for (const c of CASES) {
  const base = samples.get(`${c} v1`)!;
  for (const v of variants.filter((x) => x !== "v1")) {
    const ss = samples.get(`${c} ${v}`)!;
    const cpu = summary(ss.map((s, i) => s.cpu / base[i]!.cpu));
    const wall = summary(ss.map((s, i) => s.wall / base[i]!.wall));
    console.log(
      `${c.padEnd(7)} ${v}/v1  cpu ${fmt(cpu, 3)}  wall ${fmt(wall, 3)}${
        c === "append" ? "" : `  -> ${verdict(cpu, TARGET)}`
      }`,
    );
  }
}
// Issue 17's "replay, parse only" row: Rust's replay_aof with an empty
// callback (0.165 s for 1M frames, shared/spec/BENCH.md): the visit case
// (nothing made per frame), and the argv case (three views per frame).
for (const c of ["visit", "argv"].filter((x) => CASES.includes(x))) {
  for (const v of variants) {
    const ss = samples.get(`${c} ${v}`)!;
    const w = summary(ss.map((s) => s.wall / 1000)), u = summary(ss.map((s) => s.cpu / 1000));
    console.log(
      `parse-only (${c}) ${v}: wall s ${fmt(w, 3)}, cpu s ${
        fmt(u, 3)
      }; Rust kevy 1.17: 0.165 s wall`,
    );
  }
}
console.log(`load average at the end ${load()}`);
if (LOGS === undefined) rmSync(dir, { recursive: true, force: true });
