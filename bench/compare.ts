// @kevy/persist against what a user would pick instead (JSON, node:v8,
// msgpackr, each with a durable write: temp file, fdatasync, rename,
// directory fsync), side by side, on the runtime running this script:
//
//   deno run -A bench/compare.ts [--quick] [--runs=3] [--peer-runs=3] [--only=save_strings,...]
//   bun bench/compare.ts [...]
//   node bench/compare_node.mjs [...]   (against the npm build in npm/)
//
// Every figure comes from a fresh worker process (bench/_compare_worker.ts)
// that prints one JSON line. Prints markdown tables, writes
// bench/results/<runtime>.json (`--quick`: <runtime>.quick.json, 100k keys,
// 1 run) after reading the previous one for the `vs prev` column, and redraws
// bench/results/chart.svg from every full results file.
import process from "node:process";
import { spawnSync } from "node:child_process";
import { cpus, tmpdir } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type Lib,
  type LibResult,
  renderTables,
  type ResultsFile,
  type Sample,
  summarize,
  type WorkloadResult,
} from "./_compare_report.ts";
import { renderChart } from "./_compare_chart.ts";
import { renderScaling, runScaling, type ScaleRow } from "./_compare_scale.ts";

interface Globals {
  Deno?: { version: { deno: string }; execPath(): string };
  Bun?: { version: string };
}
const G = globalThis as unknown as Globals;
const RUNTIME = G.Deno ? "deno" : G.Bun ? "bun" : "node";
const VERSION = G.Deno ? G.Deno.version.deno : G.Bun ? G.Bun.version : process.version.slice(1);

const root = process.env.KEVY_COMPARE_ROOT ?? fileURLToPath(new URL("..", import.meta.url));
const worker = process.env.KEVY_COMPARE_WORKER ?? join(root, "bench", "_compare_worker.ts");
const resultsDir = join(root, "bench", "results");

const USAGE =
  `Usage: deno run -A bench/compare.ts [options]   (or: bun bench/compare.ts, node bench/compare_node.mjs)

@kevy/persist against JSON, node:v8 (a plain object and a Map) and msgpackr (each with a durable
write), side by side on this runtime, every figure from a fresh worker process; also kevy's save
without the directory fsync (as Rust kevy measures it), AOF rewrite, replay parse-only, and an
event-loop stall probe (longest and p99 gap of a 1 ms timer during save(), rewrite and a
bring-up), and a scaling table (per-key cost and RSS at n and 10n keys). Writes bench/results/<runtime>.json
(--quick: <runtime>.quick.json) and redraws bench/results/chart.svg.

Options:
  --quick          100,000 keys, 1 run (default: 1,000,000 keys, 3 runs)
  --runs=N         runs per kevy figure (min taken)
  --peer-runs=N    runs per peer figure (default: --runs)
  --n=N            keys per dataset
  --hashes=N       hashes in the hash dataset (default: n / 10)
  --always=N       appends in the appendfsync=always figure
  --only=a,b       only these operations (e.g. save_strings,load_strings)
  --scale=a,b      sizes of the scaling table (kevy save/append/load/replay/bring-up of strings,
                   per-key cost, RSS, ratio to the first size); default n,10n (--quick and --only:
                   none unless given); --scale= (empty) skips it
  --scale-runs=N   runs per scaling figure (fastest kept; default 1)
  -h, --help       this help (runs nothing, writes nothing)
`;

