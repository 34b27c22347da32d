// A key that leaves without a command (evicted under maxmemory, or expired) is logged as a
// DEL that nobody awaits. While its shard's log is failed (a write or sync error, until a
// retry succeeds) that DEL must still reach the log, ahead of what is logged once the disk
// is back: otherwise a later write of the key replays on top of its old value (an INCR
// acknowledged as 1 comes back as old+1) and the evicted key returns. Found by the
// simulator's maxmemory mode (tests/sim).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { OpenStoreOptions } from "../../src/embedded/options.ts";

const T0 = 1_700_000_000_000;
const enospc = () => Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });

/** Fails the next write of the log, runs `write` (it fails), then waits for a retry to pass. */
async function failOnce(fs: CrashFs, write: () => Promise<unknown>) {
  const stop = fs.failOn((o) => o.kind === "write" && o.path.endsWith(".aof"), enospc());
  await assert.rejects(write(), /ENOSPC/);
  stop();
}

async function untilWritable(db: KevyStore, during: () => Promise<unknown>) {
  await during().catch(() => {}); // refused (MISCONF) while the log is failed; it retries
  for (let n = 0; n < 500; n++) {
    if (await db.del("__probe").then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail("the log never came back");
}

function opts(fs: CrashFs, clock: () => number, extra: OpenStoreOptions = {}): OpenStoreOptions {
  return {
    dir: "/db",
    fs,
    clock,
    shards: 1,
    appendfsync: "always",
    activeExpireIntervalMs: 0,
    ...extra,
  };
}

describe("a key removed without a command while the log is failed", () => {
  it("an evicted key's DEL is logged once the disk is back: a later INCR replays as 1", async () => {
    const fs = new CrashFs();
    const clock = () => T0;
    const cap = { maxmemory: 600, maxmemoryPolicy: "allkeys-lru", evictionSeed: 1 } as const;
    let db = await openStore(opts(fs, clock, cap));
    for (let i = 0; i < 6; i++) await db.set(`k${i}`, "1000000000");
    const evicted: string[] = [];
    db.onKeyspaceEvent((e) => evicted.push(e.key), { events: ["evicted"] });
    // Applied in memory, not on disk: the log is failed and memory is over the cap.
    await failOnce(fs, () => db.set("big", "x".repeat(200)));
    // The next command evicts (its DEL cannot be written yet) and is refused.
    await untilWritable(db, () => db.del("nothing"));
    assert.ok(evicted.length > 0, "something was evicted while the log was failed");
    for (const k of evicted) assert.equal(await db.incr(k), 1);
    const keys = [...[...Array(6).keys()].map((i) => `k${i}`), "big"];
    const want: Array<[string, string | null]> = [];
    for (const k of keys) want.push([k, await db.get(k)]);
    await db.close();
    db = await openStore(opts(fs, clock));
    for (const [k, v] of want) assert.equal(await db.get(k), v, k);
    await db.close();
  });

  it("an expired key's DEL is logged once the disk is back: the clock set back cannot revive it", async () => {
    const fs = new CrashFs();
    let t = T0;
    let db = await openStore(opts(fs, () => t));
    await db.set("t", "5", { px: 1000 });
    await failOnce(fs, () => db.set("x", "1"));
    t += 2000;
    assert.equal(await db.get("t"), null); // expired now: its DEL cannot be written yet
    await untilWritable(db, () => db.set("y", "1"));
    assert.equal(await db.incr("t"), 1);
    await db.close();
    t = T0; // the clock moved back: the old SET's deadline is in the future again
    db = await openStore(opts(fs, () => t));
    assert.equal(await db.get("t"), "1");
    assert.equal(await db.pttl("t"), -1);
    await db.close();
  });
});
