// Loading a dump.rdb written by redis-server: loadRedisRdb vs redis-server's
// own start-up load of the same file, side by side in one run.
//
// The file: redis-server (the installed 7.0) fills `--keys` keys (default
// 1,000,000) and SAVEs. Two data sets: `strings` (DEBUG POPULATE: key:N ->
// value:N) and `mixed` (a quarter each: strings, 5-field hashes, 5-element
// lists, 5-member zsets; a tenth of the keys with a TTL). For each: redis-server
// is started on the file `--runs` times (default 3) and reports "DB loaded from
// disk: N seconds" (its own load time, which we compare) and the wall time to
// answer PING; loadRedisRdb reads the same file `--runs` times in this
// process. Medians are printed; the ratio is ours / redis (below 1: faster),
// with each run's ratio, our CPU time and the load average beside it.
//   deno run -A bench/redis_rdb_bench.ts [--keys 1000000] [--runs 3] [--set strings|mixed|both]
//     [--keep DIR]   (generate the files in DIR/<set>/ once and reuse them in later runs)
//   bun bench/redis_rdb_bench.ts ...   (also runs on Node via the npm build's bench copy)
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { encodeCommand } from "../src/codec/resp.ts";
import { loadRedisRdb } from "../src/redis/rdb_load.ts";
import { runtimeName } from "../src/fs/detect.ts";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1]!;
};
const KEYS = Number(arg("keys", "1000000"));
const RUNS = Number(arg("runs", "3"));
const KEEP = arg("keep", "");
const SETS = arg("set", "both") === "both" ? ["strings", "mixed"] : [arg("set", "strings")];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

function cli(port: number, args: string[], input?: Uint8Array): string {
  const r = spawnSync("redis-cli", ["-p", String(port), ...args], {
    input: input ?? new Uint8Array(0),
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`redis-cli ${args[0]}: ${r.stderr}`);
  return new TextDecoder().decode(r.stdout);
}

async function startServer(
  dir: string,
): Promise<{ child: ChildProcess; port: number; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--dbfilename",
    "dump.rdb",
    "--save",
    "",
    "--appendonly",
    "no",
    "--enable-debug-command",
    "yes",
    "--logfile",
    join(dir, "redis.log"),
  ], { stdio: "ignore" });
  for (;;) {
    const r = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (r.stdout.trim() === "PONG") return { child, port, ms: performance.now() - t0 };
    if (child.exitCode !== null) throw new Error(`redis-server exited; see ${dir}/redis.log`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** CPU ms (user + system) redis-server has used so far: its load, once it answers PING (Linux; else NaN). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const v = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(v[11]) + Number(v[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return NaN;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const done = new Promise((res) => child.once("exit", res));
  child.kill("SIGTERM");
  await done;
}

/** Commands for the mixed data set, in batches. */
function* mixed(n: number): Generator<Uint8Array> {
  const future = String(Date.now() + 86_400_000);
  let batch: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = `k:${i}`;
    const kind = i % 4;
    if (kind === 0) batch.push(encodeCommand(["SET", k, `value-${i}-${"x".repeat(i % 32)}`]));
    else if (kind === 1) {
      batch.push(
        encodeCommand(["HSET", k, "a", "1", "b", `${i}`, "c", "three", "d", "4.5", "e", "e"]),
      );
    } else if (kind === 2) {
      batch.push(encodeCommand(["RPUSH", k, "one", "two", `${i}`, "four", "five"]));
    } else {batch.push(
        encodeCommand(["ZADD", k, "1", "a", "2", "b", `${i % 100}`, "c", "4.5", "d", "-1", "e"]),
      );}
    if (i % 10 === 0) batch.push(encodeCommand(["PEXPIREAT", k, future]));
    if (batch.length >= 20000) {
      yield concat(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield concat(batch);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function makeRdb(set: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const s = await startServer(dir);
  if (set === "strings") cli(s.port, ["DEBUG", "POPULATE", String(KEYS)]);
  else for (const b of mixed(KEYS)) cli(s.port, ["--pipe"], b);
  cli(s.port, ["SAVE"]);
  await stop(s.child);
  return join(dir, "dump.rdb");
}

/** redis-server's own "DB loaded from disk: N seconds" of the last start. */
function redisLoadMs(dir: string): number {
  const log = readFileSync(join(dir, "redis.log"), "utf8");
  const all = [...log.matchAll(/DB loaded from disk: ([0-9.]+) seconds/g)];
  return Number(all[all.length - 1]![1]) * 1000;
}

const results: Record<string, unknown>[] = [];
for (const set of SETS) {
  const dir = KEEP === ""
    ? `/tmp/kevy-rdb-bench-${process.pid}-${set}`
    : join(KEEP, `${set}-${KEYS}`);
  const kept = KEEP !== "" && existsSync(join(dir, "dump.rdb"));
  if (!kept) rmSync(dir, { recursive: true, force: true });
  const path = kept ? join(dir, "dump.rdb") : await makeRdb(set, dir);
  const size = statSync(path).size;
  const redisLoad: number[] = [];
  const redisWall: number[] = [];
  const redisCpu: number[] = [];
  const ours: number[] = [];
  const oursCpu: number[] = [];
  const load0 = loadavg()[0]!;
  let keys = 0;
  for (let r = 0; r < RUNS; r++) {
    // Alternate, so both see the same page cache and machine state.
    const s = await startServer(dir);
    redisWall.push(s.ms);
    redisCpu.push(cpuMsOf(s.child.pid));
    await stop(s.child);
    redisLoad.push(redisLoadMs(dir));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const load = await loadRedisRdb(path);
    ours.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    oursCpu.push((c.user + c.system) / 1000);
    keys = load.stats.loaded;
  }
  const row = {
    runtime: runtimeName(),
    set,
    keys,
    fileMiB: +(size / 1048576).toFixed(1),
    redisLoadMs: +median(redisLoad).toFixed(0),
    redisStartMs: +median(redisWall).toFixed(0),
    oursMs: +median(ours).toFixed(0),
    ratio: +(median(ours) / median(redisLoad)).toFixed(2),
    // Each run's ratio (same machine state), our CPU time (all threads), the 1-minute load average.
    runRatios: ours.map((o, i) => +(o / redisLoad[i]!).toFixed(2)).join(" "),
    oursCpuMs: +median(oursCpu).toFixed(0),
    // CPU for CPU (what a loaded machine distorts least): ours / redis-server's up to its first PONG.
    redisCpuMs: +median(redisCpu).toFixed(0),
    cpuRatio: +(median(oursCpu) / median(redisCpu)).toFixed(2),
    loadAvg: `${load0.toFixed(1)}-${loadavg()[0]!.toFixed(1)}`,
  };
  results.push(row);
  console.log(JSON.stringify(row));
  if (KEEP === "" && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
console.table(results);
