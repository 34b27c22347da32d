// Loud by default on the migration and follow paths: a command of a source
// AOF that cannot be applied stops migrateToRedis / verifyRedis /
// followToRedis with an UnknownCommandError naming the verb, the file and
// the byte offset of its frame, before anything of that part is sent;
// `onUnknown: "skip"` leaves it out and counts it per verb.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { appendFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tempDir, utf8 } from "../_helpers.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { UnknownCommandError } from "../../src/persist/unknown.ts";
import { type FollowResult, followToRedis } from "../../src/redis/follow.ts";
import { migrateToRedis } from "../../src/redis/migrate.ts";
import { verifyRedis } from "../../src/redis/verify.ts";
import { redisMissing, redisRequired, RedisServer } from "./_redis_server.ts";
import { RespClient } from "./_resp_client.ts";
import { migrationEntries, writeDataDir } from "./_migrate_data.ts";

const SLOW = { timeout: 120_000 };
const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/migrate_unknown.test.ts: ${skip}`);

const NOW = Date.now();
const LIB = "#!lua name=unk\nredis.register_function('unk_one', function() return 1 end)";

/** Waits for `cond` (checked every 10 ms) for up to 60 s. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The byte offset of the first frame in `bytes` whose text holds `needle`. */
function frameOffset(bytes: Uint8Array, needle: string): number {
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf(needle);
  assert.ok(at > 0, `${needle} in the log`);
  return text.lastIndexOf("*", text.lastIndexOf("\r\n*", at) + 2);
}

describe("migration paths refuse what they cannot apply", { skip }, () => {
  let target: RedisServer;
  before(async () => {
    target = await RedisServer.start({ aof: false });
  }, SLOW);
  after(async () => {
    await target?.stop();
  });

  it(
    "a Redis AOF holding FUNCTION RESTORE (written by redis-server): UnknownCommandError with file and offset; skip counts it",
    SLOW,
    async () => {
      const src = await RedisServer.start();
      try {
        const c = await RespClient.connect(src.port);
        try {
          await c.call("SET", "u:1", "one");
          await c.call("FUNCTION", "LOAD", LIB);
          const payload = await c.call("FUNCTION", "DUMP");
          assert.ok(payload instanceof Uint8Array);
          await c.call("FUNCTION", "FLUSH");
          assert.equal(await c.call("FUNCTION", "RESTORE", payload), "OK");
          await c.call("RPUSH", "u:list", "a", "b");
        } finally {
          c.close();
        }
        await target.cli(["FLUSHALL"]);
        const err = await migrateToRedis(src.aofDir, { url: target.url, db: 4 }).then(
          () => assert.fail("migrated a log it could not apply"),
          (e: unknown) => e,
        );
        assert.ok(err instanceof UnknownCommandError, String(err));
        assert.equal(err.verb, "function");
        assert.match(err.path, /appendonly\.aof\.\d+\.incr\.aof$/);
        assert.equal(err.offset, frameOffset(readFileSync(err.path), "RESTORE"));
        assert.match(err.message, /--skip-unknown/);
        // Nothing was sent.
        assert.equal((await target.cli(["DBSIZE"], 4)).trim(), "0");

        const stats = await migrateToRedis(src.aofDir, {
          url: target.url,
          db: 4,
          onUnknown: "skip",
        });
        assert.deepEqual(stats.skipped, { function: 1 });
        assert.equal(stats.keys, 2);
        const v = await verifyRedis(src.aofDir, {
          url: `${target.url}/4`,
          onUnknown: "skip",
        });
        assert.deepEqual(v.differences, []);
        assert.deepEqual(v.skipped, { function: 1 });
        await assert.rejects(
          verifyRedis(src.aofDir, { url: `${target.url}/4` }),
          UnknownCommandError,
        );
      } finally {
        await src.stop();
      }
    },
  );

  it(
    "a kevy data dir with an unknown verb in one shard's AOF: refused, or skipped and counted",
    SLOW,
    async () => {
      const dir = join(tempDir("kevy-migrate-unk-"), "data");
      const entries = migrationEntries(NOW, 100);
      await writeDataDir(dir, entries, 2, "kevyhash", [
        ["SET", "plain", "v"],
        ["NOSUCHVERB", "plain", "x"],
        ["SET", "plain", "w"],
      ]);
      const aof = readdirSync(dir).filter((n) => n.endsWith(".aof")).map((n) => join(dir, n))
        .find((p) => readFileSync(p, "latin1").includes("NOSUCHVERB"))!;
      await target.cli(["FLUSHDB"], 5);
      const err = await migrateToRedis(dir, { url: target.url, db: 5 }).then(
        () => assert.fail("migrated a log it could not apply"),
        (e: unknown) => e,
      );
      // The first shard may already be on the target: the error is the replay's, whole or wrapped.
      const cause = err instanceof UnknownCommandError ? err : (err as Error).cause;
      assert.ok(cause instanceof UnknownCommandError, String(err));
      assert.equal(cause.verb, "nosuchverb");
      assert.equal(cause.path, aof);
      assert.equal(cause.offset, frameOffset(readFileSync(aof), "NOSUCHVERB"));

      const stats = await migrateToRedis(dir, { url: target.url, db: 5, onUnknown: "skip" });
      assert.deepEqual(stats.skipped, { nosuchverb: 1 });
      assert.equal((await target.cli(["GET", "plain"], 5)).trim(), "w");
    },
  );

  it(
    "follow: an unknown verb appended to a followed log stops it naming file and offset; skip counts it",
    SLOW,
    async () => {
      for (const mode of ["error", "skip"] as const) {
        const dir = join(tempDir("kevy-follow-unk-"), "data");
        await writeDataDir(dir, migrationEntries(NOW, 20), 1, "kevyhash", [["SET", "f:0", "0"]]);
        const aof = join(dir, readdirSync(dir).find((n) => n.endsWith(".aof"))!);
        await target.cli(["FLUSHDB"], 6);
        const stop = new AbortController();
        let copied = false;
        let lagZero = false;
        const running: Promise<FollowResult> = followToRedis(dir, {
          url: `${target.url}/6`,
          signal: stop.signal,
          pollMs: 10,
          onCopied: () => void (copied = true),
          onLag: (lag) => void (lagZero = lag.bytes === 0),
          ...(mode === "skip" ? { onUnknown: "skip" as const } : {}),
        });
        running.catch(() => {}); // awaited below
        await until(() => copied, "the initial copy");
        const offset = statSync(aof).size;
        appendFileSync(aof, encodeCommand(["WHATEVER", "f:0"]));
        appendFileSync(aof, encodeCommand(["SET", "f:1", "after"]));
        if (mode === "error") {
          const err = await running.then(
            () => assert.fail("followed past an unknown verb"),
            (e) => e,
          );
          assert.ok(err instanceof UnknownCommandError, String(err));
          assert.equal(err.verb, "whatever");
          assert.equal(err.path, aof);
          assert.equal(err.offset, offset);
          continue;
        }
        await until(
          async () => lagZero && (await target.cli(["GET", "f:1"], 6)).trim() === "after",
          "the write after the skipped one",
        );
        stop.abort();
        const r = await running;
        assert.deepEqual(r.skipped, { whatever: 1 });
      }
    },
  );

  it("follow: FUNCTION LOAD / DELETE in a followed log reach the target", SLOW, async () => {
    const dir = join(tempDir("kevy-follow-fn-"), "data");
    await writeDataDir(dir, migrationEntries(NOW, 5), 1, "kevyhash", [["SET", "g:0", "0"]]);
    const aof = join(dir, readdirSync(dir).find((n) => n.endsWith(".aof"))!);
    await target.cli(["FUNCTION", "FLUSH"]);
    await target.cli(["FLUSHDB"], 0);
    const stop = new AbortController();
    let copied = false;
    const running = followToRedis(dir, {
      url: target.url,
      signal: stop.signal,
      pollMs: 10,
      onCopied: () => void (copied = true),
    });
    running.catch(() => {});
    await until(() => copied, "the initial copy");
    appendFileSync(aof, encodeCommand(["FUNCTION", "LOAD", utf8(LIB)]));
    await until(
      async () => /unk_one/.test(await target.cli(["FUNCTION", "LIST", "LIBRARYNAME", "unk"])),
      "the library on the target",
    );
    appendFileSync(aof, encodeCommand(["FUNCTION", "DELETE", "unk"]));
    appendFileSync(aof, encodeCommand(["SET", "g:1", "1"]));
    await until(
      async () => (await target.cli(["GET", "g:1"])).trim() === "1",
      "the write after FUNCTION DELETE",
    );
    stop.abort();
    const r = await running;
    assert.deepEqual(r.errors, []);
    assert.equal((await target.cli(["FUNCTION", "LIST"])).trim(), "");
  });
});
