// Keyspace events (db.keyspaceEvents / db.onKeyspaceEvent) named as Redis's keyspace
// notifications, expiry events when a key actually expires (lazily or by the sweep), and
// in-process pub/sub (publish / subscribe / psubscribe, notifyKeyspaceEvents channels).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { KeyspaceEvent, Message } from "../../src/embedded/events.ts";
import { type Subscription, SubscriptionOverflowError } from "../../src/embedded/subscription.ts";

function clockAt(start: number) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function withStore(
  fn: (db: KevyStore, clock: { t: number }) => Promise<void>,
  extra: { shards?: number; notifyKeyspaceEvents?: string } = {},
) {
  const clock = clockAt(1_700_000_000_000);
  const db = await openStore({ clock: clock.now, activeExpireIntervalMs: 0, ...extra });
  try {
    await fn(db, clock);
  } finally {
    await db.close();
  }
}

/** The next `n` items of a subscription (fails instead of hanging if they never come). */
async function take<T>(sub: Subscription<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await Promise.race([
      sub.next(),
      new Promise<never>((_, rej) =>
        setTimeout(() => rej(new Error(`only ${out.length}/${n}: ${JSON.stringify(out)}`)), 10_000)
      ),
    ]);
    if (r.done) throw new Error(`ended after ${out.length}/${n}`);
    out.push(r.value);
  }
  return out;
}

const brief = (e: KeyspaceEvent) => `${e.event} ${e.key}`;

describe("keyspace events", () => {
  for (const shards of [1, 3]) {
    it(`commands fire Redis's events, after the command (shards: ${shards})`, () =>
      withStore(async (db) => {
        const sub = db.keyspaceEvents();
        await db.set("s", "1");
        await db.incrby("s", 2);
        await db.rpush("l", "a", "b");
        await db.lpop("l");
        await db.hset("h", { f: "1" });
        await db.zadd("z", [{ member: "m", score: 1 }]);
        await db.sadd("set", "x");
        await db.expire("s", 100);
        await db.rename("h", "h2");
        await db.del("l", "h2", "missing");
        const got = (await take(sub, 12)).map(brief);
        assert.deepEqual(got, [
          "set s",
          "incrby s",
          "rpush l",
          "lpop l",
          "hset h",
          "zadd z",
          "sadd set",
          "expire s",
          "rename_from h",
          "rename_to h2",
          "del l",
          "del h2",
        ]);
        sub.close();
      }, { shards }));
  }

  it("a no-op command fires nothing; the last pop of a list fires lpop then del", () =>
    withStore(async (db) => {
      const sub = db.keyspaceEvents();
      await db.del("missing");
      await db.set("k", "v", { nx: true });
      await db.set("k", "w", { nx: true }); // not set: no event
      await db.rpush("l", "a");
      await db.lpop("l");
      assert.deepEqual((await take(sub, 4)).map(brief), ["set k", "rpush l", "lpop l", "del l"]);
      assert.equal(sub.buffered, 0);
    }));

  it("match, events and types filter; onKeyspaceEvent calls back until stopped", () =>
    withStore(async (db) => {
      const users = db.keyspaceEvents({ match: "user:*" });
      const dels = db.keyspaceEvents({ events: ["del"] });
      const lists = db.keyspaceEvents({ types: ["list"] });
      const seen: string[] = [];
      const stop = db.onKeyspaceEvent((e) => seen.push(brief(e)), { match: "a*" });
      await db.set("user:1", "ada");
      await db.set("a1", "x");
      await db.rpush("q", "j");
      await db.del("user:1");
      await db.del("a1");
      assert.deepEqual((await take(users, 2)).map(brief), ["set user:1", "del user:1"]);
      assert.deepEqual((await take(dels, 2)).map(brief), ["del user:1", "del a1"]);
      assert.deepEqual((await take(lists, 1)).map(brief), ["rpush q"]);
      assert.deepEqual(seen, ["set a1", "del a1"]);
      stop();
      await db.set("a2", "x");
      await Promise.resolve();
      assert.deepEqual(seen, ["set a1", "del a1"]);
    }));

  it("expired fires when a key actually expires: lazily on access, or by the active sweep", () =>
    withStore(async (db, clock) => {
      const sub = db.keyspaceEvents({ events: ["expired"] });
      await db.set("lazy", "1", { px: 100 });
      await db.set("swept", "1", { px: 100 });
      await db.set("kept", "1", { px: 1000 });
      clock.t += 100; // the deadline passes: nothing fires until the key is removed
      await Promise.resolve();
      assert.equal(sub.buffered, 0, "no event at the deadline guess");
      assert.equal(await db.get("lazy"), null);
      assert.deepEqual((await take(sub, 1)).map(brief), ["expired lazy"]);
      assert.equal(await db.exists("kept"), 1);
      assert.equal(await db.dbsize(), 1, "dbsize removes the expired keys first");
      assert.deepEqual((await take(sub, 1)).map(brief), ["expired swept"]);
      assert.equal(db.info().expiredKeys, 2);
    }));

  it("the active sweep removes expired keys nobody reads, and each fires expired", async () => {
    const clock = clockAt(1_700_000_000_000);
    const db = await openStore({ clock: clock.now, activeExpireIntervalMs: 1 });
    const sub = db.keyspaceEvents({ events: ["expired"] });
    for (let i = 0; i < 5; i++) await db.set(`t${i}`, "1", { px: 50 });
    clock.t += 50;
    const got = (await take(sub, 5)).map(brief).sort();
    assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => `expired t${i}`));
    await db.close();
  });

  it("a write over an expired key fires expired, then the write's event", () =>
    withStore(async (db, clock) => {
      const sub = db.keyspaceEvents();
      await db.set("k", "old", { px: 10 });
      clock.t += 10;
      await db.set("k", "new", { keepttl: true });
      assert.deepEqual((await take(sub, 4)).map(brief), [
        "set k",
        "expire k",
        "expired k",
        "set k",
      ]);
      assert.equal(await db.pttl("k"), -1, "no TTL lent by the expired key");
    }));

  it("events of a transaction arrive after its EXEC, in order", () =>
    withStore(async (db) => {
      const sub = db.keyspaceEvents();
      const seen: string[] = [];
      const stop = db.onKeyspaceEvent((e) => seen.push(brief(e)));
      const p = db.multi().set("a", "1").set("b", "2").del("a").exec();
      assert.deepEqual(seen, [], "nothing delivered synchronously");
      await p;
      assert.deepEqual((await take(sub, 3)).map(brief), ["set a", "set b", "del a"]);
      assert.deepEqual(seen, ["set a", "set b", "del a"]);
      stop();
    }));

  it("a full buffer ends the subscription with SubscriptionOverflowError, or drops the oldest", () =>
    withStore(async (db) => {
      const strict = db.keyspaceEvents({ bufferSize: 2 });
      const lossy = db.keyspaceEvents({ bufferSize: 2, overflow: "drop-oldest" });
      for (let i = 0; i < 4; i++) await db.set(`k${i}`, "v");
      await Promise.resolve();
      const got: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of strict) got.push(brief(e));
        })(),
        SubscriptionOverflowError,
      );
      assert.equal(lossy.dropped, 2);
      assert.deepEqual((await take(lossy, 2)).map(brief), ["set k2", "set k3"]);
    }));

  it("close() ends the iterators: a for await finishes", async () => {
    const db = await openStore();
    const sub = db.keyspaceEvents();
    await db.set("k", "v");
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of sub) seen.push(brief(e));
    })();
    await new Promise((r) => setTimeout(r, 0));
    await db.close();
    await loop;
    assert.deepEqual(seen, ["set k"]);
  });
});

