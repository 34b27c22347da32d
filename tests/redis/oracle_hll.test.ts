// HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG) against a live redis-server:
// the stored strings are byte-identical to Redis's sparse and dense
// encodings (the keyspace comparison reads them with GET), the replies equal,
// and Redis's AOF (where PFCOUNT appears when it rewrote the cache) replays
// to the same bytes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, multi } from "./_gen.ts";
import { applyCommand, Store } from "../../src/store/mod.ts";

const skip = oracleSkip("tests/redis/oracle_hll.test.ts");
const HLLS = ["h1", "h2", "h3", Uint8Array.of(0, 255)];

function element(g: Gen): string | Uint8Array {
  return g.chance(0.3) ? g.bytes(g.int(0, 20)) : `e${g.int(0, 5000)}`;
}

function hllCmd(g: Gen): Cmd {
  const k = g.pick(HLLS);
  switch (g.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return ["PFADD", k, ...g.many(g.int(0, g.chance(0.2) ? 400 : 8), () => element(g))];
    case 3:
    case 4:
      return ["PFCOUNT", k];
    case 5:
      return ["PFCOUNT", ...g.many(g.int(1, 3), () => g.pick(HLLS))];
    case 6:
      return ["PFMERGE", k, ...g.many(g.int(0, 3), () => g.pick([...HLLS, "missing"]))];
    case 7:
      return ["GET", k];
    case 8:
      return ["PFDEBUG", g.pick(["ENCODING", "DECODE", "TODENSE", "bogus"]), k];
    default:
      return g.pick([
        ["SET", "plain", "x"],
        ["PFADD", "plain", "a"],
        ["LPUSH", "list", "a"],
        [
          "PFCOUNT",
          "list",
        ],
        ["PFMERGE", "h1", "plain"],
        ["SET", "fake", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x41"],
        [
          "PFADD",
          "fake",
          "z",
        ],
      ]);
  }
}

describe("oracle: HyperLogLog", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it("random PFADD/PFCOUNT/PFMERGE/PFDEBUG: same replies and byte-identical strings", {
    timeout: 120_000,
  }, async () => {
    for (let seed = 1; seed <= 5; seed++) {
      await o.reset();
      const g = new Gen(100 + seed);
      const bad = await o.both(g.many(300, () => hllCmd(g)));
      assert.deepEqual(bad, [], `seed ${seed}`);
      await o.assertLiveEqual(`seed ${seed}`);
    }
  });

  it(
    "sparse grows past 3000 bytes and turns dense exactly where Redis does",
    { timeout: 120_000 },
    async () => {
      await o.reset();
      const cmds: Cmd[] = [];
      for (let i = 0; i < 60; i++) {
        cmds.push(["PFADD", "grow", ...Array.from({ length: 50 }, (_, j) => `m${i * 50 + j}`)]);
        cmds.push(["STRLEN", "grow"], ["PFDEBUG", "ENCODING", "grow"]);
      }
      cmds.push(["PFCOUNT", "grow"], ["GET", "grow"]);
      assert.deepEqual(await o.both(cmds), []);
      const replies = await o.client.run([["PFDEBUG", "ENCODING", "grow"]]);
      assert.equal(replies[0], "dense");
    },
  );

  it("its AOF (PFCOUNT cache rewrites, TTLs, dbs, MULTI/EXEC, EVAL) replays to the same bytes", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    const g = new Gen(7);
    await o.redis([
      ["PFADD", "a", ...g.many(30, () => element(g))],
      ["PFCOUNT", "a"], // rewrites the cache: logged
      ["PFCOUNT", "a"], // cached: not logged
      ["PFADD", "b", ...g.many(2500, () => element(g))], // dense
      ["PEXPIRE", "b", "900000"],
      ["PFMERGE", "c", "a", "b"],
      ["PFMERGE", "d", "a"],
      ...multi([["PFADD", "m", "x", "y"], ["PFCOUNT", "m"], ["PFMERGE", "m", "a"]]),
      evalOf([["PFADD", "lua", "1", "2", "3"], ["PFCOUNT", "lua"]]),
      ["SELECT", "2"],
      ["PFADD", Uint8Array.of(0, 1, 2), "q"],
      ["PFDEBUG", "TODENSE", Uint8Array.of(0, 1, 2)],
      ["SELECT", "0"],
    ]);
    const r = await o.assertAofReplayEqual("hll");
    assert.equal(r.errors, 0);
  });
});

describe("HLL encodings without a server", () => {
  it("a new HLL is the 18-byte sparse string Redis creates, and counts 0", () => {
    const s = new Store();
    assert.deepEqual(applyCommand(s, ["PFADD", "k"]), { ok: true, reply: 1 });
    const v = applyCommand(s, ["GET", "k"]);
    assert.ok(v.ok && v.reply instanceof Uint8Array);
    assert.deepEqual(
      [...v.reply],
      [0x48, 0x59, 0x4c, 0x4c, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f, 0xff],
    );
    assert.deepEqual(applyCommand(s, ["PFCOUNT", "k"]), { ok: true, reply: 0 });
  });
});
