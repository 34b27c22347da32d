// Peak memory while replaying a large AOF: writes a log of `--mib` MiB (default
// 1024) of SET frames over `--keys` distinct keys (default 100,000: a small
// dataset, a long log), then replays it in a fresh process and reports
// baseline RSS, RSS after replay (baseline + dataset) and the peak (VmHWM).
// Target: peak ≤ dataset + 64 MiB, i.e. streaming never holds the log.
//   deno run -A bench/replay_memory.ts [--mib 1024] [--keys 100000]
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import process from "node:process";
import { Aof, replayAofInto, Store } from "./_lib.ts";
import { scriptCommand } from "../src/fs/spawn.ts";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const rssMiB = (field: "VmRSS" | "VmHWM"): number => {
  const m = readFileSync("/proc/self/status", "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) / 1024 : NaN;
};

if (process.argv.includes("--child")) {
  const path = process.argv[process.argv.indexOf("--child") + 1]!;
  (globalThis as { gc?: () => void }).gc?.();
  const base = rssMiB("VmRSS");
  const store = new Store();
  const t0 = performance.now();
  const stats = await replayAofInto(path, store);
  const secs = (performance.now() - t0) / 1000;
  const after = rssMiB("VmRSS");
  const peak = rssMiB("VmHWM");
  console.log(
    JSON.stringify({
      frames: stats.frames,
      bytes: stats.bytes,
      secs,
      keys: store.dbsize(),
      base,
      after,
      peak,
    }),
  );
} else {
  const mib = arg("mib", 1024);
  const keys = arg("keys", 100_000);
  const path = `/tmp/kevy-replay-memory-${process.pid}.aof`;
  const te = new TextEncoder();
  const set = te.encode("SET");
  const value = te.encode("v".repeat(16));
  const names = Array.from({ length: keys }, (_, i) => te.encode(`key:${i}`));
  const aof = await Aof.open(path, { fsync: "no" });
  let i = 0;
  while (aof.sizeBytes < mib * 1024 * 1024) {
    for (let j = 0; j < 100_000; j++, i++) void aof.append([set, names[i % keys]!, value]);
    await aof.flush();
  }
  await aof.close();
  const [cmd, ...args] = scriptCommand(new URL(import.meta.url).pathname);
  const r = spawnSync(cmd!, [...args, "--child", path], { encoding: "utf8" });
  rmSync(path, { force: true });
  const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
  const dataset = res.after - res.base;
  console.log(
    `replayed ${res.frames.toLocaleString("en")} frames (${
      (res.bytes / 2 ** 20).toFixed(0)
    } MiB) ` +
      `into ${res.keys.toLocaleString("en")} keys in ${res.secs.toFixed(2)} s; RSS base ` +
      `${res.base.toFixed(0)} MiB, after ${res.after.toFixed(0)} MiB (dataset ≈ ${
        dataset.toFixed(0)
      } MiB), ` +
      `peak ${res.peak.toFixed(0)} MiB = base + dataset + ${
        (res.peak - res.after).toFixed(0)
      } MiB ` +
      `(target ≤ +64 MiB)`,
  );
}
