// replayRedisAof with an RDB part (aof-use-rdb-preamble yes): Redis 7
// appendonlydirs whose base is an RDB and pre-7 single files that start with
// one replay to the keyspace Redis reported, with the keys delivered as
// commands or as entries. Live: a redis-server 7.0 with its default
// preamble, rewritten, then written to more, replays to what it reports.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFileSync, mkdirSync } from "node:fs";
import type { Entry } from "../../src/codec/types.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { Store } from "../../src/store/store.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { type RedisKeyspaceJson, viewOfRedis, viewOfStores } from "./_keyspace.ts";
import { CommandApplier } from "../../src/store/apply.ts";
import { redisMissing, redisRequired } from "./_redis_server.ts";
import { RdbServer } from "./_rdb_server.ts";
import { type FixtureKeyspace, type RdbView, viewOfFixture, viewOfRdbStores } from "./_rdb_view.ts";
import { rdbWorkload, WORKLOAD_DBS } from "./_rdb_workload.ts";

/** Replays into stores; RDB keys straight into them (`entries`) or through the applier. */
async function replayInto(
  path: string,
  now: () => number,
  mode: "commands" | "entries",
  skipped?: Record<string, number>,
): Promise<Map<number, Store>> {
  const dbs = new Map<number, Store>();
  const applier = new CommandApplier((db) => {
    let st = dbs.get(db);
    if (st === undefined) dbs.set(db, st = new Store({ now }));
    return st;
  }, { replay: true, ...(skipped ? { onUnknown: "skip" as const } : {}) });
  const onRdbEntry = (db: number, e: Entry) => {
    if (!dbs.has(db)) dbs.set(db, new Store({ now }));
    dbs.get(db)!.put(e);
  };
  const stats = await replayRedisAof(path, (argv) => applier.apply(argv), {
    ...(mode === "entries" ? { onRdbEntry } : {}),
    ...(skipped ? { onUnknown: "skip" as const } : {}),
  });
  applier.finish();
  if (skipped) Object.assign(skipped, stats.skipped);
  for (const [db, s] of dbs) if (s.dbsize() === 0) dbs.delete(db);
  return dbs;
}

/** The view with the seen and active times of stream consumers (`names`, or all) removed. */
function withoutConsumerTimes(view: RdbView, names?: string[]): RdbView {
  const out = structuredClone(view);
  for (const keys of Object.values(out)) {
    for (const row of Object.values(keys)) {
      if (row.type !== "stream") continue;
      const groups = (row.value as { groups: Array<{ consumers: Array<Record<string, unknown>> }> })
        .groups;
      for (const g of groups) {
        for (const c of g.consumers) {
          if (names !== undefined && !names.includes(c.name as string)) continue;
          delete c.seenTime;
          delete c.activeTime;
        }
      }
    }
  }
  return out;
}

