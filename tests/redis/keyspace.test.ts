// The real Redis 7.0.15 samples, replayed through CommandApplier, give the
// keyspace Redis itself reported (keyspace.json), database by database.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fixturePath, hex, readFixtureJson, unhex, utf8 } from "../_helpers.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { databases, type RedisKeyspaceJson, viewOfRedis, viewOfStores } from "./_keyspace.ts";

async function load(sample: string, opts: { untilUnixSeconds?: number } = {}) {
  const json = readFixtureJson<RedisKeyspaceJson>(`redis/${sample}/keyspace.json`);
  const { dbs, applier } = databases(() => json.collected_at_unix_ms);
  const stats = await replayRedisAof(
    fixturePath(`redis/${sample}/appendonlydir`),
    (argv) => applier.apply(argv),
    opts,
  );
  return { json, dbs, applier, stats, finish: applier.finish() };
}

describe("Redis samples replayed into Stores equal keyspace.json", () => {
  for (const sample of ["aof-resp-workload", "aof-resp-after-rewrite", "aof-resp-timestamps"]) {
    it(`${sample}: every database, type, value and expiry`, async () => {
      const { json, dbs, applier, stats, finish } = await load(sample);
      assert.equal(stats.torn, null);
      assert.deepEqual([...applier.unknown], []);
      assert.equal(applier.errors, 0);
      assert.equal(finish.danglingMulti, false);
      const expected = viewOfRedis(json);
      const actual = viewOfStores(dbs);
      assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
      for (const db of Object.keys(expected)) {
        assert.deepEqual(
          Object.keys(actual[db]!).sort(),
          Object.keys(expected[db]!).sort(),
          `db ${db} keys`,
        );
        for (const k of Object.keys(expected[db]!)) {
          assert.deepEqual(actual[db]![k], expected[db]![k], `db ${db} key ${k}`);
        }
      }
    });
  }

  it("aof-resp-workload uses two databases, TTLs and -inf/inf/0.001 scores", async () => {
    const { dbs } = await load("aof-resp-workload");
    const view = viewOfStores(dbs);
    assert.deepEqual(Object.keys(view).sort(), ["0", "1"]);
    const withTtl = Object.values(view["0"]!).filter((k) => k.pexpiretime !== null);
    assert.ok(withTtl.length >= 10);
    const za = view["0"]![hex(utf8("z:a"))]!;
    assert.deepEqual((za.value as Array<[string, number]>).map((x) => x[1]), [
      -Infinity,
      -0.5,
      0.001,
      2,
      2.5,
      5,
      Infinity,
    ]);
  });

  it("aof-resp-timestamps with untilUnixSeconds: the state at that second", async () => {
    const { dbs, stats } = await load("aof-resp-timestamps", { untilUnixSeconds: 1795345141 });
    assert.equal(stats.stoppedAt?.timestamp, 1795345142);
    const v = viewOfStores(dbs)["0"]!;
    const str = (k: string) => new TextDecoder().decode(unhex(v[hex(utf8(k))]?.value as string));
    assert.deepEqual(Object.keys(v).length, 3);
    assert.equal(str("ts:0"), "0");
    assert.equal(str("ts:1"), "1");
    assert.equal(str("ts:n"), "2");
  });
});
