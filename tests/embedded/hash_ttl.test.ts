// Hash-field TTLs in the embedded store: what the AOF receives (absolute
// HPEXPIREAT ... FIELDS n f, HDEL, HPERSIST, as Redis propagates them), and
// that restarts, rewrites and clocks that move agree with it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFileSync, readFileSync } from "node:fs";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { decodeEntries } from "../../src/codec/snapshot.ts";
import { openStore } from "../../src/embedded/open.ts";
import { dirFrames, dirKeyspace, testClock } from "./_embedded_helpers.ts";

const T = 1_700_000_000_000;

type Db = Awaited<ReturnType<typeof openStore>>;

async function open(dir: string, clock: { now: () => number }): Promise<Db> {
  return await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
}

const httl = async (db: Db, key: string, ...fields: string[]) =>
  await db.command(["HPTTL", key, "FIELDS", fields.length, ...fields]);

describe("hash-field TTLs in the embedded store", () => {
  it("logs absolute HPEXPIREAT of the fields set (no condition), HDEL of those a past time deleted, HPERSIST", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    const db = await open(dir, clock);
    await db.hset("h", { a: "1", b: "2", c: "3" });
    await db.command(["HEXPIRE", "h", 100, "NX", "FIELDS", 3, "a", "b", "zz"]);
    await db.command(["HEXPIRE", "h", 50, "XX", "FIELDS", 1, "c"]); // condition not met: nothing
    await db.command(["HPEXPIREAT", "h", T - 1, "FIELDS", 2, "b", "c"]);
    await db.command(["HPERSIST", "h", "FIELDS", 2, "a", "zz"]);
    await db.command(["HEXPIRE", "h", 0, "FIELDS", 1, "nope"]); // no such field: nothing
    await db.close();
    assert.deepEqual(dirFrames(dir), [
      ["HSET", "h", "a", "1", "b", "2", "c", "3"],
      ["HPEXPIREAT", "h", String(T + 100_000), "FIELDS", "2", "a", "b"],
      ["HDEL", "h", "b", "c"],
      ["HPERSIST", "h", "FIELDS", "1", "a"],
    ]);
  });

  it("HINCRBYFLOAT of a field with a TTL logs its HSET and the deadline again", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.hset("h", "f", "1.5");
    await db.command(["HPEXPIRE", "h", 5000, "FIELDS", 1, "f"]);
    await db.command(["HINCRBYFLOAT", "h", "f", "1"]);
    await db.close();
    assert.deepEqual(dirFrames(dir).slice(-2), [
      ["HSET", "h", "f", "2.5"],
      ["HPEXPIREAT", "h", String(T + 5000), "FIELDS", "1", "f"],
    ]);
    db = await open(dir, clock);
    assert.deepEqual(await httl(db, "h", "f"), [5000]);
    await db.close();
  });

  it("a restart before the deadline keeps it; after it, the field is gone and its hash too", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.hset("h", { a: "1", b: "2" });
    await db.hset("solo", "x", "1");
    await db.command(["HPEXPIRE", "h", 1000, "FIELDS", 1, "a"]);
    await db.command(["HPEXPIRE", "solo", 1000, "FIELDS", 1, "x"]);
    await db.close();
    clock.t = T + 400;
    db = await open(dir, clock);
    assert.deepEqual(await httl(db, "h", "a", "b"), [600, -1]);
    await db.close();
    clock.t = T + 1000;
    db = await open(dir, clock);
    assert.deepEqual(await db.hgetall("h"), { b: "2" });
    assert.equal(await db.exists("solo"), 0);
    await db.close();
  });

  it("an expired field is logged as HDEL: a restart with the clock set back does not revive it", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.hset("h", { a: "1", b: "2" });
    await db.command(["HPEXPIRE", "h", 100, "FIELDS", 1, "a"]);
    clock.t = T + 200;
    assert.equal(await db.hget("h", "a"), null);
    await db.close();
    assert.deepEqual(dirFrames(dir).at(-1), ["HDEL", "h", "a"]);
    clock.t = T;
    db = await open(dir, clock);
    assert.equal(await db.hget("h", "a"), null);
    await db.close();
  });

  it("rewriteAof keeps the field TTLs (one HPEXPIREAT ... FIELDS 1 f per field)", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.hset("h", { a: "1", b: "2", c: "3" });
    await db.command(["HPEXPIRE", "h", 3000, "FIELDS", 2, "a", "c"]);
    await db.command(["PEXPIRE", "h", 9000]);
    await db.rewriteAof();
    await db.close();
    const frames = dirFrames(dir);
    assert.deepEqual(frames.filter((f) => f[0] === "HPEXPIREAT"), [
      ["HPEXPIREAT", "h", String(T + 3000), "FIELDS", "1", "a"],
      ["HPEXPIREAT", "h", String(T + 3000), "FIELDS", "1", "c"],
    ]);
    db = await open(dir, clock);
    assert.deepEqual(await httl(db, "h", "a", "b", "c"), [3000, -1, 3000]);
    assert.equal(await db.pttl("h"), 9000);
    await db.close();
  });

  it("save() keeps the field TTLs (snapshot version 6), and a field due after the save expires on reopen", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    let db = await open(dir, clock);
    await db.hset("h", { a: "1", b: "2", c: "3" });
    await db.command(["HPEXPIRE", "h", 3000, "FIELDS", 1, "a"]);
    await db.command(["HPEXPIRE", "h", 500, "FIELDS", 1, "c"]);
    await db.save();
    await db.command(["HPERSIST", "h", "FIELDS", 1, "a"]); // in the AOF after the snapshot
    await db.close();
    clock.t = T + 1000;
    db = await open(dir, clock);
    assert.deepEqual(await db.hgetall("h"), { a: "1", b: "2" });
    assert.deepEqual(await httl(db, "h", "a", "b"), [-1, -1]);
    await db.close();
  });
  it("a kevy 5.4 dir (v6 snapshot with field TTLs, opcode 7) opens with them; save() writes version 6 again", async () => {
    const W = 1796083200000;
    const dir = tempDir();
    copyFileSync(fixturePath("vectors-v5/snapshot/v6_hash_field_ttl.rdb"), join(dir, "dump-0.rdb"));
    const want = readFixtureJson<{ keyspace: unknown[] }>(
      "vectors-v5/snapshot/v6_hash_field_ttl.expected.json",
    ).keyspace;
    const clock = testClock(W);
    let db = await open(dir, clock);
    assert.deepEqual(await db.command(["HPEXPIRETIME", "hf:a", "FIELDS", 3, "f1", "f2", "f3"]), [
      4102444800001,
      -1,
      7258118400000,
    ]);
    await db.save();
    await db.close();
    const file = decodeEntries(new Uint8Array(readFileSync(join(dir, "dump-0.rdb"))), { now: W });
    assert.equal(file.version, 6);
    db = await open(dir, clock);
    await db.close();
    assert.deepEqual(await dirKeyspace(dir, clock.now), want);
    clock.t = 4102444800001; // f1 (and every field due by then) expires on reopen
    const later = await dirKeyspace(dir, clock.now);
    const h = later.find((k) => k.key === "68663a61");
    assert.deepEqual(h?.value, [["6632", "7632"], ["6633", "7633"]]);
    assert.deepEqual(h?.field_ttls, [["6633", 7258118400000]]);
  });
});
