// importRedis: a Redis data set into an open store, through its own commands
// (logged and routed like any write), one database at a time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/embedded/open.ts";
import { importRedis } from "../../src/embedded/import_redis.ts";
import { loadRedisData } from "../../src/redis/redis_data.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { Store } from "../../src/store/store.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";

const SMALL = fixturePath("redis/rdb-small/dump.rdb");
const PRE = fixturePath("redis/aof-rdbpreamble-after-rewrite/appendonlydir");
const nowOf = (dir: string) =>
  readFixtureJson<{ collected_at_unix_ms: number }>(`redis/${dir}/keyspace.json`)
    .collected_at_unix_ms;

/** The keys of `db` as loadRedisData reads them, and as the store holds them (same dump shape). */
async function same(source: string, db: number, now: number, dir?: string): Promise<void> {
  const store = await openStore({ clock: () => now, ...(dir ? { dir } : {}) });
  try {
    const stats = await importRedis(store, source, { db, now: () => now });
    const want = (await loadRedisData(source, { now: () => now })).dbs.get(db)!;
    assert.equal(stats.keys, want.dbsize());
    assert.ok(stats.keys > 0);
    const got = new Store({ now: () => now });
    for await (const k of store.bytes.scan()) {
      const e = want.getEntry(k);
      assert.ok(e !== null, new TextDecoder().decode(k));
      assert.equal(await store.type(k), e.value.type);
      got.put(e);
    }
    assert.equal(await store.dbsize(), want.dbsize());
    assert.deepStrictEqual(dumpKeyspace(got), dumpKeyspace(want));
    if (dir) {
      await store.close();
      const again = await openStore({ clock: () => now, dir });
      assert.equal(await again.dbsize(), want.dbsize());
      await again.close();
    }
  } finally {
    if (!store.closed) await store.close();
  }
}

describe("importRedis", () => {
  it("a dump.rdb: every key of the database asked for", async () => {
    await same(SMALL, 0, nowOf("rdb-small"));
    await same(SMALL, 1, nowOf("rdb-small"));
  });

  it("an appendonlydir with an RDB base, into a store with files (survives a reopen)", async () => {
    await same(PRE, 0, nowOf("aof-rdbpreamble-after-rewrite"), tempDir("kevy-import-"));
  });

  it("refuses a source with keys in other databases unless `db` is given", async () => {
    const store = await openStore();
    try {
      await assert.rejects(
        importRedis(store, SMALL, { now: () => nowOf("rdb-small") }),
        /database 1 besides 0/,
      );
      assert.equal(await store.dbsize(), 0);
    } finally {
      await store.close();
    }
  });
});
