// Every real RDB file under tests/fixtures/redis-rdb reads to the keyspace a
// real Redis reported after loading it (keyspace.json), judged as of the
// moment it was collected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";

import { RedisRdbDecoder, RedisRdbModuleError } from "../../src/codec/redis_rdb.ts";
import type { Entry } from "../../src/codec/types.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { Store } from "../../src/store/store.ts";
import { StreamData } from "../../src/store/stream.ts";
import { streamBytes } from "../../src/store/_stream_memory.ts";
import { KEY_OVERHEAD } from "../../src/store/_meter.ts";
import { fixturePath, readFixture, readFixtureJson } from "../_helpers.ts";
import {
  type FixtureKeyspace,
  viewOfEntries,
  viewOfFixture,
  viewOfRdbStores,
} from "./_rdb_view.ts";

const ROOT = "redis-rdb";

/** Folders (relative to tests/fixtures) holding an .rdb file and a keyspace.json. */
function rdbFixtures(): Array<{ dir: string; file: string }> {
  const out: Array<{ dir: string; file: string }> = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(fixturePath(rel)).sort()) {
      const r = `${rel}/${name}`;
      if (statSync(fixturePath(r)).isDirectory()) walk(r);
      else if (name.endsWith(".rdb") && existsSync(fixturePath(`${rel}/keyspace.json`))) {
        out.push({ dir: rel, file: r });
      }
    }
  };
  walk(ROOT);
  return out;
}

function decodeAll(file: string, skipModules = false): Map<number, Entry[]> {
  const dbs = new Map<number, Entry[]>();
  const dec = new RedisRdbDecoder({
    path: file,
    skipModules,
    onEntry: (e, info) => {
      if (!dbs.has(info.db)) dbs.set(info.db, []);
      dbs.get(info.db)!.push(e);
    },
  });
  const bytes = readFixture(file);
  for (let i = 0; i < bytes.length; i += 4096) dec.push(bytes.subarray(i, i + 4096));
  dec.finish();
  return dbs;
}

/** The used memory of a store built afresh from `s`'s entries (a stream: its own measure). */
function recomputed(s: Store): number {
  const fresh = new Store({ now: () => s.now() });
  let streams = 0;
  for (const e of s.entries()) {
    const v = s.lookup(e.key);
    if (v instanceof StreamData) streams += KEY_OVERHEAD + e.key.length + streamBytes(v);
    else fresh.put(e);
  }
  return fresh.usedMemory() + streams;
}

function alive(dbs: Map<number, Entry[]>, now: number): Map<number, Entry[]> {
  const out = new Map<number, Entry[]>();
  for (const [db, list] of dbs) {
    out.set(db, list.filter((e) => e.deadline === null || e.deadline > now));
  }
  return out;
}

describe("Redis RDB fixtures: each reads to the keyspace Redis reported", () => {
  const fixtures = rdbFixtures();

  it("finds the fixture files", () => {
    assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures found`);
  });

  for (const { dir, file } of fixtures) {
    const json = readFixtureJson<FixtureKeyspace>(`${dir}/keyspace.json`);
    const now = json.collected_at_unix_ms;

    it(`${file}: loadRedisRdb gives the reported keys, types, values and TTLs`, async () => {
      const { version, dbs } = await loadRedisRdb(fixturePath(file), { now: () => now });
      assert.equal(version, json.rdb_version);
      assert.deepStrictEqual(viewOfRdbStores(dbs), viewOfFixture(json));
      // Values loaded straight from the file's encodings count what a rebuild counts.
      for (const [db, store] of dbs) {
        assert.equal(store.usedMemory(), recomputed(store), `db ${db}`);
      }
    });

    it(`${file}: the decoder's entries match, hash field TTLs included`, () => {
      assert.deepStrictEqual(viewOfEntries(alive(decodeAll(file), now)), viewOfFixture(json));
    });
  }

  it("keys_with_expiry: judged as of a clock before the deadlines, the key is there", async () => {
    const dir = `${ROOT}/peer/rdb-tools/keys_with_expiry`;
    const pinned = readFixtureJson<FixtureKeyspace>(`${dir}/keyspace.pinned-clock.json`);
    const load = await loadRedisRdb(fixturePath(`${dir}/keys_with_expiry.rdb`), {
      now: () => pinned.collected_at_unix_ms,
    });
    assert.deepStrictEqual(viewOfRdbStores(load.dbs), viewOfFixture(pinned));
    assert.equal(load.stats.expired, load.stats.keys - 1);
  });

  it("keys_with_expiry: today every key has expired, and is counted as expired", async () => {
    const file = fixturePath(`${ROOT}/peer/rdb-tools/keys_with_expiry/keys_with_expiry.rdb`);
    const load = await loadRedisRdb(file);
    assert.equal(load.dbs.size, 0);
    assert.equal(load.stats.loaded, 0);
    assert.equal(load.stats.expired, load.stats.keys);
    assert.ok(load.stats.keys > 0);
  });

  it("redis_40_with_module: refused with a RedisRdbModuleError naming the module", async () => {
    const file = fixturePath(
      `${ROOT}/peer/rdb-tools/redis_40_with_module/redis_40_with_module.rdb`,
    );
    const err = await loadRedisRdb(file).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof RedisRdbModuleError, String(err));
    assert.equal(err.module, "ReJSON-RL");
    assert.equal(err.path, file);
    assert.ok(err.key !== null);
  });

  it("redis_40_with_module: skipModules leaves the module value out and counts it", async () => {
    const file = fixturePath(
      `${ROOT}/peer/rdb-tools/redis_40_with_module/redis_40_with_module.rdb`,
    );
    const load = await loadRedisRdb(file, { skipModules: true });
    assert.deepStrictEqual(load.stats.skippedModules, { "ReJSON-RL": 1 });
    assert.equal(load.stats.keys, 1);
    assert.equal(load.dbs.get(0)?.dbsize(), 1);
  });

  it("scriptbackup: the Lua script aux field is kept", async () => {
    const load = await loadRedisRdb(
      fixturePath(`${ROOT}/peer/redis-assets/scriptbackup/scriptbackup.rdb`),
    );
    const lua = load.aux.filter(([k]) => k === "lua");
    assert.ok(lua.length > 0);
    assert.equal(load.dbs.size, 0);
  });

  it("checksums: verified where the file has one, 'absent' before version 5", () => {
    for (const { file } of fixtures) {
      const bytes = readFixture(file);
      const dec = new RedisRdbDecoder({ onEntry: () => {}, skipModules: true });
      dec.push(bytes);
      const { version, checksum } = dec.finish();
      if (version < 5) assert.equal(checksum, "absent", file);
      else assert.ok(checksum === "ok" || checksum === "disabled", `${file}: ${checksum}`);
    }
  });
});
