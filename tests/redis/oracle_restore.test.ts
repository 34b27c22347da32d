// RESTORE against a live redis-server: payloads DUMPed by Redis itself (every
// type, small and large encodings: listpack, intset, quicklist, hashtable,
// skiplist) restored on both sides with TTL, ABSTTL, REPLACE, IDLETIME,
// FREQ, and damaged payloads; same replies and keyspace, and the AOF (where
// Redis logs RESTORE with an absolute TTL) replays exactly.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { Gen, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_restore.test.ts");

function sources(): Cmd[] {
  const big = Array.from({ length: 300 }, (_, i) => `m${i}`);
  return [
    ["SET", "s:int", "12345"],
    ["SET", "s:raw", "x".repeat(100)],
    ["SET", "s:bin", Uint8Array.of(0, 255, 13, 10)],
    ["RPUSH", "l:small", "a", "b", "1"],
    ["RPUSH", "l:big", ...big],
    ["SADD", "set:int", "1", "2", "300", "-7"],
    ["SADD", "set:str", "a", "b", "c"],
    ["SADD", "set:big", ...big],
    ["ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c"],
    ["ZADD", "z:big", ...big.flatMap((m, i) => [String(i / 3), m])],
    ["HSET", "h:small", "f", "v", "n", "1"],
    ["HSET", "h:big", ...big.flatMap((m) => [m, m + "v"])],
    ["PFADD", "hll", "a", "b", "c"],
  ];
}

const NAMES = [
  "s:int",
  "s:raw",
  "s:bin",
  "l:small",
  "l:big",
  "set:int",
  "set:str",
  "set:big",
  "z:small",
  "z:big",
  "h:small",
  "h:big",
  "hll",
];

describe("oracle: RESTORE of Redis's own DUMP payloads", { skip }, () => {
  let o: Oracle;
  let payloads: Uint8Array[];
  before(async () => {
    o = await Oracle.start();
    await o.reset();
    await o.redis(sources());
    payloads = (await o.client.run(NAMES.map((n) => ["DUMP", n]))) as Uint8Array[];
    await o.reset();
  });
  after(async () => {
    await o?.stop();
  });

  it("every type and encoding, with TTL/ABSTTL/REPLACE/IDLETIME/FREQ and bad payloads", {
    timeout: 120_000,
  }, async () => {
    const g = new Gen(77);
    const cmds: Cmd[] = [["SET", "taken", "x"]];
    for (let i = 0; i < 200; i++) {
      const p = g.pick(payloads);
      let payload: Uint8Array = p;
      if (g.chance(0.1)) {
        payload = p.slice();
        payload[g.int(0, payload.length - 1)]! ^= 1 << g.int(0, 7); // damaged: CRC or body
      } else if (g.chance(0.05)) payload = p.subarray(0, g.int(0, p.length - 1));
      const c: Cmd = [
        "RESTORE",
        g.pick(["r1", "r2", "r3", "taken", Uint8Array.of(0)]),
        g.pick(["0", "0", "900000", "-1", "x", String(Date.now() + 500000)]),
        payload,
      ];
      if (g.chance(0.4)) c.push("REPLACE");
      if (g.chance(0.2)) c.push("ABSTTL");
      if (g.chance(0.2)) c.push(g.pick(["IDLETIME", "FREQ"]), g.pick(["0", "10", "300", "-1"]));
      cmds.push(c);
      if (g.chance(0.1)) cmds.push(["DEL", g.pick(["r1", "r2", "r3"])]);
    }
    assert.deepEqual(await o.both(cmds), []);
    await o.assertLiveEqual("restore", 10_000);
  });

  it(
    "its AOF (RESTORE with absolute TTLs, MULTI/EXEC, dbs) replays exactly",
    { timeout: 60_000 },
    async () => {
      await o.reset();
      await o.redis([
        ["RESTORE", "a", "0", payloads[4]!],
        ["RESTORE", "b", "800000", payloads[10]!],
        ["RESTORE", "a", "0", payloads[9]!, "REPLACE"],
        ...multi([["RESTORE", "c", "0", payloads[7]!], [
          "RESTORE",
          "d",
          String(Date.now() + 900000),
          payloads[12]!,
          "ABSTTL",
        ]]),
        ["SELECT", "2"],
        ["RESTORE", Uint8Array.of(0, 1), "0", payloads[2]!],
        ["SELECT", "0"],
      ]);
      const r = await o.assertAofReplayEqual("restore");
      assert.equal(r.errors, 0);
    },
  );
});
