// Sorted sets against a live redis-server: Z*STORE with WEIGHTS/AGGREGATE,
// ZRANGESTORE and the ZRANGE family, ZMPOP/BZMPOP/BZPOP*, ZPOP*, ZREMRANGEBY*:
// same replies and keyspace, and Redis's AOF replays to what Redis holds.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_zset.test.ts");
const Z = ["z1", "z2", "z3", "s1", Uint8Array.of(0, 9)];
const MEMBERS = ["a", "b", "c", "d", "e", "f", "", "\x00x"];

function score(g: Gen): string {
  // No -0: Redis orders -0 and 0 as equal, our SortedSet puts -0 first (kevy's file order).
  if (g.chance(0.1)) return g.pick(["inf", "-inf", "1e300", "-1e-300", "0.1", "1.5"]);
  return g.chance(0.5) ? String(g.int(-5, 5)) : (g.int(-500, 500) / 7).toString();
}

function bound(g: Gen): string {
  if (g.chance(0.2)) return g.pick(["-inf", "+inf", "(0", "(1.5", "x", "", "(", "nan"]);
  return (g.chance(0.3) ? "(" : "") + String(g.int(-6, 6));
}

function lex(g: Gen): string {
  return g.pick(["-", "+", "[a", "(b", "[c", "(", "[", "x", "[\x00"]);
}

function keys(g: Gen, n: number): Array<string | Uint8Array> {
  return g.many(n, () => g.pick([...Z, "missing"]));
}

function algebra(g: Gen, store: boolean): Cmd {
  const op = g.pick(["UNION", "INTER", "DIFF"]);
  const n = g.int(1, 3);
  const c: Cmd = store
    ? [
      `Z${op}STORE`,
      g.pick(Z),
      g.chance(0.05) ? g.pick(["0", "x", "9"]) : String(n),
      ...keys(g, n),
    ]
    : [`Z${op}`, g.chance(0.05) ? "0" : String(n), ...keys(g, n)];
  // Non-negative weights (a negative one turns a 0 score into -0, see score()).
  const weight = () => g.pick(["1", "2", "0.5", "3", "inf", "1e-3", "x", "7"]);
  if (g.chance(0.4)) c.push("WEIGHTS", ...g.many(n, weight));
  if (g.chance(0.4)) c.push("AGGREGATE", g.pick(["SUM", "MIN", "MAX", "avg"]));
  if (!store && g.chance(0.4)) c.push("WITHSCORES");
  return c;
}

function zrangeArgs(g: Gen, c: Cmd): Cmd {
  const kind = g.int(0, 2);
  if (kind === 0) c.push(g.num(-6, 6), g.num(-6, 6));
  else if (kind === 1) c.push(bound(g), bound(g), "BYSCORE");
  else c.push(lex(g), lex(g), "BYLEX");
  if (g.chance(0.3)) c.push("REV");
  if (g.chance(0.3)) c.push("LIMIT", String(g.int(-1, 3)), String(g.int(-1, 4)));
  return c;
}

