// Blocking pops for in-process queues: blpop / brpop / blmove / bzpopmin / bzpopmax wait for
// an element (first come, first served, as Redis), time out with null, stop on an AbortSignal,
// and the AOF receives what Redis would log: the pop, never the wait.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { CommandFailedError, StoreClosedError } from "../../src/embedded/errors.ts";
import { ramTempDir } from "../_helpers.ts";
import { dirFrames } from "./_embedded_helpers.ts";

async function withStore(shards: number, fn: (db: KevyStore) => Promise<void>) {
  // Slot routing: keys with the same {tag} share a shard, as in a cluster.
  const db = await openStore({ shards, routing: "slots", activeExpireIntervalMs: 0 });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** Whether `p` is still pending after the calls queued so far have run. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  const mark = {};
  const r = await Promise.race([
    p.then(() => null, () => null),
    new Promise((r) => setTimeout(() => r(mark), 5)),
  ]);
  return r === mark;
}

for (const shards of [1, 3]) {
  describe(`blocking calls (shards: ${shards})`, () => {
    it("blpop answers at once when an element is there, else when one is pushed", () =>
      withStore(shards, async (db) => {
        await db.rpush("{q}a", "1");
        assert.deepEqual(await db.blpop("{q}a", 1), ["{q}a", "1"]);
        const w = db.blpop("{q}a", "{q}b", 0);
        assert.ok(await pending(w));
        await db.rpush("{q}b", "x", "y");
        assert.deepEqual(await w, ["{q}b", "x"]);
        assert.deepEqual(await db.lrange("{q}b", 0, -1), ["y"]);
      }));

    it("brpop takes from the tail; blmove moves; bzpopmin / bzpopmax pop by score", () =>
      withStore(shards, async (db) => {
        const r = db.brpop("{q}l", 0);
        const m = db.blmove("{q}src", "{q}dst", "LEFT", "RIGHT", 0);
        const zmin = db.bzpopmin("{q}z", 0);
        const zmax = db.bzpopmax("{q}z", 0);
        await db.rpush("{q}l", "a", "b");
        await db.rpush("{q}src", "m");
        await db.zadd("{q}z", [{ member: "lo", score: 1 }, { member: "hi", score: 9 }]);
        assert.deepEqual(await r, ["{q}l", "b"]);
        assert.equal(await m, "m");
        assert.deepEqual(await db.lrange("{q}dst", 0, -1), ["m"]);
        assert.deepEqual(await zmin, ["{q}z", "lo", 1]);
        assert.deepEqual(await zmax, ["{q}z", "hi", 9]);
      }));

    it("a timeout resolves null; the key written later is not taken", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.blpop("{q}t", 0.02), null);
        assert.equal(await db.bzpopmin("{q}tz", 0.02), null);
        await db.rpush("{q}t", "kept");
        assert.deepEqual(await db.lrange("{q}t", 0, -1), ["kept"]);
      }));

    it("an AbortSignal stops the wait with its reason; an aborted signal never waits", () =>
      withStore(shards, async (db) => {
        const ac = new AbortController();
        const w = db.blpop("{q}s", 0, { signal: ac.signal });
        ac.abort(new Error("shutting down"));
        await assert.rejects(w, /shutting down/);
        await assert.rejects(db.blpop("{q}s", 0, { signal: ac.signal }), /shutting down/);
        await db.rpush("{q}s", "v");
        assert.deepEqual(await db.lrange("{q}s", 0, -1), ["v"], "the aborted call took nothing");
      }));

    it("waiters of a key are served first come, first served (1,000 consumers)", () =>
      withStore(shards, async (db) => {
        const N = 1000;
        const waits = Array.from({ length: N }, () => db.blpop("{q}jobs", 0));
        for (let i = 0; i < N; i += 100) {
          await db.rpush("{q}jobs", ...Array.from({ length: 100 }, (_, j) => String(i + j)));
        }
        const got = await Promise.all(waits);
        assert.deepEqual(got.map((g) => g?.[1]), Array.from({ length: N }, (_, i) => String(i)));
        assert.equal(await db.exists("{q}jobs"), 0);
      }));

    it("a push inside a transaction serves waiters after EXEC; blpop in a transaction never waits", () =>
      withStore(shards, async (db) => {
        const w = db.blpop("{q}m", 0);
        const r = await db.multi().rpush("{q}m", "a").blpop("{q}empty", 0).llen("{q}m").exec();
        assert.deepEqual(r, [1, null, 1], "the waiter is served after the transaction");
        assert.deepEqual(await w, ["{q}m", "a"]);
      }));

    it("a key of another type keeps the waiter blocked (Redis 7.0)", () =>
      withStore(shards, async (db) => {
        const w = db.blpop("{q}x", 0);
        await db.set("{q}x", "a string");
        assert.ok(await pending(w));
        await db.del("{q}x");
        await db.rpush("{q}x", "v");
        assert.deepEqual(await w, ["{q}x", "v"]);
      }));

    it("bad arguments reject (never throw): no timeout, negative timeout, no key", () =>
      withStore(shards, async (db) => {
        const call = db.blpop as unknown as (...a: unknown[]) => Promise<unknown>;
        await assert.rejects(call.call(db, "k"), TypeError);
        await assert.rejects(db.blpop("k", -1), RangeError);
        await assert.rejects(call.call(db, 5), TypeError);
      }));

    if (shards > 1) {
      it("keys on different shards are refused (CROSSSLOT), as a cluster does", () =>
        withStore(shards, async (db) => {
          const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
          const e = await db.blpop(...keys, 0).then(() => null, (x) => x);
          assert.ok(e instanceof CommandFailedError);
          assert.match(e.message, /CROSSSLOT/);
        }));
    }
  });
}

