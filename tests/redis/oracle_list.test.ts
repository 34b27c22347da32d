// Lists against a live redis-server: LMPOP and the blocking forms (BLPOP,
// BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, as logged), LMOVE, LINSERT, LSET, LREM,
// LTRIM, LPOS and friends: same replies and keyspace, and Redis's AOF
// replays to what Redis holds.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_list.test.ts");
const L = ["l1", "l2", "l3", Uint8Array.of(0, 7)];
const ITEMS = ["a", "b", "c", "", "\x00", "aa"];

function side(g: Gen): string {
  return g.pick(["LEFT", "RIGHT", "left", "up"]);
}

function listCmd(g: Gen): Cmd {
  const k = g.pick(L);
  const keys = (n: number) => g.many(n, () => g.pick([...L, "missing"]));
  switch (g.int(0, 13)) {
    case 0:
    case 1:
      return [g.pick(["LPUSH", "RPUSH"]), k, ...g.many(g.int(1, 4), () => g.pick(ITEMS))];
    case 2:
      return [
        "LMPOP",
        String(g.int(1, 2)),
        ...keys(2),
        side(g),
        ...(g.chance(0.5) ? ["COUNT", g.num(0, 4)] : []),
      ];
    case 3:
      return ["LMOVE", k, g.pick(L), side(g), side(g)];
    case 4:
      return ["LINSERT", k, g.pick(["BEFORE", "AFTER", "middle"]), g.pick(ITEMS), g.pick(ITEMS)];
    case 5:
      return ["LSET", k, g.num(-4, 4), g.pick(ITEMS)];
    case 6:
      return ["LREM", k, g.num(-3, 3), g.pick(ITEMS)];
    case 7:
      return ["LTRIM", k, g.num(-4, 4), g.num(-4, 4)];
    case 8:
      return [g.pick(["LPOP", "RPOP"]), k, ...(g.chance(0.5) ? [g.num(0, 3)] : [])];
    case 9:
      return g.pick([["LRANGE", k, g.num(-4, 4), g.num(-4, 4)], ["LLEN", k], [
        "LINDEX",
        k,
        g.num(-4, 4),
      ]]);
    case 10:
      return [
        "LPOS",
        k,
        g.pick(ITEMS),
        ...(g.chance(0.5) ? ["RANK", g.pick(["1", "-1", "2", "0"])] : []),
        ...(g.chance(0.5) ? ["COUNT", g.num(0, 3)] : []),
        ...(g.chance(0.3) ? ["MAXLEN", g.num(0, 5)] : []),
      ];
    case 11:
      return [g.pick(["LPUSHX", "RPUSHX"]), k, g.pick(ITEMS)];
    case 12:
      return ["RPOPLPUSH", k, g.pick(L)];
    default:
      return g.pick([["SET", "str", "x"], ["LPUSH", "str", "x"], [
        "LMOVE",
        "str",
        k,
        "LEFT",
        "LEFT",
      ], ["LMPOP", "1", "str", "LEFT"]]);
  }
}

/** Blocking forms only inside MULTI (they never block there, on either side). */
function blocking(g: Gen): Cmd[] {
  const keys = (n: number) => g.many(n, () => g.pick([...L, "missing"]));
  const t = () => g.pick(["0", "0.5", "1", "-1", "x", "inf"]);
  return multi([g.pick<Cmd>([
    ["BLPOP", ...keys(2), t()],
    ["BRPOP", ...keys(1), t()],
    ["BLMOVE", g.pick(L), g.pick(L), side(g), side(g), t()],
    ["BRPOPLPUSH", g.pick(L), g.pick(L), t()],
    ["BLMPOP", t(), "2", ...keys(2), side(g), "COUNT", String(g.int(1, 3))],
  ])]);
}

describe("oracle: lists", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it(
    "random list commands and blocking forms: same replies and keyspace",
    { timeout: 120_000 },
    async () => {
      for (let seed = 1; seed <= 6; seed++) {
        await o.reset();
        const g = new Gen(300 + seed);
        const cmds: Cmd[] = [];
        for (let i = 0; i < 500; i++) {
          if (g.chance(0.08)) cmds.push(...blocking(g));
          else cmds.push(listCmd(g));
        }
        assert.deepEqual(await o.both(cmds), [], `seed ${seed}`);
        await o.assertLiveEqual(`seed ${seed}`);
      }
    },
  );

  it("its AOF (blocking pops as logged, TTLs, dbs, MULTI/EXEC, EVAL) replays exactly", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    await o.redis([
      ["RPUSH", "q", "1", "2", "3", "4", "5"],
      ["RPUSH", "r", "x"],
      ["PEXPIRE", "q", "700000"],
      ["BLPOP", "none", "q", "0"],
      ["BRPOP", "q", "1"],
      ["BLMOVE", "q", "r", "LEFT", "RIGHT", "0"],
      ["BRPOPLPUSH", "r", "q", "0"],
      ["BLMPOP", "0", "2", "none", "q", "RIGHT", "COUNT", "2"],
      ["LMPOP", "1", "r", "LEFT", "COUNT", "9"],
      ["LINSERT", "q", "BEFORE", "x", "y"],
      ...multi([["LPUSH", "m", "a", "b"], ["LMOVE", "m", "m", "LEFT", "RIGHT"], [
        "LSET",
        "m",
        "0",
        "z",
      ]]),
      evalOf([["RPUSH", "lua", "a", "b", "c"], ["LREM", "lua", "1", "b"], [
        "LTRIM",
        "lua",
        "0",
        "0",
      ]]),
      ["SELECT", "9"],
      ["RPUSH", Uint8Array.of(0), "v"],
      ["LMOVE", Uint8Array.of(0), "d9", "RIGHT", "LEFT"],
      ["SELECT", "0"],
    ]);
    const r = await o.assertAofReplayEqual("lists");
    assert.equal(r.errors, 0);
  });
});
