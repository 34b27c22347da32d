// The embedded store's stream methods: their JS shapes, and that every stream
// write is logged so a reopen (under any clock) rebuilds the same streams,
// groups and pending entries.
import { describe, it } from "node:test";
import { readdirSync } from "node:fs";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { AOF_MAGIC, parseFrame } from "../../src/codec/resp.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand, type Reply } from "../../src/store/apply.ts";
import { withoutSeenTimes } from "../redis/_stream_dual.ts";
import { openStore } from "../../src/embedded/open.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { dirFrames, testClock } from "./_embedded_helpers.ts";

const T0 = 1_700_000_000_000;

/** Everything observable about a stream except consumers' seen/idle times. */
async function snapshot(db: KevyStore, key: string): Promise<unknown> {
  const full = await db.xinfoStream(key, { full: true, count: 0 });
  return {
    ...full,
    groups: full.groups.map((g) => ({
      ...g,
      consumers: g.consumers.map((c) => ({ ...c, seenTime: 0 })),
    })),
  };
}

async function workload(db: KevyStore, clock: { t: number }): Promise<void> {
  await db.xadd("s", "*", { temp: "21.5", hum: "40" });
  await db.xadd("s", "*", [["temp", "22"], ["temp", "23"]]);
  clock.t += 10;
  for (let i = 0; i < 150; i++) {
    await db.xadd("s", "*", { n: String(i) }, { maxlen: 120, approx: true });
  }
  await db.xadd("s", `${T0 + 500}-*`, { explicit: "yes" });
  await db.xgroupCreate("s", "g", "0");
  await db.xgroupCreate("s", "g2", "$", { entriesRead: 3 });
  await db.xreadgroup("g", "alice", { s: ">" }, { count: 5 });
  clock.t += 1000;
  await db.xreadgroup("g", "bob", { s: ">" }, { count: 3, noack: true });
  await db.xreadgroup("g", "bob", { s: ">" }, { count: 4 });
  await db.xreadgroup("g", "alice", { s: "0" });
  const pend = await db.xpending("s", "g", { count: 100 });
  await db.xdel("s", pend[0]!.id);
  await db.xack("s", "g", pend[1]!.id);
  clock.t += 5000;
  await db.xclaim("s", "g", "carol", 1000, [pend[2]!.id, pend[0]!.id]);
  await db.xautoclaim("s", "g", "dave", 0, "0", { count: 2 });
  await db.xgroupCreateConsumer("s", "g", "idle");
  await db.xgroupSetId("s", "g2", "0", { entriesRead: 0 });
  await db.xreadgroup("g2", "z", { s: ">" }, { count: 2 });
  await db.xtrim("s", { minid: `${T0 + 10}-50` });
  await db.xsetid("s", `${T0 + 9000}-0`, { entriesAdded: 1000, maxDeletedId: `${T0 + 10}-1` });
  await db.xadd("other", "5-5", { a: "b" });
  await db.xgroupCreate("other", "gone", "0");
  await db.xgroupDestroy("other", "gone");
  await db.xgroupCreate("empty", "g", "$", { mkstream: true });
}

