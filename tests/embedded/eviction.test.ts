// openStore({ maxmemory, maxmemoryPolicy }): eviction before commands, logged as DEL (a
// reopen sees the same keyspace), told as `evicted` events and to WATCH; noeviction's OOM
// error; info()'s memory figures; and used memory that stays exact through every path
// (blocking pops, hash-field expiry, transactions, evictions) against a reopen from files.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { OpenStoreOptions } from "../../src/embedded/options.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { tempDir } from "../_helpers.ts";
import { dirFrames } from "./_embedded_helpers.ts";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const T0 = 1_700_000_000_000;
const VALUE = "v".repeat(100);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir("kevy-evict-");
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function open(extra: OpenStoreOptions): Promise<KevyStore> {
  return await openStore({ now: () => T0, activeExpireIntervalMs: 0, ...extra });
}

async function oom(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CommandFailedError && e.message === OOM);
}

/** SETs `<prefix>0..<prefix>(n-1)` one by one (100-byte values). */
async function fill(db: KevyStore, n: number, opts: { px?: number } = {}, prefix = "k") {
  for (let i = 0; i < n; i++) await db.set(`${prefix}${i}`, VALUE, opts);
}

const sorted = (keys: string[]) => [...keys].sort();

describe("maxmemory", () => {
  it("noeviction refuses writes that need memory with Redis's OOM error; reads and DEL work", async () => {
    const db = await open({ maxmemory: 20_000 });
    try {
      let n = 0;
      for (;;) {
        try {
          await db.set(`k${n}`, VALUE);
          n++;
        } catch (e) {
          assert.ok(e instanceof CommandFailedError && e.message === OOM, String(e));
          break;
        }
        assert.ok(n < 1_000, "the cap is never enforced");
      }
      const info = db.info();
      assert.ok(
        info.usedMemory > 20_000 && info.usedMemory < 20_000 + 400,
        String(info.usedMemory),
      );
      assert.equal(info.maxmemory, 20_000);
      assert.equal(info.maxmemoryPolicy, "noeviction");
      assert.equal(info.evictedKeys, 0);
      assert.equal(info.keys, n); // nothing was evicted
      await oom(db.lpush("l", "x"));
      await oom(db.command(["APPEND", "k0", "more"]));
      assert.equal(await db.get("k0"), VALUE);
      assert.equal(await db.exists("k1"), 1);
      assert.equal(await db.del("k0", "k1", "k2"), 3);
      assert.equal(await db.set("again", "x"), "OK"); // room again
      assert.ok(db.info().usedMemoryPeak >= info.usedMemory);
    } finally {
      await db.close();
    }
  });

  it("a volatile policy with no key with a TTL left refuses like noeviction", async () => {
    const db = await open({ maxmemory: 30_000, maxmemoryPolicy: "volatile-lru", evictionSeed: 1 });
    try {
      for (let i = 0; i < 40; i++) await db.set(`t${i}`, VALUE, { px: 60_000 });
      for (let i = 0; i < 200; i++) {
        try {
          await db.set(`k${i}`, VALUE);
        } catch (e) {
          assert.equal((e as Error).message, OOM);
          break;
        }
      }
      const left = await db.keys("*");
      assert.equal(left.filter((k) => k.startsWith("t")).length, 0); // every TTL key went first
      assert.ok(left.length > 100);
      assert.equal(db.info().evictedKeys, 40);
    } finally {
      await db.close();
    }
  });

  for (const shards of [1, 3]) {
    it(`evictions are logged as DEL: a reopen has the same keys (allkeys-lru, shards: ${shards})`, () =>
      withDir(async (dir) => {
        const db = await open({
          dir,
          shards,
          maxmemory: 60_000,
          maxmemoryPolicy: "allkeys-lru",
          evictionSeed: 3,
        });
        await fill(db, 2_000);
        const keys = sorted(await db.keys("*")); // a read evicts too, when above the cap
        const info = db.info();
        assert.ok(info.evictedKeys > 1_000, String(info.evictedKeys));
        assert.ok(info.usedMemory <= 60_000 + 300, String(info.usedMemory));
        assert.ok(info.usedMemoryPeak <= 60_000 + 300, String(info.usedMemoryPeak));
        assert.equal(info.keys + info.evictedKeys, 2_000);
        const used = info.usedMemory;
        await db.close();
        if (shards === 1) {
          const dels = dirFrames(dir).filter((f) => f[0] === "DEL");
          assert.equal(dels.length, info.evictedKeys);
          assert.ok(dels.every((f) => f.length === 2 && !keys.includes(f[1]!)));
        }
        const again = await open({ dir, shards });
        try {
          assert.deepEqual(sorted(await again.keys("*")), keys);
          assert.equal(again.info().usedMemory, used);
          assert.equal(again.info().evictedKeys, 0);
        } finally {
          await again.close();
        }
      }));
  }

  it("each eviction fires an `evicted` keyspace event and fails a WATCH on the key", async () => {
    const db = await open({ maxmemory: 20_000, maxmemoryPolicy: "volatile-ttl", evictionSeed: 2 });
    try {
      const heard: string[] = [];
      const off = db.onKeyspaceEvent((e) => heard.push(`${e.event} ${e.key}`), {
        events: ["evicted"],
      });
      await db.set("first", VALUE, { px: 1_000 }); // the nearest deadline: evicted first
      await db.watch("first");
      const tx = db.multi().set("other", "x");
      for (let i = 0; i < 300 && db.info().evictedKeys === 0; i++) {
        await db.set(`k${i}`, VALUE, { px: 60_000 + i });
      }
      assert.equal(await db.exists("first"), 0);
      assert.equal(await tx.exec(), null); // the watched key was evicted
      await fill(db, 200, { px: 120_000 }, "later");
      await Promise.resolve(); // events are delivered after the command
      off();
      assert.equal(heard[0], "evicted first");
      assert.equal(heard.length, db.info().evictedKeys);
      for (const h of heard) assert.equal(await db.exists(h.slice(8)), 0);
    } finally {
      await db.close();
    }
  });

  it("multi(): EXEC makes room first, and is refused whole (OOM) when it cannot", async () => {
    const db = await open({ maxmemory: 20_000 });
    try {
      await assert.rejects(fill(db, 1_000), (e: Error) => e.message === OOM);
      const n = await db.dbsize();
      await oom(db.multi().del("k0").set("new", "x").exec());
      assert.equal(await db.exists("k0"), 1); // nothing of it was applied
      assert.deepEqual(await db.multi().del("k0").get("k1").exec(), [1, VALUE]);
      assert.equal(await db.dbsize(), n - 1);
    } finally {
      await db.close();
    }
    const lru = await open({ maxmemory: 20_000, maxmemoryPolicy: "allkeys-lru", evictionSeed: 5 });
    try {
      await fill(lru, 300);
      const before = lru.info().evictedKeys;
      const tx = lru.multi();
      for (let i = 0; i < 20; i++) tx.set(`t${i}`, VALUE);
      await tx.exec();
      await lru.set("after", "x"); // the transaction may pass the cap; the next command evicts
      assert.ok(lru.info().evictedKeys > before);
      assert.ok(lru.info().usedMemory <= 20_000 + 300);
    } finally {
      await lru.close();
    }
  });

  it("refuses bad eviction options", async () => {
    await assert.rejects(openStore({ maxmemory: -1 }), RangeError);
    // @ts-expect-error: not a policy
    await assert.rejects(openStore({ maxmemory: 1, maxmemoryPolicy: "lru" }), TypeError);
    await assert.rejects(openStore({ lfuDecayTime: 0.5 }), RangeError);
    await assert.rejects(openStore({ lfuLogFactor: -1 }), RangeError);
  });
});

