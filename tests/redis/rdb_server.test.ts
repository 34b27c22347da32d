// RDB files written by a live redis-server (7.0: RDB version 10), in every
// configuration that changes the bytes, read to exactly what the server
// reports; our RDB files (v9 and v10, LZF and checksum on and off) load into
// a fresh server to the same keyspace and pass redis-check-rdb; DUMP payloads
// decode to the same values and our payloads RESTORE to the same keys.
// Skipped with a message when redis-server is not installed, unless
// KEVY_REQUIRE_REDIS=1 (then the missing server is a failure).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeCommand } from "../../src/codec/resp.ts";
import { decodeRedisDump, encodeRedisDump } from "../../src/codec/redis_dump.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { saveRedisRdb } from "../../src/redis/rdb_save.ts";
import { hex, tempDir } from "../_helpers.ts";
import { redisMissing, redisRequired } from "./_redis_server.ts";
import { RdbServer, redisCheckRdb } from "./_rdb_server.ts";
import { type RdbView, viewOfEntry, viewOfRdbStores } from "./_rdb_view.ts";
import { rdbWorkload, WORKLOAD_DBS } from "./_rdb_workload.ts";

const missing = redisMissing();
const skip = missing !== null && !redisRequired() ? missing : false;
if (skip) console.log(`tests/redis/rdb_server.test.ts: ${skip}`);

const DEADLINE = Date.now() + 3_600_000;

/** A server in `args`'s configuration, loaded with the workload and saved. */
async function savedServer(args: string[]): Promise<RdbServer> {
  const s = await RdbServer.start({ args });
  await s.pipe(rdbWorkload(DEADLINE));
  await s.save();
  return s;
}

/** `view` without what RDB 9 streams cannot hold. */
function withoutStreamCounters(view: RdbView): RdbView {
  const out: RdbView = {};
  for (const [db, keys] of Object.entries(view)) {
    out[db] = {};
    for (const [k, r] of Object.entries(keys)) {
      if (r.type !== "stream") {
        out[db]![k] = r;
        continue;
      }
      const v = r.value as { groups: Array<Record<string, unknown>> } & Record<string, unknown>;
      const { entriesAdded: _a, maxDeletedId: _m, ...rest } = v;
      out[db]![k] = {
        ...r,
        value: { ...rest, groups: v.groups.map(({ entriesRead: _r, ...g }) => g) },
      };
    }
  }
  return out;
}

/** Keys in a view. */
function keyCount(view: RdbView): number {
  return Object.values(view).reduce((n, keys) => n + Object.keys(keys).length, 0);
}

