// A key seen as expired stays gone: the embedded store logs a DEL for every
// key it removes because its deadline passed (lazily on a read or a write,
// by active expiry, or right after bring-up), as Redis propagates one, so a
// restart with the clock set back cannot resurrect it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { dirFrames, testClock } from "./_embedded_helpers.ts";

const T = 1_700_000_000_000;

async function open(dir: string, clock: { now: () => number }, activeExpireIntervalMs = 0) {
  return await openStore({ dir, clock: clock.now, activeExpireIntervalMs });
}

describe("expired keys are logged as DEL", () => {
  it("lazily, on a read: the key does not come back when the clock is set back", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.set("k", "v", { px: 100 });
    clock.t = T + 200;
    assert.equal(await db.get("k"), null);
    await db.close();
    assert.deepEqual(dirFrames(dir).at(-1), ["DEL", "k"]);
    clock.t = T + 50; // set back: before the deadline
    db = await open(dir, clock);
    assert.equal(await db.get("k"), null);
    await db.close();
  });

  it("lazily, under a write: INCR of an expired counter restarts from 0 after a restart too", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.set("c", "5", { px: 100 });
    clock.t = T + 200;
    assert.equal(await db.incr("c"), 1);
    await db.close();
    clock.t = T + 50;
    db = await open(dir, clock);
    assert.equal(await db.get("c"), "1");
    assert.equal(await db.pttl("c"), -1);
    await db.close();
  });

  it("actively, without any read", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock, 5);
    for (let i = 0; i < 5; i++) await db.set(`k${i}`, "v", { px: 100 });
    clock.t = T + 200;
    for (let i = 0; i < 300 && db.info().perShard[0]!.keys > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await db.close();
    const dels = dirFrames(dir).filter((f) => f[0] === "DEL").map((f) => f[1]).sort();
    assert.deepEqual(dels, ["k0", "k1", "k2", "k3", "k4"]);
    clock.t = T + 50;
    db = await open(dir, clock);
    assert.equal(await db.dbsize(), 0);
    await db.close();
  });

  it("right after bring-up, for keys the files hold past their deadline", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.set("old", "v", { px: 100 });
    await db.set("new", "v");
    await db.close();
    clock.t = T + 200;
    db = await open(dir, clock);
    await db.close();
    clock.t = T + 50;
    db = await open(dir, clock);
    assert.equal(await db.get("old"), null);
    assert.equal(await db.get("new"), "v");
    await db.close();
  });

  it("a key that is still live is not logged; memory mode logs nothing", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    const db = await open(dir, clock);
    await db.set("k", "v", { px: 1000 });
    assert.equal(await db.get("k"), "v");
    await db.close();
    assert.deepEqual(dirFrames(dir).map((f) => f[0]), ["SET", "PEXPIREAT"]);
    const mem = await openStore({ clock: clock.now, activeExpireIntervalMs: 0 });
    await mem.set("k", "v", { px: 10 });
    clock.t += 100;
    assert.equal(await mem.get("k"), null);
    await mem.close();
  });
});