describe("pub/sub in the process", () => {
  it("publish reaches subscribe and psubscribe; the count is the receivers", () =>
    withStore(async (db) => {
      const news = db.subscribe("news", "alerts");
      const all = db.psubscribe("n*");
      assert.equal(await db.publish("news", "hello"), 2);
      assert.equal(await db.publish("alerts", "fire"), 1);
      assert.equal(await db.publish("nothing-here", "x"), 1);
      assert.equal(await db.publish("zzz", "x"), 0);
      const m = await take(news, 2);
      assert.deepEqual(
        m,
        [
          { channel: "news", message: "hello", pattern: null },
          { channel: "alerts", message: "fire", pattern: null },
        ] satisfies Message[],
      );
      const p = await take(all, 2);
      assert.deepEqual(p.map((x) => [x.channel, x.pattern]), [["news", "n*"], [
        "nothing-here",
        "n*",
      ]]);
      news.close();
      assert.equal(await db.publish("news", "again"), 1);
      assert.deepEqual(await db.command(["PUBSUB", "NUMSUB", "news", "alerts"]), [
        new TextEncoder().encode("news"),
        0,
        new TextEncoder().encode("alerts"),
        0,
      ]);
      assert.equal(await db.command(["PUBSUB", "NUMPAT"]), 1);
    }));

  it("notifyKeyspaceEvents publishes __keyspace@0__ / __keyevent@0__ messages as Redis", () =>
    withStore(async (db) => {
      const ks = db.psubscribe("__keyspace@0__:*");
      const ke = db.subscribe("__keyevent@0__:set");
      await db.set("k", "v");
      await db.rpush("l", "x"); // a list event: not in "K$E" classes... only strings
      assert.deepEqual(await take(ks, 1), [
        { channel: "__keyspace@0__:k", message: "set", pattern: "__keyspace@0__:*" },
      ]);
      assert.deepEqual(await take(ke, 1), [
        { channel: "__keyevent@0__:set", message: "k", pattern: null },
      ]);
      assert.equal(ks.buffered, 0, "list events are not in the $ class");
    }, { notifyKeyspaceEvents: "KE$" }));

  it("bad notifyKeyspaceEvents flags are refused at open", async () => {
    await assert.rejects(openStore({ notifyKeyspaceEvents: "KQ" }), /unknown flag "Q"/);
  });
});
