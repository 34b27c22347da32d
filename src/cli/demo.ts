/**
 * The demo (`npm run demo`, `deno task demo`): an embedded store in
 * `./kevy-data`, a realistic mixed workload, a child writer killed with
 * SIGKILL mid-stream, recovery with verification of every acknowledged write,
 * a save, a re-shard from 4 to 2 shards, and a summary table.
 *
 * @example
 * ```sh
 * deno run -A src/cli/demo.ts --dir ./kevy-data
 * ```
 *
 * @module
 */
import { defaultFs } from "../fs/detect.ts";
import { joinPath } from "../fs/path.ts";
import { spawnScript } from "../fs/spawn.ts";
import { processArgs, setExitCode } from "../fs/terminal.ts";
import { openStore } from "../embedded/open.ts";
import { dumpKeyspace } from "../store/dump.ts";
import { fmtBytes, processIo, Progress, table } from "./_io.ts";
import { loadTarget } from "./_load.ts";

const io = processIo();
const fs = defaultFs();
const MARKER = ".kevy-demo";

function argDir(): string {
  const argv = processArgs();
  const i = argv.indexOf("--dir");
  return i !== -1 && argv[i + 1] ? argv[i + 1]! : "./kevy-data";
}

async function prepare(dir: string): Promise<string> {
  const info = await fs.stat(dir);
  if (info === null) {
    await fs.mkdir(dir);
    (await fs.openWrite(joinPath(dir, MARKER))).closeSync();
    return `created ${dir}`;
  }
  const names = (await fs.readDir(dir)).map((e) => e.name);
  if (names.length > 0 && !names.includes(MARKER)) {
    throw new Error(`${dir} is not empty and was not made by the demo; pass --dir <new dir>`);
  }
  for (const n of names) if (n !== MARKER) await fs.remove(joinPath(dir, n));
  if (!names.includes(MARKER)) (await fs.openWrite(joinPath(dir, MARKER))).closeSync();
  return names.length > 1
    ? `reset ${dir} (files of a previous demo run removed)`
    : `reusing empty ${dir}`;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readDir(dir)) {
    if (e.isFile && /^(dump|aof)-\d+\.(rdb|aof)$/.test(e.name)) {
      total += (await fs.stat(joinPath(dir, e.name)))?.size ?? 0;
    }
  }
  return total;
}

async function workload(dir: string, ops: number): Promise<number> {
  const store = await openStore({ dir, shards: 4, appendfsync: "everysec" });
  const progress = new Progress(io, "writing", ops);
  const now = Date.now();
  for (let i = 0; i < ops; i++) {
    const u = i % 1000;
    switch (i % 5) {
      case 0:
        await store.set(`session:${i}`, `token-${i.toString(36)}`, { pxat: now + 3_600_000 });
        break;
      case 1:
        await store.incr(`counter:page:${u}`);
        break;
      case 2:
        await store.hset(`user:${u}`, { name: `user ${u}`, visits: String(i), plan: "pro" });
        break;
      case 3:
        await store.rpush(`queue:${u % 16}`, `job-${i}`);
        break;
      default:
        await store.zadd("leaderboard", [[(i * 7919) % 10007, `player:${u}`]]);
    }
    if (i % 1000 === 0) progress.update(i);
  }
  progress.done();
  const keys = await store.dbsize();
  await store.close();
  return keys;
}

async function killedWriter(dir: string): Promise<{ acked: number; output: string }> {
  const self = new URL(import.meta.url).pathname;
  const childPath = self.replace(/demo\.(ts|js)$/, "_demo_child.$1");
  let out = "";
  let acked = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const child = spawnScript(childPath, [dir], (text) => {
    out += text;
    const m = out.match(/ack (\d+)\n(?![\s\S]*ack \d+\n)/);
    if (m) acked = Number(m[1]);
    if (timer === undefined && out.includes("ready\n")) {
      // Kill mid-stream at a moment the child does not choose.
      timer = setTimeout(() => child.kill(), 700 + Math.floor(Math.random() * 600));
    }
  });
  await child.exited;
  return { acked, output: out };
}

async function main(): Promise<void> {
  const dir = argDir();
  io.out(`@kevy/persist demo: ${await prepare(dir)}\n`);
  const rows: string[][] = [["step", "result"]];

  const t0 = performance.now();
  const keys = await workload(dir, 20_000);
  rows.push([
    "mixed workload (4 shards, everysec)",
    `20,000 writes, ${keys} keys, ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  ]);

  io.out("starting a child writer with appendfsync=always, then SIGKILL...\n");
  const { acked } = await killedWriter(dir);
  rows.push(["child writer killed with SIGKILL", `${acked + 1} acknowledged write groups`]);

  const t1 = performance.now();
  const store = await openStore({ dir, shards: 4 });
  const reopenMs = performance.now() - t1;
  let missing = 0;
  for (let i = 0; i <= acked; i++) {
    if ((await store.get(`ack:${i}`)) !== `value-${i}`) missing++;
  }
  const counter = Number(await store.get("ack:counter") ?? "0");
  if (counter < acked + 1) missing++;
  const info = store.info();
  const replay = info.lastReplay;
  rows.push([
    "reopen after the crash",
    `${
      reopenMs.toFixed(0)
    } ms (replayed ${replay.frames} frames, cut ${replay.tornBytes} torn byte(s))`,
  ]);
  rows.push([
    "verification",
    missing === 0
      ? `OK: all ${acked + 1} acknowledged writes present`
      : `FAILED: ${missing} missing`,
  ]);

  const t2 = performance.now();
  await store.save();
  rows.push(["save (4 snapshots, crash-consistent)", `${(performance.now() - t2).toFixed(0)} ms`]);
  const totalKeys = await store.dbsize();
  await store.close();
  const before = await dirKeyspace(dir);

  const t3 = performance.now();
  const two = await openStore({ dir, shards: 2 });
  const reshardMs = performance.now() - t3;
  await two.close();
  const after = await dirKeyspace(dir);
  rows.push([
    "re-shard 4 -> 2 at open",
    `${reshardMs.toFixed(0)} ms, keyspace ${before === after ? "identical" : "DIFFERENT"}`,
  ]);
  rows.push(["keys", String(totalKeys)]);
  rows.push(["data files", fmtBytes(await dirBytes(dir))]);
  io.out("\n" + table(rows));
  if (missing !== 0 || before !== after) setExitCode(1);
}

// The keyspace as the files on disk hold it (read-only, like `kevy-persist dump`).
async function dirKeyspace(dir: string): Promise<string> {
  const ctx = { io, fs, now: Date.now };
  const { store } = await loadTarget(ctx, { type: "kevy-dir", path: dir });
  return JSON.stringify(dumpKeyspace(store));
}

await main();
