// `kevy-persist reshard --slot-ranges`: a data dir laid out exactly like a
// live 3-master cluster (ranges from the cluster itself, from a
// `redis-cli --json CLUSTER SHARDS` file, or as text), so that each shard's
// export piped into its master with `redis-cli --pipe` lands with no MOVED.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { cli } from "./_cli.ts";
import { readShardsMeta } from "../../src/shard/shards_meta.ts";
import { formatSlotRanges } from "../../src/codec/slot_ranges.ts";
import { redisMissing, redisRequired } from "../redis/_redis_server.ts";
import { RedisTestCluster, slotTag } from "../redis/_redis_cluster.ts";
import {
  extraFrames,
  loadDataDir,
  migrationEntries,
  writeDataDir,
} from "../redis/_migrate_data.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/cli/reshard_slots.test.ts: ${skip}`);
const NOW = Date.now();

describe("kevy-persist reshard --slot-ranges", { skip }, () => {
  let cluster: RedisTestCluster;
  before(async () => {
    cluster = await RedisTestCluster.start(3);
  }, SLOW);
  after(async () => {
    await cluster?.stop();
  });

  it(
    "takes the live cluster's ranges; each shard piped to its master lands without MOVED",
    SLOW,
    async () => {
      const dir = join(tempDir("kevy-cli-slots-"), "data");
      // Keys on the slot where the cluster's split and `(slot * 3) >> 14` differ (5461), and around it.
      const edges = [5460, 5461, 5462, 10922, 10923].map((slot) => ({
        key: utf8(`{${slotTag(slot)}}edge`),
        value: { type: "string" as const, value: utf8(String(slot)) },
        deadline: null,
      }));
      await writeDataDir(
        dir,
        [...migrationEntries(NOW, 2000), ...edges],
        2,
        "kevyhash",
        extraFrames(NOW),
      );
      const before = await loadDataDir(dir, 2, Date.now);
      const r = await cli(["reshard", dir, "--slot-ranges", cluster.url(1)]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /to 3 shard\(s\), slots \(explicit slot ranges\)/);
      const meta = await readShardsMeta(dir);
      assert.equal(formatSlotRanges(meta!.slotRanges!), "0-5460 5461-10922 10923-16383");
      // Same keyspace after the re-shard.
      const after = await loadDataDir(dir, 3, Date.now);
      assert.equal(after.dbsize(), before.dbsize());
      await cluster.flushAll();
      let piped = 0;
      for (let i = 0; i < 3; i++) {
        const dump = await cli(["dump", join(dir, `dump-${i}.rdb`), "--format", "resp"]);
        assert.equal(dump.code, 0, dump.err);
        const node = cluster.nodes[await cluster.ownerOf(meta!.slotRanges![i]![0]![0])]!;
        const out = await node.pipe(dump.bytes); // throws unless "errors: 0"
        piped += Number(/replies: (\d+)/.exec(out)?.[1] ?? 0);
      }
      assert.ok(piped > 2000);
      // Every key is on the cluster, streams included (XADD/XSETID/XGROUP/XCLAIM in the export).
      assert.ok([...after.entries()].some((e) => e.value.type === "stream"));
      assert.equal(await cluster.dbsize(), after.dbsize());
    },
  );

  it(
    "reads the same ranges from a CLUSTER SHARDS file, or as text; a mismatch with --shards is a usage error",
    SLOW,
    async () => {
      const json = await cluster.nodes[0]!.cli(["--json", "CLUSTER", "SHARDS"]);
      const file = join(tempDir("kevy-cli-slots-"), "shards.json");
      writeFileSync(file, json);
      for (const value of [file, "0-5460 5461-10922 10923-16383"]) {
        const dir = join(tempDir("kevy-cli-slots-"), "data");
        await writeDataDir(dir, migrationEntries(NOW, 100), 1, "kevyhash", []);
        const r = await cli(["reshard", dir, "--slot-ranges", value]);
        assert.equal(r.code, 0, r.err);
        assert.equal(
          formatSlotRanges((await readShardsMeta(dir))!.slotRanges!),
          "0-5460 5461-10922 10923-16383",
        );
        // Already laid out so: nothing to do.
        const again = await cli(["reshard", dir, "--slot-ranges", value]);
        assert.match(
          again.out,
          /already 3 shard\(s\), slots \(explicit slot ranges\); nothing to do/,
        );
      }
      const dir = join(tempDir("kevy-cli-slots-"), "data");
      await writeDataDir(dir, migrationEntries(NOW, 10), 1, "kevyhash", []);
      assert.equal((await cli(["reshard", dir, "--slot-ranges", file, "--shards", "2"])).code, 2);
      assert.equal((await cli(["reshard", dir, "--slot-ranges", "0-100"])).code, 2);
      const bad = join(tempDir("kevy-cli-slots-"), "bad.json");
      writeFileSync(bad, "{not json");
      assert.equal((await cli(["reshard", dir, "--slot-ranges", bad])).code, 3);
    },
  );
});
