// migrateToRedis into one redis-server: every source kind (data dir,
// snapshot, kevy AOF, Redis AOF dir, a Store), a chosen database, what is
// skipped and counted (expired keys, empty collections, pending entries of
// deleted stream messages), and clear errors before anything is sent.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { tempDir, utf8 } from "../_helpers.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { migrateToRedis, MigrationSourceError } from "../../src/redis/migrate.ts";
import { verifyRedis } from "../../src/redis/verify.ts";
import { Store } from "../../src/store/store.ts";
import { RedisAuthError, RedisClusterError, RedisConnectionError } from "../../src/net/errors.ts";
import { freePort, redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { zeroSignless } from "./_keyspace.ts";
import {
  extraFrames,
  loadDataDir,
  migrationEntries,
  sampleStream,
  viewOfServers,
  viewOfSource,
  writeDataDir,
} from "./_migrate_data.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/migrate.test.ts: ${skip}`);

const NOW = Date.now();

describe("migrateToRedis into one server", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  it(
    "a data dir into database 3 (--db N): every key there, database 0 untouched",
    SLOW,
    async () => {
      await server.cli(["FLUSHALL"]);
      const dir = join(tempDir("kevy-migrate-"), "data");
      const entries = migrationEntries(NOW, 2000);
      await writeDataDir(dir, entries, 3, "kevyhash", extraFrames(NOW));
      const stats = await migrateToRedis(dir, { url: server.url, db: 3 });
      assert.equal(stats.keys, entries.length - 1);
      assert.equal(stats.masters, 1);
      const source = await loadDataDir(dir, 3, Date.now);
      const view = await viewOfServers([server], 3);
      assert.deepEqual(zeroSignless(view), zeroSignless({ "3": viewOfSource(source)["0"]! }));
      assert.equal((await server.cli(["DBSIZE"], 0)).trim(), "0");
      const v = await verifyRedis(dir, { url: `${server.url}/3` });
      assert.deepEqual(v.differences, []);
    },
  );

  it("a snapshot, a kevy AOF and a Store are sources too", SLOW, async () => {
    const dir = tempDir("kevy-migrate-src-");
    const store = new Store({ now: () => NOW });
    for (const e of migrationEntries(NOW, 50)) store.put(e);
    const snap = join(dir, "one.rdb");
    await saveSnapshot(store, snap, { now: NOW });
    const aof = join(dir, "one.aof");
    writeFileSync(
      aof,
      new Uint8Array([
        ...AOF_MAGIC,
        ...encodeCommand(["SET", "from-aof", "1"]),
        ...encodeCommand(["RPUSH", "l", "a", "b"]),
      ]),
    );
    for (
      const [src, db, keys] of [[snap, 4, store.dbsize()], [aof, 5, 2], [
        store,
        6,
        store.dbsize(),
      ]] as const
    ) {
      const stats = await migrateToRedis(src, { url: server.url, db });
      assert.equal(stats.keys, keys, `source ${typeof src === "string" ? src : "Store"}`);
      assert.equal(Number((await server.cli(["DBSIZE"], db)).trim()), keys);
    }
  });

  it("a Redis appendonlydir is a source (from a live server's own AOF)", SLOW, async () => {
    const src = await RedisServer.start();
    try {
      await src.cli(["SET", "r:1", "one"]);
      await src.cli(["RPUSH", "r:list", "a", "b"]);
      await src.cli(["PEXPIREAT", "r:1", String(NOW + 3_600_000)]);
      const stats = await migrateToRedis(src.aofDir, { url: server.url, db: 7 });
      assert.equal(stats.keys, 2);
      assert.deepEqual(
        await viewOfServers([server], 7),
        await viewOfServers([src], 0).then((v) => ({ "7": v["0"]! })),
      );
      await src.cli(["SELECT", "0"]);
      await src.cli(["-n", "2", "SET", "other-db", "x"]);
      await assert.rejects(
        migrateToRedis(src.aofDir, { url: server.url, db: 8 }),
        MigrationSourceError,
      );
      const picked = await migrateToRedis(src.aofDir, { url: server.url, db: 8, sourceDb: 2 });
      assert.equal(picked.keys, 1);
    } finally {
      await src.stop();
    }
  });

  it(
    "counts what it skips: expired keys, empty collections, pending entries of deleted messages",
    SLOW,
    async () => {
      const store = new Store({ now: () => 0 });
      store.put({
        key: utf8("gone"),
        value: { type: "string", value: utf8("x") },
        deadline: NOW - 1000,
      });
      store.put({ key: utf8("empty-list"), value: { type: "list", value: [] }, deadline: null });
      const s = sampleStream(NOW);
      s.groups[0]!.pel.push({
        id: { ms: 1n, seq: 0n },
        consumer: utf8("alice"),
        deliveryTime: 5n,
        deliveryCount: 1,
      });
      store.put({ key: utf8("s"), value: { type: "stream", value: s }, deadline: null });
      const stats = await migrateToRedis(store, { url: server.url, db: 9 });
      assert.equal(stats.keys, 1);
      assert.equal(stats.expired, 1);
      assert.equal(stats.empty, 1);
      assert.equal(stats.lostPending, 1);
    },
  );

  it(
    "clear errors before anything is sent: unreachable target, wrong password, cluster mismatch, bad source",
    SLOW,
    async () => {
      const store = new Store();
      store.put({ key: utf8("k"), value: { type: "string", value: utf8("v") }, deadline: null });
      const port = await freePort();
      await assert.rejects(
        migrateToRedis(store, { url: `redis://127.0.0.1:${port}` }),
        (e: unknown) => {
          return e instanceof RedisConnectionError && e.code === "ECONNREFUSED";
        },
      );
      await assert.rejects(
        migrateToRedis(store, { url: server.url, cluster: true }),
        RedisClusterError,
      );
      const locked = await RedisServer.start({ aof: false, password: "pw" });
      try {
        await assert.rejects(
          migrateToRedis(store, { url: `redis://:nope@127.0.0.1:${locked.port}` }),
          RedisAuthError,
        );
      } finally {
        await locked.stop();
      }
      await assert.rejects(
        migrateToRedis(join(tempDir("kevy-none-"), "missing"), { url: server.url }),
        /no such file/,
      );
    },
  );
});
