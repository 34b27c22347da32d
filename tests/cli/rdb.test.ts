// The CLI on Redis RDB files and Redis data dirs: inspect, check (the first
// bad offset, like redis-check-rdb), dump (--now, --include-expired, --db),
// convert between kevy snapshots, kevy AOFs and dump.rdb both ways.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { RedisRdbDecoder } from "../../src/codec/redis_rdb.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { cli } from "./_cli.ts";

const SMALL = fixturePath("redis/rdb-small/dump.rdb");
const SMALL_NOW = readFixtureJson<{ collected_at_unix_ms: number }>("redis/rdb-small/keyspace.json")
  .collected_at_unix_ms;
const PREAMBLE = fixturePath("redis/aof-rdbpreamble-after-rewrite/appendonlydir");
const EXPIRY = fixturePath("redis-rdb/peer/rdb-tools/keys_with_expiry/keys_with_expiry.rdb");
const MULTI = fixturePath("redis-rdb/peer/rdb-tools/multiple_databases/multiple_databases.rdb");
const VECTOR = fixturePath("vectors/snapshot/mixed.rdb");

const lines = (out: string) => out.trim().split("\n").filter((l) => l !== "");

/** What our API makes of db `db` of an RDB, as dump prints it. */
async function expectedDump(path: string, now: number, db = 0): Promise<string[]> {
  const load = await loadRedisRdb(path, { now: () => now });
  const s = load.dbs.get(db);
  return s === undefined ? [] : dumpKeyspace(s).map((k) => JSON.stringify(k));
}

describe("kevy-persist on a Redis dump.rdb", () => {
  it("inspect shows the version, aux fields, keys per database and encoding, the checksum", async () => {
    const r = await cli(["inspect", SMALL], { now: SMALL_NOW });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Redis RDB v10/);
    assert.match(r.out, /redis-ver\s+7\.0\.15/);
    assert.match(r.out, /checksum\s+ok/);
    const j = JSON.parse((await cli(["inspect", SMALL, "--json"], { now: SMALL_NOW })).out);
    assert.equal(j.kind, "redis-rdb");
    assert.equal(j.version, 10);
    const load = await loadRedisRdb(SMALL, { now: () => SMALL_NOW });
    for (const [db, s] of load.dbs) assert.equal(j.dbs[String(db)].keys, s.dbsize());
  });

  it("check passes a sound file and gives the first bad offset of a damaged one", async () => {
    const ok = await cli(["check", SMALL]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /OK/);
    const bytes = readFileSync(SMALL);
    const dir = tempDir();
    for (const at of [9, 40, Math.floor(bytes.length / 2), bytes.length - 3]) {
      const bad = new Uint8Array(bytes);
      bad[at]! ^= 0x55;
      const p = join(dir, `bad-${at}.rdb`);
      writeFileSync(p, bad);
      // The offset the decoder reports is the one check prints.
      let expected = -1;
      try {
        const d = new RedisRdbDecoder({ onEntry: () => {}, path: p, totalSize: bad.length });
        d.push(bad);
        d.finish();
      } catch (e) {
        if (e instanceof CorruptFileError) expected = e.offset;
      }
      const r = await cli(["check", p, "--json"]);
      assert.equal(r.code, 1, `flip at ${at}: ${r.out}`);
      const j = JSON.parse(r.out);
      assert.equal(j.sound, false);
      if (expected >= 0) assert.equal(j.problems[0].offset, expected);
    }
  });

  it("dump prints the keys Redis reported, judged --now; --db picks a database", async () => {
    const r = await cli(["dump", SMALL, "--now", String(SMALL_NOW)]);
    assert.equal(r.code, 0, r.err);
    assert.deepStrictEqual(lines(r.out), await expectedDump(SMALL, SMALL_NOW));
    const d1 = await cli(["dump", MULTI, "--db", "2"]);
    assert.equal(d1.code, 0, d1.err);
    assert.deepStrictEqual(lines(d1.out), await expectedDump(MULTI, Date.now(), 2));
    assert.ok(lines(d1.out).length > 0);
  });

  it("dump leaves out keys expired by --now, and --include-expired keeps them", async () => {
    const gone = await cli(["dump", EXPIRY]);
    assert.equal(gone.code, 0, gone.err);
    assert.deepStrictEqual(lines(gone.out), []);
    const kept = await cli(["dump", EXPIRY, "--include-expired"]);
    const all = lines(kept.out).map((l) => JSON.parse(l));
    assert.ok(all.length >= 1);
    assert.ok(all.every((k) => typeof k.ttl === "number" && k.ttl < Date.now()));
    const early = await cli(["dump", EXPIRY, "--now", "1"]);
    assert.equal(lines(early.out).length, all.length);
  });
});

