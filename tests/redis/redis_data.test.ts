// loadRedisData: whatever Redis left on disk, into one store per database,
// read the way Redis reads it (a data dir's appendonlydir before its dump.rdb).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadRedisData } from "../../src/redis/redis_data.ts";
import { RedisAofLayoutError } from "../../src/redis/aof.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { type RedisKeyspaceJson, viewOfRedis, viewOfStores } from "./_keyspace.ts";
import { type FixtureKeyspace, viewOfFixture, viewOfRdbStores } from "./_rdb_view.ts";

const SMALL = "redis/rdb-small";
const PRE = "redis/aof-rdbpreamble-after-rewrite";
const small = readFixtureJson<RedisKeyspaceJson>(`${SMALL}/keyspace.json`);
const pre = readFixtureJson<RedisKeyspaceJson>(`${PRE}/keyspace.json`);

describe("loadRedisData", () => {
  it("a dump.rdb, and a data dir holding only one", async () => {
    const dir = tempDir();
    copyFileSync(fixturePath(`${SMALL}/dump.rdb`), join(dir, "dump.rdb"));
    for (const p of [fixturePath(`${SMALL}/dump.rdb`), dir]) {
      const r = await loadRedisData(p, { now: () => small.collected_at_unix_ms });
      assert.equal(r.kind, "rdb");
      assert.deepStrictEqual(viewOfStores(r.dbs), viewOfRedis(small));
    }
  });

  it("an appendonlydir, its manifest, and a data dir holding it and a dump.rdb: the AOF", async () => {
    const dir = tempDir();
    cpSync(fixturePath(`${PRE}/appendonlydir`), join(dir, "appendonlydir"), { recursive: true });
    copyFileSync(fixturePath(`${SMALL}/dump.rdb`), join(dir, "dump.rdb"));
    for (
      const p of [
        dir,
        join(dir, "appendonlydir"),
        join(dir, "appendonlydir", "appendonly.aof.manifest"),
      ]
    ) {
      const r = await loadRedisData(p, { now: () => pre.collected_at_unix_ms });
      assert.equal(r.kind, "aof", p);
      assert.equal(r.aof!.rdb.length, 1);
      assert.deepStrictEqual(viewOfStores(r.dbs), viewOfRedis(pre), p);
    }
  });

  it("a pre-7 appendonly.aof with an RDB preamble", async () => {
    const dir = "redis-rdb/peer/redis-assets/rdb-preamble";
    const json = readFixtureJson<FixtureKeyspace>(`${dir}/keyspace.json`);
    const p = join(tempDir(), "appendonly.aof");
    copyFileSync(fixturePath(`${dir}/rdb-preamble.aof`), p);
    const r = await loadRedisData(p, { now: () => json.collected_at_unix_ms });
    assert.equal(r.kind, "aof");
    assert.deepStrictEqual(viewOfRdbStores(r.dbs), viewOfFixture(json));
  });

  it("a dir with nothing Redis wrote is a RedisAofLayoutError", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "other"));
    await assert.rejects(loadRedisData(dir), RedisAofLayoutError);
    await assert.rejects(loadRedisData(join(dir, "nope")), RedisAofLayoutError);
  });
});
