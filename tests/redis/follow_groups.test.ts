// followToRedis and a split write left open at a log's tail by a crash (the store died after
// writing its part on one shard): the follower holds the part (nothing of it reaches the
// target). The store's next open decides the group — cut when a participant's part is
// missing, completed (EXEC appended) when every part is there — and writes more in the same
// files; the follower notices even when the log has grown past where the part was, and the
// target ends equal to the store.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { type FollowLag, followToRedis } from "../../src/redis/follow.ts";
import { openStore } from "../../src/embedded/open.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { groupBegin } from "../../src/codec/group.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { loadDataDir, viewOfServers, viewOfSource } from "./_migrate_data.ts";

const SLOW = { timeout: 180_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/follow_groups.test.ts: ${skip}`);

/** A key that routes to `shard` of 2 (kevyhash), named from `prefix`. */
function keyOn(shard: number, prefix: string): string {
  for (let i = 0;; i++) {
    if (shardIndex(utf8(`${prefix}${i}`), 2, "kevyhash") === shard) return `${prefix}${i}`;
  }
}

/** A data dir of 2 shards with some keys, then a crash with a split write's parts on `parts`. */
async function crashedDir(parts: number[]): Promise<{ dir: string; keys: string[] }> {
  const dir = join(tempDir("kevy-follow-groups-"), "data");
  const db = await openStore({ dir, shards: 2, appendfsync: "always" });
  for (let i = 0; i < 20; i++) await db.command(["SET", `base:${i}`, `v${i}`]);
  await db.close();
  const keys = [keyOn(0, "split:"), keyOn(1, "split:")];
  for (const s of parts) {
    appendFileSync(join(dir, `aof-${s}.aof`), encodeCommand(groupBegin("crashed.1", [0, 1], 1)));
    appendFileSync(join(dir, `aof-${s}.aof`), encodeCommand(["SET", keys[s]!, "from-the-group"]));
  }
  // A power cut, not a clean close: no released lock, so the next open runs recovery.
  for (const n of readdirSync(dir)) if (n.startsWith("kevy.lock")) rmSync(join(dir, n));
  return { dir, keys };
}

/**
 * Follows `dir`; once the first round after the copy is done (the follower then waits an hour,
 * so what follows happens between two of its rounds), runs `meanwhile`, then stops it.
 */
async function follow(
  dir: string,
  url: string,
  meanwhile: (server: RedisServer) => Promise<void>,
  server: RedisServer,
) {
  const stop = new AbortController();
  let firstRound!: () => void;
  const roundDone = new Promise<void>((res) => (firstRound = res));
  const running = followToRedis(dir, {
    url,
    signal: stop.signal,
    pollMs: 3_600_000,
    onLag: (_lag: FollowLag) => firstRound(),
  });
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error("no round after the copy within 60 s")), 60_000);
    });
    await Promise.race([roundDone, running, deadline]).finally(() => clearTimeout(timer));
    await meanwhile(server);
  } finally {
    stop.abort(); // also when an assertion failed: the follower never outlives the test
  }
  return await running;
}

describe("followToRedis: a split write open at a log tail when the store crashed", { skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start({ aof: false });
  }, SLOW);
  after(async () => {
    await server?.stop();
  });

  async function onTarget(db: number, key: string): Promise<unknown> {
    const v = await viewOfServers([server], db);
    return v[String(db)]?.[Buffer.from(key).toString("hex")] ?? null;
  }

  it("cut by recovery (a part missing): never on the target; later writes are", SLOW, async () => {
    const { dir, keys } = await crashedDir([0]);
    const result = await follow(dir, `${server.url}/3`, async () => {
      assert.equal(await onTarget(3, keys[0]!), null, "the open part is held, not sent");
      const db = await openStore({ dir, shards: 2, appendfsync: "always" });
      // More bytes than the cut part, in its place: the log is longer than before.
      for (let i = 0; i < 10; i++) await db.command(["SET", `after:${i}`, "x".repeat(40)]);
      await db.close();
    }, server);
    assert.deepEqual(result.errors, []);
    assert.ok(result.resyncs >= 1, "the changed tail was loaded again");
    assert.equal(await onTarget(3, keys[0]!), null);
    const source = await loadDataDir(dir, 2, Date.now);
    assert.equal(source.has(utf8(keys[0]!)), false, "recovery cut the part");
    assert.deepEqual(await viewOfServers([server], 3), { "3": viewOfSource(source)["0"] });
  });

  it("completed by recovery (every part there): on the target, both keys", SLOW, async () => {
    const { dir, keys } = await crashedDir([0, 1]);
    const result = await follow(dir, `${server.url}/4`, async () => {
      assert.equal(await onTarget(4, keys[0]!), null, "held until its EXEC");
      assert.equal(await onTarget(4, keys[1]!), null);
      const db = await openStore({ dir, shards: 2, appendfsync: "always" });
      await db.command(["SET", "after", "1"]);
      await db.close();
    }, server);
    assert.deepEqual(result.errors, []);
    const source = await loadDataDir(dir, 2, Date.now);
    assert.equal(source.has(utf8(keys[0]!)) && source.has(utf8(keys[1]!)), true);
    assert.deepEqual(await viewOfServers([server], 4), { "4": viewOfSource(source)["0"] });
  });
});
