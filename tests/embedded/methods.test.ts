// The KevyStore methods against Redis semantics (in-memory store, several shard counts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { CommandFailedError, StoreClosedError } from "../../src/embedded/errors.ts";

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

for (const shards of [1, 3]) {
  describe(`KevyStore methods (shards: ${shards})`, () => {
    it("get/set with NX, XX, GET, KEEPTTL and TTL options", () =>
      withStore(shards, async (db, clock) => {
        assert.equal(await db.get("k"), null);
        assert.equal(await db.set("k", "v1"), "OK");
        assert.equal(await db.get("k"), "v1");
        assert.equal(await db.set("k", "v2", { nx: true }), null);
        assert.equal(await db.set("missing", "x", { xx: true }), null);
        assert.equal(await db.exists("missing"), 0);
        assert.equal(await db.set("k", "v3", { get: true }), "v1");
        assert.equal(await db.set("k", "v4", { ex: 10 }), "OK");
        assert.equal(await db.ttl("k"), 10);
        assert.equal(await db.set("k", "v5", { keepttl: true }), "OK");
        assert.equal(await db.pttl("k"), 10_000);
        assert.equal(await db.set("k", "v6"), "OK");
        assert.equal(await db.ttl("k"), -1, "a plain SET clears the TTL");
        await db.set("p", "x", { px: 1500 });
        assert.equal(await db.pttl("p"), 1500);
        await db.set("a", "x", { exat: Math.floor(clock.t / 1000) + 100 });
        assert.ok((await db.ttl("a")) > 98);
        await db.set("b", "x", { pxat: clock.t + 5000 });
        assert.equal(await db.pttl("b"), 5000);
        clock.t += 5000;
        assert.equal(await db.get("b"), null, "expired at its deadline");
      }));

    it("binary keys and values round-trip through the bytes view", () =>
      withStore(shards, async (db) => {
        const key = new Uint8Array([0, 0xff, 0x80]);
        const val = new Uint8Array([0xc3, 0x28, 0, 1]);
        await db.set(key, val);
        assert.deepEqual(await db.bytes.get(key), val);
        assert.equal(typeof (await db.get(key)), "string");
        assert.equal(db.bytes.bytes, db.bytes);
      }));

    it("del, exists, mget, mset across keys", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.mset({ a: "1", b: "2", c: "3" }), "OK");
        await db.mset([["d", "4"]]);
        await db.mset(new Map([["e", "5"]]));
        assert.deepEqual(await db.mget("a", "x", "c", "e"), ["1", null, "3", "5"]);
        assert.equal(await db.exists("a", "a", "x", "b"), 3);
        assert.equal(await db.del("a", "b", "x"), 2);
        assert.equal(await db.del(), 0);
        assert.equal(await db.dbsize(), 3);
      }));

    it("incr, incrby, decr, decrby, append", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.incr("n"), 1);
        assert.equal(await db.incrby("n", 10), 11);
        assert.equal(await db.decr("n"), 10);
        assert.equal(await db.decrby("n", 4), 6);
        assert.equal(await db.append("n", "0"), 2);
        assert.equal(await db.get("n"), "60");
        await db.set("s", "abc");
        await assert.rejects(db.incr("s"), CommandFailedError);
        await assert.rejects(db.incrby("n", 1.5), RangeError);
      }));

    it("expire, pexpire, ttl, pttl, persist", () =>
      withStore(shards, async (db, clock) => {
        assert.equal(await db.expire("nope", 10), false);
        assert.equal(await db.ttl("nope"), -2);
        assert.equal(await db.pttl("nope"), -2);
        await db.set("k", "v");
        assert.equal(await db.ttl("k"), -1);
        assert.equal(await db.expire("k", 10), true);
        assert.equal(await db.expire("k", 5, "GT"), false);
        assert.equal(await db.pexpire("k", 2500), true);
        assert.equal(await db.pttl("k"), 2500);
        assert.equal(await db.persist("k"), true);
        assert.equal(await db.persist("k"), false);
        await db.pexpire("k", 100);
        clock.t += 100;
        assert.equal(await db.exists("k"), 0);
        await db.set("z", "v");
        assert.equal(await db.expire("z", 0), true);
        assert.equal(await db.get("z"), null, "a non-positive TTL deletes");
      }));

    it("hashes: hset (pair, record, Map, pairs), hget, hgetall, hdel", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.hset("h", "f", "1"), 1);
        assert.equal(await db.hset("h", { f: "2", g: "3" }), 1);
        assert.equal(await db.hset("h", new Map([["x", "y"]])), 1);
        assert.equal(await db.hset("h", [["z", "w"]]), 1);
        assert.equal(await db.hget("h", "f"), "2");
        assert.equal(await db.hget("h", "nope"), null);
        assert.deepEqual(await db.hgetall("h"), { f: "2", g: "3", x: "y", z: "w" });
        assert.equal(await db.hdel("h", "f", "nope"), 1);
        assert.deepEqual(await db.hgetall("missing"), {});
        assert.equal(await db.type("h"), "hash");
      }));

    it("lists: lpush, rpush, lpop, rpop (with count), lrange", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.rpush("l", "a", "b"), 2);
        assert.equal(await db.lpush("l", "x", "y"), 4);
        assert.deepEqual(await db.lrange("l", 0, -1), ["y", "x", "a", "b"]);
        assert.deepEqual(await db.lrange("l", -2, -1), ["a", "b"]);
        assert.equal(await db.lpop("l"), "y");
        assert.equal(await db.rpop("l"), "b");
        assert.deepEqual(await db.lpop("l", 5), ["x", "a"]);
        assert.equal(await db.exists("l"), 0, "an emptied list is removed");
        assert.equal(await db.lpop("l"), null);
        assert.equal(await db.rpop("l", 2), null);
      }));

    it("sets: sadd, srem, smembers, sismember", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.sadd("s", "a", "b", "a"), 2);
        assert.equal(await db.sadd("s", "a"), 0);
        assert.equal(await db.sismember("s", "a"), true);
        assert.equal(await db.sismember("s", "z"), false);
        assert.deepEqual((await db.smembers("s")).sort(), ["a", "b"]);
        assert.equal(await db.srem("s", "a", "z"), 1);
        assert.deepEqual(await db.smembers("nope"), []);
        assert.equal(await db.type("s"), "set");
      }));

    it("sorted sets: zadd forms and flags, zrem, zrange, zscore", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.zadd("z", [[2, "b"], [1, "a"]]), 2);
        assert.equal(await db.zadd("z", { score: 3, member: "c" }), 1);
        assert.equal(await db.zadd("z", [{ score: -Infinity, member: "lo" }]), 1);
        assert.equal(await db.zadd("z", [[0, "b"]], { gt: true }), 0);
        assert.equal(await db.zscore("z", "b"), 2);
        assert.equal(await db.zadd("z", [[5, "b"]], { gt: true, ch: true }), 1);
        assert.equal(await db.zadd("z", [[9, "new"]], { xx: true }), 0);
        assert.deepEqual(await db.zrange("z", 0, -1), ["lo", "a", "c", "b"]);
        assert.deepEqual(await db.zrange("z", 0, 0, { rev: true }), ["b"]);
        assert.deepEqual(await db.zrange("z", 0, 1, { withScores: true }), [
          { member: "lo", score: -Infinity },
          { member: "a", score: 1 },
        ]);
        assert.equal(await db.zrem("z", "a", "nope"), 1);
        assert.equal(await db.zscore("z", "a"), null);
        assert.equal(await db.type("z"), "zset");
      }));

    it("type, dbsize, scan with match and count", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.type("none"), "none");
        for (let i = 0; i < 50; i++) await db.set(`user:${i}`, "x");
        await db.set("other", "y");
        assert.equal(await db.type("other"), "string");
        assert.equal(await db.dbsize(), 51);
        const seen: string[] = [];
        for await (const k of db.scan({ match: "user:*", count: 7 })) seen.push(k);
        assert.equal(seen.length, 50);
        assert.equal(new Set(seen).size, 50);
        const all: string[] = [];
        for await (const k of db.scan()) all.push(k);
        assert.equal(all.length, 51);
      }));

    it("command() runs anything the applier knows and surfaces errors", () =>
      withStore(shards, async (db) => {
        assert.equal(await db.command(["HINCRBY", "h", "f", 5]), 5);
        assert.equal(await db.command(["SET", "k", "v"]), "OK");
        assert.deepEqual(await db.command(["GET", "k"]), new TextEncoder().encode("v"));
        await assert.rejects(db.command(["NOSUCHCMD"]), (e: unknown) => {
          assert.ok(e instanceof CommandFailedError);
          assert.equal(e.unknown, true);
          return true;
        });
        await db.lpush("l", "x");
        await assert.rejects(db.get("l"), /WRONGTYPE/);
      }));
  });
}

