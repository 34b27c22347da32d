// `kevy-persist dump` of a large kevy data dir, as a user runs it: the CLI in
// a fresh process per run, its stdout a pipe read by this script. Per
// runtime and round: wall, CPU (user+sys) and max RSS (from /usr/bin/time).
//
//   deno run -A bench/dump_bench.ts [--keys 1000000] [--keep DIR] [--rounds 3]
//     [--runtimes deno,bun] [--old CHECKOUT] [--check] [--plain] [-- dump flags...]
//
// The dir (built once; with --keep DIR it is kept and reused while its
// .bench stamp matches): dump-0.rdb holding --keys keys — 97 % strings
// `key:<i>` with 16-byte values (one in ten with a TTL far ahead), 3 %
// small hashes, lists, sets and zsets — and an aof-0.aof on top (10,000
// SET / DEL / PEXPIREAT / HSET of snapshot keys). --plain: strings only, no
// AOF (the shape of `kevy-persist bench`'s files). --old CHECKOUT runs that
// checkout's CLI in the same rounds (alternating), for a same-run ratio;
// --check hashes both outputs and fails when they differ.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Aof, applyCommand, saveSnapshot, Store } from "./_lib.ts";

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const own = dash === -1 ? argv : argv.slice(0, dash);
const dumpFlags = dash === -1 ? [] : argv.slice(dash + 1);
const opt = (name: string): string | undefined => {
  const i = own.indexOf(`--${name}`);
  return i === -1 ? undefined : own[i + 1];
};
const flag = (name: string): boolean => own.includes(`--${name}`);
if (flag("help")) {
  console.log(readFileSync(new URL(import.meta.url), "utf8").split("\nimport ")[0]);
  process.exit(0);
}
const keys = Number(opt("keys") ?? 1_000_000);
const rounds = Number(opt("rounds") ?? 3);
const runtimes = (opt("runtimes") ?? "deno,bun").split(",");
const plain = flag("plain");
const check = flag("check");
const oldCheckout = opt("old");
const keep = opt("keep");
const dir = keep ?? join(tmpdir(), `kevy-dump-bench-${process.pid}`);
const NOW = 1_800_000_000_000; // --now: deadlines are judged as of a fixed instant

const here = new URL("..", import.meta.url).pathname;
const bin = (checkout: string) => join(checkout, "src/cli/bin.ts");
const exe: Record<string, string> = {
  deno: join(here, "node_modules/.bin/deno"),
  bun: join(here, "node_modules/.bin/bun"),
};

async function build(): Promise<void> {
  const stamp = `${keys} ${plain ? "plain" : "mixed"} 1`;
  const stampPath = join(dir, ".bench");
  if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const te = new TextEncoder();
  const b = (s: string) => te.encode(s);
  const store = new Store({ now: () => 0 });
  const value = b("v".repeat(16));
  const far = String(NOW + 86_400_000);
  for (let i = 0; i < keys; i++) {
    const k = b(`key:${i}`);
    const kind = plain ? 0 : i % 100;
    if (kind < 97) {
      applyCommand(store, [b("SET"), k, value]);
      if (!plain && i % 10 === 3) applyCommand(store, [b("PEXPIREAT"), k, b(far)]);
    } else if (kind === 97) applyCommand(store, [b("HSET"), k, b("f1"), b("a"), b("f2"), b("b")]);
    else if (kind === 98) applyCommand(store, [b("RPUSH"), k, b("x"), b("y"), b("z")]);
    else if (i % 2 === 0) applyCommand(store, [b("SADD"), k, b("m1"), b("m2")]);
    else applyCommand(store, [b("ZADD"), k, b("1.5"), b("m1"), b("2"), b("m2")]);
  }
  await saveSnapshot(store, join(dir, "dump-0.rdb"), { now: 0 });
  if (!plain) {
    const aof = await Aof.open(join(dir, "aof-0.aof"), { fsync: "no" });
    for (let j = 0; j < 10_000; j++) {
      const k = b(`key:${(j * 7919) % keys}`);
      const argvs = [
        [b("SET"), k, b(`new-${j}`)],
        [b("DEL"), k],
        [b("PEXPIREAT"), k, b(far)],
        [b("HSET"), b(`aofhash:${j}`), b("f"), b(String(j))],
      ];
      void aof.append(argvs[j % 4]!);
    }
    await aof.close();
  }
  writeFileSync(stampPath, stamp);
}

