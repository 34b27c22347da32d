// The embedded store logs the write commands Redis 7 can put in an AOF
// (bitmaps, HyperLogLog, multi-key and blocking pops, zset algebra, geo,
// SORT STORE, COPY, ...) as frames kevy v1.17's replay knows, and both a
// reopen and a plain replay of those frames give the keyspace the commands
// produced.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { Store } from "../../src/store/store.ts";
import { CommandApplier } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { dirFrames, dirKeyspace, testClock } from "./_embedded_helpers.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { join } from "node:path";

/** Verbs kevy v1.17's embedded replay dispatcher applies (FORMATS.md §3.5). */
const KEVY_REPLAY_VERBS = new Set(
  (
    "SET DEL INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND GETSET GETDEL EXPIRE PEXPIRE EXPIREAT " +
    "PEXPIREAT PERSIST FLUSHDB FLUSHALL HSET HDEL HINCRBY RPUSH LPUSH LPOP RPOP LSET LREM " +
    "LTRIM SADD SREM SPOP ZADD ZREM ZINCRBY"
  ).split(" "),
);

const T = 1_700_000_000_000;

const SESSION: Array<Array<string | number>> = [
  ["SETBIT", "bits", 77, 1],
  ["BITFIELD", "bits", "SET", "i8", 0, -5, "INCRBY", "u4", 8, 3],
  ["SET", "b2", "abc"],
  ["BITOP", "XOR", "bx", "bits", "b2"],
  ["PFADD", "h1", "a", "b", "c"],
  ["PFADD", "h2", "c", "d"],
  ["PFCOUNT", "h1"],
  ["PFMERGE", "h3", "h1", "h2"],
  ["RPUSH", "l1", "1", "2", "3", "4"],
  ["LMPOP", 2, "none", "l1", "RIGHT", "COUNT", 2],
  ["BLPOP", "l1", 0],
  ["RPUSH", "l2", "x", "y"],
  ["BLMOVE", "l2", "l3", "LEFT", "RIGHT", 0],
  ["ZADD", "z1", 1, "a", 2, "b", 3, "c"],
  ["ZADD", "z2", 10, "b", 20, "d"],
  ["ZUNIONSTORE", "zu", 2, "z1", "z2", "WEIGHTS", 2, 0.5, "AGGREGATE", "MAX"],
  ["ZINTERSTORE", "zi", 2, "z1", "z2"],
  ["ZDIFFSTORE", "zd", 2, "z1", "z2"],
  ["ZRANGESTORE", "zr", "z1", 0, 1],
  ["ZMPOP", 1, "zu", "MIN", "COUNT", 2],
  ["BZPOPMAX", "zi", 0],
  ["GEOADD", "geo", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"],
  ["GEOSEARCHSTORE", "near", "geo", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STOREDIST"],
  ["GEORADIUS", "geo", 15, 37, 300, "km", "STORE", "near2"],
  ["RPUSH", "tosort", "3", "1", "2"],
  ["SORT", "tosort", "DESC", "STORE", "sorted"],
  ["COPY", "sorted", "sorted2"],
  ["PEXPIRE", "sorted2", 60_000],
  ["SETBIT", "sorted2x", 3, 1],
  ["RENAME", "sorted2x", "renamed"],
];

describe("embedded AOF: Redis 7 write commands logged as kevy-replayable frames", () => {
  it("only verbs kevy's replay knows; reopen and replay give the commands' keyspace", async () => {
    const dir = tempDir();
    const clock = testClock(T);
    const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
    for (const c of SESSION) await db.command(c);
    await db.close();
    const frames = dirFrames(dir);
    for (const f of frames) assert.ok(KEVY_REPLAY_VERBS.has(f[0]!), `kevy replays ${f.join(" ")}`);
    // What the commands themselves produce, in memory.
    const mem = new Store({ now: clock.now });
    const ap = new CommandApplier(mem);
    for (const c of SESSION) assert.ok(ap.apply(c.map(String)).ok, c.join(" "));
    const want = dumpKeyspace(mem);
    assert.ok(want.length >= 20);
    // Replaying the log alone (what kevy 1.17 and we read back), bytes as written.
    const replay = new Store({ now: clock.now });
    const rap = new CommandApplier(replay);
    await replayAof(join(dir, "aof-0.aof"), (a) => {
      const r = rap.apply(a);
      assert.ok(r.ok, new TextDecoder().decode(a[0]));
      return r;
    });
    assert.deepEqual(dumpKeyspace(replay), want);
    assert.deepEqual(await dirKeyspace(dir, clock.now), want);
  });
});
