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
import { connectTarget } from "../../src/net/target.ts";
import { copyParts } from "../../src/redis/_copy.ts";
import { restoreEncoder } from "../../src/redis/_payload.ts";
import { newStats } from "../../src/redis/migrate.ts";
import {
  extraFrames,
  fillLikeAnApp,
  loadDataDir,
  migrationEntries,
  sampleStream,
  streamOnServer,
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
      await src.cli([
        "FUNCTION",
        "LOAD",
        "#!lua name=aoflib\nredis.register_function('aof_one', function() return 1 end)",
      ]);
      // Streams: Redis logs an approximate trim with LIMIT as `MAXLEN = n LIMIT m`
      // (which only a replay may send), a group read as XCLAIM ... LASTID (entries-read is not
      // in Redis 7.0's AOF, so XINFO GROUPS is not compared).
      const adds: Uint8Array[] = [];
      for (let i = 1; i <= 250; i++) {
        adds.push(
          encodeCommand([
            "XADD",
            "r:stream",
            "MAXLEN",
            "~",
            "100",
            "LIMIT",
            "200",
            `${i}-1`,
            "f",
            "v",
          ]),
        );
      }
      await src.pipe(new Uint8Array(adds.flatMap((b) => [...b])));
      await src.cli(["XGROUP", "CREATE", "r:stream", "g", "0"]);
      await src.cli([
        "XREADGROUP",
        "GROUP",
        "g",
        "alice",
        "COUNT",
        "3",
        "STREAMS",
        "r:stream",
        ">",
      ]);
      const stats = await migrateToRedis(src.aofDir, { url: server.url, db: 7 });
      assert.equal(stats.keys, 3);
      for (const cmd of [["XRANGE", "r:stream", "-", "+"], ["XPENDING", "r:stream", "g"]]) {
        assert.equal(await server.cli(cmd, 7), await src.cli(cmd), cmd.join(" "));
      }
      assert.match(await src.cli(["XLEN", "r:stream"]), /^1[0-9]{2}\n/);
      // FUNCTION LOAD in the AOF: the library travels too.
      assert.equal(stats.functions, 1);
      assert.match(await server.cli(["FUNCTION", "LIST", "LIBRARYNAME", "aoflib"]), /aof_one/);
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
    "a Redis RDB from a live server (every type, stream groups, a function library) lands identical",
    SLOW,
    async () => {
      const src = await RedisServer.start({ aof: false });
      try {
        await fillLikeAnApp(src);
        await src.cli(["SAVE"]);
        const stats = await migrateToRedis(join(src.dir, "dump.rdb"), {
          url: server.url,
          db: 0,
          replace: true,
        });
        assert.equal(stats.payload, "restore");
        assert.equal(stats.functions, 1);
        assert.deepEqual(await viewOfServers([server], 0), await viewOfServers([src], 0));
        // RESTORE keeps a stream whole: consumers' seen times included.
        assert.deepEqual(
          await streamOnServer(server, "events"),
          await streamOnServer(src, "events"),
        );
        assert.match(await server.cli(["FUNCTION", "LIST"]), /mylib/);
        // Again without --replace: everything is already there, unchanged.
        const again = await migrateToRedis(join(src.dir, "dump.rdb"), { url: server.url });
        assert.equal(again.keys, 0);
        assert.equal(again.unchanged, stats.keys);
        assert.equal(again.conflicts.length, 0);
        assert.equal(again.functions, 1);
      } finally {
        await src.stop();
      }
    },
  );

  it(
    "string keys go in groups (MSETNX); a group with a key already there is sent again key by key",
    SLOW,
    async () => {
      const db = 11;
      await server.cli(["FLUSHDB"], db);
      const dir = join(tempDir("kevy-migrate-"), "data");
      const entries = migrationEntries(NOW, 3000);
      await writeDataDir(dir, entries, 2, "kevyhash", []);
      // One key already there with the source's value, one with another value, one with a TTL.
      await server.cli(["SET", "bulk:5", `value-5-${"x".repeat(5)}`], db);
      await server.cli(["SET", "bulk:7", "theirs"], db);
      await server.cli(["SET", "bulk:20", "theirs too"], db);
      const stats = await migrateToRedis(dir, { url: server.url, db });
      assert.equal(stats.unchanged, 1);
      assert.deepEqual(
        stats.conflicts.map((d) => [new TextDecoder().decode(d.key), d.what]).sort(),
        [["bulk:20", "ttl"], ["bulk:20", "value"], ["bulk:7", "value"]],
      );
      assert.equal(stats.keys, entries.length - 3);
      assert.ok(stats.commands < entries.length / 4, `${stats.commands} commands`);
      assert.equal((await server.cli(["GET", "bulk:7"], db)).trim(), "theirs");
      assert.equal(Number((await server.cli(["DBSIZE"], db)).trim()), entries.length);
      // Everything else is identical; with replace the two conflicts are overwritten too.
      const v = await verifyRedis(dir, { url: `${server.url}/${db}` });
      assert.deepEqual(
        [...new Set(v.differences.map((d) => new TextDecoder().decode(d.key)))].sort(),
        ["bulk:20", "bulk:7"],
      );
      const replaced = await migrateToRedis(dir, { url: server.url, db, replace: true });
      assert.equal(replaced.keys, entries.length);
      assert.deepEqual((await verifyRedis(dir, { url: `${server.url}/${db}` })).differences, []);
    },
  );

  it("a server that refuses our DUMP payload version gets the keys as commands", SLOW, async () => {
    await server.cli(["FLUSHDB"], 10);
    const store = new Store({ now: () => NOW });
    for (const e of migrationEntries(NOW, 20)) store.put(e);
    const target = await connectTarget({ url: `${server.url}/10` });
    const stats = newStats("store", server.url, target);
    try {
      // RDB 12 is newer than Redis 7.0 reads: every RESTORE is refused, every key still lands.
      await copyParts(target, [{ label: "store", store }], stats, {
        replace: false,
        now: Date.now,
        encoder: restoreEncoder(12, true).encode,
        partCount: 1,
      });
    } finally {
      await target.close();
    }
    assert.equal(stats.payloadFallbacks, store.dbsize());
    assert.equal(stats.keys, store.dbsize());
    const v = await verifyRedis(store, { url: `${server.url}/10` });
    assert.deepEqual(v.differences, []);
  });

  it(
    "counts what it skips: expired keys, empty collections, pending entries commands cannot re-create",
    SLOW,
    async () => {
      const store = new Store({ now: () => 0 });
      store.put({
        key: utf8("gone"),
        value: { type: "string", value: utf8("x") },
        deadline: NOW - 1000,
      });
      store.put({ key: utf8("empty-list"), value: { type: "list", value: [] }, deadline: null });
      // A pending entry of a message trimmed away (below the first entry): re-created.
      const s = sampleStream(NOW);
      s.groups[0]!.pel.unshift({
        id: { ms: 1n, seq: 0n },
        consumer: utf8("alice"),
        deliveryTime: 5n,
        deliveryCount: 1,
      });
      store.put({ key: utf8("s"), value: { type: "stream", value: s }, deadline: null });
      // A Redis 6 stream (max-deleted-id 0-0) with a pending entry of a deleted message
      // between two entries: no command sequence makes one, so it is counted, not sent.
      const old = sampleStream(NOW);
      old.maxDeletedId = { ms: 0n, seq: 0n };
      const mid = old.entries.splice(1, 1)[0]!;
      store.put({ key: utf8("old"), value: { type: "stream", value: old }, deadline: null });
      const stats = await migrateToRedis(store, { url: server.url, db: 9, payload: "commands" });
      assert.equal(stats.keys, 2);
      assert.equal(stats.expired, 1);
      assert.equal(stats.empty, 1);
      assert.equal(stats.lostPending, 1);
      const pending = async (key: string) =>
        (await server.cli(["XPENDING", key, "workers", "-", "+", "10"], 9)).split("\n")
          .filter((l, i) => i % 4 === 0 && l !== "");
      assert.deepEqual(await pending("s"), [
        "1-0",
        `${NOW - 60_000 + 1}-0`,
        `${NOW - 60_000 + 3}-1`,
      ]);
      assert.deepEqual(await pending("old"), [`${NOW - 60_000 + 1}-0`]);
      assert.equal(mid.id.seq, 1n);
      const v = await verifyRedis(store, { url: `${server.url}/9` });
      assert.deepEqual(v.differences, []);
      // A RESTORE payload carries the streams whole, every pending entry too.
      const whole = await migrateToRedis(store, { url: server.url, db: 9, replace: true });
      assert.equal(whole.payload, "restore");
      assert.equal(whole.lostPending, 0);
      assert.deepEqual(await pending("old"), [`${NOW - 60_000 + 1}-0`, `${NOW - 60_000 + 3}-1`]);
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