describe("KevyStore lifecycle", () => {
  it("rejects every call after close with StoreClosedError; close twice is harmless", async () => {
    const db = await openStore();
    await db.set("k", "v");
    await db.close();
    assert.equal(db.closed, true);
    await assert.rejects(db.get("k"), StoreClosedError);
    await assert.rejects(db.set("k", "v"), StoreClosedError);
    assert.throws(() => db.info(), StoreClosedError);
    await db.close();
  });

  it("multi-key commands whose keys span shards are refused (CROSSSLOT)", async () => {
    const db = await openStore({ shards: 4 });
    let a = "a", b = "b";
    // Find two keys on different shards.
    for (let i = 0; i < 100; i++) {
      b = `b${i}`;
      await db.set(a, "1");
      await db.set(b, "2");
      try {
        await db.command(["RENAME", a, b]);
        a = b;
      } catch (e) {
        assert.match(String(e), /CROSSSLOT/);
        await db.close();
        return;
      }
    }
    await db.close();
    assert.fail("no cross-shard pair found");
  });

  it("active expiry removes keys without reads", async () => {
    const clock = clockAt(1_000_000);
    const db = await openStore({ clock: clock.now, activeExpireIntervalMs: 5 });
    for (let i = 0; i < 10; i++) await db.set(`k${i}`, "v", { px: 10 });
    clock.t += 20;
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(db.info().perShard[0]!.keys, 0);
    await db.close();
  });
});
