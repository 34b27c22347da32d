// The RDB bulk load writes each hash, list, set and zset straight into a
// shared slab as the compact value's bytes; a value larger than the slab's
// free room moves to a scratch buffer mid-write, a big one gets its own copy.
// Whatever the path, the loaded value equals what was saved, the memory
// estimate equals a rebuilt store's, and a later write to one value never
// shows in another (they share slabs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { saveRedisRdb } from "../../src/redis/rdb_save.ts";
import { Store } from "../../src/store/store.ts";
import { CommandApplier } from "../../src/store/apply.ts";
import { rng, tempDir } from "../_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Keys of every string encoding: short raw, integer (INT8/16/32), long (LZF). */
function keyName(i: number, r: () => number): string {
  const k = Math.floor(r() * 3);
  if (k === 0) return String(i * 7919 - 3000); // integer-encoded, some negative
  if (k === 1) return `key-${"x".repeat(40)}-${i}`; // LZF-compressed
  return `k${i}`;
}

function element(r: () => number, max: number): string {
  const k = r();
  if (k < 0.3) return String(Math.floor(r() * 100000) - 500); // integer text
  const len = Math.floor(r() * max);
  return k < 0.6
    ? "y".repeat(len)
    : Array.from({ length: len }, () => "abcdef"[Math.floor(r() * 6)]).join("");
}

/** A store of random hashes, lists, sets and zsets across every size limit. */
function randomStore(seed: number, keys: number): Store {
  const r = rng(seed);
  const s = new Store();
  const ap = new CommandApplier(s);
  const run = (argv: string[]) => {
    const res = ap.apply(argv.map(enc));
    assert.ok(res.ok, `${argv[0]}: ${JSON.stringify(res)}`);
  };
  for (let i = 0; i < keys; i++) {
    const key = keyName(i, r);
    const kind = i % 4;
    // Mostly small (compact) values, some past the limits, a few of several KiB.
    const big = r() < 0.15;
    const n = 1 + Math.floor(r() * (big ? 400 : 12));
    const max = big && r() < 0.5 ? 120 : 40;
    const args: string[] = [];
    if (kind === 0) {
      for (let j = 0; j < n; j++) args.push(`${element(r, max)}:${j}`, element(r, max));
      run(["HSET", key, ...args]);
    } else if (kind === 1) {
      for (let j = 0; j < n; j++) args.push(element(r, big ? 300 : max));
      run(["RPUSH", key, ...args]);
    } else if (kind === 2) {
      const ints = r() < 0.5;
      for (let j = 0; j < n; j++) args.push(ints ? String(j * 13 - 40) : `${element(r, max)}.${j}`);
      run(["SADD", key, ...args]);
    } else {
      for (let j = 0; j < n; j++) {
        args.push(String(Math.floor(r() * 50) / 4 - 3), `${element(r, max)}#${j}`);
      }
      run(["ZADD", key, ...args]);
    }
    if (r() < 0.1) run(["PEXPIREAT", key, String(Date.now() + 86_400_000)]);
  }
  return s;
}

function sameKeyspace(got: Store, want: Store): void {
  assert.equal(got.dbsize(), want.dbsize());
  for (const e of want.entries()) assert.deepEqual(got.getEntry(e.key), e);
}

/** The used memory of a store built afresh from `s`'s entries. */
function rebuilt(s: Store): number {
  const fresh = new Store();
  for (const e of s.entries()) fresh.put(e);
  return fresh.usedMemory();
}

describe("RDB bulk load into slab-backed compact values", () => {
  for (const rdbVersion of [9, 10, 11]) {
    it(`every value equals the saved one (RDB v${rdbVersion}, whole file and small chunks)`, async () => {
      const dir = tempDir("kevy-rdb-slab-");
      try {
        const want = randomStore(rdbVersion * 101, 1500);
        const path = join(dir, "dump.rdb");
        await saveRedisRdb(want, path, { rdbVersion });
        // Default chunks (the runtime adapter: chunks not copied), then smaller ones: records
        // cut anywhere, retried from their start after a partial payload write (777), or
        // finished in a bridge buffer before the run goes on in the next chunk (5000, 70001).
        for (const chunkBytes of [undefined, 777, 5000, 70001]) {
          const load = await loadRedisRdb(path, chunkBytes === undefined ? {} : { chunkBytes });
          const got = load.dbs.get(0)!;
          sameKeyspace(got, want);
          assert.equal(got.usedMemory(), rebuilt(got), `chunkBytes ${chunkBytes}`);
          assert.equal(got.usedMemory(), want.usedMemory(), `chunkBytes ${chunkBytes}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("a write to one loaded value leaves the others (slab neighbours) as they were", async () => {
    const dir = tempDir("kevy-rdb-slab-");
    try {
      const want = randomStore(7, 800);
      const path = join(dir, "dump.rdb");
      await saveRedisRdb(want, path);
      const got = (await loadRedisRdb(path)).dbs.get(0)!;
      const ap = new CommandApplier(got);
      const keys = [...want.entries()].map((e) => e.key);
      // Change every other key in place (LSET, HSET over a field, ZADD over a member, SREM).
      for (let i = 0; i < keys.length; i += 2) {
        const k = keys[i]!;
        const t = got.type(k);
        const argv: Uint8Array[] = t === "list"
          ? [enc("LSET"), k, enc("0"), enc("zz")]
          : t === "hash"
          ? [enc("HSET"), k, enc("zz"), enc("zz")]
          : t === "zset"
          ? [enc("ZADD"), k, enc("99"), enc("zz")]
          : [enc("SADD"), k, enc("zz")];
        assert.ok(ap.apply(argv).ok);
      }
      for (let i = 1; i < keys.length; i += 2) {
        assert.deepEqual(got.getEntry(keys[i]!), want.getEntry(keys[i]!));
      }
      assert.equal(got.usedMemory(), rebuilt(got));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
