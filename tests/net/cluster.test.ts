// The cluster client and the bulk writer against a real 3-master Redis
// Cluster on loopback: the slot map, routing by hash slot, MOVED, ASK, a
// node that goes away (and comes back), and bulk jobs that report done
// exactly what the cluster acknowledged.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../_helpers.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { encodeCommandInto } from "../../src/codec/resp.ts";
import { keyHashSlot } from "../../src/shard/routing.ts";
import { RedisCluster } from "../../src/net/cluster.ts";
import { RedisConnection } from "../../src/net/connection.ts";
import { type BulkJob, BulkWriter } from "../../src/net/bulk.ts";
import { connectTarget } from "../../src/net/target.ts";
import { RedisClusterError, RedisConnectionError } from "../../src/net/errors.ts";
import { redisMissing, redisRequired, RedisServer } from "../redis/_redis_server.ts";
import { RedisTestCluster, slotTag } from "../redis/_redis_cluster.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/net/cluster.test.ts: ${skip}`);

const FAST_RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };

interface KeyJob extends BulkJob {
  key: string;
}

function setJob(key: string, value: string): KeyJob {
  const w = new ByteWriter(64);
  encodeCommandInto(w, ["SET", key, value]);
  return { key, slot: keyHashSlot(utf8(key)), frames: w.take(), count: 1 };
}

