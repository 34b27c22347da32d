// multi() under power cuts (CrashFs): every crash point and variant of a sequence of
// transactions (across 3 shards, mixed types, one with a command failing at run time, one
// whose watch failed) under "always" and "everysec", reopened at the same and another shard
// count: the keyspace is always exactly the state after some prefix of the transactions —
// never part of one — and under "always" at least every acknowledged one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import { checkEveryCrashPoint } from "./_power_cut.ts";

const DIR = "/db";
const KEYS = Array.from({ length: 8 }, (_, i) => `k:${i}`);
const clock = (): number => 1_700_000_000_000;

async function open(
  fs: CrashFs | null,
  shards: number,
  routing: Routing,
  fsync: "always" | "everysec",
) {
  return await openStore({
    ...(fs === null ? {} : { dir: DIR, fs }),
    shards,
    routing,
    appendfsync: fsync,
    clock,
    activeExpireIntervalMs: 0,
  });
}

async function state(db: KevyStore): Promise<string> {
  return JSON.stringify([
    await db.dbsize(),
    await db.mget(...KEYS),
    await db.lrange("list", 0, -1),
    await db.hgetall("hash"),
    await db.pttl("k:3"),
  ]);
}

type Step = (db: KevyStore) => Promise<unknown>;
const STEPS: Step[] = [
  (db) => db.multi().mset(Object.fromEntries(KEYS.map((k) => [k, "1"]))).rpush("list", "a").exec(),
  (db) =>
    db.multi().incr("k:0").incrby("k:5", 10).rpush("list", "b", "c").hset("hash", { f: "1" })
      .exec(),
  // The INCR of a list fails alone; the rest stands.
  (db) => db.multi().set("k:1", "x").incr("list").del("k:2", "k:6").expire("k:3", 100).exec(),
  async (db) => {
    await db.watch("k:4");
    await db.set("k:4", "changed"); // the watch fails: the transaction below logs nothing
    return db.multi().set("k:4", "never").del("list").exec();
  },
  (db) => db.multi().lpop("list").hset("hash", { g: "2" }).del("k:7").set("k:2", "back").exec(),
];

/** The states after each prefix of STEPS, computed on an in-memory store. */
async function prefixStates(): Promise<string[]> {
  const db = await open(null, 3, "kevyhash", "always");
  const out = [await state(db)];
  for (const s of STEPS) {
    await s(db);
    out.push(await state(db));
  }
  await db.close();
  return out;
}

for (const fsync of ["always", "everysec"] as const) {
  describe(`multi() under ${fsync}: all or none of a transaction after any crash`, () => {
    it(
      "every crash point and variant, reopened at 3 shards and at 1",
      { timeout: 180_000 },
      async () => {
        const states = await prefixStates();
        assert.equal(
          new Set(states).size,
          states.length,
          "each step changes the keyspace",
        );
        const fs = new CrashFs();
        const db = await open(fs, 3, "kevyhash", fsync);
        fs.checkpoint();
        const acked: number[] = [0];
        for (const s of STEPS) {
          await s(db);
          acked.push(fs.ops.length);
        }
        await db.close();
        const images = await checkEveryCrashPoint({ fs, acked, states }, {
          fsync,
          reopenAt: [[3, "kevyhash"], [1, "kevyhash"]],
          open: (image, n, routing) => open(image, n, routing, fsync),
          state,
        });
        assert.ok(images > 100, `${images} reopenings`);
      },
    );
  });
}
