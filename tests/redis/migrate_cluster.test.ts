// migrateToRedis into a real 3-master Redis Cluster: data dirs of several
// shard counts and routings land with every key identical (every type,
// streams with their groups, TTLs to the ms, binary keys with a leading
// NUL), as the cluster itself reports them; re-runs are idempotent; keys
// already there are compared, not overwritten; a node killed mid-migration
// is a clear error, and a re-run after it is back finishes the job.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { migrateToRedis, MigrationError } from "../../src/redis/migrate.ts";
import { verifyRedis } from "../../src/redis/verify.ts";
import { RedisCluster } from "../../src/net/cluster.ts";
import { RedisConnectionError } from "../../src/net/errors.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RedisTestCluster } from "./_redis_cluster.ts";
import {
  comparableStreamInfo,
  expectedStreamInfo,
  extraFrames,
  fillLikeAnApp,
  loadDataDir,
  migrationEntries,
  streamOnServer,
  viewOfServers,
  viewOfSource,
  writeDataDir,
} from "./_migrate_data.ts";
import { zeroSignless } from "./_keyspace.ts";
import type { Entry, StreamValue } from "../../src/codec/types.ts";
import { shardIndex } from "../../src/shard/routing.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/migrate_cluster.test.ts: ${skip}`);

const FAST_RETRY = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
const NOW = Date.now();