describe("embedded store streams", () => {
  it("typed methods return JS shapes", async () => {
    const clock = testClock(T0);
    const db = await openStore({ dir: tempDir(), clock: clock.now, activeExpireIntervalMs: 0 });
    assert.equal(await db.xadd("s", "*", { a: "1" }), `${T0}-0`);
    assert.equal(await db.xadd("s", "*", { a: "2", b: "x" }), `${T0}-1`);
    assert.equal(await db.xadd("nope", "*", { a: "1" }, { nomkstream: true }), null);
    assert.deepEqual(await db.xrange("s"), [
      { id: `${T0}-0`, fields: { a: "1" } },
      { id: `${T0}-1`, fields: { a: "2", b: "x" } },
    ]);
    assert.deepEqual(await db.xrevrange("s", "+", "-", { count: 1 }), [
      { id: `${T0}-1`, fields: { a: "2", b: "x" } },
    ]);
    assert.equal(await db.xlen("s"), 2);
    assert.deepEqual(await db.xread({ s: "0" }, { count: 1 }), [
      { key: "s", entries: [{ id: `${T0}-0`, fields: { a: "1" } }] },
    ]);
    assert.equal(await db.xread({ s: "$" }), null);
    assert.equal(await db.xgroupCreate("s", "g", "0"), "OK");
    const got = await db.xreadgroup("g", "c1", [["s", ">"]]);
    assert.deepEqual(got?.[0]?.entries.map((e) => e.id), [`${T0}-0`, `${T0}-1`]);
    const sum = await db.xpending("s", "g");
    assert.deepEqual(sum, {
      count: 2,
      first: `${T0}-0`,
      last: `${T0}-1`,
      consumers: [{ name: "c1", pending: 2 }],
    });
    clock.t += 50;
    assert.deepEqual(await db.xpending("s", "g", { count: 1, consumer: "c1" }), [
      { id: `${T0}-0`, consumer: "c1", idleMs: 50, deliveries: 1 },
    ]);
    assert.deepEqual(await db.xclaim("s", "g", "c2", 10, [`${T0}-0`], { justid: true }), [
      `${T0}-0`,
    ]);
    assert.equal(await db.xdel("s", `${T0}-1`), 1);
    const ac = await db.xautoclaim("s", "g", "c3", 0, "0");
    assert.deepEqual(ac, {
      next: "0-0",
      entries: [{ id: `${T0}-0`, fields: { a: "1" } }],
      deleted: [`${T0}-1`],
    });
    assert.deepEqual(await db.xreadgroup("g", "c3", { s: "0" }), [
      { key: "s", entries: [{ id: `${T0}-0`, fields: { a: "1" } }] },
    ]);
    const groups = await db.xinfoGroups("s");
    assert.deepEqual(groups, [{
      name: "g",
      consumers: 3,
      pending: 1,
      lastDeliveredId: `${T0}-1`,
      entriesRead: 2,
      lag: 0,
    }]);
    const info = await db.xinfoStream("s");
    assert.equal(info.length, 1);
    assert.equal(info.groups, 1);
    assert.deepEqual(info.firstEntry, { id: `${T0}-0`, fields: { a: "1" } });
    assert.equal(info.maxDeletedEntryId, `${T0}-1`);
    assert.deepEqual((await db.xinfoConsumers("s", "g")).map((c) => [c.name, c.pending]), [
      ["c1", 0],
      ["c2", 0],
      ["c3", 1],
    ]);
    assert.equal(await db.xack("s", "g", `${T0}-0`), 1);
    assert.equal(await db.xtrim("s", { maxlen: 0 }), 1);
    assert.equal(await db.xgroupDelConsumer("s", "g", "c1"), 0);
    assert.equal(await db.xgroupDestroy("s", "g"), true);
    await assert.rejects(db.xadd("s", "1-1", { a: "1" }), CommandFailedError);
    await assert.rejects(db.xtrim("s", {}), RangeError);
    const bin = await db.bytes.xrange("s", "-", "+");
    assert.deepEqual(bin, []);
    await db.close();
  });

  it("binary fields come back byte-exact on the bytes view", async () => {
    const db = await openStore({ dir: tempDir(), activeExpireIntervalMs: 0 });
    const v = new Uint8Array([0, 255, 13, 10]);
    await db.xadd("b", "1-1", [["f", v]]);
    assert.deepEqual((await db.bytes.xrange("b"))[0]?.fields["f"], v);
    await db.close();
  });

  for (const appendfsync of ["always", "everysec", "no"] as const) {
    it(`a reopen rebuilds every stream write (appendfsync: ${appendfsync}), whatever the clock says`, async () => {
      const dir = tempDir();
      const clock = testClock(T0);
      const db = await openStore({ dir, appendfsync, clock: clock.now, activeExpireIntervalMs: 0 });
      await workload(db, clock);
      const before = await snapshot(db, "s");
      const other = await snapshot(db, "other");
      const empty = await snapshot(db, "empty");
      await db.close();
      // The log names the ids actually added, never `*`.
      assert.ok(dirFrames(dir).every((f) => f[0] !== "XADD" || !f.includes("*")));
      // Reopen with the clock an hour earlier: the same streams come back.
      const back = await openStore({
        dir,
        appendfsync,
        clock: () => T0 - 3_600_000,
        activeExpireIntervalMs: 0,
      });
      assert.deepEqual(await snapshot(back, "s"), before);
      assert.deepEqual(await snapshot(back, "other"), other);
      assert.deepEqual(await snapshot(back, "empty"), empty);
      await back.close();
    });
  }

  it("a re-shard carries every stream write (1 -> 3 shards, then 2 by slots), entries-read too", async () => {
    const dir = tempDir();
    const clock = testClock(T0);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    await workload(db, clock);
    const keys = ["s", "other", "empty"];
    // A re-shard writes kevy snapshots, which have no place for a group's entries-read: each
    // new shard's log carries it.
    const state = (h: KevyStore) => Promise.all(keys.map((k) => snapshot(h, k)));
    const before = await state(db);
    await db.close();
    for (const layout of [{ shards: 3 }, { shards: 2, routing: "slots" as const }]) {
      const back = await openStore({ dir, ...layout, clock: clock.now, activeExpireIntervalMs: 0 });
      const logs = readdirSync(dir).filter((f) => /^aof-\d+\.aof$/.test(f));
      assert.equal(logs.length, layout.shards, logs.join(" "));
      assert.deepEqual(await state(back), before);
      await back.close();
    }
  });

  it("rewriteAof keeps every detail of the streams", async () => {
    const dir = tempDir();
    const clock = testClock(T0);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    await workload(db, clock);
    await db.rewriteAof();
    await db.xadd("s", "*", { after: "rewrite" });
    const before = await snapshot(db, "s");
    await db.close();
    const back = await openStore({ dir, clock: () => T0, activeExpireIntervalMs: 0 });
    assert.deepEqual(await snapshot(back, "s"), before);
    await back.close();
  });

  it("save keeps the streams and the groups' entries-read (no place in a kevy snapshot: the log after it carries it)", async () => {
    const dir = tempDir();
    const clock = testClock(T0);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    await workload(db, clock);
    await db.save();
    const before = await snapshot(db, "s") as { groups: Array<Record<string, unknown>> };
    await db.close();
    const back = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    const after = await snapshot(back, "s") as { groups: Array<Record<string, unknown>> };
    assert.ok(before.groups.some((g) => g["entriesRead"] !== null), "the workload reads");
    assert.deepEqual(after, before);
    await back.close();
  });
});