describe("kevy-persist on an RDB holding a Redis module value", () => {
  const MODULE = fixturePath(
    "redis-rdb/peer/rdb-tools/redis_40_with_module/redis_40_with_module.rdb",
  );

  it("check and dump refuse it naming the module (exit 1); --skip-modules counts it and goes on", async () => {
    const c = await cli(["check", MODULE]);
    assert.equal(c.code, 1);
    assert.match(c.out, /ReJSON-RL/);
    const d = await cli(["dump", MODULE]);
    assert.equal(d.code, 1);
    assert.match(d.err, /module type 'ReJSON-RL'/);
    const ok = await cli(["check", MODULE, "--skip-modules"]);
    assert.equal(ok.code, 0, ok.out);
    const i = await cli(["inspect", MODULE, "--skip-modules"]);
    assert.match(i.out, /skipped modules\s+ReJSON-RL x1/);
    const kept = await cli(["dump", MODULE, "--skip-modules"]);
    assert.equal(kept.code, 0, kept.err);
    assert.equal(lines(kept.out).length, 1);
  });
});

describe("kevy-persist on a Redis 7.4 RDB with hash field TTLs", () => {
  it("dump keeps the field TTLs (field_ttls on the hash's line)", async () => {
    const v12 = fixturePath("redis-rdb/generated/v12-redis-unstable/rdb-default/dump.rdb");
    const r = await cli(["dump", v12]);
    assert.equal(r.code, 0, r.err);
    assert.ok(
      r.out.split("\n").some((l) => l !== "" && JSON.parse(l).field_ttls !== undefined),
      r.out,
    );
    // inspect and check read the file itself: it is sound.
    assert.equal((await cli(["check", v12])).code, 0);
  });
});

