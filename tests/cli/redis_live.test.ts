// The CLI on the data dir of a live redis-server 7.0 in its default
// persistence setups (dump.rdb; appendonly yes with its RDB-preamble base):
// check passes, and convert --to redis-rdb gives a file a fresh server loads
// to the same keyspace (its function library too); a kevy target refuses the
// library unless told to leave it out; migrate copies every database.
// Skipped with a message when redis-server is missing,
// unless KEVY_REQUIRE_REDIS=1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { redisMissing, redisRequired } from "../redis/_redis_server.ts";
import { RdbServer } from "../redis/_rdb_server.ts";
import { rdbWorkload, WORKLOAD_DBS } from "../redis/_rdb_workload.ts";
import { cli } from "./_cli.ts";
import { migrateToRedis } from "../../src/redis/migrate.ts";

const LIBRARY = "#!lua name=applib\nredis.register_function('app_one', function() return 1 end)";

/** The server's function libraries with their code, as redis-cli prints them. */
async function libraries(s: RdbServer): Promise<string> {
  const out = await s.cli(["FUNCTION", "LIST", "WITHCODE"]);
  assert.match(out, /applib/);
  return out;
}

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/cli/redis_live.test.ts: ${skip}`);

describe("kevy-persist on a live Redis data dir", { skip }, () => {
  const setups: Array<[string, string[]]> = [
    ["appendonly no (dump.rdb)", []],
    ["appendonly yes (appendonlydir with an RDB base, and a dump.rdb)", ["--appendonly", "yes"]],
  ];
  for (const [label, args] of setups) {
    describe(label, () => {
      let s: RdbServer;
      let copy: string;
      before(async () => {
        s = await RdbServer.start({ args });
        await s.pipe(rdbWorkload(Date.now() + 3_600_000));
        await s.cli(["FUNCTION", "LOAD", LIBRARY]);
        if (args.length > 0) {
          // The workload into the RDB base, then more writes into the new incr file
          // (stream writes too; no group read: Redis 7.0's AOF does not carry the
          // entries-read it computes, and the live server is the reference here).
          await s.cli(["BGREWRITEAOF"]);
          for (let i = 0; i < 200; i++) {
            const info = await s.cli(["INFO", "persistence"]);
            if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) {
              break;
            }
            await new Promise((res) => setTimeout(res, 25));
          }
          await s.cli(["SET", "after:rewrite", "1"]);
          await s.cli(["HSET", "hash:small", "later", "x"]);
          await s.cli(["DEL", "str:float"]);
          assert.equal(await s.cli(["XACK", "stream:a", "g1", "1000-1"]), "1\n");
          assert.equal(await s.cli(["XDEL", "stream:a", "1002-1"]), "1\n");
          await s.cli([
            "XADD",
            "stream:a",
            "MAXLEN",
            "~",
            "20",
            "LIMIT",
            "150",
            "3000-1",
            "f",
            "v",
          ]);
        }
        await s.save();
        copy = tempDir("kevy-cli-redis-");
        cpSync(s.dir, copy, { recursive: true });
      });
      after(async () => {
        await s?.stop();
      });

      it("check passes and inspect describes it", async () => {
        const c = await cli(["check", copy]);
        assert.equal(c.code, 0, c.out + c.err);
        const i = await cli(["inspect", copy]);
        assert.equal(i.code, 0, i.err);
        assert.match(i.out, /Redis RDB v10/);
      });

      it("convert --to redis-rdb: a fresh redis-server loads the same keyspace", async () => {
        const out = tempDir("kevy-cli-redis-out-");
        const r = await cli(["convert", copy, join(out, "dump.rdb"), "--to", "redis-rdb"]);
        assert.equal(r.code, 0, r.err);
        const fresh = await RdbServer.start({ dir: out });
        try {
          assert.deepStrictEqual(
            await fresh.keyspace(WORKLOAD_DBS),
            await s.keyspace(WORKLOAD_DBS),
          );
          assert.equal(await libraries(fresh), await libraries(s));
        } finally {
          await fresh.stop();
        }
      });

      it("convert to a kevy snapshot refuses the function library unless --skip-functions", async () => {
        const out = tempDir("kevy-cli-redis-snap-");
        const dst = join(out, "dump-0.rdb");
        const refused = await cli(["convert", copy, dst, "--db", "0"]);
        assert.equal(refused.code, 1, refused.out + refused.err);
        assert.match(refused.err, /1 function library .*--skip-functions/);
        assert.equal(existsSync(dst), false);
        const r = await cli(["convert", copy, dst, "--db", "0", "--skip-functions"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /left out 1 function library/);
      });

      it("migrate from the data dir: every database and the library reach a fresh server", async () => {
        const target = await RdbServer.start();
        try {
          for (const db of WORKLOAD_DBS) {
            const stats = await migrateToRedis(copy, {
              url: `redis://127.0.0.1:${target.port}/${db}`,
              sourceDb: db,
            });
            assert.equal(stats.errors.length, 0);
          }
          assert.deepStrictEqual(
            await target.keyspace(WORKLOAD_DBS),
            await s.keyspace(WORKLOAD_DBS),
          );
          assert.equal(await libraries(target), await libraries(s));
        } finally {
          await target.stop();
        }
      });
    });
  }
});
