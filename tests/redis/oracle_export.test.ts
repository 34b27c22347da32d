// The other direction: a keyspace built by our applier (every family,
// several databases, TTLs, binary keys, HLLs sparse and dense, function
// libraries) exported with exportRedisCommands and piped into a live
// redis-server reads back equal key by key; Redis's AOF of that import,
// replayed by us, gives our keyspace again.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { concatBytes } from "../../src/codec/bytes.ts";
import { exportRedisCommands, replayRedisAof } from "../../src/redis/mod.ts";
import { type Cmd, Oracle, oracleSkip, ourDatabases } from "./_oracle.ts";
import { Gen } from "./_gen.ts";
import { viewOfRedis, viewOfStores } from "./_keyspace.ts";
import { assertSameKeyspace } from "./_oracle.ts";

const skip = oracleSkip("tests/redis/oracle_export.test.ts");
const LIB = "#!lua name=exported\nredis.register_function('e', function() return 'e' end)";

function build(g: Gen): Cmd[] {
  const t = Date.now();
  return [
    ["SETBIT", "bits", "1000", "1"],
    ["BITFIELD", Uint8Array.of(0, 255), "SET", "u8", "0", "200"],
    ["PFADD", "hll:sparse", ...g.many(20, () => `e${g.int(0, 1e6)}`)],
    ["PFADD", "hll:dense", ...g.many(3000, () => `d${g.int(0, 1e9)}`)],
    ["PFCOUNT", "hll:dense"],
    ["GEOADD", "geo", "13.36", "38.11", "Palermo", "15.08", "37.50", "Catania"],
    [
      "GEOSEARCHSTORE",
      "geo:near",
      "geo",
      "FROMLONLAT",
      "15",
      "37",
      "BYRADIUS",
      "300",
      "km",
      "STOREDIST",
    ],
    ["ZADD", "z1", "1", "a", "2", "b", "inf", "c"],
    ["ZADD", "z2", "0.1", "a", "-3", "d"],
    ["ZUNIONSTORE", "zu", "2", "z1", "z2", "WEIGHTS", "1", "3"],
    ["RPUSH", "l", "5", "3", "9", "1"],
    ["SORT", "l", "STORE", "l:sorted"],
    ["LMPOP", "1", "l", "LEFT", "COUNT", "2"],
    ["HSET", "h", "f", "1", "g", Uint8Array.of(1, 2, 3)],
    ["HINCRBYFLOAT", "h", "f", "0.1"],
    ["SADD", "s", "x", "y", "1"],
    ["SET", "ttl", "v", "PXAT", String(t + 900_000)],
    ["PEXPIREAT", "zu", String(t + 800_000)],
    ["FUNCTION", "LOAD", LIB],
    ["SELECT", "4"],
    ["SET", Uint8Array.of(0), Uint8Array.of(0, 0)],
    ["PFADD", "hll4", "q"],
    ["COPY", "hll4", "hll4b"],
    ["SELECT", "0"],
  ];
}

describe("oracle: exportRedisCommands into a live redis-server", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
  });
  after(async () => {
    await o?.stop();
  });

  it("our keyspace, exported and piped in, reads back equal (and so do the libraries)", {
    timeout: 120_000,
  }, async () => {
    await o.reset();
    await o.redis([["FUNCTION", "FLUSH"]]);
    const ours = ourDatabases(() => Date.now());
    for (const c of build(new Gen(9))) assert.ok(ours.applier.apply(c).ok, String(c[0]));
    const parts: Uint8Array[] = [];
    for (const [db, store] of [...ours.dbs].sort((x, y) => x[0] - y[0])) {
      for (const chunk of exportRedisCommands(store, { db })) parts.push(chunk);
    }
    await o.server.pipe(concatBytes(parts));
    const json = await o.redisKeyspace();
    assertSameKeyspace(viewOfStores(ours.dbs), viewOfRedis(json), 0, "export");
    const listed = await o.client.call("FUNCTION", "LIST", "WITHCODE");
    assert.match(
      JSON.stringify(listed, (_k, v) => v instanceof Uint8Array ? new TextDecoder().decode(v) : v),
      /exported/,
    );
    // And back: Redis's AOF of the import replays to our keyspace.
    const back = ourDatabases(() => json.collected_at_unix_ms);
    await replayRedisAof(o.server.aofDir, (a) => back.applier.apply(a));
    assertSameKeyspace(viewOfStores(back.dbs), viewOfRedis(json), 0, "export, replayed");
    assert.equal(new TextDecoder().decode(back.dbs.get(0)!.libraries.get("exported")!), LIB);
    await o.redis([["FUNCTION", "FLUSH"]]);
  });
});