function zCmd(g: Gen): Cmd {
  const k = g.pick(Z);
  switch (g.int(0, 17)) {
    case 0:
    case 1:
    case 2:
      return ["ZADD", k, ...g.many(g.int(1, 4), () => [score(g), g.pick(MEMBERS)]).flat()];
    case 3:
      return ["ZADD", "lex", "0", g.pick(MEMBERS), "0", g.pick(MEMBERS)];
    case 4:
    case 5:
      return algebra(g, true);
    case 6:
      return algebra(g, false);
    case 7:
      return [
        "ZINTERCARD",
        String(g.int(1, 3)),
        ...keys(g, 3).slice(0, 1),
        ...(g.chance(0.5) ? ["LIMIT", g.num(-1, 3)] : []),
      ];
    case 8:
      return zrangeArgs(g, [
        g.chance(0.5) ? "ZRANGE" : "ZRANGESTORE",
        ...(g.chance(0.5) ? [] : []),
        g.pick([...Z, "lex"]),
      ]);
    case 9:
      return zrangeArgs(g, ["ZRANGESTORE", g.pick(Z), g.pick([...Z, "lex"])]);
    case 10:
      return [
        g.pick(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]),
        k,
        bound(g),
        bound(g),
        ...(g.chance(0.3) ? ["WITHSCORES"] : []),
        ...(g.chance(0.3) ? ["LIMIT", "1", "2"] : []),
      ];
    case 11:
      return [g.pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), "lex", lex(g), lex(g)];
    case 12:
      return [
        "ZMPOP",
        String(g.int(1, 2)),
        ...keys(g, 2),
        g.pick(["MIN", "MAX", "mid"]),
        ...(g.chance(0.5) ? ["COUNT", g.num(0, 3)] : []),
      ];
    case 13:
      return g.pick([
        ["ZPOPMIN", k],
        ["ZPOPMAX", k, g.num(0, 3)],
        ["ZREMRANGEBYSCORE", k, bound(g), bound(g)],
        ["ZREMRANGEBYRANK", k, g.num(-3, 3), g.num(-3, 3)],
        ["ZREMRANGEBYLEX", "lex", lex(g), lex(g)],
      ]);
    case 14:
      return g.pick([
        ["ZCOUNT", k, bound(g), bound(g)],
        ["ZLEXCOUNT", "lex", lex(g), lex(g)],
        ["ZMSCORE", k, g.pick(MEMBERS), g.pick(MEMBERS)],
        ["ZRANK", k, g.pick(MEMBERS)],
        ["ZREVRANK", k, g.pick(MEMBERS)],
        ["ZSCORE", k, g.pick(MEMBERS)],
        ["ZREVRANGE", k, g.num(-4, 4), g.num(-4, 4), ...(g.chance(0.5) ? ["WITHSCORES"] : [])],
      ]);
    case 15:
      return ["SADD", "s1", g.pick(MEMBERS)];
    case 16:
      return g.pick([["SET", "str", "x"], ["ZUNIONSTORE", k, "1", "str"], [
        "ZRANGESTORE",
        k,
        "str",
        "0",
        "1",
      ]]);
    default:
      return ["ZINCRBY", k, score(g), g.pick(MEMBERS)];
  }
}

/** Blocking forms only run inside MULTI (they never block there, on either side). */
function blocking(g: Gen): Cmd[] {
  const c = g.pick<Cmd>([
    ["BZPOPMIN", ...keys(g, 2), g.pick(["0", "0.1", "-1", "x"])],
    ["BZPOPMAX", ...keys(g, 1), "0"],
    ["BZMPOP", "0", "2", ...keys(g, 2), g.pick(["MIN", "MAX"]), "COUNT", String(g.int(1, 3))],
  ]);
  return multi([c]);
}

describe("oracle: sorted sets", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it("random zset commands (algebra, ranges, stores, pops): same replies and keyspace", {
    timeout: 120_000,
  }, async () => {
    for (let seed = 1; seed <= 6; seed++) {
      await o.reset();
      const g = new Gen(200 + seed);
      const cmds: Cmd[] = [];
      for (let i = 0; i < 500; i++) {
        if (g.chance(0.05)) cmds.push(...blocking(g));
        else cmds.push(zCmd(g));
      }
      assert.deepEqual(await o.both(cmds), [], `seed ${seed}`);
      await o.assertLiveEqual(`seed ${seed}`);
    }
  });

  it("its AOF (ZPOP/BZPOP/ZMPOP as logged, stores, TTLs, dbs, MULTI/EXEC, EVAL) replays exactly", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    await o.redis([
      ["ZADD", "a", "1", "x", "2", "y", "3", "z", "0.1", "w"],
      ["ZADD", "b", "10", "x", "-inf", "q"],
      ["SADD", "st", "x", "y", "k"],
      ["ZUNIONSTORE", "u", "3", "a", "b", "st", "WEIGHTS", "0.5", "3", "0.25", "AGGREGATE", "SUM"],
      ["ZINTERSTORE", "i", "2", "a", "st", "AGGREGATE", "MAX"],
      ["ZDIFFSTORE", "d", "2", "a", "b"],
      ["ZRANGESTORE", "r", "a", "(0", "+inf", "BYSCORE", "REV", "LIMIT", "1", "2"],
      ["PEXPIRE", "u", "800000"],
      ["ZPOPMIN", "d"],
      ["ZMPOP", "2", "nosuch", "a", "MAX", "COUNT", "2"],
      ...multi([["BZPOPMIN", "b", "0"], ["BZMPOP", "1", "1", "u", "MIN", "COUNT", "2"]]),
      evalOf([["ZADD", "lua", "1", "m"], ["ZUNIONSTORE", "lua2", "1", "lua", "WEIGHTS", "2"]]),
      ["SELECT", "5"],
      ["ZADD", "db5", "1", "x"],
      ["ZINTERSTORE", Uint8Array.of(0, 1), "1", "db5"],
      ["SELECT", "0"],
    ]);
    const r = await o.assertAofReplayEqual("zset");
    assert.equal(r.errors, 0);
  });
});
