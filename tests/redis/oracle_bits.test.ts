// Bitmaps (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO)
// against a live redis-server: same replies, same keyspace, and Redis's own
// AOF replayed by us gives exactly what Redis holds.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, KEYS, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_bits.test.ts");

function bitCmd(g: Gen): Cmd {
  const k = g.pick(KEYS);
  const off = () => g.chance(0.1) ? g.num(-5, 100000) : String(g.int(0, 300));
  const unit = () => g.pick(["BIT", "BYTE", "bit", "nope"]);
  const type = () =>
    g.chance(0.05)
      ? g.pick(["u64", "i65", "x8", "u0", "i"])
      : `${g.pick(["i", "u"])}${g.int(1, g.chance(0.5) ? 8 : 64)}`;
  switch (g.int(0, 9)) {
    case 0:
    case 1:
      return ["SETBIT", k, off(), g.chance(0.05) ? g.pick(["2", "-1", "x"]) : String(g.int(0, 1))];
    case 2:
      return ["GETBIT", k, off()];
    case 3: {
      const c: Cmd = ["BITCOUNT", k];
      if (g.chance(0.7)) c.push(g.num(-40, 40), g.num(-40, 40));
      if (g.chance(0.4)) c.push(unit());
      return c;
    }
    case 4: {
      const c: Cmd = ["BITPOS", k, g.chance(0.05) ? "2" : String(g.int(0, 1))];
      if (g.chance(0.7)) c.push(g.num(-40, 40));
      if (g.chance(0.5)) c.push(g.num(-40, 40));
      if (g.chance(0.3)) c.push(unit());
      return c;
    }
    case 5:
      return [
        "BITOP",
        g.pick(["AND", "OR", "XOR", "NOT", "and", "nand"]),
        g.pick(KEYS),
        ...g.many(g.int(1, 3), () => g.pick(KEYS)),
      ];
    case 6:
    case 7: {
      const c: Cmd = [g.chance(0.15) ? "BITFIELD_RO" : "BITFIELD", k];
      for (let i = g.int(0, 4); i > 0; i--) {
        const sub = g.pick(["GET", "SET", "INCRBY", "OVERFLOW", "get", "bogus"]);
        if (sub === "OVERFLOW") c.push(sub, g.pick(["WRAP", "SAT", "FAIL", "fail", "x"]));
        else if (sub.toUpperCase() === "GET") {
          c.push(sub, type(), g.chance(0.2) ? `#${g.int(0, 9)}` : off());
        } else c.push(sub, type(), g.chance(0.2) ? `#${g.int(0, 9)}` : off(), g.num(-300, 300));
      }
      return c;
    }
    case 8:
      return ["SET", k, g.bytes(g.int(0, 12))];
    default:
      return g.pick([["LPUSH", "list", "x"], ["DEL", k], ["APPEND", k, g.bytes(3)]]);
  }
}

describe("oracle: bitmaps", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it("random SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD: same replies and keyspace as Redis", {
    timeout: 120_000,
  }, async () => {
    for (let seed = 1; seed <= 6; seed++) {
      await o.reset();
      const g = new Gen(seed);
      const bad = await o.both(g.many(400, () => bitCmd(g)));
      assert.deepEqual(bad, [], `seed ${seed}`);
      await o.assertLiveEqual(`seed ${seed}`);
    }
  });

  it("its AOF (TTLs, binary keys, dbs, MULTI/EXEC, a writing EVAL) replays to the same keyspace", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    const bin = Uint8Array.of(0, 1, 255);
    await o.redis([
      ["SETBIT", "ttl", "77", "1"],
      ["PEXPIRE", "ttl", "500000"],
      ["SETBIT", bin, "9", "1"],
      ["BITFIELD", "bf", "SET", "i16", "#3", "-300", "OVERFLOW", "SAT", "INCRBY", "u4", "0", "99"],
      ["SET", "ex", "abc", "EX", "1000"],
      ["SETBIT", "ex", "3", "1"], // keeps its TTL
      ...multi([["SETBIT", "m", "1000", "1"], ["BITOP", "OR", "dest", "m", "ttl", bin]]),
      evalOf([["SETBIT", "lua", "5", "1"], ["BITFIELD", "lua", "INCRBY", "u8", "8", "200"]]),
      ["BITOP", "NOT", "gone", "nosuch"],
      ["SELECT", "3"],
      ["SETBIT", "db3", "100", "1"],
      ["BITOP", "XOR", "db3x", "db3", "db3"],
      ["SELECT", "0"],
    ]);
    const r = await o.assertAofReplayEqual("bits");
    assert.equal(r.errors, 0);
  });
});
