// Child process for the follow tests: a live store writing while it is
// being followed. Phase 1 writes a base and prints "ready"; on "go" (stdin)
// phase 2 runs a seeded sequence of writes of every kind, with a save, an
// AOF rewrite and a close + reopen with another shard count (a re-shard)
// in the middle, then prints "done" and exits. With <pauses> = 1 it prints
// "phase N" after each of the three and waits for a "next" line on stdin, so
// a test can let its follower see each replacement before the next one
// (two replacements inside one poll would be one resync).
// Usage: <runtime> _follow_writer.(ts|js) <dir> <seed> <ops> [<aof format 1|2>] [<pauses 0|1>]
import process from "node:process";
import { openStore } from "../../src/embedded/open.ts";

const args = process.argv.slice(process.argv.findIndex((a) => a.includes("_follow_writer")) + 1);
const [dir, seedText, opsText, formatText, pausesText] = args as [
  string,
  string,
  string,
  string | undefined,
  string | undefined,
];
const aofFormat = formatText === "2" ? 2 : 1;
const pauses = pausesText === "1";
let seed = Number(seedText) >>> 0;
const rnd = (n: number): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
  return seed % n;
};
const ops = Number(opsText);
const key = (): string => (rnd(7) === 0 ? `\x00k${rnd(60)}` : `k${rnd(60)}`);

// The base with appendfsync "always": each write is in its file when acknowledged,
// so a follower started after "ready" finds all of it in the initial copy.
let db = await openStore({
  dir,
  shards: 2,
  appendfsync: "always",
  activeExpireIntervalMs: 0,
  aofFormat,
});
for (let i = 0; i < 200; i++) await db.command(["SET", `base:${i}`, `v${i}`]);
await db.command(["RPUSH", "list", "a", "b", "c"]);
await db.command(["HSET", "hash", "f", "1"]);
await db.close();
db = await openStore({ dir, shards: 2, appendfsync: "no", activeExpireIntervalMs: 0, aofFormat });
process.stdout.write("ready\n");
// stdin as lines: "go" first, then one "next" per phase when pausing.
const lines: string[] = [];
let wake: (() => void) | null = null;
let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d: string) => {
  pending += d;
  for (let i = pending.indexOf("\n"); i >= 0; i = pending.indexOf("\n")) {
    lines.push(pending.slice(0, i));
    pending = pending.slice(i + 1);
  }
  wake?.();
});
const nextLine = async (): Promise<string> => {
  while (lines.length === 0) await new Promise<void>((res) => (wake = res));
  wake = null;
  return lines.shift()!;
};
let phase = 0;
const pause = async (): Promise<void> => {
  if (!pauses) return;
  process.stdout.write(`phase ${++phase}\n`);
  await nextLine();
};
await nextLine(); // "go"
if (!pauses) process.stdin.destroy(); // or the open pipe keeps the process alive

const now = Date.now();
for (let i = 0; i < ops; i++) {
  const k = key();
  const argv: Array<string> = (() => {
    switch (rnd(16)) {
      case 0:
        return ["SET", k, `s${i}`];
      case 1:
        return ["DEL", k, key()];
      case 2:
        return ["INCR", `n${rnd(5)}`];
      case 3:
        return ["RPUSH", "list", `x${i}`];
      case 4:
        return ["LPOP", "list"];
      case 5:
        return ["HSET", "hash", `f${rnd(20)}`, `${i}`];
      case 6:
        return ["SADD", `set${rnd(3)}`, `m${rnd(30)}`];
      case 7:
        return ["ZADD", "zset", String(rnd(100) / 7), `z${rnd(40)}`];
      case 8:
        return ["PEXPIREAT", `base:${rnd(200)}`, String(now + 3_600_000 + i)];
      case 9:
        return ["MSET", k, `m${i}`, key(), `m${i}`];
      case 10:
        return ["SET", k, `ttl${i}`, "PX", String(600_000 + i)];
      case 11:
        return ["INCRBYFLOAT", `f${rnd(3)}`, "0.1"];
      case 12:
        return ["APPEND", k, "+"];
      case 13:
        return ["SPOP", `set${rnd(3)}`];
      case 14:
        return ["RENAME", `base:${rnd(200)}`, `renamed:${i}`];
      default:
        return ["PERSIST", `base:${rnd(200)}`];
    }
  })();
  await db.command(argv).catch(() => {}); // WRONGTYPE and missing keys are fine: nothing is logged
  if (i === Math.floor(ops / 4)) {
    await db.save();
    await pause();
  }
  if (i === Math.floor(ops / 2)) {
    await db.rewriteAof();
    await pause();
  }
  if (i === Math.floor((3 * ops) / 4)) {
    await db.close();
    db = await openStore({
      dir,
      shards: 3,
      appendfsync: "no",
      activeExpireIntervalMs: 0,
      aofFormat,
    });
    await pause();
  }
}
await db.close();
if (pauses) {
  // Nothing more to read; a listening stdin would keep the process alive.
  process.stdin.removeAllListeners("data");
  process.stdin.destroy();
}
process.stdout.write("done\n");
