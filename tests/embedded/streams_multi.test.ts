// The stream methods on a transaction (db.multi(), atomic()) and the keyspace
// events they fire: queued like every typed method, replies decoded to the same
// JS shapes, logged as one transaction, events after EXEC in Redis's names.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { dirFrames, testClock } from "./_embedded_helpers.ts";

const T0 = 1_700_000_000_000;

describe("stream methods inside multi()", () => {
  it("queue, run as one transaction and decode to the handle's shapes; a reopen has them", async () => {
    const dir = tempDir();
    const clock = testClock(T0);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    const tx = db.multi()
      .xadd("s", "*", { a: "1" })
      .xadd("s", `${T0}-*`, { a: "2" })
      .xgroupCreate("s", "g", "0")
      .xreadgroup("g", "c", { s: ">" }, { count: 1 })
      .xlen("s")
      .xrange("s", "-", "+", { count: 1 })
      .xpending("s", "g")
      .xack("s", "g")
      .xinfoGroups("s");
    assert.equal(tx.length, 9);
    const r = await tx.exec();
    assert.ok(r !== null);
    const [id1, id2, created, read, len, range, pending, acked, groups] = r;
    assert.equal(id1, `${T0}-0`);
    assert.equal(id2, `${T0}-1`);
    assert.equal(created, "OK");
    assert.deepEqual(read, [{ key: "s", entries: [{ id: `${T0}-0`, fields: { a: "1" } }] }]);
    assert.equal(len, 2);
    assert.deepEqual(range, [{ id: `${T0}-0`, fields: { a: "1" } }]);
    assert.deepEqual(pending, {
      count: 1,
      first: `${T0}-0`,
      last: `${T0}-0`,
      consumers: [{ name: "c", pending: 1 }],
    });
    assert.equal(acked, 0); // xack of no id: nothing queued, 0
    assert.deepEqual((groups as Array<{ name: string }>).map((g) => g.name), ["g"]);
    await db.close();

    // One MULTI ... EXEC in the log; the reopened store has what the transaction made.
    const frames = dirFrames(dir, "aof-0.aof", true).map((f) => f[0]!.toUpperCase());
    assert.equal(frames[0], "MULTI");
    assert.equal(frames.at(-1), "EXEC");
    assert.ok(frames.includes("XADD") && frames.includes("XGROUP") && frames.includes("XCLAIM"));
    const again = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    assert.equal(await again.xlen("s"), 2);
    assert.deepEqual(await again.xpending("s", "g"), pending);
    await again.close();
  });

  it("a bad argument throws when queued; a command Redis refuses is an error in its slot", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    assert.throws(() => db.multi().xadd("s", "*", {}), RangeError);
    assert.throws(() => db.multi().xtrim("s", {}), RangeError);
    await db.set("str", "x");
    const r = await db.multi().xadd("s", "1-1", { f: "v" }).xadd("str", "*", { f: "v" })
      .xadd("s", "1-1", { f: "again" }).xlen("s").exec();
    assert.ok(r !== null);
    assert.equal(r[0], "1-1");
    assert.ok(r[1] instanceof CommandFailedError && /^WRONGTYPE/.test(r[1].message));
    assert.ok(r[2] instanceof CommandFailedError && /equal or smaller/.test(r[2].message));
    assert.equal(r[3], 1);
    await db.close();
  });

  it("atomic(): a stream written under a watch runs the transaction again", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    await db.xadd("jobs", "1-1", { n: "1" });
    let attempts = 0;
    const r = await db.atomic(async (tx) => {
      attempts++;
      await tx.watch("jobs");
      const n = await tx.xlen("jobs");
      if (attempts === 1) await db.xadd("jobs", "2-1", { n: "2" }); // someone else writes
      return tx.multi().xadd("jobs", "*", { n: String(n + 1) }).xlen("jobs");
    });
    assert.equal(attempts, 2);
    assert.ok(r !== null);
    assert.equal(r[1], 3);
    assert.deepEqual((await db.xrange("jobs")).map((e) => e.fields.n), ["1", "2", "3"]);
    await db.close();
  });

  it("fire Redis's stream events after EXEC, in order", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    const seen: string[] = [];
    const stop = db.onKeyspaceEvent((e) => seen.push(`${e.type}:${e.event} ${e.key}`), {
      types: ["stream", "generic", "new"],
    });
    await db.multi()
      .xadd("s", "1-1", { f: "1" })
      .xadd("s", "1-2", { f: "2" }, { maxlen: 1 })
      .xgroupCreate("s", "g", "0")
      .xreadgroup("g", "c", { s: ">" })
      .xack("s", "g", "1-2")
      .xgroupDelConsumer("s", "g", "c")
      .xdel("s", "1-2")
      .exec();
    await new Promise((r) => setTimeout(r, 0));
    stop();
    assert.deepEqual(seen, [
      "new:new s",
      "stream:xadd s",
      "stream:xadd s",
      "stream:xtrim s",
      "stream:xgroup-create s",
      "stream:xgroup-createconsumer s",
      "stream:xgroup-delconsumer s",
      "stream:xdel s",
    ]);
    await db.close();
  });
});
