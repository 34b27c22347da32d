import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { tempDir } from "../_helpers.ts";

// The child runs with the runtime running this test: Deno, Bun, or Node on
// the compiled npm build (then this file and the child are .js).
const ext = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const script = fileURLToPath(new URL(`./_child_writer${ext}`, import.meta.url));
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const argvFor = (dir: string): string[] =>
  g.Deno !== undefined ? ["run", "-A", script, dir] : [script, dir];

/** Runs the child until `delayMs` after it is ready, SIGKILLs it, returns the acknowledged ids. */
function runAndKill(dir: string, delayMs: number): Promise<{ start: number; acked: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argvFor(dir), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let start = -1;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      if (start < 0) {
        const m = /^ready (\d+)\n/.exec(out);
        if (m) {
          start = Number(m[1]);
          setTimeout(() => child.kill("SIGKILL"), delayMs);
        }
      }
    });
    child.stderr!.on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`child exited (${signal}): ${err}`));
      const acked = [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      resolve({ start, acked });
    });
  });
}

async function check(dir: string, acked: number[]): Promise<number> {
  const shard = await ShardFiles.open({
    snapshotPath: `${dir}/dump-0.rdb`,
    aofPath: `${dir}/aof-0.aof`,
    fsync: "no",
  });
  const v = shard.store.getEntry(new TextEncoder().encode("log"));
  await shard.close();
  const items = v === null
    ? []
    : (v.value.value as Uint8Array[]).map((b) => Number(new TextDecoder().decode(b)));
  // Exactly 0..n-1 in order: nothing lost in the middle, nothing applied twice.
  items.forEach((x, i) => assert.equal(x, i, `item ${i} is ${x}`));
  for (const a of acked) {
    assert.ok(a < items.length, `acknowledged write ${a} lost (have ${items.length})`);
  }
  return items.length;
}

describe("kill -9 during appends, saves and rewrites (real processes)", () => {
  it("every acknowledged write survives 24 SIGKILLs", async () => {
    const lanes = 3;
    const runsPerLane = 8;
    let kills = 0;
    let totalAcked = 0;
    await Promise.all(Array.from({ length: lanes }, async () => {
      const dir = tempDir("kevy-kill9-");
      let have = 0;
      for (let r = 0; r < runsPerLane; r++) {
        const { start, acked } = await runAndKill(dir, Math.floor(Math.random() * 80));
        assert.equal(start, have, "the child resumed from the recovered state");
        kills++;
        totalAcked += acked.length;
        have = await check(dir, acked);
      }
    }));
    console.log(`${kills} SIGKILLs, ${totalAcked} acknowledged writes checked`);
    assert.equal(kills, lanes * runsPerLane);
    assert.ok(totalAcked > 0, "no write was acknowledged before the kills");
  });
});