describe("RedisCluster against a 3-master cluster", { skip }, () => {
  let cluster: RedisTestCluster;
  // Generous timeouts: a cluster starts in 2-3 s when idle, and the suite runs on a loaded machine.
  before(async () => {
    cluster = await RedisTestCluster.start(3);
  }, { timeout: 120_000 });
  after(async () => {
    await cluster?.stop();
  });

  it("loads the slot map redis-cli --cluster create made", SLOW, async () => {
    const c = await RedisCluster.connect({ urls: [cluster.url(1)] });
    try {
      assert.equal(c.masters.length, 3);
      assert.deepEqual(c.ranges.map((r) => [r.start, r.end]), [[0, 5460], [5461, 10922], [
        10923,
        16383,
      ]]);
      for (const slot of [0, 5460, 5461, 10922, 10923, 16383]) {
        const port = cluster.nodes[await cluster.ownerOf(slot)]!.port;
        assert.equal(c.ownerOf(slot), `127.0.0.1:${port}`, `slot ${slot}`);
      }
    } finally {
      await c.close();
    }
  });

  it("routes every key to the master of its slot (binary keys, hash tags)", SLOW, async () => {
    const c = await RedisCluster.connect({ urls: [cluster.url()] });
    try {
      const keys = [
        utf8("user:1"),
        utf8("{user:1}:cart"),
        new Uint8Array([0, 1, 2]),
        new Uint8Array([0]),
      ];
      for (let i = 0; i < 300; i++) keys.push(utf8(`k:${i}`));
      await Promise.all(keys.map((k) => c.command(["SET", k, k])));
      // Ground truth: redis-cli's view of the slots, and a plain connection to each node.
      const owners = await cluster.slotOwners();
      const direct = await Promise.all(
        cluster.nodes.map((n) => RedisConnection.connect({ port: n.port })),
      );
      for (const k of keys) {
        assert.deepEqual(await direct[owners[keyHashSlot(k)]!]!.command(["GET", k]), k);
      }
      for (const d of direct) await d.close();
    } finally {
      await c.close();
    }
  });

  it("follows MOVED after a slot changed owner, and updates its map", SLOW, async () => {
    const c = await RedisCluster.connect({ urls: [cluster.url()] });
    const slot = 777;
    const from = await cluster.ownerOf(slot);
    const to = (from + 1) % 3;
    try {
      await cluster.moveEmptySlot(slot, to);
      assert.equal(c.ownerOf(slot), `127.0.0.1:${cluster.nodes[from]!.port}`, "the map is stale");
      const key = `{${slotTag(slot)}}moved`;
      assert.equal(await c.command(["SET", key, "v"]), "OK");
      assert.equal(
        c.ownerOf(slot),
        `127.0.0.1:${cluster.nodes[to]!.port}`,
        "MOVED updated the map",
      );
      assert.equal((await cluster.nodes[to]!.cli(["GET", key])).trim(), "v");
      await c.command(["DEL", key]);
    } finally {
      await c.close();
      await cluster.moveEmptySlot(slot, from);
    }
  });

  it("follows ASK to the importing node (ASKING, once), leaving the map alone", SLOW, async () => {
    const slot = 4242;
    const from = await cluster.ownerOf(slot);
    const to = (from + 1) % 3;
    const [fromId, toId] = [await cluster.nodeId(from), await cluster.nodeId(to)];
    await cluster.nodes[to]!.cli(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", fromId]);
    await cluster.nodes[from]!.cli(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", toId]);
    const c = await RedisCluster.connect({ urls: [cluster.url()] });
    try {
      const key = `{${slotTag(slot)}}asked`;
      assert.equal(await c.command(["SET", key, "here"]), "OK");
      assert.equal(
        c.ownerOf(slot),
        `127.0.0.1:${cluster.nodes[from]!.port}`,
        "ASK does not move the slot",
      );
      const onTarget = await RedisConnection.connect({ port: cluster.nodes[to]!.port });
      assert.deepEqual(await onTarget.pipeline([["ASKING"], ["GET", key]]), ["OK", utf8("here")]);
      await onTarget.pipeline([["ASKING"], ["DEL", key]]);
      await onTarget.close();
    } finally {
      await c.close();
      for (const n of cluster.nodes) await n.cli(["CLUSTER", "SETSLOT", String(slot), "STABLE"]);
    }
  });

  it("BulkWriter: 20,000 jobs across the masters, each reported done once", SLOW, async () => {
    await cluster.flushAll();
    const target = await connectTarget({ url: cluster.url(), cluster: true });
    const done = new Set<string>();
    const w = new BulkWriter<KeyJob>(target, {
      batchBytes: 4096,
      onDone: (job, errors) => {
        assert.equal(errors.length, 0);
        assert.ok(!done.has(job.key), "done once");
        done.add(job.key);
      },
    });
    for (let i = 0; i < 20_000; i++) {
      const p = w.add(setJob(`bulk:${i}`, String(i)));
      if (p !== undefined) await p;
    }
    await w.flush();
    await target.close();
    assert.equal(done.size, 20_000);
    assert.equal(await cluster.dbsize(), 20_000);
  });

  it(
    "BulkWriter: jobs sent by a stale map are redirected by MOVED and all land",
    SLOW,
    async () => {
      await cluster.flushAll();
      const target = await connectTarget({ url: cluster.url(), cluster: true });
      const slot = 1234;
      const from = await cluster.ownerOf(slot);
      const to = (from + 2) % 3;
      await cluster.moveEmptySlot(slot, to);
      try {
        let done = 0;
        const w = new BulkWriter<KeyJob>(target, { onDone: () => void done++ });
        const tag = slotTag(slot);
        for (let i = 0; i < 500; i++) void w.add(setJob(`{${tag}}:${i}`, "x"));
        for (let i = 0; i < 500; i++) void w.add(setJob(`other:${i}`, "y"));
        await w.flush();
        assert.equal(done, 1000);
        assert.equal(
          Number(
            (await cluster.nodes[to]!.cli(["CLUSTER", "COUNTKEYSINSLOT", String(slot)])).trim(),
          ),
          500,
        );
      } finally {
        await target.close();
        await cluster.flushAll();
        await cluster.moveEmptySlot(slot, from);
      }
    },
  );

  it(
    "refuses a cluster node used as a single server, and a single server used as a cluster",
    SLOW,
    async () => {
      await assert.rejects(connectTarget({ url: cluster.url() }), (e: unknown) => {
        return e instanceof RedisClusterError &&
          /is a Redis Cluster node: use cluster mode/.test(e.message);
      });
      const single = await RedisServer.start({ aof: false });
      try {
        await assert.rejects(
          connectTarget({ url: single.url, cluster: true }),
          /not a cluster node/,
        );
      } finally {
        await single.stop();
      }
    },
  );

  it(
    "a node that goes away: a clear error naming it, only acknowledged jobs reported done; works again once it is back",
    SLOW,
    async () => {
      await cluster.flushAll();
      const target = await connectTarget({ url: cluster.url(), cluster: true, retry: FAST_RETRY });
      const victim = 2;
      const port = cluster.nodes[victim]!.port;
      const done = new Set<string>();
      const failed = new Set<string>();
      const w = new BulkWriter<KeyJob>(target, {
        batchBytes: 2048,
        onDone: (job) => void done.add(job.key),
        onFail: (job) => void failed.add(job.key),
      });
      let thrown: unknown = null;
      try {
        for (let i = 0; i < 6000; i++) {
          if (i === 3000) await cluster.kill(victim);
          const p = w.add(setJob(`gone:${i}`, String(i)));
          if (p !== undefined) await p;
        }
        await w.flush();
      } catch (e) {
        thrown = e;
      }
      await target.close();
      assert.ok(thrown instanceof RedisConnectionError, `got ${thrown}`);
      assert.match(
        (thrown as Error).message,
        new RegExp(`127\\.0\\.0\\.1:${port}: connection refused`),
      );
      assert.ok(failed.size > 0);
      for (const k of failed) assert.ok(!done.has(k));
      await cluster.restart(victim);
      // Everything reported done is there (the victim kept what it acknowledged).
      const c = await RedisCluster.connect({ urls: [cluster.url()] });
      try {
        for (const k of done) assert.deepEqual(await c.command(["GET", k]), utf8(k.slice(5)), k);
        assert.equal(await c.command(["SET", `{${slotTag(16000)}}back`, "1"]), "OK");
      } finally {
        await c.close();
      }
    },
  );
});
