// Keyspace commands across databases and types against a live redis-server:
// MOVE, SWAPDB, COPY ... DB, RENAME/RENAMENX over every type, SORT (BY, GET,
// LIMIT, ALPHA, STORE), UNLINK, FLUSHDB/FLUSHALL, SELECT, and FUNCTION
// LOAD/DELETE/FLUSH kept as data: Redis's AOF replays to what Redis holds.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, multi } from "./_gen.ts";
import { replayRedisAof } from "../../src/redis/mod.ts";
import { ourDatabases } from "./_oracle.ts";

const skip = oracleSkip("tests/redis/oracle_keys.test.ts");
const LIB = "#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
const LIB2 = "#!lua name=other\nredis.register_function('g', function() return 2 end)";

function sortCmd(g: Gen): Cmd {
  const c: Cmd = ["SORT", g.pick(["l", "z", "s"])];
  if (g.chance(0.5)) c.push("BY", g.pick(["w_*", "h_*->f", "w_*", "nosort"]));
  if (g.chance(0.3)) c.push("LIMIT", g.num(-1, 3), g.num(-1, 4));
  if (g.chance(0.4)) c.push("GET", g.pick(["#", "w_*", "h_*->f", "nope_*"]));
  if (g.chance(0.3)) c.push(g.pick(["ASC", "DESC"]));
  if (g.chance(0.4)) c.push("ALPHA");
  // A set sorted BY a constant is only deterministic with STORE (Redis forces ALPHA then).
  const bySet = c[1] === "s" && c.includes("nosort");
  if (bySet || g.chance(0.5)) c.push("STORE", g.pick(["dst", "l"]));
  return c;
}

describe("oracle: keys, databases, SORT, FUNCTION", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it(
    "random SORT (BY, GET, LIMIT, ALPHA, STORE): same replies and keyspace",
    { timeout: 120_000 },
    async () => {
      for (let seed = 1; seed <= 5; seed++) {
        await o.reset();
        const g = new Gen(500 + seed);
        const setup: Cmd[] = [
          ["RPUSH", "l", "3", "1", "10", "2", "x1"],
          ["ZADD", "z", "1", "c", "2", "a", "3", "b"],
          ["SADD", "s", "5", "4", "b", "a"],
          // Distinct weights: a tie between two members of a set is broken by
          // Redis's hash order, which nothing outside it can know.
          ...["1", "2", "3", "10", "a", "b", "c", "4", "5", "x1"].flatMap((m, i): Cmd[] => [
            ["SET", `w_${m}`, String((i * 7) % 10)],
            ["HSET", `h_${m}`, "f", String((i * 3) % 10 + 0.5)],
          ]),
        ];
        const cmds: Cmd[] = [...setup, ...g.many(80, () => sortCmd(g))];
        assert.deepEqual(await o.both(cmds), [], `seed ${seed}`);
        await o.assertLiveEqual(`seed ${seed}`);
      }
    },
  );

  it("MOVE, SWAPDB, COPY DB, RENAME over types: same replies on a multi-database applier", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    const cmds: Cmd[] = [
      ["SET", "a", "1"],
      ["PEXPIRE", "a", "900000"],
      ["RPUSH", "l", "x", "y"],
      ["MOVE", "a", "3"],
      ["MOVE", "a", "3"],
      ["MOVE", "l", "0"],
      ["MOVE", "l", "16"],
      ["MOVE", "l", "x"],
      ["SELECT", "3"],
      ["SET", "b", "2"],
      ["COPY", "a", "a2", "DB", "0"],
      ["COPY", "a", "b", "REPLACE"],
      ["COPY", "a", "a", "DB", "3"],
      ["SELECT", "0"],
      ["HSET", "h", "f", "v"],
      ["RENAME", "h", "l"],
      ["RENAMENX", "l", "a2"],
      ["SWAPDB", "0", "3"],
      ["SWAPDB", "0", "99"],
      ["SWAPDB", "x", "1"],
      ["SWAPDB", "5", "5"],
      ["UNLINK", "a", "b", "nope"],
      ["SELECT", "3"],
      ["FLUSHDB"],
      ["SELECT", "0"],
    ];
    assert.deepEqual(await o.both(cmds), []);
    await o.assertLiveEqual("dbs");
  });

  it("its AOF (MOVE, SWAPDB, COPY DB, SORT STORE, FLUSH*, MULTI/EXEC, EVAL) replays exactly", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    await o.redis([
      ["SELECT", "1"],
      ["SET", "k1", "v", "EX", "1000"],
      ["RPUSH", "list", "3", "1", "2"],
      ["SORT", "list", "STORE", "sorted"],
      ["MOVE", "k1", "2"],
      ["COPY", "list", "list", "DB", "4"],
      ["SWAPDB", "1", "2"],
      ["SELECT", "2"],
      ...multi([["RENAME", "sorted", "s2"], ["MOVE", "s2", "0"]]),
      evalOf([["SET", "lua", "1"], ["MOVE", "lua", "7"]]),
      ["SELECT", "6"],
      ["SET", "gone", "x"],
      ["FLUSHDB"],
      ["SELECT", "0"],
    ]);
    const r = await o.assertAofReplayEqual("keys");
    assert.equal(r.errors, 0);
  });

  it("FUNCTION LOAD/DELETE/FLUSH in an AOF are kept as data (the code Redis lists)", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    await o.redis([
      ["FUNCTION", "FLUSH"],
      ["FUNCTION", "LOAD", LIB],
      ["FUNCTION", "LOAD", LIB2],
      ["FUNCTION", "LOAD", "REPLACE", LIB.replace("return 1", "return 3")],
      ["FUNCTION", "DELETE", "other"],
    ]);
    const listed = await o.client.call("FUNCTION", "LIST", "WITHCODE") as unknown[];
    assert.equal(listed.length, 1);
    const mine = ourDatabases(() => Date.now());
    await replayRedisAof(o.server.aofDir, (a) => mine.applier.apply(a));
    const libs = mine.applier.store.libraries;
    assert.deepEqual([...libs.keys()], ["mylib"]);
    assert.equal(new TextDecoder().decode(libs.get("mylib")!), LIB.replace("return 1", "return 3"));
    await o.redis([["FUNCTION", "FLUSH"]]);
  });
});