describe("Redis RDB interop with a live redis-server", { skip }, () => {
  const configs: Array<[string, string[]]> = [
    ["defaults (LZF on, checksum on)", []],
    ["rdbcompression no", ["--rdbcompression", "no"]],
    ["rdbchecksum no", ["--rdbchecksum", "no"]],
    ["list-compress-depth 1 (LZF quicklist nodes)", ["--list-compress-depth", "1"]],
    ["small listpack limits (everything in its big encoding)", [
      "--hash-max-listpack-entries",
      "1",
      "--zset-max-listpack-entries",
      "1",
      "--set-max-intset-entries",
      "1",
      "--list-max-listpack-size",
      "1",
    ]],
  ];

  for (const [label, args] of configs) {
    it(`reads the dump.rdb Redis writes with ${label} to what it reports`, async () => {
      const s = await savedServer(args);
      try {
        const reported = await s.keyspace(WORKLOAD_DBS);
        const load = await loadRedisRdb(s.rdbPath);
        assert.equal(load.version, 10);
        assert.equal(load.stats.checksum, args.includes("--rdbchecksum") ? "disabled" : "ok");
        assert.ok(keyCount(reported) > 30);
        assert.deepStrictEqual(viewOfRdbStores(load.dbs), reported);
      } finally {
        await s.stop();
      }
    });
  }

  describe("our RDB files", () => {
    let source: RdbServer;
    let reported: RdbView;
    before(async () => {
      source = await savedServer([]);
      reported = await source.keyspace(WORKLOAD_DBS);
    });
    after(async () => {
      await source?.stop();
    });

    const variants: Array<
      [string, { rdbVersion?: number; compress?: boolean; checksum?: boolean }]
    > = [
      ["version 10 (default)", {}],
      ["version 9", { rdbVersion: 9 }],
      ["version 10 without LZF", { compress: false }],
      ["version 10 without checksum", { checksum: false }],
    ];
    for (const [label, opts] of variants) {
      it(`${label}: redis-check-rdb accepts it and redis-server loads the same keyspace`, async () => {
        const load = await loadRedisRdb(source.rdbPath);
        const dir = tempDir("kevy-rdb-ours-");
        const stats = await saveRedisRdb(load.dbs, join(dir, "dump.rdb"), opts);
        assert.equal(stats.keys, keyCount(reported));
        const check = await redisCheckRdb(join(dir, "dump.rdb"));
        assert.equal(check.code, 0, check.output);
        assert.match(check.output, /RDB looks OK/);
        const s = await RdbServer.start({ dir });
        try {
          const loaded = await s.keyspace(WORKLOAD_DBS);
          if (opts.rdbVersion === 9) {
            // RDB 9 streams have no entries-added, max-deleted ID or entries-read: Redis estimates them.
            assert.deepStrictEqual(withoutStreamCounters(loaded), withoutStreamCounters(reported));
          } else assert.deepStrictEqual(loaded, reported);
        } finally {
          await s.stop();
        }
      });
    }

    it("round trip: Redis's RDB -> stores -> our RDB -> stores -> our RDB: same keys, same bytes", async () => {
      const a = await loadRedisRdb(source.rdbPath);
      const dir = tempDir("kevy-rdb-rt-");
      await saveRedisRdb(a.dbs, join(dir, "one.rdb"), { ctime: 1 });
      const b = await loadRedisRdb(join(dir, "one.rdb"));
      assert.deepStrictEqual(viewOfRdbStores(b.dbs), viewOfRdbStores(a.dbs));
      await saveRedisRdb(b.dbs, join(dir, "two.rdb"), { ctime: 1 });
      assert.deepStrictEqual(
        readFileSync(join(dir, "two.rdb")),
        readFileSync(join(dir, "one.rdb")),
      );
    });

    it("DUMP payloads decode to the values in the RDB, and ours RESTORE to the same keys", async () => {
      const load = await loadRedisRdb(source.rdbPath);
      const db0 = load.dbs.get(0)!;
      const restore: Uint8Array[] = [];
      let n = 0;
      for (const e of db0.entries()) {
        const k = hex(e.key);
        const payload = await source.dump(k);
        assert.ok(payload !== null, k);
        const got = decodeRedisDump(payload);
        assert.equal(got.rdbVersion, 10);
        assert.deepStrictEqual(
          viewOfEntry({ key: e.key, value: got.value, deadline: null }),
          viewOfEntry({ ...e, deadline: null }),
          k,
        );
        const copy = new Uint8Array([...new TextEncoder().encode("copy:"), ...e.key]);
        restore.push(encodeCommand(["RESTORE", copy, "0", encodeRedisDump(e.value)]));
        n++;
      }
      assert.equal(n, Object.keys(reported["0"]!).length);
      const bytes = new Uint8Array(restore.reduce((x, f) => x + f.length, 0));
      let at = 0;
      for (const f of restore) {
        bytes.set(f, at);
        at += f.length;
      }
      await source.pipe(bytes);
      const after = (await source.keyspace([0]))["0"]!;
      for (const [k, row] of Object.entries(reported["0"]!)) {
        const copy = after[hex(new TextEncoder().encode("copy:")) + k];
        assert.deepStrictEqual(copy, { ...row, ttl: null }, k);
      }
      await source.cli([
        "EVAL",
        "for _, k in ipairs(redis.call('KEYS', 'copy:*')) do redis.call('DEL', k) end",
        "0",
      ]);
    });
  });
});
