// Durability of the embedded store: reopen per fsync policy, the AOF's exact
// frames, TTLs across restarts, group commit, save, rewrite, auto-rewrite,
// memory mode, shard spreading.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { AppendFsync } from "../../src/embedded/options.ts";
import { countingFs, dirFrames, forbiddenFs, testClock } from "./_embedded_helpers.ts";

async function session(dir: string, appendfsync: AppendFsync): Promise<void> {
  const db = await openStore({ dir, appendfsync, activeExpireIntervalMs: 0 });
  await db.set("s", "v");
  await db.incrby("n", 41);
  await db.incr("n");
  await db.hset("h", { a: "1", b: "2" });
  await db.rpush("l", "x", "y", "z");
  await db.lpop("l");
  await db.sadd("set", "m1", "m2");
  await db.zadd("z", [[1.5, "a"], [-0, "b"]]);
  await db.set("ttl", "v", { ex: 1000 });
  await db.del("s");
  await db.close();
}

describe("embedded store persistence", () => {
  for (const policy of ["always", "everysec", "no"] as const) {
    it(`reopens with every write intact (appendfsync: ${policy})`, async () => {
      const dir = tempDir();
      await session(dir, policy);
      const db = await openStore({ dir, appendfsync: policy, activeExpireIntervalMs: 0 });
      assert.equal(await db.get("s"), null);
      assert.equal(await db.get("n"), "42");
      assert.deepEqual(await db.hgetall("h"), { a: "1", b: "2" });
      assert.deepEqual(await db.lrange("l", 0, -1), ["y", "z"]);
      assert.deepEqual((await db.smembers("set")).sort(), ["m1", "m2"]);
      assert.deepEqual(await db.zrange("z", 0, -1, { withScores: true }), [
        { member: "b", score: -0 },
        { member: "a", score: 1.5 },
      ]);
      assert.ok((await db.ttl("ttl")) > 990);
      const info = db.info();
      assert.equal(info.appendfsync, policy);
      assert.equal(info.aofEnabled, true);
      assert.equal(info.lastReplay.frames, 11);
      assert.equal(info.lastReplay.tornBytes, 0);
      assert.equal(info.keys, 6);
      await db.close();
    });
  }

  it("logs normalised frames: SET k v then PEXPIREAT k <abs ms>, no-ops skipped", async () => {
    const dir = tempDir();
    const clock = testClock(1_700_000_000_000);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    await db.set("k", "v", { ex: 10 });
    await db.set("k2", "v2", { px: 1500, nx: true });
    await db.set("k2", "zz", { nx: true }); // lost: no frame
    await db.del("missing"); // no-op
    await db.sadd("s", "a");
    await db.sadd("s", "a"); // no-op
    await db.expire("k2", 100);
    await db.persist("k2");
    await db.persist("k2"); // no-op
    await db.incr("n");
    await db.close();
    const t = clock.t;
    assert.deepEqual(dirFrames(dir), [
      ["SET", "k", "v"],
      ["PEXPIREAT", "k", String(t + 10_000)],
      ["SET", "k2", "v2"],
      ["PEXPIREAT", "k2", String(t + 1500)],
      ["SADD", "s", "a"],
      ["PEXPIREAT", "k2", String(t + 100_000)],
      ["PERSIST", "k2"],
      ["INCR", "n"],
    ]);
  });

  it("TTLs survive reopen and expire by the injected clock", async () => {
    const dir = tempDir();
    const clock = testClock();
    let db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    await db.set("short", "v", { px: 5000 });
    await db.set("long", "v", { ex: 3600 });
    await db.pexpire("h", 1); // missing key: nothing
    await db.close();
    clock.t += 2000;
    db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    assert.equal(await db.pttl("short"), 3000);
    assert.equal(await db.ttl("long"), 3598);
    await db.save();
    await db.close();
    clock.t += 4000;
    db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    assert.equal(await db.get("short"), null, "expired while closed");
    assert.equal(await db.ttl("long"), 3594);
    await db.close();
  });

  it("always: 64 concurrent sets are all acknowledged after few fdatasyncs", async () => {
    const dir = tempDir();
    const { fs, syncs } = countingFs();
    const db = await openStore({ dir, fs, appendfsync: "always", activeExpireIntervalMs: 0 });
    const before = syncs();
    const replies = await Promise.all(
      Array.from({ length: 64 }, (_, i) => db.set(`k${i}`, `v${i}`)),
    );
    const used = syncs() - before;
    assert.deepEqual(replies, new Array(64).fill("OK"));
    assert.ok(used >= 1 && used <= 4, `expected group commit, saw ${used} fdatasyncs`);
    // Acknowledged means on disk already: the file holds every frame before close.
    assert.equal(dirFrames(dir).length, 64);
    assert.ok(db.info().aofFsyncs.count >= used);
    await db.close();
  });

  it("save() writes the snapshot, resets the AOF, and reopens the same keyspace", async () => {
    const dir = tempDir();
    const clock = testClock();
    let db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    for (let i = 0; i < 100; i++) await db.incr(`c${i % 10}`);
    await db.set("t", "v", { ex: 60 });
    await db.save();
    const info = db.info();
    assert.equal(info.lastSaveStatus, "ok");
    assert.equal(info.lastSaveTime, clock.t);
    assert.equal(info.aofCurrentSize, 9, "just the KEVYAOF1 header");
    assert.ok(existsSync(join(dir, "dump-0.rdb")));
    await db.incr("c0"); // after the save: in the new log
    await db.close();
    assert.deepEqual(dirFrames(dir), [["INCR", "c0"]]);
    db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    assert.equal(await db.get("c0"), "11");
    assert.equal(await db.get("c9"), "10");
    assert.equal(await db.ttl("t"), 60);
    assert.equal(db.info().lastReplay.snapshotKeys, 11);
    await db.close();
  });

  it("rewriteAof() compacts the log to the keyspace", async () => {
    const dir = tempDir();
    let db = await openStore({ dir, activeExpireIntervalMs: 0 });
    for (let i = 0; i < 200; i++) await db.set("k", `v${i}`);
    await db.rpush("l", "a", "b");
    const before = db.info().aofCurrentSize;
    await db.rewriteAof();
    const info = db.info();
    assert.ok(info.aofCurrentSize < before / 10, `${info.aofCurrentSize} vs ${before}`);
    assert.equal(info.aofRewrites, 1);
    assert.equal(info.aofLastRewriteStatus, "ok");
    await db.set("after", "1");
    await db.close();
    const frames = dirFrames(dir);
    assert.deepEqual(frames.slice(-1), [["SET", "after", "1"]]);
    assert.ok(frames.length <= 3);
    db = await openStore({ dir, activeExpireIntervalMs: 0 });
    assert.equal(await db.get("k"), "v199");
    assert.deepEqual(await db.lrange("l", 0, -1), ["a", "b"]);
    await db.close();
  });

  it("rewrites automatically once the log outgrows autoRewriteMinSize", async () => {
    const dir = tempDir();
    const db = await openStore({
      dir,
      autoRewriteMinSize: 2048,
      autoRewritePercentage: 100,
      activeExpireIntervalMs: 0,
    });
    for (let i = 0; i < 500; i++) await db.set("k", `value-${i}`);
    // The rewrite runs in the background; give it a few turns.
    for (let i = 0; i < 50 && db.info().aofRewrites === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const info = db.info();
    assert.ok(info.aofRewrites >= 1, "an automatic rewrite ran");
    assert.ok(info.aofBaseSize < 200, `the rewritten log holds one SET (base ${info.aofBaseSize})`);
    await db.close();
    const db2 = await openStore({ dir, activeExpireIntervalMs: 0 });
    assert.equal(await db2.get("k"), "value-499");
    await db2.close();
  });

  it("aof: false keeps only snapshots (save() persists, nothing is logged)", async () => {
    const dir = tempDir();
    let db = await openStore({ dir, aof: false, activeExpireIntervalMs: 0 });
    await db.set("a", "1");
    assert.equal(db.info().aofEnabled, false);
    await db.save();
    await db.set("b", "2"); // not saved: lost on close
    await db.close();
    db = await openStore({ dir, aof: false, activeExpireIntervalMs: 0 });
    assert.equal(await db.get("a"), "1");
    assert.equal(await db.get("b"), null);
    await db.close();
  });

  it("memory mode (no dir) touches no files", async () => {
    const { fs, calls } = forbiddenFs();
    const db = await openStore({ fs, shards: 2 });
    await db.set("k", "v", { ex: 5 });
    await db.lpush("l", "x");
    assert.equal(await db.get("k"), "v");
    assert.equal(db.info().mode, "memory");
    await assert.rejects(db.save(), TypeError);
    await assert.rejects(db.rewriteAof(), TypeError);
    await db.close();
    assert.deepEqual(calls, []);
  });

  it("custom single-shard file names are used", async () => {
    const dir = tempDir();
    const db = await openStore({
      dir,
      snapshotName: "data.rdb",
      aofName: "data.aof",
      activeExpireIntervalMs: 0,
    });
    await db.set("k", "v");
    await db.save();
    await db.set("k2", "v");
    await db.close();
    assert.ok(existsSync(join(dir, "data.rdb")));
    assert.deepEqual(dirFrames(dir, "data.aof"), [["SET", "k2", "v"]]);
    assert.equal(existsSync(join(dir, "aof-0.aof")), false);
  });

  it("shards: 3 spreads keys over three non-empty logs", async () => {
    const dir = tempDir();
    const db = await openStore({ dir, shards: 3, activeExpireIntervalMs: 0 });
    await db.mset(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`key:${i}`, `${i}`])));
    const info = db.info();
    assert.equal(info.perShard.length, 3);
    for (const s of info.perShard) assert.ok(s.keys > 5, `shard ${s.index} has ${s.keys} keys`);
    await db.close();
    const names = readdirSync(dir).filter((n) => /^aof-\d\.aof$/.test(n)).sort();
    assert.deepEqual(names, ["aof-0.aof", "aof-1.aof", "aof-2.aof"]);
    let total = 0;
    for (const n of names) {
      // The MSET spans the shards: one group per log, MULTI ... EXEC around its part
      // (markers kevy 1.17 skips; see codec/group.ts).
      const all = dirFrames(dir, n, true);
      assert.equal(all[0]![0], "MULTI");
      assert.equal(all.at(-1)![0], "EXEC");
      const frames = all.slice(1, -1);
      assert.ok(statSync(join(dir, n)).size > 9 && frames.length > 0);
      for (const f of frames) {
        assert.equal(f[0], "SET", "MSET is logged as SET frames (kevy replays no MSET)");
      }
      total += frames.length;
    }
    assert.equal(total, 60);
  });
});