describe("replayRedisAof: AOF files with an RDB part", () => {
  it("aof-rdbpreamble-after-rewrite: base.rdb + incr replay to what Redis reported (commands and entries)", async () => {
    const dir = "redis/aof-rdbpreamble-after-rewrite";
    const json = readFixtureJson<RedisKeyspaceJson>(`${dir}/keyspace.json`);
    const now = () => json.collected_at_unix_ms;
    for (const mode of ["commands", "entries"] as const) {
      const dbs = await replayInto(fixturePath(`${dir}/appendonlydir`), now, mode);
      assert.deepStrictEqual(viewOfStores(dbs), viewOfRedis(json), mode);
    }
  });

  it("rdb-preamble.aof (one pre-7 file: RDB, then RESP commands) replays to what Redis reported", async () => {
    const dir = "redis-rdb/peer/redis-assets/rdb-preamble";
    const json = readFixtureJson<FixtureKeyspace>(`${dir}/keyspace.json`);
    for (const mode of ["commands", "entries"] as const) {
      const dbs = await replayInto(
        fixturePath(`${dir}/rdb-preamble.aof`),
        () => json.collected_at_unix_ms,
        mode,
      );
      assert.deepStrictEqual(viewOfRdbStores(dbs), viewOfFixture(json), mode);
    }
    const stats = await replayRedisAof(
      fixturePath(`${dir}/rdb-preamble.aof`),
      () => ({ ok: true }),
    );
    assert.equal(stats.rdb[0]!.keys, 2);
    assert.equal(stats.rdb[0]!.bytes, 117);
    assert.equal(stats.frames, 2); // SELECT 0, SET k3 v3
    assert.equal(stats.bytes, 169);
  });

  it("the v12 aof-preamble dir (streams, field TTLs, every encoding) replays to what Redis reported", async () => {
    const dir = "redis-rdb/generated/v12-redis-unstable/aof-preamble";
    const json = readFixtureJson<FixtureKeyspace>(`${dir}/keyspace.json`);
    const skipped: Record<string, number> = {};
    const dbs = await replayInto(
      fixturePath(`${dir}/appendonlydir`),
      () => json.collected_at_unix_ms,
      "entries",
      skipped,
    );
    // Every command of the incr file replays: XADD/XACK (stream:main) and
    // HPEXPIREAT/HPERSIST (hfe:listpack); nothing is skipped, and both keys
    // are compared in full (field TTLs included) with what Redis reported.
    assert.deepStrictEqual(skipped, {});
    assert.deepStrictEqual(viewOfRdbStores(dbs), viewOfFixture(json));
  });

  it("rdb-small/dump.rdb loads to what Redis reported", async () => {
    const json = readFixtureJson<RedisKeyspaceJson>("redis/rdb-small/keyspace.json");
    const load = await loadRedisRdb(fixturePath("redis/rdb-small/dump.rdb"), {
      now: () => json.collected_at_unix_ms,
    });
    assert.deepStrictEqual(viewOfStores(load.dbs), viewOfRedis(json));
  });
});

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/aof_rdb.test.ts: ${skip}`);

describe("replayRedisAof: a live redis-server's appendonlydir with an RDB base", { skip }, () => {
  let s: RdbServer;
  let reported: Awaited<ReturnType<RdbServer["keyspace"]>>;
  let copy: string;
  before(async () => {
    const args = [
      "--appendonly",
      "yes",
      "--aof-use-rdb-preamble",
      "yes",
      "--appendfsync",
      "always",
    ];
    s = await RdbServer.start({ args });
    const deadline = Date.now() + 3_600_000;
    await s.pipe(rdbWorkload(deadline));
    await s.cli(["BGREWRITEAOF"]);
    for (let i = 0; i < 100; i++) {
      const info = await s.cli(["INFO", "persistence"]);
      if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // More writes after the rewrite: they go to the new incr file.
    await s.cli(["SET", "after:rewrite", "1"]);
    await s.cli(["RPUSH", "list:small", "tail"]);
    await s.cli(["DEL", "str:float"]);
    // Stream writes in the incr file: an approximate trim with LIMIT (logged as
    // `MAXLEN = n LIMIT m`), group reads and claims (XCLAIM ... LASTID), deletes.
    for (
      const c of [
        ["XADD", "stream:a", "2000-1", "f", "v"],
        ["XADD", "stream:a", "MAXLEN", "~", "20", "LIMIT", "150", "2000-2", "f", "w"],
        ["XREADGROUP", "GROUP", "g2", "dave", "COUNT", "2", "STREAMS", "stream:a", ">"],
        ["XAUTOCLAIM", "stream:a", "g1", "erin", "0", "0-0", "COUNT", "2"],
        ["XACK", "stream:a", "g2", "2000-1"],
        ["XDEL", "stream:a", "2000-1"],
        ["XGROUP", "CREATECONSUMER", "stream:a", "g2", "frank"],
        ["XSETID", "stream:empty", "200-1"],
      ]
    ) await s.cli(c);
    copy = tempDir("kevy-aof-rdb-");
    mkdirSync(join(copy, "appendonlydir"));
    for (
      const f of [
        "appendonly.aof.manifest",
        "appendonly.aof.2.base.rdb",
        "appendonly.aof.2.incr.aof",
      ]
    ) {
      copyFileSync(join(s.dir, "appendonlydir", f), join(copy, "appendonlydir", f));
    }
    // What Redis itself loads from these files is the reference: Redis 7.0's
    // AOF loses a group's entries-read after XREADGROUP (XCLAIM ... LASTID only).
    await s.stop();
    s = await RdbServer.start({ dir: s.dir, args });
    reported = await s.keyspace(WORKLOAD_DBS);
  });
  after(async () => {
    await s?.stop();
  });

  it("its base is an RDB and the replay (keys as entries) equals what the server reports", async () => {
    const stats = await replayRedisAof(join(copy, "appendonlydir"), () => ({ ok: true }), {
      onRdbEntry: () => {},
    });
    assert.equal(stats.rdb.length, 1);
    assert.ok(stats.rdb[0]!.keys > 30);
    const dbs = await replayInto(copy, Date.now, "entries");
    // Consumers that incr-file commands touched get the loader's clock (here and
    // in Redis); every other consumer time comes from the RDB.
    const touched = ["dave", "erin", "frank"];
    assert.deepStrictEqual(
      withoutConsumerTimes(viewOfRdbStores(dbs), touched),
      withoutConsumerTimes(reported, touched),
    );
  });

  it("as commands (streams as XADD/XGROUP/XCLAIM...), the replay equals what the server reports", async () => {
    const dbs = await replayInto(copy, Date.now, "commands");
    // No command sets a consumer's seen/active time (they become the replay's
    // clock, as after Redis's own AOF rewrite without a preamble): left out.
    assert.deepStrictEqual(
      withoutConsumerTimes(viewOfRdbStores(dbs)),
      withoutConsumerTimes(reported),
    );
  });
});
