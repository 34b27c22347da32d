// Blocking XREAD / XREADGROUP (`block` ms) on the embedded store: woken by the
// first write to a stream (that stream alone), readers served in the order they
// blocked, a timeout resolving null, an AbortSignal rejecting, never waiting
// inside a transaction; the log holds what the served read did, never the wait.
// Against redis-server: the same consumers get the same entries, and the
// streams end the same (XINFO STREAM FULL).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { oracleSkip } from "../redis/_oracle.ts";
import { RedisServer } from "../redis/_redis_server.ts";
import { type RedisReply, RespClient } from "../redis/_resp_client.ts";
import { difference, withoutSeenTimes } from "../redis/_stream_dual.ts";
import { dirFrames, testClock } from "./_embedded_helpers.ts";

const T0 = 1_700_000_000_000;

/** Settles `p` into a tagged value so a test can see whether it has settled yet. */
function track<T>(p: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const t: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (v) => Object.assign(t, { done: true, value: v }),
    (e) => Object.assign(t, { done: true, error: e }),
  );
  return t;
}

/** Lets queued microtasks and the current macrotask's callbacks run. */
const turn = () => new Promise((r) => setTimeout(r, 0));

describe("blocking XREAD", () => {
  it("waits for the first write after it ($: only new entries), and answers that stream alone", async () => {
    const db = await openStore({ clock: testClock(T0).now, activeExpireIntervalMs: 0 });
    await db.xadd("a", "1-1", { old: "1" });
    const r = track(db.xread({ a: "$", b: "$" }, { block: 0 }));
    await turn();
    assert.equal(r.done, false, "nothing new yet");
    await db.xadd("b", "5-1", { n: "1" });
    await turn();
    assert.deepEqual(r.value, [{ key: "b", entries: [{ id: "5-1", fields: { n: "1" } }] }]);
    // An id given explicitly: entries after it are served at once, without waiting.
    assert.deepEqual(await db.xread({ a: "0" }, { block: 0 }), [
      { key: "a", entries: [{ id: "1-1", fields: { old: "1" } }] },
    ]);
    await db.close();
  });

  it("every reader of a stream gets the entry, in the order they blocked; COUNT applies", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    const order: string[] = [];
    const readers = ["r1", "r2", "r3"].map((name) =>
      db.xread({ s: "$" }, { block: 0, count: 1 }).then((v) => {
        order.push(name);
        return v;
      })
    );
    await db.multi().xadd("s", "1-1", { f: "1" }).xadd("s", "1-2", { f: "2" }).exec();
    const got = await Promise.all(readers);
    assert.deepEqual(order, ["r1", "r2", "r3"]);
    for (const g of got) {
      assert.deepEqual(g, [{ key: "s", entries: [{ id: "1-1", fields: { f: "1" } }] }]);
    }
    await db.close();
  });

  it("resolves null at the timeout; an abort rejects with the signal's reason", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    assert.equal(await db.xread({ s: "$" }, { block: 20 }), null);
    const ac = new AbortController();
    const r = db.xread({ s: "$" }, { block: 0, signal: ac.signal });
    ac.abort(new Error("stop"));
    await assert.rejects(r, /stop/);
    await assert.rejects(db.xread({ s: "$" }, { block: 0, signal: ac.signal }), /stop/);
    // The aborted reader is gone: a write later serves nobody, and nothing breaks.
    await db.xadd("s", "1-1", { f: "v" });
    assert.equal(await db.xlen("s"), 1);
    await db.close();
  });

  it("a key of another type keeps it waiting; inside a transaction it never waits", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    const r = track(db.xread({ k: "0" }, { block: 0 }));
    await db.rpush("k", "x");
    await turn();
    assert.equal(r.done, false, "a list is not a stream: still waiting (Redis 7.0)");
    await db.del("k");
    await db.xadd("k", "1-1", { f: "v" });
    await turn();
    assert.deepEqual(r.value, [{ key: "k", entries: [{ id: "1-1", fields: { f: "v" } }] }]);
    const tx = await db.multi().xread({ none: "$" }, { block: 0 }).exec();
    assert.deepEqual(tx, [null]);
    await db.close();
  });

  it("rejects when the store closes", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    const r = db.xread({ s: "$" }, { block: 0 });
    await db.close();
    await assert.rejects(r);
  });
});