describe("migrateToRedis into a 3-master cluster", { skip }, () => {
  let cluster: RedisTestCluster;
  // Generous timeouts: a cluster starts in 2-3 s when idle, and the suite runs on a loaded machine.
  before(async () => {
    cluster = await RedisTestCluster.start(3);
  }, { timeout: 120_000 });
  after(async () => {
    await cluster?.stop();
  });

  /** The cluster's keys equal the dir's, as Redis reports them; streams checked field by field. */
  async function assertSame(dir: string, n: number): Promise<void> {
    const source = await loadDataDir(dir, n, Date.now);
    const onCluster = await viewOfServers(cluster.nodes);
    // Redis 7.0 stores -0 as 0 in a small zset: the sign of zero is not compared.
    assert.deepEqual(zeroSignless(onCluster), zeroSignless(viewOfSource(source)));
    const owners = await cluster.slotOwners();
    const { keyHashSlot } = await import("../../src/shard/routing.ts");
    for (const key of ["stream", "stream:ttl"]) {
      const node = cluster.nodes[owners[keyHashSlot(utf8(key))]!]!;
      const want = source.getEntry(utf8(key))!.value.value as StreamValue;
      assert.deepEqual(
        comparableStreamInfo(await streamOnServer(node, key)),
        expectedStreamInfo(want),
      );
    }
  }

  // One 100k-key dir (the size the issue names; every key compared with what the
  // cluster reports), smaller ones for the other layouts and the command payload.
  const CASES = [
    [4, "kevyhash", 100_000, "auto"],
    [1, "kevyhash", 20_000, "auto"],
    [3, "slots", 3000, "commands"],
    [2, "slots", 3000, "auto"],
  ] as const;
  for (const [n, routing, bulk, payload] of CASES) {
    it(
      `a ${n}-shard ${routing} dir, ${bulk} bulk keys, payload ${payload}: identical`,
      bulk >= 100_000 ? { timeout: 300_000 } : SLOW,
      async () => {
        await cluster.flushAll();
        const dir = join(tempDir("kevy-migrate-"), "data");
        const entries = migrationEntries(NOW, bulk);
        await writeDataDir(dir, entries, n, routing, extraFrames(NOW));
        const stats = await migrateToRedis(dir, { url: cluster.url(1), cluster: true, payload });
        assert.equal(stats.payload, payload === "auto" ? "restore" : "commands");
        // Every live, non-empty key, minus the one the AOF deleted.
        assert.equal(stats.keys, entries.length - 1);
        assert.equal(stats.errors.length, 0);
        assert.equal(stats.masters, 3);
        assert.equal(stats.lostPending, 0);
        assert.equal(await cluster.dbsize(), entries.length - 1);
        await assertSame(dir, n);
      },
    );
  }

  it(
    "a Redis RDB with a function library: keys by slot, the library on every master",
    SLOW,
    async () => {
      await cluster.flushAll();
      for (const node of cluster.nodes) await node.cli(["FUNCTION", "FLUSH"]);
      const src = await RedisServer.start({ aof: false });
      try {
        await fillLikeAnApp(src);
        await src.cli(["SAVE"]);
        const stats = await migrateToRedis(join(src.dir, "dump.rdb"), {
          url: cluster.url(),
          cluster: true,
        });
        assert.equal(stats.functions, 1);
        assert.deepEqual(await viewOfServers(cluster.nodes), await viewOfServers([src]));
        for (const node of cluster.nodes) {
          assert.match(await node.cli(["FUNCTION", "LIST"]), /mylib/);
        }
      } finally {
        await src.stop();
      }
    },
  );

  it("a re-run changes nothing: every key is recognised as already there", SLOW, async () => {
    await cluster.flushAll();
    const dir = join(tempDir("kevy-migrate-"), "data");
    const entries = migrationEntries(NOW, 500);
    await writeDataDir(dir, entries, 2, "kevyhash", extraFrames(NOW));
    const first = await migrateToRedis(dir, { url: cluster.url(), cluster: true });
    const again = await migrateToRedis(dir, { url: cluster.url(), cluster: true });
    assert.equal(again.keys, 0);
    assert.equal(again.unchanged, first.keys);
    assert.deepEqual(again.conflicts, []);
    await assertSame(dir, 2);
  });

  it(
    "parts overlap (the next part is sent while one's last replies come back): keys already there are judged in their own part",
    SLOW,
    async () => {
      await cluster.flushAll();
      const dir = join(tempDir("kevy-migrate-"), "data");
      // Hash tags put many keys of each part in one slot, so they go as MSETNX groups.
      const entries: Entry[] = [];
      for (let i = 0; i < 8000; i++) {
        entries.push({
          key: utf8(`{tag${i % 40}}:k${i}`),
          value: { type: "string", value: utf8(`v${i}`) },
          deadline: i % 10 === 3 ? NOW + 86_400_000 + i : null,
        });
      }
      await writeDataDir(dir, entries, 4, "kevyhash", []);
      // Keys already there in every part: with the source's value (unchanged) or another one.
      const c = await RedisCluster.connect({ urls: [cluster.url()] });
      const same: string[] = [], other: string[] = [];
      for (let i = 5; i < 8000; i += 97) {
        const key = `{tag${i % 40}}:k${i}`;
        if (i % 10 === 3) continue; // keys with a TTL: SET NX alone, not in a group
        if (same.length <= other.length) {
          same.push(key);
          await c.command(["SET", key, `v${i}`]);
        } else {
          other.push(key);
          await c.command(["SET", key, "theirs"]);
        }
      }
      const parts = new Set([...same, ...other].map((k) => shardIndex(utf8(k), 4, "kevyhash")));
      assert.equal(parts.size, 4, "keys already there in every part");
      const seen: number[] = [];
      // Small batches: many in flight per node when a part ends.
      const stats = await migrateToRedis(dir, {
        url: cluster.url(),
        cluster: true,
        batchBytes: 2048,
        onProgress: (p) => seen.push(p.partsDone),
      });
      assert.equal(stats.unchanged, same.length);
      assert.deepEqual(
        stats.conflicts.map((d) => new TextDecoder().decode(d.key)).sort(),
        [
          ...other,
        ].sort(),
      );
      assert.equal(stats.keys, entries.length - same.length - other.length);
      assert.deepEqual(seen, [1, 2, 3, 4], "parts end in order");
      assert.equal(await cluster.dbsize(), entries.length);
      for (const key of other) assert.deepEqual(await c.command(["GET", key]), utf8("theirs"));
      await c.close();
      const v = await verifyRedis(dir, { url: cluster.url(), cluster: true });
      assert.deepEqual(
        v.differences.map((d) => new TextDecoder().decode(d.key)).sort(),
        [...other].sort(),
      );
    },
  );

  it(
    "a key already there with another value is a conflict and is left alone; --replace overwrites it",
    SLOW,
    async () => {
      await cluster.flushAll();
      const dir = join(tempDir("kevy-migrate-"), "data");
      await writeDataDir(dir, migrationEntries(NOW, 100), 2, "kevyhash", extraFrames(NOW));
      const c = await RedisCluster.connect({ urls: [cluster.url()] });
      await c.command(["SET", "str", "theirs"]);
      await c.command(["RPUSH", "list", "theirs"]);
      const stats = await migrateToRedis(dir, { url: cluster.url(), cluster: true });
      assert.deepEqual(
        stats.conflicts.map((d) => [new TextDecoder().decode(d.key), d.what]).sort(),
        // str: the source's has a TTL (PEXPIREAT in its AOF); list: a value the source does not have.
        [["list", "value"], ["str", "ttl"], ["str", "value"]].sort(),
      );
      assert.deepEqual(await c.command(["GET", "str"]), utf8("theirs"), "not overwritten");
      const replaced = await migrateToRedis(dir, {
        url: cluster.url(),
        cluster: true,
        replace: true,
      });
      assert.equal(replaced.conflicts.length, 0);
      await c.close();
      await assertSame(dir, 2);
    },
  );

  it("verify reports every difference: a missing key, a TTL, a value, a type", SLOW, async () => {
    await cluster.flushAll();
    const dir = join(tempDir("kevy-migrate-"), "data");
    await writeDataDir(dir, migrationEntries(NOW, 300), 3, "slots", extraFrames(NOW));
    await migrateToRedis(dir, { url: cluster.url(), cluster: true });
    const clean = await verifyRedis(dir, { url: cluster.url(), cluster: true });
    assert.deepEqual(clean.differences, []);
    assert.equal(clean.checked, clean.sourceKeys);
    assert.equal(clean.targetKeys, clean.sourceKeys);
    const c = await RedisCluster.connect({ urls: [cluster.url()] });
    await c.command(["DEL", "bulk:1"]);
    await c.command(["PERSIST", "hash"]);
    await c.command(["LSET", "list", "0", "changed"]);
    await c.command(["DEL", "set"]);
    await c.command(["SET", "set", "now a string"]);
    await c.command(["XDEL", "stream", `${NOW - 60_000 + 1}-0`]);
    await c.close();
    const r = await verifyRedis(dir, { url: cluster.url(), cluster: true });
    const got = r.differences.map((d) => [new TextDecoder().decode(d.key), d.what]).sort();
    assert.deepEqual(got, [
      ["bulk:1", "missing"],
      ["hash", "ttl"],
      ["list", "value"],
      ["set", "type"],
      ["stream", "value"],
    ]);
    const sampled = await verifyRedis(dir, { url: cluster.url(), cluster: true, sample: 50 });
    assert.equal(sampled.checked, 50);
  });

  it(
    "a node killed mid-migration: a clear error, only acknowledged keys counted; a re-run after it is back finishes",
    SLOW,
    async () => {
      await cluster.flushAll();
      const dir = join(tempDir("kevy-migrate-"), "data");
      const entries = migrationEntries(NOW, 30_000);
      await writeDataDir(dir, entries, 2, "kevyhash", extraFrames(NOW));
      const victim = 1;
      let killed: Promise<void> | null = null;
      let thrown: unknown = null;
      try {
        await migrateToRedis(dir, {
          url: cluster.url(0),
          cluster: true,
          retry: FAST_RETRY,
          batchBytes: 16 * 1024,
          onProgress: (p) => {
            if (killed === null && p.partSent >= 10_000) {
              killed = cluster.kill(victim);
            }
          },
        });
      } catch (e) {
        thrown = e;
      }
      await killed;
      assert.ok(thrown instanceof MigrationError, `got ${thrown}`);
      assert.ok(thrown.cause instanceof RedisConnectionError);
      assert.match(thrown.message, new RegExp(`127\\.0\\.0\\.1:${cluster.nodes[victim]!.port}`));
      const partial = thrown.stats!;
      assert.ok(
        partial.keys > 0 && partial.keys < entries.length - 1,
        `${partial.keys} keys acknowledged`,
      );
      await cluster.restart(victim);
      // The victim kept what it acknowledged (its AOF): at least what was reported is there.
      assert.ok(await cluster.dbsize() >= partial.keys);
      const rerun = await migrateToRedis(dir, { url: cluster.url(0), cluster: true });
      assert.equal(rerun.conflicts.length, 0);
      assert.equal(rerun.keys + rerun.unchanged, entries.length - 1);
      await assertSame(dir, 2);
    },
  );
});
