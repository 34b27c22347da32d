// Hash-field TTLs (Redis 7.4, RDB types 24/25) from real Redis files into
// Stores that keep them: the v12 dump.rdb written by Redis (unstable, 7.4+
// formats; the redis-server 7.0 installed here has no field TTLs) reads to
// what that Redis reported, field TTLs included; the fields then expire on
// the stores' clock as Redis would expire them; and they survive every way
// out (an RDB v12, a kevy snapshot, rebuild commands).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { saveRedisRdb } from "../../src/redis/rdb_save.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { entryToCommands } from "../../src/persist/rewrite_commands.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
import { fixturePath, hex, readFixtureJson, tempDir, utf8 } from "../_helpers.ts";
import { type FixtureKeyspace, viewOfFixture, viewOfRdbStores } from "./_rdb_view.ts";

const DIR = "redis-rdb/generated/v12-redis-unstable/rdb-default";
const json = readFixtureJson<FixtureKeyspace>(`${DIR}/keyspace.json`);
const T = json.collected_at_unix_ms;
const load = (now: () => number) => loadRedisRdb(fixturePath(`${DIR}/dump.rdb`), { now });
// deno-lint-ignore no-explicit-any
const cmd = (s: Store, ...argv: Array<string | number>): any => {
  const r = applyCommand(s, argv.map(String));
  if (!r.ok) throw new Error(r.error);
  return r.reply;
};

describe("Redis 7.4 hash-field TTLs into Stores", () => {
  it("the v12 dump.rdb reads to what Redis reported, field TTLs included", async () => {
    const { dbs } = await load(() => T);
    const want = viewOfFixture(json);
    const timed = Object.values(want).flatMap((keys) =>
      Object.values(keys).filter((r) => r.fieldTtls !== undefined)
    );
    assert.ok(timed.length >= 5, `${timed.length} hashes with field TTLs`);
    assert.deepStrictEqual(viewOfRdbStores(dbs), want);
  });

  it("the loaded fields expire on the stores' clock, each at its deadline", async () => {
    let t = T;
    const { dbs } = await load(() => t);
    const db0 = dbs.get(0)!;
    assert.deepEqual(
      cmd(db0, "HPEXPIRETIME", "hfe:listpack", "FIELDS", 5, "a", "b", "c", "d", "e"),
      [
        4102444800000,
        4102444800000,
        1900000000000,
        2111484272942,
        -1,
      ],
    );
    assert.equal(cmd(db0, "HLEN", "hfe:hashtable"), 600);
    t = 2000000000123; // hf:0, hf:1, hf:2 are due
    assert.equal(cmd(db0, "HLEN", "hfe:hashtable"), 597);
    const row = json.dbs["0"]!.find((r) => r.key === hex(utf8("hfe:hashtable")))!;
    const v3 = (row.value as Record<string, string>)[hex(utf8("hf:3"))]!;
    assert.deepEqual(
      cmd(db0, "HMGET", "hfe:hashtable", "hf:0", "hf:3").map((x: Uint8Array | null) => x && hex(x)),
      [
        null,
        v3,
      ],
    );
    t = 4102444800000; // both fields of hfe:all-fields: the key goes before its own TTL
    assert.equal(cmd(db0, "EXISTS", "hfe:all-fields"), 0);
    assert.equal(cmd(db0, "HLEN", "hfe:listpack"), 6 - 4);
    assert.ok(db0.expired.fields >= 3 + 2 + 4);
  });

  it("saveRedisRdb v12 -> loadRedisRdb, a kevy snapshot and rebuild commands keep them; v10 refuses", async () => {
    const { dbs } = await load(() => T);
    const want = viewOfRdbStores(dbs);
    const dir = tempDir();
    const path = join(dir, "dump.rdb");
    await saveRedisRdb(dbs, path, { rdbVersion: 12 });
    const back = await loadRedisRdb(path, { now: () => T });
    assert.equal(back.version, 12);
    assert.deepStrictEqual(viewOfRdbStores(back.dbs), want);
    await assert.rejects(
      saveRedisRdb(dbs, join(dir, "v10.rdb"), { rdbVersion: 10 }),
      /cannot hold hash field TTLs \(they need version 12/,
    );
    const viaSnapshot = new Map<number, Store>();
    const viaCommands = new Map<number, Store>();
    for (const [db, s] of dbs) {
      viaSnapshot.set(db, decodeSnapshot(encodeSnapshot(s), { now: T }));
      const c = new Store({ now: () => T });
      for (const e of s.entries()) {
        if (e.value.type === "stream") continue; // not rewritable as commands (XADD)
        for (const argv of entryToCommands(e)) applyCommand(c, argv);
      }
      viaCommands.set(db, c);
    }
    // Streams left out of these two: commands cannot rebuild them (XADD), and
    // kevy's stream section has no consumer active-time / group entries-read.
    const noStreams = (v: ReturnType<typeof viewOfRdbStores>) => {
      for (const keys of Object.values(v)) {
        for (const [k, r] of Object.entries(keys)) if (r.type === "stream") delete keys[k];
      }
      return v;
    };
    assert.deepStrictEqual(
      noStreams(viewOfRdbStores(viaSnapshot)),
      noStreams(viewOfRdbStores(dbs)),
    );
    assert.deepStrictEqual(viewOfRdbStores(viaCommands), noStreams(viewOfRdbStores(dbs)));
  });
});
