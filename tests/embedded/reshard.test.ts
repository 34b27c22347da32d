// Re-opening a directory with another shard count or routing re-shards it, keeping the keyspace.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { MetricEvent } from "../../src/embedded/options.ts";
import { dirKeyspace, testClock } from "./_embedded_helpers.ts";

async function fill(dir: string, now: () => number): Promise<void> {
  const db = await openStore({ dir, shards: 4, clock: now, activeExpireIntervalMs: 0 });
  for (let i = 0; i < 40; i++) await db.set(`s:${i}`, `v${i}`, i % 5 === 0 ? { ex: 3600 + i } : {});
  await db.hset("h", { a: "1", b: "2" });
  await db.rpush("l", "x", "y", "z");
  await db.sadd("set", "p", "q");
  await db.zadd("z", [[1, "a"], [2.5, "b"], [-Infinity, "c"]]);
  await db.incrby("n", 7);
  await db.save(); // part of the data in snapshots...
  await db.set("after-save", "1"); // ...and part in the logs
  await db.lpush("l", "w");
  await db.close();
}

describe("embedded store re-shard at open", () => {
  it("a dir written at n=4 reopened at n=2, 1 and back at 4 keeps an identical keyspace", async () => {
    const dir = tempDir();
    const clock = testClock();
    await fill(dir, clock.now);
    const original = await dirKeyspace(dir, clock.now);
    assert.equal(original.length, 46);
    for (const n of [2, 1, 4]) {
      const events: MetricEvent[] = [];
      const db = await openStore({
        dir,
        shards: n,
        clock: clock.now,
        onMetric: (e) => events.push(e),
        activeExpireIntervalMs: 0,
      });
      assert.equal(await db.dbsize(), 46);
      assert.deepEqual(await db.lrange("l", 0, -1), ["w", "x", "y", "z"]);
      assert.equal(await db.ttl("s:5"), 3605);
      assert.ok(events.some((e) => e.name === "reshard"), `re-sharded to ${n}`);
      assert.equal(db.info().shards, n);
      await db.close();
      assert.equal(readFileSync(join(dir, "shards.meta"), "utf8"), `${n}\nkevyhash\n`);
      assert.deepEqual(await dirKeyspace(dir, clock.now), original, `keyspace at n=${n}`);
    }
    assert.ok(
      readdirSync(dir).some((f) => f.includes(".premigration.")),
      "sources kept as backups",
    );
  });

  it("a routing change (kevyhash -> slots) at the same count re-shards too", async () => {
    const dir = tempDir();
    const clock = testClock();
    await fill(dir, clock.now);
    const original = await dirKeyspace(dir, clock.now);
    const db = await openStore({
      dir,
      shards: 4,
      routing: "slots",
      clock: clock.now,
      activeExpireIntervalMs: 0,
    });
    assert.equal(db.info().routing, "slots");
    assert.equal(await db.get("s:1"), "v1");
    await db.close();
    assert.equal(readFileSync(join(dir, "shards.meta"), "utf8"), "4\nslots\n");
    assert.deepEqual(await dirKeyspace(dir, clock.now), original);
  });
});
