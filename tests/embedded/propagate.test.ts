// What the embedded store appends: normalised frames that kevy v1.17's
// embedded replay (FORMATS.md §3.5) and ours reproduce deterministically.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { dirFrames, dirKeyspace, testClock } from "./_embedded_helpers.ts";

/** Verbs kevy v1.17's embedded replay dispatcher applies (FORMATS.md §3.5). */
const KEVY_REPLAY_VERBS = new Set(
  (
    "SET DEL INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND GETSET GETDEL EXPIRE PEXPIRE EXPIREAT " +
    "PEXPIREAT PERSIST FLUSHDB FLUSHALL HSET HDEL HINCRBY RPUSH LPUSH LPOP RPOP LSET LREM " +
    "LTRIM SADD SREM SPOP ZADD ZREM ZINCRBY"
  ).split(" "),
);

async function framesOf(
  cmds: Array<Array<string | number>>,
  clockStart = 1_700_000_000_000,
): Promise<string[][]> {
  const dir = tempDir();
  const clock = testClock(clockStart);
  const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
  for (const c of cmds) await db.command(c).catch(() => {});
  await db.close();
  return dirFrames(dir);
}

const T = 1_700_000_000_000;

describe("embedded AOF normalisation", () => {
  it("SETEX / PSETEX / SET EX|PX|EXAT|KEEPTTL become SET + PEXPIREAT", async () => {
    assert.deepEqual(
      await framesOf([
        ["SETEX", "a", 10, "v"],
        ["PSETEX", "b", 250, "v"],
        ["SET", "c", "v", "EXAT", T / 1000 + 5],
        ["SET", "c", "w", "KEEPTTL"],
        ["SET", "d", "v", "GET"],
      ]),
      [
        ["SET", "a", "v"],
        ["PEXPIREAT", "a", String(T + 10_000)],
        ["SET", "b", "v"],
        ["PEXPIREAT", "b", String(T + 250)],
        ["SET", "c", "v"],
        ["PEXPIREAT", "c", String(T + 5000)],
        ["SET", "c", "w"],
        ["PEXPIREAT", "c", String(T + 5000)],
        ["SET", "d", "v"],
      ],
    );
  });

  it("GETEX logs PEXPIREAT or PERSIST; a plain GETEX logs nothing", async () => {
    assert.deepEqual(
      await framesOf([["SET", "k", "v"], ["GETEX", "k"], ["GETEX", "k", "PX", 500], [
        "GETEX",
        "k",
        "PERSIST",
      ]]),
      [["SET", "k", "v"], ["PEXPIREAT", "k", String(T + 500)], ["PERSIST", "k"]],
    );
  });

  it("EXPIRE with a past deadline logs DEL; failed and no-op commands log nothing", async () => {
    assert.deepEqual(
      await framesOf([
        ["SET", "k", "v"],
        ["EXPIRE", "k", -1],
        ["LPUSH", "l", "x"],
        ["INCR", "l"], // WRONGTYPE
        ["SREM", "nope", "m"],
        ["HDEL", "nope", "f"],
        ["ZREM", "nope", "m"],
        ["EXPIRE", "nope", 5],
        ["LPOP", "nope"],
      ]),
      [["SET", "k", "v"], ["DEL", "k"], ["LPUSH", "l", "x"]],
    );
  });

  it("SPOP becomes SREM of the popped members", async () => {
    const dir = tempDir();
    const db = await openStore({ dir, activeExpireIntervalMs: 0 });
    await db.sadd("s", "a", "b", "c", "d");
    const one = new TextDecoder().decode((await db.command(["SPOP", "s"])) as Uint8Array);
    const two = ((await db.command(["SPOP", "s", 2])) as Uint8Array[]).map((b) =>
      new TextDecoder().decode(b)
    );
    const left = await db.smembers("s");
    await db.close();
    assert.deepEqual(dirFrames(dir), [["SADD", "s", "a", "b", "c", "d"], ["SREM", "s", one], [
      "SREM",
      "s",
      ...two,
    ]]);
    assert.equal(left.length, 1);
  });

  it("ZADD with GT/LT/NX/XX/INCR and ZINCRBY log the plain ZADD of what changed", async () => {
    assert.deepEqual(
      await framesOf([
        ["ZADD", "z", 1, "a", 2, "b"],
        ["ZADD", "z", "GT", 0, "a", 5, "b"], // only b rises
        ["ZADD", "z", "NX", 9, "a", 3, "c"], // only c is new
        ["ZADD", "z", "XX", 2, "b"], // b falls to 2
        ["ZADD", "z", "LT", 7, "b"], // no change: nothing
        ["ZADD", "z", "INCR", 1.5, "a"],
        ["ZINCRBY", "z", -1, "c"],
      ]),
      [
        ["ZADD", "z", "1", "a", "2", "b"],
        ["ZADD", "z", "5", "b"],
        ["ZADD", "z", "3", "c"],
        ["ZADD", "z", "2", "b"],
        ["ZADD", "z", "2.5", "a"],
        ["ZADD", "z", "2", "c"],
      ],
    );
  });

  it("verbs kevy's replay ignores are logged as the state they produced", async () => {
    assert.deepEqual(
      await framesOf([
        ["MSET", "a", "1", "b", "2"],
        ["SET", "t", "x", "PX", 1000],
        ["RENAME", "t", "u"],
        ["SETNX", "a", "no"],
        ["MSETNX", "c", "3"],
        ["RPUSH", "l", "x", "y"],
        ["LMOVE", "l", "m", "LEFT", "RIGHT"],
        ["SADD", "s", "p"],
        ["SMOVE", "s", "s2", "p"],
        ["HSETNX", "h", "f", "v"],
        ["UNLINK", "a"],
      ]),
      [
        ["SET", "a", "1"],
        ["SET", "b", "2"],
        ["SET", "t", "x"],
        ["PEXPIREAT", "t", String(T + 1000)],
        ["DEL", "t"],
        ["SET", "u", "x"],
        ["PEXPIREAT", "u", String(T + 1000)],
        ["SET", "c", "3"],
        ["RPUSH", "l", "x", "y"],
        ["LPOP", "l"],
        ["RPUSH", "m", "x"],
        ["SADD", "s", "p"],
        ["SREM", "s", "p"],
        ["SADD", "s2", "p"],
        ["HSET", "h", "f", "v"],
        ["DEL", "a"],
      ],
    );
  });

  it("a mixed session logs only verbs kevy's replay knows and replays to the same keyspace", async () => {
    const clock = testClock();
    const cmds: Array<Array<string | number>> = [
      ["SET", "s", "v", "EX", 100],
      ["APPEND", "s", "w"],
      ["INCRBYFLOAT", "f", "1.25"],
      ["MSET", "m1", "a", "m2", "b"],
      ["GETSET", "m1", "c"],
      ["GETDEL", "m2"],
      ["SETRANGE", "s", 1, "ZZ"],
      ["HSET", "h", "a", 1, "b", 2],
      ["HINCRBY", "h", "a", 5],
      ["HINCRBYFLOAT", "h", "b", "0.5"],
      ["HDEL", "h", "b"],
      ["RPUSH", "l", 1, 2, 3, 4, 5],
      ["LTRIM", "l", 1, -1],
      ["LSET", "l", 0, "x"],
      ["LREM", "l", 0, "3"],
      ["LINSERT", "l", "BEFORE", "x", "w"],
      ["SADD", "st", "a", "b", "c"],
      ["SREM", "st", "a"],
      ["ZADD", "z", 1, "a", 2, "b", 3, "c"],
      ["ZREM", "z", "c"],
      ["ZREMRANGEBYSCORE", "z", 0, 1],
      ["PEXPIRE", "h", 50_000],
      ["PERSIST", "h"],
      ["EXPIREAT", "st", 2_000_000_000],
      ["COPY", "l", "l2"],
      ["DEL", "nope", "m1"],
      ["SINTERSTORE", "st2", "st", "st"],
      ["ZUNIONSTORE", "z2", 1, "z"],
    ]; // deno-fmt-ignore
    const dir = tempDir();
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    const ref = new Store({ now: clock.now });
    for (const c of cmds) {
      const r = applyCommand(ref, c.map(String));
      const mine = await db.command(c).then(() => true, () => false);
      assert.equal(mine, r.ok, `${c.join(" ")} agrees on success`);
    }
    await db.close();
    for (const f of dirFrames(dir)) assert.ok(KEVY_REPLAY_VERBS.has(f[0]!), `kevy replays ${f[0]}`);
    assert.deepEqual(await dirKeyspace(dir, clock.now), dumpKeyspace(ref));
  });

  it("FLUSHALL reaches every shard's log", async () => {
    const dir = tempDir();
    const db = await openStore({ dir, shards: 2, activeExpireIntervalMs: 0 });
    await db.mset({ a: "1", b: "2", c: "3", d: "4" });
    await db.command(["FLUSHALL"]);
    assert.equal(await db.dbsize(), 0);
    await db.close();
    for (const n of ["aof-0.aof", "aof-1.aof"]) {
      assert.deepEqual(dirFrames(dir, n).at(-1), ["FLUSHALL"]);
    }
  });
});
