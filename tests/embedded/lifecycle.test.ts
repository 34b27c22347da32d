// The store's life: `await using` (Symbol.asyncDispose), { closeOnExit: true } with real
// processes ended by SIGTERM, SIGINT, a drained event loop and process.exit(), and what the
// next open says about a directory its last user did not close.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { openStore } from "../../src/embedded/open.ts";
import type { MetricEvent } from "../../src/embedded/options.ts";
import { ramTempDir } from "../_helpers.ts";

const ext = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const script = fileURLToPath(new URL(`./_child_exit${ext}`, import.meta.url));
const g = globalThis as { Deno?: unknown };
const KEYS = 200;

interface Ended {
  code: number | null;
  signal: string | null;
  out: string;
  err: string;
}

/** Runs the child in `mode`; sends `sig` once it is ready. */
function run(dir: string, mode: string, sig: "SIGTERM" | "SIGINT" | null): Promise<Ended> {
  const args = [script, dir, mode];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, g.Deno !== undefined ? ["run", "-A", ...args] : args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "", sent = false;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      if (sig !== null && !sent && out.includes("ready\n")) {
        sent = true;
        child.kill(sig);
      }
    });
    child.stderr!.on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, out, err }));
  });
}

function topLock(dir: string): Record<string, unknown> {
  const gens = readdirSync(dir).filter((n) => /^kevy\.lock\.\d+$/.test(n))
    .sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
  return JSON.parse(readFileSync(join(dir, gens.at(-1)!), "utf8"));
}

/** Opens `dir` and reports its keys k0.. in order and the warnings the open gave. */
async function reopen(dir: string): Promise<{ present: boolean[]; warnings: string[] }> {
  const warnings: string[] = [];
  const db = await openStore({
    dir,
    onMetric: (e: MetricEvent) => {
      if (e.name === "warning") warnings.push(String(e["message"]));
    },
  });
  const vals = await db.mget(...Array.from({ length: KEYS }, (_, i) => `k${i}`));
  const present = vals.map((v, i) => {
    if (v !== null) assert.equal(v, `v${i}`);
    return v !== null;
  });
  await db.close();
  return { present, warnings };
}

describe("closeOnExit with real processes", { timeout: 120_000 }, () => {
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    it(`${sig}: the logs are flushed and the lock released, then the signal ends the process`, async () => {
      const dir = ramTempDir("kevy-exit-");
      const r = await run(dir, "signal", sig);
      assert.equal(r.signal, sig, `ended by the signal (code ${r.code}): ${r.err}`);
      assert.equal(topLock(dir)["released"], true);
      const { present, warnings } = await reopen(dir);
      assert.ok(present.every(Boolean), "every write is there");
      assert.deepEqual(warnings, [], "a clean open: no stale lock");
    });
  }

  it("the event loop running dry closes the store (exit code 0)", async () => {
    const dir = ramTempDir("kevy-exit-");
    const r = await run(dir, "drain", null);
    assert.equal(r.code, 0, r.err);
    assert.equal(topLock(dir)["released"], true);
    const { present, warnings } = await reopen(dir);
    assert.ok(present.every(Boolean));
    assert.deepEqual(warnings, []);
  });

  it("process.exit(): what can be written synchronously is; the next open says what happened", async () => {
    const dir = ramTempDir("kevy-exit-");
    const r = await run(dir, "exit", null);
    assert.equal(r.code, 0, r.err);
    assert.notEqual(topLock(dir)["released"], true, "no async close: the lock stays");
    const { present, warnings } = await reopen(dir);
    // everysec: a write in flight at exit may be lost (the child then says so), never a gap.
    const n = present.indexOf(false) === -1 ? KEYS : present.indexOf(false);
    assert.ok(present.slice(n).every((p) => !p), "the writes kept are a prefix");
    if (n < KEYS) assert.match(r.err, /process\.exit\(\) while shard\(s\) 0 were writing/);
    // One message about the lock (a write cut by the exit may add a torn-tail note).
    const stale = warnings.filter((w) => /stale lock/.test(w));
    assert.equal(stale.length, 1, JSON.stringify(warnings));
    assert.ok(warnings.every((w) => stale.includes(w) || /torn tail/.test(w)), String(warnings));
    assert.match(stale[0]!, /was not closed by its last user \(pid \d+ on .*no longer running\)/);
    assert.match(stale[0]!, /nothing (they held|complete) was lost/);
    assert.doesNotMatch(stale[0]!, /is gone/);
  });
});

describe("Symbol.asyncDispose", () => {
  it("closes the store (what `await using` calls) and releases the lock", async () => {
    const dir = ramTempDir("kevy-dispose-");
    const db = await openStore({ dir });
    await db.set("k", "v");
    await db[Symbol.asyncDispose]();
    assert.equal(db.closed, true);
    assert.equal(topLock(dir)["released"], true);
    await db[Symbol.asyncDispose](); // twice is harmless
  });
});