describe("kevy-persist on a Redis data dir", () => {
  it("a dir with dump.rdb: inspect, check and dump read it", async () => {
    const dir = tempDir();
    copyFileSync(SMALL, join(dir, "dump.rdb"));
    assert.equal((await cli(["check", dir])).code, 0);
    assert.match((await cli(["inspect", dir])).out, /Redis RDB v10/);
    const d = await cli(["dump", dir, "--now", String(SMALL_NOW)]);
    assert.deepStrictEqual(lines(d.out), await expectedDump(SMALL, SMALL_NOW));
  });

  it("a dir with appendonlydir (RDB base) and dump.rdb: the AOF wins, as with appendonly yes", async () => {
    const dir = tempDir();
    cpSync(PREAMBLE, join(dir, "appendonlydir"), { recursive: true });
    copyFileSync(SMALL, join(dir, "dump.rdb"));
    const c = await cli(["check", dir]);
    assert.equal(c.code, 0, c.out + c.err);
    const fromDir = await cli(["dump", dir, "--include-expired"]);
    const fromAof = await cli(["dump", join(dir, "appendonlydir"), "--include-expired"]);
    assert.equal(fromDir.code, 0, fromDir.err);
    assert.equal(fromDir.out, fromAof.out);
    assert.ok(lines(fromDir.out).length > 0);
    assert.match((await cli(["inspect", dir])).out, /RDB v10\s+\d+ keys/);
  });

  it("a manifest naming a missing file is an input error (exit 3) naming the file, not a crash", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "appendonlydir"));
    writeFileSync(
      join(dir, "appendonlydir", "appendonly.aof.manifest"),
      "file appendonly.aof.1.base.rdb seq 1 type b\n",
    );
    const dump = await cli(["dump", dir]);
    assert.equal(dump.code, 3, dump.err);
    assert.match(dump.err, /appendonly\.aof\.1\.base\.rdb: listed in .* but missing/);
    const check = await cli(["check", dir]);
    assert.equal(check.code, 1, check.out + check.err);
    assert.match(check.out, /appendonly\.aof\.1\.base\.rdb: listed in .* but missing/);
    const inspect = await cli(["inspect", dir]);
    assert.equal(inspect.code, 0, inspect.err); // inspect reports; check is the verdict
    assert.match(inspect.out, /but missing/);
    for (const r of [dump, check, inspect]) assert.doesNotMatch(r.err, /internal error/);
  });

  it("an empty dir is still 'no kevy files here' (exit 3)", async () => {
    const r = await cli(["dump", tempDir()]);
    assert.equal(r.code, 3);
    assert.match(r.err, /no kevy files here/);
  });
});

describe("kevy-persist convert with Redis RDB", () => {
  it("kevy snapshot -> dump.rdb -> kevy snapshot keeps the keyspace", async () => {
    const dir = tempDir();
    const rdb = join(dir, "dump.rdb");
    const back = join(dir, "back.rdb");
    const now = 1_700_000_000_000;
    const a = await cli(["convert", VECTOR, rdb, "--to", "redis-rdb"], { now });
    assert.equal(a.code, 0, a.err);
    const b = await cli(["convert", rdb, back, "--to", "kevy-snapshot"], { now });
    assert.equal(b.code, 0, b.err);
    const before = await cli(["dump", VECTOR], { now });
    const after = await cli(["dump", back], { now });
    assert.ok(lines(before.out).length > 0);
    assert.equal(after.out, before.out);
    assert.equal((await cli(["check", rdb])).code, 0);
  });

  it("a Redis AOF dir -> dump.rdb keeps every database; -> kevy needs --db when several hold keys", async () => {
    const dir = tempDir();
    const rdb = join(dir, "out.rdb");
    const c = await cli(["convert", MULTI, rdb, "--to", "redis-rdb"]);
    assert.equal(c.code, 0, c.err);
    const load = await loadRedisRdb(rdb);
    const src = await loadRedisRdb(MULTI);
    assert.deepStrictEqual([...load.dbs.keys()].sort(), [...src.dbs.keys()].sort());
    const refused = await cli(["convert", MULTI, join(dir, "k.aof")]);
    assert.equal(refused.code, 3);
    assert.match(refused.err, /--db/);
    const one = await cli(["convert", MULTI, join(dir, "k.aof"), "--db", "2"]);
    assert.equal(one.code, 0, one.err);
  });

  it("a .rdb destination needs --to (both formats use the name), except kevy's dump-<i>.rdb", async () => {
    const dir = tempDir();
    const r = await cli(["convert", SMALL, join(dir, "x.rdb")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--to redis-rdb or --to kevy-snapshot/);
    const k = await cli(["convert", SMALL, join(dir, "dump-0.rdb"), "--db", "0"], {
      now: SMALL_NOW,
    });
    assert.equal(k.code, 0, k.err);
    const v = await cli([
      "convert",
      SMALL,
      join(dir, "v9.rdb"),
      "--to",
      "redis-rdb",
      "--rdb-version",
      "9",
    ]);
    assert.equal(v.code, 0, v.err);
    assert.equal(readFileSync(join(dir, "v9.rdb")).subarray(0, 9).toString(), "REDIS0009");
  });
});
