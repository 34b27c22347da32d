// followToRedis against a live store in another process that writes every
// kind of command and saves, rewrites its AOF and re-shards meanwhile: once
// the writer is done and the lag is 0, the target holds exactly the
// store's final keyspace (one server, and a 3-master cluster).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import { type FollowLag, type FollowResult, followToRedis } from "../../src/redis/follow.ts";
import { readShardsMeta } from "../../src/shard/shards_meta.ts";
import type { MigrateStats } from "../../src/redis/migrate.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RedisTestCluster } from "./_redis_cluster.ts";
import { loadDataDir, viewOfServers, viewOfSource } from "./_migrate_data.ts";
import { zeroSignless } from "./_keyspace.ts";

const SLOW = { timeout: 180_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/follow.test.ts: ${skip}`);

const ext = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const script = fileURLToPath(new URL(`./_follow_writer${ext}`, import.meta.url));
const g = globalThis as { Deno?: unknown };

/** Starts the writer; resolves once it printed "ready". */
function startWriter(
  dir: string,
  seed: number,
  ops: number,
  aofFormat: 1 | 2 = 1,
  onPhase?: (n: number) => void,
): Promise<{ child: ChildProcess; done: Promise<void> }> {
  const rest = [dir, String(seed), String(ops), String(aofFormat), onPhase ? "1" : "0"];
  const args = g.Deno !== undefined ? ["run", "-A", script, ...rest] : [script, ...rest];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (err += d));
  const done = new Promise<void>((res, rej) => {
    child.on(
      "close",
      (
        code,
      ) => (code === 0 && out.includes("done\n")
        ? res()
        : rej(new Error(`writer: ${code} ${err}`))),
    );
  });
  return new Promise((res, rej) => {
    let seen = 0;
    child.stdout!.on("data", (d: string) => {
      out += d;
      if (out === "ready\n") res({ child, done });
      const phases = out.match(/^phase \d+$/gm)?.length ?? 0;
      for (; seen < phases; seen++) onPhase?.(seen + 1);
    });
    done.catch(rej);
  });
}

/**
 * Follows `dir` while the writer runs its phase 2; stops once the writer is
 * done and a lag report says 0 bytes behind.
 */
async function followDuringWrites(
  dir: string,
  url: string,
  cluster: boolean,
  seed: number,
  aofFormat: 1 | 2 = 1,
): Promise<{ result: FollowResult; copied: MigrateStats }> {
  // The writer pauses after its save, its rewrite and its re-shard until the
  // follower has handled that replacement (resyncs reaches the phase's
  // number), so each is seen on its own however loaded the machine is.
  let waitingFor = 0;
  let resyncs = 0;
  const writer: { child?: ChildProcess } = {};
  const release = (): void => {
    if (waitingFor > 0 && resyncs >= waitingFor && writer.child !== undefined) {
      // After the last phase nothing more is read: end the pipe too.
      if (waitingFor === 3) writer.child.stdin!.end("next\n");
      else writer.child.stdin!.write("next\n");
      waitingFor = 0;
    }
  };
  const started0 = await startWriter(dir, seed, 3000, aofFormat, (n) => {
    waitingFor = n;
    release();
  });
  const { child, done } = started0;
  writer.child = child;
  const stop = new AbortController();
  let writerDone = false;
  let copied: MigrateStats | null = null;
  let started!: () => void;
  const copiedP = new Promise<void>((res) => (started = res));
  const running = followToRedis(dir, {
    url,
    cluster,
    signal: stop.signal,
    pollMs: 10,
    onCopied: (s) => {
      copied = s;
      started();
    },
    onLag: (lag: FollowLag) => {
      resyncs = lag.resyncs;
      release();
      if (writerDone && lag.bytes === 0) stop.abort();
    },
  });
  await Promise.race([copiedP, running]);
  child.stdin!.write("go\n");
  await done;
  writerDone = true;
  const result = await running;
  return { result, copied: copied! };
}

async function assertFollowed(dir: string, servers: RedisServer[], db: number): Promise<void> {
  const meta = await readShardsMeta(dir);
  assert.equal(meta?.n, 3, "the writer re-sharded to 3");
  const source = await loadDataDir(dir, 3, Date.now);
  const want = viewOfSource(source)["0"]!;
  const got = await viewOfServers(servers, db);
  assert.deepEqual(zeroSignless(got), zeroSignless({ [String(db)]: want }));
}

describe("followToRedis: a live store's writes reach the target", { skip }, () => {
  let server: RedisServer;
  let cluster: RedisTestCluster;
  before(async () => {
    [server, cluster] = await Promise.all([
      RedisServer.start({ aof: false }),
      RedisTestCluster.start(3),
    ]);
  }, SLOW);
  after(async () => {
    await server?.stop();
    await cluster?.stop();
  });

  it(
    "one server (database 1): through a save, a rewrite and a re-shard, final state identical",
    SLOW,
    async () => {
      const dir = join(tempDir("kevy-follow-"), "data");
      const { result, copied } = await followDuringWrites(dir, `${server.url}/1`, false, 7);
      assert.ok(copied.keys >= 200);
      assert.ok(result.forwarded > 0, "frames were forwarded");
      assert.ok(result.resyncs >= 3, `save, rewrite and re-shard each seen (${result.resyncs})`);
      assert.deepEqual(result.errors, []);
      assert.equal(result.offsets.length, 3);
      await assertFollowed(dir, [server], 1);
    },
  );

  it(
    "a store writing KEVYAOF2 logs (checksummed records, transactions): the same",
    SLOW,
    async () => {
      const dir = join(tempDir("kevy-follow-"), "data");
      const { result } = await followDuringWrites(dir, `${server.url}/2`, false, 13, 2);
      assert.ok(result.forwarded > 0);
      assert.deepEqual(result.errors, []);
      const head = readFileSync(join(dir, "aof-0.aof")).subarray(0, 8);
      assert.equal(new TextDecoder().decode(head), "KEVYAOF2", "the writer really wrote v2 logs");
      await assertFollowed(dir, [server], 2);
    },
  );

  it("a 3-master cluster: multi-key writes across slots arrive as key states", SLOW, async () => {
    const dir = join(tempDir("kevy-follow-"), "data");
    const { result } = await followDuringWrites(dir, cluster.url(), true, 11);
    assert.deepEqual(result.errors, []);
    await assertFollowed(dir, cluster.nodes, 0);
  });
});
