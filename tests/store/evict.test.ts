// Evictor: each policy picks victims of its class, approximated as Redis does (sampled,
// a pool of the best candidates). Seeds fixed: every run picks the same victims.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { EVICTION_POLICIES, type EvictionPolicy, Evictor } from "../../src/store/evict.ts";

const T0 = 1_700_000_000_000;
const enc = new TextEncoder(), dec = new TextDecoder();

/** A store of `n` keys `k0..` (100-byte values); `ttl(i)` gives key i a deadline or not. */
function filled(n: number, ttl: (i: number) => number | null, now = () => T0): Store {
  const s = new Store({ now });
  for (let i = 0; i < n; i++) {
    s.setString(enc.encode(`k${i}`), new Uint8Array(100));
    const d = ttl(i);
    if (d !== null) s.setDeadline(enc.encode(`k${i}`), d);
  }
  return s;
}

/** Evicts down to `fraction` of the used memory; returns the victims' numbers. */
function evictTo(ev: Evictor, s: Store, fraction: number): number[] {
  const out: number[] = [];
  const ok = ev.evict(s.usedMemory() * fraction, (_i, key) => {
    assert.ok(s.has(key), "a victim is live when it is reported");
    out.push(Number(dec.decode(key).slice(1)));
  });
  assert.equal(ok, true);
  assert.equal(ev.evicted, out.length);
  for (const i of out) assert.equal(s.has(enc.encode(`k${i}`)), false);
  return out;
}