const cli = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        quick: { type: "boolean" },
        runs: { type: "string" },
        "peer-runs": { type: "string" },
        n: { type: "string" },
        hashes: { type: "string" },
        always: { type: "string" },
        only: { type: "string" },
        scale: { type: "string" },
        "scale-runs": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`bench/compare.ts: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (cli.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const quick = cli.quick === true;
const runs = Number(cli.runs ?? (quick ? 1 : 3));
const peerRuns = Number(cli["peer-runs"] ?? runs);
const N = Number(cli.n ?? (quick ? 100_000 : 1_000_000));
const HASHES = Number(cli.hashes ?? N / 10);
const ALWAYS = Number(cli.always ?? (quick ? 256 : 2048));
const only = cli.only?.split(",").filter(Boolean);
const PEERS: Lib[] = ["json", "v8", "v8map", "msgpackr"];
const SCALE: number[] = (cli.scale ?? (quick || only !== undefined ? "" : `${N},${N * 10}`))
  .split(",").filter(Boolean).map(Number);
const SCALE_RUNS = Number(cli["scale-runs"] ?? 1);
if (SCALE.some((x) => !Number.isInteger(x) || x <= 0)) {
  process.stderr.write(`bench/compare.ts: --scale takes key counts, got ${cli.scale}\n`);
  process.exit(2);
}

function workerCommand(): [string, string[]] {
  if (RUNTIME === "deno") return [G.Deno!.execPath(), ["run", "-A", worker]];
  return [process.execPath, [worker]];
}

interface Outcome {
  sample?: Sample;
  error?: string;
}

function runWorker(args: Record<string, string | number>): Outcome {
  const [cmd, pre] = workerCommand();
  const argv = [...pre, ...Object.entries(args).map(([k, v]) => `--${k}=${v}`)];
  const r = spawnSync(cmd, argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 15 * 60_000,
    maxBuffer: 1 << 20,
    env: process.env,
  });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  try {
    const j = JSON.parse(line) as Sample & { ok: boolean; error?: string };
    if (!j.ok) return { error: j.error ?? "failed" };
    const s: Sample = { seconds: j.seconds! };
    for (const k of ["bytes", "rssMB", "baseRssMB", "items", "syncs", "gapMs", "p99Ms"] as const) {
      if (j[k] !== undefined) s[k] = j[k];
    }
    return { sample: s };
  } catch {
    return { error: `exit ${r.status ?? r.signal}: ${r.error?.message ?? line.slice(0, 200)}` };
  }
}

const dir = join(tmpdir(), `kevy-compare-${process.pid}`);
const workloads: Record<string, WorkloadResult> = {};

function record(id: string, label: string, kind: "time" | "rate", lib: Lib, o: Outcome): void {
  const w = workloads[id] ??= { label, kind, libs: {} };
  const r: LibResult = w.libs[lib] ??= { samples: [] };
  if (o.sample) r.samples.push(o.sample);
  else if (o.error !== undefined) r.note = o.error;
  const tag = o.sample
    ? `${o.sample.seconds.toFixed(3)} s${
      o.sample.rssMB !== undefined ? `, rss ${o.sample.rssMB.toFixed(0)} MB` : ""
    }`
    : `ERROR ${o.error}`;
  console.error(`  ${id.padEnd(14)} ${lib.padEnd(8)} ${tag}`);
}

function wanted(id: string): boolean {
  return only === undefined || only.includes(id);
}

function snapshotWorkloads(dataset: "strings" | "hashes", n: number): void {
  const label = (op: string) =>
    `${op} ${n.toLocaleString("en-US")} ${dataset === "strings" ? "strings" : "hashes × 10"}`;
  const libs: Lib[] = ["kevy", ...PEERS];
  const file = (lib: Lib) => join(dir, `${lib}-${dataset}.bin`);
  const saveId = `save_${dataset}`;
  const loadId = `load_${dataset}`;
  // Runs interleave the libraries so that disk noise spreads over all of them.
  const maxRuns = Math.max(runs, peerRuns);
  if (wanted(saveId) || wanted(loadId)) {
    for (let r = 0; r < maxRuns; r++) {
      for (const lib of libs) {
        if (r >= (lib === "kevy" ? runs : peerRuns)) continue;
        const o = runWorker({ lib, op: "save", dataset, n, file: file(lib) });
        record(saveId, label("save"), "time", lib, o);
      }
    }
  }
  // As Rust kevy measures a save (no directory fsync), an AOF rewrite, and the event-loop
  // stall probe of save() and rewrite (a 1 ms timer beside them).
  const extra: Array<[string, string, Record<string, string>]> = [
    [`save_nodir_${dataset}`, `${label("save")}, no directory fsync`, { op: "save_nodir" }],
    [`rewrite_${dataset}`, label("AOF rewrite of"), { op: "rewrite" }],
    [`stall_save_${dataset}`, label("save()"), { op: "stall", of: "save" }],
    [`stall_rewrite_${dataset}`, label("AOF rewrite of"), { op: "stall", of: "rewrite" }],
  ];
  for (const [id, text, args] of extra) {
    if (!wanted(id)) continue;
    for (let r = 0; r < runs; r++) {
      const o = runWorker({ lib: "kevy", ...args, dataset, n, file: join(dir, `${id}.bin`) });
      record(id, text, "time", "kevy", o);
    }
  }
  if (wanted(loadId)) {
    for (let r = 0; r < maxRuns; r++) {
      for (const lib of libs) {
        if (r >= (lib === "kevy" ? runs : peerRuns)) continue;
        if (!existsSync(file(lib))) {
          record(loadId, label("load"), "time", lib, { error: "no file (save failed)" });
          continue;
        }
        const o = runWorker({ lib, op: "load", dataset, n, file: file(lib) });
        record(loadId, label("load"), "time", lib, o);
      }
    }
  }
  if (!wanted(saveId)) delete workloads[saveId];
}

function aofWorkloads(): void {
  const log = join(dir, "aof-no.aof");
  for (const policy of ["no", "everysec"] as const) {
    const id = `append_${policy}`;
    const replays = wanted("replay_apply") || wanted("replay_parse") || wanted("stall_bringup");
    if (!wanted(id) && !(policy === "no" && replays)) continue;
    for (let r = 0; r < runs; r++) {
      const file = policy === "no" ? log : join(dir, `aof-${policy}.aof`);
      const o = runWorker({ lib: "kevy", op: "append", policy, n: N, file });
      if (wanted(id)) {
        record(id, `AOF append ${N.toLocaleString("en-US")}, fsync ${policy}`, "rate", "kevy", o);
      }
    }
  }
  for (const writers of [1, 8, 64]) {
    const id = `always_${writers}`;
    if (!wanted(id)) continue;
    for (let r = 0; r < runs; r++) {
      const o = runWorker({
        lib: "kevy",
        op: "always",
        writers,
        count: ALWAYS,
        file: join(dir, `aof-always-${writers}.aof`),
      });
      record(id, `AOF always, ${writers} writer(s), ${ALWAYS} appends`, "rate", "kevy", o);
    }
  }
  if (wanted("replay_parse")) {
    for (let r = 0; r < runs; r++) {
      const o = existsSync(log)
        ? runWorker({ lib: "kevy", op: "parse", n: N, file: log })
        : { error: "no log (append failed)" };
      record(
        "replay_parse",
        `replay, parse only, ${N.toLocaleString("en-US")} frames`,
        "time",
        "kevy",
        o,
      );
    }
  }
  if (wanted("replay_apply")) {
    for (let r = 0; r < runs; r++) {
      const o = existsSync(log)
        ? runWorker({ lib: "kevy", op: "replay", n: N, file: log })
        : { error: "no log (append failed)" };
      record(
        "replay_apply",
        `replay + apply ${N.toLocaleString("en-US")} SET frames`,
        "time",
        "kevy",
        o,
      );
    }
  }
  // The embedded store's bring-up (ShardFiles.open): the strings snapshot, then the log over it.
  const snap = join(dir, "kevy-strings.bin");
  if (wanted("stall_bringup")) {
    for (let r = 0; r < runs; r++) {
      const o = existsSync(log) && existsSync(snap)
        ? runWorker({ lib: "kevy", op: "bringup", n: N, file: snap, aof: log })
        : { error: "no snapshot or log (save_strings and append_no make them)" };
      const label = `bring-up: ${N.toLocaleString("en-US")} strings + a log of as many SETs`;
      record("stall_bringup", label, "time", "kevy", o);
    }
  }
}

function readResults(path: string): ResultsFile | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as ResultsFile;
  } catch {
    return null;
  }
}

function main(): void {
  mkdirSync(dir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const outPath = join(resultsDir, `${RUNTIME}${quick ? ".quick" : ""}.json`);
  const prev = readResults(outPath);
  console.error(
    `${RUNTIME} ${VERSION}: n=${N}, hashes=${HASHES}, runs=${runs}, peer runs=${peerRuns}, tmp ${dir}`,
  );
  const t0 = performance.now();
  let scaling: ScaleRow[] | undefined;
  try {
    snapshotWorkloads("strings", N);
    snapshotWorkloads("hashes", HASHES);
    aofWorkloads();
    if (SCALE.length > 0) {
      scaling = runScaling(SCALE, SCALE_RUNS, dir, runWorker, (l) => console.error(l));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const w of Object.values(workloads)) {
    for (const lib of Object.keys(w.libs) as Lib[]) w.libs[lib] = summarize(w.libs[lib]!);
  }
  const res: ResultsFile = {
    runtime: RUNTIME,
    version: VERSION,
    date: new Date().toISOString(),
    quick,
    n: N,
    hashes: HASHES,
    runs,
    peerRuns,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    workloads,
  };
  if (scaling !== undefined) res.scaling = scaling;
  else if (prev?.scaling !== undefined && only !== undefined) res.scaling = prev.scaling;
  // A partial run (--only) keeps the other workloads of the previous file.
  if (only !== undefined && prev !== null && prev.n === N && prev.hashes === HASHES) {
    res.workloads = { ...prev.workloads, ...workloads };
  }
  console.log(renderTables(res, prev));
  if (res.scaling !== undefined) console.log(`\n${renderScaling(res.scaling)}`);
  console.log(`\n(wall time ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  writeFileSync(outPath, JSON.stringify(res, null, 2) + "\n");
  const files = ["deno", "bun", "node"]
    .map((rt) => readResults(join(resultsDir, `${rt}.json`)))
    .filter((f): f is ResultsFile => f !== null);
  if (files.length > 0) writeFileSync(join(resultsDir, "chart.svg"), renderChart(files));
  console.error(`wrote ${outPath}${files.length ? " and bench/results/chart.svg" : ""}`);
}

main();