describe("blocking XREADGROUP", () => {
  it("consumers are served first come, first served, one entry each; the log holds the served reads", async () => {
    const dir = tempDir();
    const clock = testClock(T0);
    const opts = { clock: clock.now, activeExpireIntervalMs: 0, appendfsync: "always" } as const;
    const db = await openStore({ dir, ...opts });
    await db.xgroupCreate("jobs", "g", "$", { mkstream: true });
    const before = dirFrames(dir).length;
    assert.equal(before, 1);
    const c1 = db.xreadgroup("g", "c1", { jobs: ">" }, { block: 0, count: 1 });
    const c2 = db.xreadgroup("g", "c2", { jobs: ">" }, { block: 0, count: 1 });
    const c3 = track(db.xreadgroup("g", "c3", { jobs: ">" }, { block: 0, count: 1 }));
    await turn();
    assert.equal(dirFrames(dir).length, before, "waiting logs nothing");
    await db.xadd("jobs", "1-1", { job: "a" });
    await db.xadd("jobs", "1-2", { job: "b" });
    assert.deepEqual(await c1, [{ key: "jobs", entries: [{ id: "1-1", fields: { job: "a" } }] }]);
    assert.deepEqual(await c2, [{ key: "jobs", entries: [{ id: "1-2", fields: { job: "b" } }] }]);
    await turn();
    assert.equal(c3.done, false, "no entry left for the third");
    const pending = await db.xpending("jobs", "g");
    assert.deepEqual(pending.consumers, [{ name: "c1", pending: 1 }, { name: "c2", pending: 1 }]);
    assert.equal(await db.xreadgroup("g", "c3", { jobs: ">" }, { count: 5 }), null);
    await db.close();
    assert.ok(c3.done && c3.error instanceof Error, "the store closed under c3's wait");

    // The log after the group: exactly the frames of the same reads run without blocking
    // right after each XADD (what Redis propagates for a served read), no trace of the wait.
    const logged = dirFrames(dir).slice(before);
    const refDir = tempDir();
    const ref = await openStore({ dir: refDir, ...opts });
    await ref.xgroupCreate("jobs", "g", "$", { mkstream: true });
    await ref.xadd("jobs", "1-1", { job: "a" });
    await ref.xreadgroup("g", "c1", { jobs: ">" }, { count: 1 });
    await ref.xadd("jobs", "1-2", { job: "b" });
    await ref.xreadgroup("g", "c2", { jobs: ">" }, { count: 1 });
    await ref.close();
    assert.deepEqual(logged, dirFrames(refDir).slice(before));
    assert.ok(logged.some((f) => f[0] === "XCLAIM"), JSON.stringify(logged));
    const again = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    assert.deepEqual(await again.xpending("jobs", "g"), pending);
    assert.deepEqual(await again.xinfoGroups("jobs"), [{
      name: "g",
      consumers: 2,
      pending: 2,
      lastDeliveredId: "1-2",
      entriesRead: 2,
      lag: 0,
    }]);
    await again.close();
  });

  it("rejects with NOGROUP when its group is destroyed meanwhile", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    await db.xgroupCreate("s", "g", "$", { mkstream: true });
    const r = db.xreadgroup("g", "c", { s: ">" }, { block: 0 });
    await db.xgroupDestroy("s", "g");
    await assert.rejects(r, (e: unknown) => {
      assert.ok(e instanceof CommandFailedError);
      assert.equal(
        e.message,
        "NOGROUP the consumer group this client was blocked on no longer exists",
      );
      return true;
    });
    await db.close();
  });

  it("with an id other than > it never waits (the consumer's history is served at once)", async () => {
    const db = await openStore({ activeExpireIntervalMs: 0 });
    await db.xgroupCreate("s", "g", "$", { mkstream: true });
    assert.deepEqual(await db.xreadgroup("g", "c", { s: "0" }, { block: 0 }), [
      { key: "s", entries: [] },
    ]);
    await db.close();
  });
});

const skip = oracleSkip("tests/embedded/streams_block.test.ts");

function plainReply(r: RedisReply): unknown {
  if (r instanceof Uint8Array) return new TextDecoder().decode(r);
  if (Array.isArray(r)) return r.map(plainReply);
  return r;
}

describe("blocking XREADGROUP against redis-server", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  });
  after(async () => {
    await server?.stop();
  });

  it("the same consumers get the same entries, in blocking order; the streams end the same", {
    timeout: 60_000,
  }, async () => {
    const admin = await RespClient.connect(server.port);
    const names = ["c1", "c2", "c3", "c1b"];
    const clients = await Promise.all(names.map(() => RespClient.connect(server.port)));
    await admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    await admin.call("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM");
    const db = await openStore({ activeExpireIntervalMs: 0 });
    await db.xgroupCreate("s", "g", "$", { mkstream: true });
    await db.xgroupCreate("t", "g", "$", { mkstream: true });

    // Block them one by one on Redis (waiting until the server counts each as blocked).
    const theirs: Array<Promise<RedisReply>> = [];
    const ours: Array<Promise<unknown>> = [];
    for (const [i, who] of names.entries()) {
      const consumer = who.slice(0, 2);
      const keys = i === 1 ? ["t", "s"] : ["s"];
      const argv = [
        "XREADGROUP",
        "GROUP",
        "g",
        consumer,
        "COUNT",
        "2",
        "BLOCK",
        "0",
        "STREAMS",
        ...keys,
        ...keys.map(() => ">"),
      ];
      theirs.push(clients[i]!.call(...argv));
      const deadline = Date.now() + 30_000;
      for (;;) {
        const info = plainReply(await admin.call("INFO", "clients")) as string;
        if (Number(/blocked_clients:(\d+)/.exec(info)?.[1]) === i + 1) break;
        assert.ok(Date.now() < deadline, "redis-server did not block the client");
        await new Promise((r) => setTimeout(r, 5));
      }
      ours.push(db.command(argv));
    }
    const writes = [
      ["XADD", "s", "1-1", "f", "1"],
      ["XADD", "t", "1-1", "f", "t1"],
      ["XADD", "s", "1-2", "f", "2"],
      ["XADD", "s", "1-3", "f", "3"],
      ["XADD", "s", "1-4", "f", "4"],
    ];
    for (const w of writes) {
      await admin.call(...w);
      await db.command(w);
    }
    const want = (await Promise.all(theirs)).map(plainReply);
    const got = (await Promise.all(ours)).map((r) => plainReply(r as RedisReply));
    assert.deepEqual(got, want);
    for (const key of ["s", "t"]) {
      const a = await admin.call("XINFO", "STREAM", key, "FULL");
      const b = await db.command(["XINFO", "STREAM", key, "FULL"]);
      assert.equal(difference([], withoutSeenTimes(b), withoutSeenTimes(a)), null, key);
    }
    for (const c of clients) await c.close();
    await admin.close();
    await db.close();
  });
});