describe("blocking calls and the store's life", () => {
  it("close() rejects the waiting calls with StoreClosedError", async () => {
    const db = await openStore();
    const w = db.blpop("q", 0);
    await db.close();
    await assert.rejects(w, StoreClosedError);
  });

  it("the AOF gets the pop, as the non-blocking command logs it, never the wait", async () => {
    const dir = ramTempDir("kevy-block-");
    const db = await openStore({ dir, appendfsync: "always" });
    const waits = [
      db.blpop("a", 0),
      db.brpop("b", 0),
      db.blmove("c", "d", "RIGHT", "LEFT", 0),
      db.bzpopmin("z", 0),
    ];
    const fill = async (s: KevyStore) => {
      await s.rpush("a", "1", "2");
      await s.rpush("b", "1", "2");
      await s.rpush("c", "1", "2");
      await s.zadd("z", [{ member: "m", score: 1 }, { member: "n", score: 2 }]);
    };
    await fill(db);
    await Promise.all(waits);
    await db.close();
    // The same pops, not blocking, in the same order on a second store.
    const dir2 = ramTempDir("kevy-block-");
    const ref = await openStore({ dir: dir2, appendfsync: "always" });
    await ref.rpush("a", "1", "2");
    await ref.lpop("a");
    await ref.rpush("b", "1", "2");
    await ref.rpop("b");
    await ref.rpush("c", "1", "2");
    await ref.lmove("c", "d", "RIGHT", "LEFT");
    await ref.zadd("z", [{ member: "m", score: 1 }, { member: "n", score: 2 }]);
    await ref.zpopmin("z");
    await ref.close();
    const frames = dirFrames(dir).map((f) => f.join(" "));
    assert.ok(!frames.some((f) => /^B/i.test(f)), `no blocking verb logged: ${frames}`);
    assert.deepEqual(frames, dirFrames(dir2).map((f) => f.join(" ")));
    const again = await openStore({ dir });
    assert.deepEqual(await again.lrange("a", 0, -1), ["2"]);
    assert.deepEqual(await again.lrange("b", 0, -1), ["1"]);
    assert.deepEqual(await again.lrange("c", 0, -1), ["1"]);
    assert.deepEqual(await again.lrange("d", 0, -1), ["2"]);
    assert.deepEqual(await again.zrange("z", 0, -1), ["n"]);
    await again.close();
  });
});
