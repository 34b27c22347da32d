// AOF append and parse throughput, as a plain script that prints a table:
//
//   deno run --v8-flags=--expose-gc -A bench/aof_bench.ts [--n=1000000] [--runs=3] [--only=append_no,replay]
//   bun bench/aof_bench.ts [...]
//   ... [--old=/tmp/kevy_old]   also runs a copy of the library (its `src/` under that
//                               directory) for a before/after table from one run: every
//                               run of every implementation is a fresh child process
//                               (one module copy per process keeps call sites monomorphic),
//                               old and new alternating.
//
// Cases (SET key:<i> <16-byte value>, keys encoded up front):
//   append_no / append_everysec  Aof.append of n frames (awaiting every 65536, as a
//                                server would yield), until the last write resolves
//   encode                       encodeCommandInto of n frames into a reused ByteWriter
//   parse                        parseFrame over the n-frame log held in memory
//   replay                       replayAof of the n-frame log file, apply = count only
import process from "node:process";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

type AofMod = typeof import("../src/persist/aof.ts");
type ReplayMod = typeof import("../src/persist/replay.ts");
type RespMod = typeof import("../src/codec/resp.ts");
type BytesMod = typeof import("../src/codec/bytes.ts");

interface Impl {
  name: string;
  aof: AofMod;
  replay: ReplayMod;
  resp: RespMod;
  bytes: BytesMod;
}

function flag(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.includes("=") ? a.slice(a.indexOf("=") + 1) : "";
}

const N = Number(flag("n") ?? 1_000_000);
const RUNS = Number(flag("runs") ?? 3);
const OLD = flag("old");
const ONLY = flag("only")?.split(",").filter(Boolean);
/** Set in a child: the `src/` directory to load; prints one JSON line of samples. */
const CHILD_SRC = flag("child-src");
const CASES = ["append_no", "append_everysec", "encode", "parse", "replay"] as const;
type Case = typeof CASES[number];

const G = globalThis as unknown as {
  Deno?: { version: { deno: string } };
  Bun?: { version: string; gc?: (force: boolean) => void };
  gc?: () => void;
};
const RUNTIME = G.Deno
  ? `deno ${G.Deno.version.deno}`
  : G.Bun
  ? `bun ${G.Bun.version}`
  : `node ${process.version}`;

async function loadImpl(name: string, srcDir: string): Promise<Impl> {
  const url = (p: string): string => pathToFileURL(join(srcDir, p)).href;
  return {
    name,
    aof: (await import(url("persist/aof.ts"))) as AofMod,
    replay: (await import(url("persist/replay.ts"))) as ReplayMod,
    resp: (await import(url("codec/resp.ts"))) as RespMod,
    bytes: (await import(url("codec/bytes.ts"))) as BytesMod,
  };
}

const enc = new TextEncoder();
const SET = enc.encode("SET");
const VALUE = enc.encode("0123456789abcdef");
const KEYS: Uint8Array[] = Array.from({ length: N }, (_, i) => enc.encode(`key:${i}`));