describe("Evictor", () => {
  for (const policy of EVICTION_POLICIES.filter((p) => p.startsWith("volatile"))) {
    it(`${policy} never evicts a key without a TTL, and fails once no key has one`, () => {
      const s = filled(400, (i) => (i % 2 === 0 ? T0 + 1_000 + i : null));
      const ev = new Evictor([s], { policy, seed: 7 });
      const victims = evictTo(ev, s, 0.7);
      assert.ok(victims.length > 50);
      for (const i of victims) assert.equal(i % 2, 0, `k${i} had no TTL`);
      const gone: string[] = [];
      assert.equal(ev.evict(0, (_i, k) => gone.push(dec.decode(k))), false);
      assert.equal(s.dbsize(), 200); // every key without a TTL is left
      for (const k of gone) assert.equal(Number(k.slice(1)) % 2, 0);
    });
  }

  for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random"] as EvictionPolicy[]) {
    it(`${policy} evicts keys with and without a TTL, down to the limit`, () => {
      const s = filled(400, (i) => (i % 2 === 0 ? T0 + 1_000 : null));
      const ev = new Evictor([s], { policy, seed: 3 });
      const limit = s.usedMemory() * 0.5;
      const victims = evictTo(ev, s, 0.5);
      assert.ok(s.usedMemory() <= limit);
      assert.ok(victims.some((i) => i % 2 === 0) && victims.some((i) => i % 2 === 1));
    });
  }

  it("noeviction evicts nothing and says the store is over the limit", () => {
    const s = filled(10, () => null);
    const ev = new Evictor([s], { policy: "noeviction" });
    assert.equal(ev.evict(1, () => assert.fail("nothing may be evicted")), false);
    assert.equal(ev.evict(s.usedMemory(), () => {}), true); // within the limit: nothing to do
    assert.equal(s.dbsize(), 10);
  });

  it("volatile-ttl takes the nearest deadlines first", () => {
    // Deadlines in a shuffled order of the keys: key i expires at T0 + 1000 + rank[i].
    const n = 1_000;
    const rank = Array.from({ length: n }, (_, i) => (i * 617) % n);
    const s = filled(n, (i) => T0 + 1_000 + rank[i]!);
    const ev = new Evictor([s], { policy: "volatile-ttl", seed: 11 });
    const victims = evictTo(ev, s, 0.9);
    const ranks = victims.map((i) => rank[i]!);
    const mean = ranks.reduce((a, b) => a + b, 0) / ranks.length;
    assert.ok(victims.length >= 90);
    // Random choice would give a mean rank of ~500; the pool keeps it near the bottom.
    assert.ok(mean < 150, `mean rank of the victims ${mean}`);
    const late = ranks.filter((r) => r >= n / 2).length;
    assert.ok(late <= victims.length * 0.05, `${late} of ${victims.length} from the later half`);
  });

  for (const policy of ["allkeys-lru", "volatile-lru"] as EvictionPolicy[]) {
    it(`${policy} prefers keys used long ago to keys touched recently`, () => {
      const n = 1_000;
      const s = filled(n, () => T0 + 60_000);
      const ev = new Evictor([s], { policy, seed: 5 });
      // Every key is read once in a seeded order; then the "hot" half is read again.
      let x = 12345;
      const order = Array.from({ length: n }, (_, i) => i).sort(() => {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        return (x & 1) * 2 - 1;
      });
      for (const i of order) s.has(enc.encode(`k${i}`));
      for (let i = 0; i < n; i += 2) applyCommand(s, ["GET", `k${i}`]);
      const victims = evictTo(ev, s, 0.7);
      const hot = victims.filter((i) => i % 2 === 0).length;
      assert.ok(victims.length >= 250);
      assert.ok(hot <= victims.length * 0.05, `${hot} of ${victims.length} victims were hot`);
    });
  }

  for (const policy of ["allkeys-lfu", "volatile-lfu"] as EvictionPolicy[]) {
    it(`${policy} prefers rarely used keys to often used ones, even if used more recently`, () => {
      const n = 600;
      const s = filled(n, () => T0 + 60_000);
      const ev = new Evictor([s], { policy, seed: 9 });
      // Keys 0..299 are hot (60 reads each), then 300..599 read once, last.
      for (let r = 0; r < 60; r++) for (let i = 0; i < 300; i++) s.has(enc.encode(`k${i}`));
      for (let i = 300; i < n; i++) s.has(enc.encode(`k${i}`));
      const victims = evictTo(ev, s, 0.7);
      const hot = victims.filter((i) => i < 300).length;
      assert.ok(victims.length >= 150);
      assert.ok(hot <= victims.length * 0.05, `${hot} of ${victims.length} victims were hot`);
    });
  }

  it("LFU counters decay with idle time (lfuDecayTime minutes per step)", () => {
    let t = T0;
    const n = 400;
    const s = filled(n, () => null, () => t);
    const ev = new Evictor([s], { policy: "allkeys-lfu", seed: 4, now: () => t });
    // Keys 0..199: 80 reads each, then 30 minutes pass; 200..399: 3 reads each, now.
    for (let r = 0; r < 80; r++) for (let i = 0; i < 200; i++) s.has(enc.encode(`k${i}`));
    t += 30 * 60_000;
    for (let r = 0; r < 3; r++) for (let i = 200; i < n; i++) s.has(enc.encode(`k${i}`));
    const victims = evictTo(ev, s, 0.7);
    const stale = victims.filter((i) => i < 200).length;
    assert.ok(stale >= victims.length * 0.95, `${stale} of ${victims.length} were the stale ones`);
  });

  it("a key met past its deadline expires (the hooks hear of it) instead of being evicted", () => {
    let t = T0;
    const s = filled(50, () => T0 + 10, () => t);
    const expired: string[] = [];
    s.hooks.onExpire = (k) => expired.push(dec.decode(k));
    const ev = new Evictor([s], { policy: "volatile-ttl", seed: 1 });
    t += 10;
    const evicted: string[] = [];
    assert.equal(ev.evict(0, (_i, k) => evicted.push(dec.decode(k))), true); // all gone
    assert.deepEqual(evicted, []);
    assert.equal(expired.length, 50);
    assert.equal(ev.evicted, 0);
  });

  it("spans several stores: the victims come from all of them, the limit is their sum", () => {
    const stores = [0, 1, 2].map(() => filled(300, () => null));
    const ev = new Evictor(stores, { policy: "allkeys-random", seed: 2 });
    const from = [0, 0, 0];
    const limit = ev.usedMemory() / 2;
    assert.equal(ev.evict(limit, (i) => from[i]!++), true);
    assert.ok(ev.usedMemory() <= limit);
    assert.ok(from.every((c) => c > 100), String(from));
  });

  it("refuses bad options", () => {
    assert.throws(() => new Evictor([], { policy: "allkeys-lru", samples: 0 }), RangeError);
    assert.throws(() => new Evictor([], { policy: "allkeys-lfu", lfuDecayTime: -1 }), RangeError);
  });
});