interface Run {
  wall: number;
  cpu: number;
  rssMB: number;
  bytes: number;
  digest: string;
}

function runOnce(runtime: string, checkout: string): Promise<Run> {
  const cmd = runtime === "deno"
    ? [exe.deno!, "run", "-A", bin(checkout)]
    : [exe.bun!, bin(checkout)];
  const args = [
    "-f",
    "%e %U %S %M",
    ...cmd,
    "dump",
    dir,
    "--now",
    String(NOW),
    ...dumpFlags,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", args, { stdio: ["ignore", "pipe", "pipe"] });
    const hash = check ? createHash("sha1") : null;
    let bytes = 0;
    let err = "";
    child.stdout!.on("data", (d: Uint8Array) => {
      bytes += d.length;
      hash?.update(d);
    });
    child.stderr!.on("data", (d: Uint8Array) => (err += String(d)));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = err.trim().split("\n").pop() ?? "";
      const m = last.match(/^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/);
      if (code !== 0 || m === null) {
        reject(new Error(`${runtime} ${checkout}: exit ${code}: ${err.slice(-2000)}`));
        return;
      }
      resolve({
        wall: Number(m[1]),
        cpu: Number(m[2]) + Number(m[3]),
        rssMB: Number(m[4]) / 1024,
        bytes,
        digest: hash?.digest("hex") ?? "",
      });
    });
  });
}

await build();
const checkouts: Array<[string, string]> = [["new", here]];
if (oldCheckout !== undefined) checkouts.push(["old", oldCheckout]);
console.log(
  `dump of ${dir} (${keys} keys, ${plain ? "plain" : "mixed"}) ${dumpFlags.join(" ")}; ` +
    `load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
);
const results = new Map<string, Run[]>();
let failed = false;
for (let r = 0; r < rounds; r++) {
  for (const runtime of runtimes) {
    const digests = new Map<string, string>();
    for (const [label, checkout] of r % 2 === 0 ? checkouts : [...checkouts].reverse()) {
      const run = await runOnce(runtime, checkout);
      const key = `${runtime} ${label}`;
      results.set(key, [...(results.get(key) ?? []), run]);
      digests.set(label, `${run.bytes} ${run.digest}`);
      console.log(
        `round ${r + 1} ${key.padEnd(8)} wall ${run.wall.toFixed(2)} s  cpu ${
          run.cpu.toFixed(2)
        } s  rss ${run.rssMB.toFixed(0)} MB  ${run.bytes} bytes ${run.digest.slice(0, 12)}`,
      );
    }
    if (digests.size === 2 && new Set(digests.values()).size !== 1) {
      console.log(`  OUTPUT DIFFERS (${runtime}): ${[...digests.values()].join(" vs ")}`);
      failed = true;
    }
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const span = (xs: number[]) =>
  `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} (median ${med(xs).toFixed(2)})`;
for (const [key, runs] of results) {
  console.log(
    `${key.padEnd(8)} wall ${span(runs.map((x) => x.wall))} s; cpu ${
      span(runs.map((x) => x.cpu))
    } s; max rss ${span(runs.map((x) => x.rssMB))} MB`,
  );
}
if (oldCheckout !== undefined) {
  for (const runtime of runtimes) {
    const n = results.get(`${runtime} new`)!, o = results.get(`${runtime} old`)!;
    const ratio = (f: (x: Run) => number) => (med(n.map(f)) / med(o.map(f))).toFixed(2);
    console.log(
      `${runtime}: new/old wall ${ratio((x) => x.wall)}x, cpu ${ratio((x) => x.cpu)}x, rss ${
        ratio((x) => x.rssMB)
      }x`,
    );
  }
}
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
if (keep === undefined) rmSync(dir, { recursive: true, force: true });
if (failed) process.exit(1);