const dir = join(tmpdir(), `kevy-aof-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const LOG = join(dir, "log.aof");

function gc(): void {
  if (G.Bun?.gc) G.Bun.gc(true);
  else G.gc?.();
}

function rssMB(): number {
  return process.memoryUsage().rss / 1048576;
}

interface Sample {
  ms: number;
  bytes: number;
  rss: number;
}

async function append(impl: Impl, policy: "no" | "everysec", path: string): Promise<Sample> {
  rmSync(path, { force: true });
  const aof = await impl.aof.Aof.open(path, { fsync: policy });
  const argv = [SET, KEYS[0]!, VALUE]; // reused: append encodes synchronously
  const t0 = performance.now();
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < N; i++) {
    argv[1] = KEYS[i]!;
    last = aof.append(argv);
    if ((i & 0xffff) === 0xffff) await last; // a turn's worth, then let the flush run
  }
  await last;
  const ms = performance.now() - t0;
  const rss = rssMB();
  await aof.close();
  return { ms, bytes: statSync(path).size, rss };
}

function encode(impl: Impl): Sample {
  const w = new impl.bytes.ByteWriter();
  const argv = [SET, KEYS[0]!, VALUE];
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    argv[1] = KEYS[i]!;
    impl.resp.encodeCommandInto(w, argv);
    if ((i & 0xffff) === 0xffff) {
      bytes += w.length;
      w.reset();
    }
  }
  bytes += w.length;
  const ms = performance.now() - t0;
  return { ms, bytes, rss: rssMB() };
}

function parse(impl: Impl, log: Uint8Array): Sample {
  let p = 9; // after the header
  let frames = 0;
  let keyBytes = 0;
  const t0 = performance.now();
  while (p < log.length) {
    const r = impl.resp.parseFrame(log, p);
    if (r.kind !== "frame") throw new Error(`parse: ${r.kind} at ${p}`);
    keyBytes += r.argv[1]!.length;
    frames++;
    p = r.end;
  }
  const ms = performance.now() - t0;
  if (frames !== N || keyBytes === 0) throw new Error(`parse: ${frames} frames`);
  return { ms, bytes: log.length, rss: rssMB() };
}

async function replay(impl: Impl): Promise<Sample> {
  let frames = 0;
  const t0 = performance.now();
  const stats = await impl.replay.replayAof(LOG, (argv) => {
    frames += argv.length > 0 ? 1 : 0;
  });
  const ms = performance.now() - t0;
  if (frames !== N || stats.frames !== N) throw new Error(`replay: ${frames} frames`);
  return { ms, bytes: stats.bytes, rss: rssMB() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Samples = Map<string, Sample[]>;

function add(samples: Samples, c: string, impl: string, s: Sample): void {
  const k = `${c}\t${impl}`;
  samples.set(k, [...(samples.get(k) ?? []), s]);
}

/** Runs every case once (or RUNS times in-process) for one implementation. */
async function measure(
  impl: Impl,
  cases: readonly Case[],
  runs: number,
  out: Samples,
): Promise<void> {
  // The log for parse/replay (the format is fixed, so every implementation writes the same bytes).
  await append(impl, "no", LOG);
  const log = new Uint8Array(readFileSync(LOG));
  for (let run = 0; run < runs; run++) {
    for (const c of cases) {
      gc();
      add(out, c, impl.name, await runCase(impl, c, log));
    }
  }
}

function runChild(name: string, src: string, cases: readonly Case[], out: Samples): void {
  const self = new URL(import.meta.url).pathname;
  // A forced GC before each case keeps the key set's promotion out of the first timed case.
  const pre = G.Deno ? ["run", "--v8-flags=--expose-gc", "-A", self] : G.Bun ? [self] : [
    "--expose-gc",
    self,
  ];
  const args = [...pre, `--n=${N}`, `--only=${cases.join(",")}`, `--child-src=${src}`];
  const r = spawnSync(process.execPath, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || line === "") throw new Error(`child ${name} failed (${r.status})`);
  for (const [c, s] of Object.entries(JSON.parse(line) as Record<string, Sample>)) {
    add(out, c, name, s);
  }
}

async function main(): Promise<void> {
  const cases = CASES.filter((c) => ONLY === undefined || ONLY.includes(c));
  if (CHILD_SRC !== undefined) {
    const out: Samples = new Map();
    await measure(await loadImpl("child", CHILD_SRC), cases, 1, out);
    const json: Record<string, Sample> = {};
    for (const c of cases) json[c] = out.get(`${c}\tchild`)![0]!;
    rmSync(dir, { recursive: true, force: true });
    console.log(JSON.stringify(json));
    return;
  }
  const newSrc = resolve(new URL("../src", import.meta.url).pathname);
  const impls = OLD ? [["old", join(OLD, "src")], ["new", newSrc]] : [["new", newSrc]];
  const samples: Samples = new Map();
  if (impls.length === 1) {
    await measure(await loadImpl("new", newSrc), cases, RUNS, samples);
  } else {
    for (let run = 0; run < RUNS; run++) {
      // Alternate the order so neither implementation always goes first.
      for (const [name, src] of run % 2 === 0 ? impls : [...impls].reverse()) {
        runChild(name!, src!, cases, samples);
      }
    }
  }

  const how = impls.length === 1 ? "in-process" : "fresh process per run, alternating";
  console.log(`\n${RUNTIME}, n = ${N}, median of ${RUNS} (${how})\n`);
  console.log("| case | impl | ms | frames/s | MB/s | RSS MB | vs old |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const c of cases) {
    let oldRate = 0;
    for (const [name] of impls) {
      const ss = samples.get(`${c}\t${name}`)!;
      const ms = median(ss.map((s) => s.ms));
      const rate = N / ms * 1000;
      const mbs = ss[0]!.bytes / 1048576 / (ms / 1000);
      const rss = Math.max(...ss.map((s) => s.rss));
      if (name === "old") oldRate = rate;
      const vs = name !== "old" && oldRate > 0 ? `${(rate / oldRate).toFixed(2)}x` : "";
      const all = ss.map((s) => (N / s.ms / 1000).toFixed(2)).join("/");
      console.log(
        `| ${c} | ${name} | ${ms.toFixed(0)} | ${(rate / 1e6).toFixed(2)}M (${all}) | ${
          mbs.toFixed(0)
        } | ${rss.toFixed(0)} | ${vs} |`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function runCase(impl: Impl, c: Case, log: Uint8Array): Promise<Sample> | Sample {
  switch (c) {
    case "append_no":
      return append(impl, "no", join(dir, `a-${impl.name}.aof`));
    case "append_everysec":
      return append(impl, "everysec", join(dir, `a-${impl.name}.aof`));
    case "encode":
      return encode(impl);
    case "parse":
      return parse(impl, log);
    case "replay":
      return replay(impl);
  }
}

await main();
