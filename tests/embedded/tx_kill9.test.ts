// Transactions under SIGKILL, with real processes: a multi() (across shards too) is all or
// nothing after a kill at any moment, and a compare-and-set (watch + multi, db.atomic) is
// never applied twice nor lost once acknowledged (appendfsync "always").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { ramTempDir } from "../_helpers.ts";

const ext = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const script = fileURLToPath(new URL(`./_child_tx${ext}`, import.meta.url));
const g = globalThis as { Deno?: unknown };
const RUNS = 8;

interface Ready {
  balances: Array<number | null>;
  ops: number;
  counter: number;
  log: number[];
}

/** Runs the child and SIGKILLs it once it acknowledged `acks` operations. */
function runAndKill(dir: string, mode: string, shards: number, acks: number) {
  const args = [script, dir, mode, String(shards)];
  return new Promise<{ ready: Ready; acked: number[] }>((resolve, reject) => {
    const child = spawn(process.execPath, g.Deno !== undefined ? ["run", "-A", ...args] : args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "", killed = false;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      if (!killed && (out.match(/^ack /gm)?.length ?? 0) >= acks) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr!.on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      const m = /^ready (.*)$/m.exec(out);
      if (signal !== "SIGKILL" || m === null) {
        return reject(new Error(`child ended (${signal}) before the kill: ${err}`));
      }
      const acked = [...out.matchAll(/^ack (\d+)$/gm)].map((x) => Number(x[1]));
      resolve({ ready: JSON.parse(m[1]!) as Ready, acked });
    });
  });
}

/** What the last run found at open, after the last kill. */
async function finalState(dir: string, mode: string, shards: number): Promise<Ready> {
  // One more run, killed at its first acknowledgement: its "ready" is the state after the kill.
  return (await runAndKill(dir, mode, shards, 1)).ready;
}

describe("transactions under SIGKILL", { timeout: 300_000 }, () => {
  for (const shards of [1, 3]) {
    it(`a multi() transfer is all or nothing after a kill (shards: ${shards})`, async () => {
      const dir = ramTempDir("kevy-txkill-");
      let maxAck = 0;
      for (let run = 0; run < RUNS; run++) {
        const { ready, acked } = await runAndKill(dir, "transfer", shards, 3 + (run * 7) % 25);
        if (run > 0) {
          const sum = ready.balances.reduce<number>((s, b) => s + (b ?? 0), 0);
          assert.equal(sum, 800, `run ${run}: the accounts sum to 800 (${ready.balances})`);
          assert.ok(ready.ops >= maxAck, `run ${run}: acknowledged transfer ${maxAck} lost`);
          assert.ok(ready.ops <= maxAck + 4, `run ${run}: ${ready.ops} transfers, acked ${maxAck}`);
        }
        maxAck = Math.max(maxAck, ...acked);
      }
      const last = await finalState(dir, "transfer", shards);
      assert.equal(last.balances.reduce<number>((s, b) => s + (b ?? 0), 0), 800);
      assert.ok(last.ops >= maxAck && last.ops <= maxAck + 4);
    });
  }

  it("a compare-and-set (db.atomic) is never applied twice nor lost (shards: 3)", async () => {
    const dir = ramTempDir("kevy-caskill-");
    let maxAck = 0;
    for (let run = 0; run <= RUNS; run++) {
      const { ready, acked } = await runAndKill(dir, "cas", 3, 4 + (run * 11) % 30);
      // counter (shard 1) and history (shard 2) differ: one split group per CAS.
      assert.deepEqual(
        ready.log,
        Array.from({ length: ready.counter }, (_, i) => i + 1),
        `run ${run}: the log is 1..counter, each value once`,
      );
      assert.ok(ready.counter >= maxAck, `run ${run}: acknowledged CAS ${maxAck} lost`);
      assert.ok(ready.counter <= maxAck + 4, `run ${run}: more than the 4 in flight applied`);
      maxAck = Math.max(maxAck, ...acked);
    }
  });
});
