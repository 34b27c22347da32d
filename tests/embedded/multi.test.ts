// db.multi() / exec(), db.watch() / unwatch() and db.atomic(): Redis MULTI/EXEC and WATCH
// semantics on the embedded store, in memory and on disk (what the AOF receives, and that a
// reopen replays a transaction exactly once).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { AtomicConflictError } from "../../src/embedded/handle.ts";
import { TransactionAbortedError } from "../../src/embedded/multi.ts";
import { CommandFailedError, StoreClosedError } from "../../src/embedded/errors.ts";
import { ramTempDir } from "../_helpers.ts";
import { dirFrames } from "./_embedded_helpers.ts";

function clockAt(start: number) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function withStore(
  shards: number,
  fn: (db: KevyStore, clock: { t: number }) => Promise<void>,
) {
  const clock = clockAt(1_700_000_000_000);
  const db = await openStore({ shards, clock: clock.now, activeExpireIntervalMs: 0 });
  try {
    await fn(db, clock);
  } finally {
    await db.close();
  }
}

for (const shards of [1, 4]) {
  describe(`multi() and watch() (shards: ${shards})`, () => {
    it("exec() applies every queued command and resolves with the typed replies", () =>
      withStore(shards, async (db) => {
        const tx = db.multi().set("a", "1").incrby("b", 5).rpush("l", "x", "y").get("a");
        assert.equal(tx.length, 4);
        assert.equal(await db.get("a"), null, "nothing runs before exec()");
        const r = await tx.exec();
        assert.deepEqual(r, ["OK", 5, 2, "1"]);
        assert.deepEqual(await db.lrange("l", 0, -1), ["x", "y"]);
      }));

    it("no other command interleaves: a transaction sees its own writes only", () =>
      withStore(shards, async (db) => {
        await db.set("n", "0");
        const tx = db.multi().incr("n").incr("n").get("n");
        const outside = db.incr("n"); // already applied before exec() is called
        assert.deepEqual(await tx.exec(), [2, 3, "3"]);
        assert.equal(await outside, 1);
      }));

    it("a command refused when queued aborts the whole EXEC (EXECABORT), nothing applied", () =>
      withStore(shards, async (db) => {
        const tx = db.multi().set("a", "1").command(["NOSUCH", "x"]).command(["GET"]);
        const e = await tx.exec().then(() => null, (x) => x);
        assert.ok(e instanceof TransactionAbortedError);
        assert.match(e.message, /^EXECABORT/);
        assert.deepEqual(e.errors.map((x: { index: number }) => x.index), [1, 2]);
        assert.equal(await db.get("a"), null);
      }));

    it("a command failing when it runs (WRONGTYPE) fails alone; the others stand", () =>
      withStore(shards, async (db) => {
        await db.rpush("list", "x");
        const r = (await db.multi().set("a", "1").incr("list").set("b", "2").exec())!;
        assert.equal(r[0], "OK");
        assert.ok(r[1] instanceof CommandFailedError);
        assert.match(String((r[1] as Error).message), /^WRONGTYPE/);
        assert.equal(r[2], "OK");
        assert.deepEqual(await db.mget("a", "b"), ["1", "2"]);
      }));

    it("MULTI/EXEC/WATCH through command() say which method to use", () =>
      withStore(shards, async (db) => {
        for (const verb of ["MULTI", "EXEC", "WATCH"]) {
          const e = await db.command(verb === "WATCH" ? [verb, "k"] : [verb]).then(
            () => null,
            (x) => x,
          );
          assert.ok(e instanceof CommandFailedError, verb);
          assert.match(e.message, /use db\.(multi|watch)\(\)/);
        }
      }));

    it("exec() twice, or after discard(), is an error; discard() applies nothing", () =>
      withStore(shards, async (db) => {
        const tx = db.multi().set("a", "1");
        await tx.exec();
        await assert.rejects(tx.exec(), /already executed/);
        const d = db.multi().set("z", "1");
        d.discard();
        await assert.rejects(d.exec(), /already executed or discarded/);
        assert.equal(await db.get("z"), null);
      }));

    it("watch: a watched key written by another command makes exec() resolve null", () =>
      withStore(shards, async (db) => {
        await db.set("k", "1");
        await db.watch("k", "other");
        await db.set("k", "2"); // someone else's write
        assert.equal(await db.multi().set("k", "mine").exec(), null);
        assert.equal(await db.get("k"), "2");
        // The watch is gone after EXEC: the next transaction runs.
        assert.deepEqual(await db.multi().set("k", "3").exec(), ["OK"]);
      }));

    it("watch: an unchanged key lets exec() run; writing the same value still counts", () =>
      withStore(shards, async (db) => {
        await db.set("k", "1");
        await db.watch("k");
        await db.get("k"); // reads do not count
        assert.deepEqual(await db.multi().set("k", "2").exec(), ["OK"]);
        await db.watch("k");
        await db.set("k", "2"); // same value: a write all the same (as Redis)
        assert.equal(await db.multi().get("k").exec(), null);
      }));

    it("watch: a key deleted, created, or expired since WATCH fails the transaction", () =>
      withStore(shards, async (db, clock) => {
        await db.set("d", "1");
        await db.watch("d");
        await db.del("d");
        assert.equal(await db.multi().set("x", "1").exec(), null);

        await db.watch("fresh");
        await db.set("fresh", "1");
        assert.equal(await db.multi().set("x", "1").exec(), null);

        await db.set("t", "1", { px: 100 });
        await db.watch("t");
        clock.t += 100; // expires with nobody touching it
        assert.equal(await db.multi().set("x", "1").exec(), null);
        assert.equal(await db.get("x"), null);
      }));

    it("watch: a no-op command on the key (DEL of a missing key) does not count", () =>
      withStore(shards, async (db) => {
        await db.watch("missing");
        await db.del("missing");
        assert.deepEqual(await db.multi().set("missing", "1").exec(), ["OK"]);
      }));

    it("watch: FLUSHALL counts for watched keys that existed", () =>
      withStore(shards, async (db) => {
        await db.set("k", "1");
        await db.watch("k");
        await db.command(["FLUSHALL"]);
        assert.equal(await db.multi().set("k", "1").exec(), null);
      }));

    it("unwatch() forgets the watch; discard() drops the watch that came with multi()", () =>
      withStore(shards, async (db) => {
        await db.watch("k");
        await db.unwatch();
        await db.set("k", "1");
        assert.deepEqual(await db.multi().get("k").exec(), ["1"]);
        await db.watch("k");
        db.multi().set("k", "2").discard();
        await db.set("k", "3");
        assert.deepEqual(await db.multi().get("k").exec(), ["3"]);
      }));

    it("atomic(): retries until its transaction runs; concurrent increments never lose one", () =>
      withStore(shards, async (db) => {
        await db.set("stock", "0");
        const bump = () =>
          db.atomic(async (tx) => {
            await tx.watch("stock");
            const n = Number(await tx.get("stock"));
            await Promise.resolve(); // let the other tasks read the same value
            return tx.multi().set("stock", String(n + 1));
          }, { attempts: 100 });
        const rs = await Promise.all(Array.from({ length: 20 }, bump));
        assert.ok(rs.every((r) => r !== null && r[0] === "OK"));
        assert.equal(await db.get("stock"), "20");
      }));

    it("atomic(): null from fn stops; a throw propagates; conflicts give up after attempts", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.atomic(() => null), null);
        await assert.rejects(
          db.atomic(() => {
            throw new Error("mine");
          }),
          /mine/,
        );
        let runs = 0;
        const e = await db.atomic(async (tx) => {
          runs++;
          await tx.watch("hot");
          await db.incr("hot"); // always changed before the transaction runs
          return tx.multi().get("hot");
        }, { attempts: 3 }).then(() => null, (x) => x);
        assert.ok(e instanceof AtomicConflictError);
        assert.equal(e.attempts, 3);
        assert.equal(runs, 3);
        await assert.rejects(db.atomic(() => null, { attempts: 0 }), RangeError);
      }));

    it("a closed store refuses multi(), watch() and a pending exec()", async () => {
      const db = await openStore({ shards });
      const tx = db.multi().set("a", "1");
      await db.close();
      assert.throws(() => db.multi(), StoreClosedError);
      await assert.rejects(db.watch("k"), StoreClosedError);
      await assert.rejects(tx.exec(), StoreClosedError);
    });
  });
}