/** XINFO STREAM FULL of `s` (seen-times zeroed) from any command runner. */
async function fullState(run: (argv: string[]) => Promise<Reply> | Reply): Promise<unknown> {
  try {
    return JSON.stringify(
      withoutSeenTimes(await run(["XINFO", "STREAM", "s", "FULL", "COUNT", "0"])),
      (_k, v) => v instanceof Uint8Array ? Array.from(v) : typeof v === "bigint" ? `${v}n` : v,
    );
  } catch (e) {
    return (e as Error).message;
  }
}

describe("embedded store streams under power cuts", () => {
  it("a crash after any file operation keeps every acknowledged stream write and applies the one in flight by whole frames (appendfsync: always)", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const clock = testClock(T0);
    const opts = { dir: "/db", fs, appendfsync: "always" as const, activeExpireIntervalMs: 0 };
    const db = await openStore({ ...opts, clock: clock.now });
    // Crash points count from a created store (the creation of its files is not what this is about).
    fs.checkpoint();
    const framesNow = () => aofFramesOf(fs.readFileSync("/db/aof-0.aof")).length;
    // The log's frame count after each acknowledged command, and the file operation count then.
    const framesAt: number[] = [framesNow()];
    const ackedAt: number[] = [fs.ops.length];
    const steps: Array<() => Promise<unknown>> = [
      () => db.xadd("s", "*", { a: "1" }),
      () => db.xadd("s", "*", { a: "2" }),
      () => db.xgroupCreate("s", "g", "0"),
      () => db.xreadgroup("g", "alice", { s: ">" }, { count: 1 }),
      () => db.xadd("s", "*", { a: "3" }, { maxlen: 2 }),
      () => db.xadd("s", "*", { a: "4" }),
      () => db.xreadgroup("g", "bob", { s: ">" }),
      () => db.xdel("s", `${T0 + 28}-0`),
      () => db.xclaim("s", "g", "carol", 0, [`${T0 + 7}-0`, `${T0 + 35}-0`]),
      () => db.xautoclaim("s", "g", "dave", 0, "0"),
      () => db.xack("s", "g", `${T0 + 35}-0`),
      () => db.xsetid("s", `${T0 + 99}-0`),
    ];
    for (const step of steps) {
      clock.t += 7;
      await step();
      framesAt.push(framesNow());
      ackedAt.push(fs.ops.length);
    }
    await db.close();
    const frames = aofFramesOf(fs.readFileSync("/db/aof-0.aof"));
    assert.ok(
      framesAt.some((n, i) => i > 0 && n - framesAt[i - 1]! > 2),
      "a command logs several frames",
    );
    // What a replay of the first k frames holds.
    const prefix = new Map<number, unknown>();
    const after = async (k: number): Promise<unknown> => {
      if (!prefix.has(k)) {
        const st = new Store({ now: () => T0 });
        for (const f of frames.slice(0, k)) applyCommand(st, f);
        prefix.set(
          k,
          await fullState((a) => {
            const r = applyCommand(st, a);
            if (!r.ok) throw new Error(r.error);
            return r.reply;
          }),
        );
      }
      return prefix.get(k);
    };
    let checked = 0;
    for (let op = 0; op <= fs.ops.length; op++) {
      let acked = 0;
      while (acked + 1 < ackedAt.length && ackedAt[acked + 1]! <= op) acked++;
      const lo = framesAt[acked]!, hi = framesAt[acked + 1] ?? lo;
      for (const img of fs.crashImages(op)) {
        // The crashed process is gone; this one holds the pid its lock names.
        for (const f of img.readDirSync("/db")) {
          if (f.name.startsWith("kevy.lock")) img.removeSync(`/db/${f.name}`);
        }
        const back = await openStore({ ...opts, fs: img, clock: () => T0 });
        const got = await fullState((a) => back.command(a));
        await back.close();
        let ok = false;
        for (let k = lo; k <= hi && !ok; k++) ok = got === await after(k);
        assert.ok(ok, `crash after op ${op} (${img.crashVariant}): not frames ${lo}..${hi}`);
        checked++;
      }
    }
    assert.ok(checked > 50, `${checked} crash images`);
  });
});

/** The frames of AOF bytes (header skipped). */
function aofFramesOf(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let off = AOF_MAGIC.length;
  while (off < bytes.length) {
    const r = parseFrame(bytes, off);
    if (r.kind !== "frame") break;
    out.push(r.argv);
    off = r.end;
  }
  return out;
}