function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

describe("used memory stays exact", () => {
  for (const seed of [1, 2, 3]) {
    it(`through pops that were waiting, field expiry, transactions and evictions (seed ${seed})`, () =>
      withDir(async (dir) => {
        let t = T0;
        const clock = () => t;
        const opts = {
          dir,
          shards: 2,
          now: clock,
          activeExpireIntervalMs: 0,
          appendfsync: "no" as const,
        };
        const db = await openStore({
          ...opts,
          maxmemory: 40_000,
          maxmemoryPolicy: "allkeys-lfu",
          evictionSeed: seed,
        });
        const r = rng(seed);
        const waits: Array<Promise<unknown>> = [];
        const k = (p: string) => `${p}${r(5)}`;
        for (let i = 0; i < 1_500; i++) {
          const v = "x".repeat(r(3) === 0 ? 200 : 10);
          switch (r(9)) {
            case 0:
              waits.push(db.blpop(k("l"), 0));
              break;
            case 1:
              await db.rpush(k("l"), v, v);
              break;
            case 2:
              await db.hset(k("h"), { [`f${r(6)}`]: v, [`g${r(6)}`]: v });
              break;
            case 3:
              await db.command(["HPEXPIRE", k("h"), String(1 + r(30)), "FIELDS", "1", `f${r(6)}`]);
              break;
            case 4:
              await db.multi().sadd(k("s"), v, String(r(50))).zadd(k("z"), [[r(9), v]]).exec();
              break;
            case 5:
              await db.set(k("t"), v, r(2) === 0 ? { px: 1 + r(40) } : {});
              break;
            case 6:
              await db.command(["HGETALL", k("h")]); // lazy field expiry
              break;
            case 7:
              await db.del(k("s"), k("t"));
              break;
            default:
              t += r(15);
          }
        }
        // Wake what waits.
        for (let i = 0; i < 5; i++) await db.rpush(`l${i}`, ...Array(400).fill("w"));
        await Promise.all(waits);
        const info = db.info();
        assert.ok(info.evictedKeys > 0, "the cap was reached");
        await db.command(["DBSIZE"]); // what is past its deadline goes now (logged)
        const used = db.info().usedMemory;
        await db.save();
        await db.close();
        // Rebuilt from the snapshot: every figure from scratch.
        const again = await openStore(opts);
        try {
          assert.equal(again.info().usedMemory, used);
        } finally {
          await again.close();
        }
      }));
  }
});