describe("multi() on disk", () => {
  it("one shard: the transaction is logged as one MULTI ... EXEC group and replays once", async () => {
    const dir = ramTempDir("kevy-multi-");
    const db = await openStore({ dir, appendfsync: "always" });
    await db.set("seed", "0");
    assert.deepEqual(await db.multi().incr("n").rpush("l", "a").set("k", "v").exec(), [1, 1, "OK"]);
    await db.close();
    const frames = dirFrames(dir, "aof-0.aof", true);
    const verbs = frames.map((f) => f[0]!.toUpperCase());
    const m = verbs.indexOf("MULTI");
    assert.ok(m > 0, `a MULTI marker: ${JSON.stringify(frames)}`);
    assert.deepEqual(verbs.slice(m + 1, m + 4), ["INCR", "RPUSH", "SET"].map((v) => v));
    assert.equal(verbs[m + 4], "EXEC");
    const again = await openStore({ dir });
    assert.deepEqual(await again.mget("n", "k", "seed"), ["1", "v", "0"]);
    assert.deepEqual(await again.lrange("l", 0, -1), ["a"]);
    await again.close();
  });

  it("several shards: one group across them; reopen (any shard count) has all of it", async () => {
    const dir = ramTempDir("kevy-multi-");
    const db = await openStore({ dir, shards: 4, appendfsync: "always" });
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const tx = db.multi();
    for (const k of keys) tx.set(k, k.toUpperCase());
    await tx.exec();
    await db.close();
    for (const shards of [4, 1]) {
      const again = await openStore({ dir, shards });
      assert.deepEqual(await again.mget(...keys), keys.map((k) => k.toUpperCase()));
      await again.close();
    }
  });

  it("a transaction whose EXEC found a changed watch logs nothing", async () => {
    const dir = ramTempDir("kevy-multi-");
    const db = await openStore({ dir, appendfsync: "always" });
    await db.set("k", "1");
    await db.watch("k");
    await db.set("k", "2");
    assert.equal(await db.multi().set("k", "3").set("j", "1").exec(), null);
    await db.close();
    const verbs = dirFrames(dir, "aof-0.aof", true).map((f) => f.join(" "));
    assert.deepEqual(verbs, ["SET k 1", "SET k 2"]);
  });
});
