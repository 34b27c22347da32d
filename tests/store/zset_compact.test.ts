// Small sorted sets are one packed byte array (Redis's listpack idea) and
// become a skip list past 128 members or a member over 64 bytes: random
// operations on a SortedSet must give exactly what the same operations give
// on the skip list alone, across the conversion thresholds.
import { OBJ_OVERHEAD, ZSET_MEMBER } from "../../src/store/_meter.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SortedSet } from "../../src/store/zset.ts";
import type { LexBound, ScoreBound } from "../../src/store/zset.ts";
import { SkipList } from "../../src/store/_skiplist.ts";
import { zsetInternals } from "../../src/store/_sorted_set.ts";
import { ZSET_COMPACT_BYTES, ZSET_COMPACT_ENTRIES } from "../../src/store/_zset_compact.ts";
import { toKey } from "../../src/store/_keys.ts";
import { rng } from "../_helpers.ts";

const SCORES = [-Infinity, -1e308, -2.5, -1, -0, 0, 5e-324, 1, 1, 2, 3.25, 1e308, Infinity];

function member(r: () => number, long: number): Uint8Array {
  // Mostly short members from a small pool (collisions matter), sometimes
  // the 64/65-byte edge, sometimes binary bytes.
  const x = r();
  if (x < long) {
    return new Uint8Array(ZSET_COMPACT_BYTES + (r() < 0.5 ? 0 : 1)).fill(97 + ((r() * 3) | 0));
  }
  const len = (r() * 4) | 0;
  const m = new Uint8Array(len + 1);
  m[0] = 97 + ((r() * 12) | 0);
  for (let i = 1; i <= len; i++) m[i] = (r() * 4) | 0 ? 97 + ((r() * 3) | 0) : (r() * 256) | 0;
  return m;
}

function score(r: () => number): number {
  return r() < 0.6 ? SCORES[(r() * SCORES.length) | 0]! : Math.round((r() * 200 - 100) * 4) / 4;
}

function bound(r: () => number): ScoreBound {
  return { value: score(r), ex: r() < 0.3 };
}

function lex(r: () => number): LexBound {
  const x = r();
  if (x < 0.15) return "-";
  if (x < 0.3) return "+";
  return { member: member(r, 0), ex: r() < 0.5 };
}

const show = (xs: Iterable<[Uint8Array, number]>) =>
  [...xs].map(([m, s]) => `${toKey(m)}=${Object.is(s, -0) ? "-0" : s}`);

/** Runs `steps` random operations on both; asserts after each. */
function race(seed: number, steps: number, opts: { grow: number; long: number }): void {
  const r = rng(seed);
  let z = new SortedSet();
  const ref = new SkipList();
  let sawCompactAbove = false;
  for (let step = 0; step < steps; step++) {
    // No growth past 160 members: the skip list is exercised near the threshold.
    const op = ref.size > 160 ? 0.6 + r() * 0.4 : r();
    const where = `seed ${seed} step ${step}`;
    if (op < opts.grow) {
      const m = member(r, opts.long), s = score(r);
      assert.equal(z.add(m, s), ref.add(m, s), where);
    } else if (op < opts.grow + 0.05) {
      const m = toKey(member(r, opts.long)), s = score(r);
      assert.equal(z.addRaw(m, s), ref.addRaw(m, s), where);
    } else if (op < 0.7) {
      const m = member(r, 0);
      assert.equal(z.delete(m), ref.delete(m), where);
    } else if (op < 0.72) {
      const m = toKey(member(r, 0));
      assert.equal(z.deleteRaw(m), ref.deleteRaw(m), where);
    } else if (op < 0.76) {
      const m = member(r, 0);
      assert.equal(z.score(m), ref.score(m), where);
      const rev = r() < 0.5;
      assert.equal(z.rank(m, rev), ref.rank(m, rev), where);
    } else if (op < 0.8) {
      const i = ((r() * (ref.size + 4)) | 0) - 2;
      assert.deepEqual(z.at(i), ref.at(i), where);
    } else if (op < 0.84) {
      const a = ((r() * (ref.size + 6)) | 0) - 3, c = ((r() * (ref.size + 6)) | 0) - 3;
      const rev = r() < 0.5;
      assert.deepEqual(show(z.rangeByRank(a, c, rev)), show(ref.rangeByRank(a, c, rev)), where);
    } else if (op < 0.9) {
      const lo = bound(r), hi = bound(r), rev = r() < 0.5;
      const off = r() < 0.5 ? 0 : (r() * 5) | 0, lim = r() < 0.5 ? -1 : (r() * 6) | 0;
      assert.deepEqual(
        show(z.rangeByScore(lo, hi, rev, off, lim)),
        show(ref.rangeByScore(lo, hi, rev, off, lim)),
        where,
      );
    } else if (op < 0.93) {
      const lo = lex(r), hi = lex(r);
      assert.deepEqual(show(z.rangeByLex(lo, hi)), show(ref.rangeByLex(lo, hi)), where);
    } else if (op < 0.95) {
      const n = (r() * 4) | 0, hi = r() < 0.5;
      assert.deepEqual(show(z.pop(n, hi)), show(ref.pop(n, hi)), where);
    } else if (op < 0.97) {
      // A clone is independent of its source, both ways.
      const c = z.clone();
      const m = member(r, 0), d = member(r, 0);
      c.add(m, 7);
      c.delete(d);
      assert.deepEqual(show(z.entries()), show(ref.entries()), `${where}: clone wrote through`);
      if (r() < 0.5) {
        z.add(member(r, 0), 0.5); // the source writes: the clone keeps its own
        z = c;
        ref.add(m, 7);
        ref.delete(d);
        // (the source's write above went to the discarded source)
      }
    } else {
      // Iterating a compact set, then writing, leaves the iterated bytes alone.
      const before = show(ref.entries());
      const wasCompact = zsetInternals.isCompact(z);
      const it = z.entries();
      const first = it.next();
      const m = member(r, 0), s = score(r);
      assert.equal(z.add(m, s), ref.add(m, s), where);
      const seen = first.done ? [] : show([first.value, ...it]);
      if (wasCompact) assert.deepEqual(seen, before, `${where}: a write changed an iteration`);
    }
    assert.equal(z.size, ref.size, where);
    let est = OBJ_OVERHEAD;
    for (const [m] of ref.rawEntries()) est += ZSET_MEMBER + m.length;
    assert.equal(z.memoryBytes, est, `${where}: the estimate is the members', in either encoding`);
    if (step % 10 === 0 || Math.abs(z.size - ZSET_COMPACT_ENTRIES) < 3) {
      assert.deepEqual(show(z.entries()), show(ref.entries()), where);
      assert.deepEqual([...z.rawEntries()], [...ref.rawEntries()], where);
    }
    if (zsetInternals.isCompact(z)) {
      assert.ok(z.size <= ZSET_COMPACT_ENTRIES, `${where}: compact with ${z.size} members`);
      if (step % 10 === 0) {
        for (const [m] of z.entries()) assert.ok(m.length <= ZSET_COMPACT_BYTES, where);
      }
    } else sawCompactAbove = true;
  }
  assert.ok(sawCompactAbove || opts.grow < 0.5, `seed ${seed}: never crossed a threshold`);
}

describe("SortedSet compact encoding", () => {
  it("small sets are compact; the 129th member or a 65-byte member converts for good", () => {
    const z = new SortedSet();
    for (let i = 0; i < ZSET_COMPACT_ENTRIES; i++) z.add(new TextEncoder().encode(`m${i}`), i);
    assert.ok(zsetInternals.isCompact(z));
    z.add(new TextEncoder().encode("m0"), -5); // re-score: no growth
    assert.ok(zsetInternals.isCompact(z));
    z.add(new TextEncoder().encode("x"), 1);
    assert.ok(!zsetInternals.isCompact(z));
    z.delete(new TextEncoder().encode("x"));
    assert.ok(!zsetInternals.isCompact(z), "no conversion back (as Redis)");
    const w = new SortedSet();
    w.add(new Uint8Array(ZSET_COMPACT_BYTES).fill(1), 1);
    assert.ok(zsetInternals.isCompact(w));
    w.add(new Uint8Array(ZSET_COMPACT_BYTES + 1).fill(1), 1);
    assert.ok(!zsetInternals.isCompact(w));
    assert.equal(w.size, 2);
  });

  it("random operations equal the skip list's, across the thresholds", () => {
    for (let seed = 1; seed <= 8; seed++) race(seed, 1200, { grow: 0.6, long: 0.004 });
  });

  it("random operations equal the skip list's while small (deletes as often as adds)", () => {
    for (let seed = 100; seed <= 110; seed++) race(seed, 800, { grow: 0.35, long: 0 });
  });

  it("fromPairs and adopt: sorted input is kept as is; unsorted, duplicates and big inputs are rebuilt", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const cases: Array<Array<[Uint8Array, number]>> = [
      [[enc("a"), 1], [enc("b"), 2]],
      [[enc("b"), 1], [enc("a"), 1]], // ties out of member order
      [[enc("a"), 0], [enc("b"), -0]], // Redis's order of 0 and -0 is not ours
      [[enc("a"), 1], [enc("a"), 3], [enc("b"), 2]], // member twice: the last score wins
      Array.from({ length: 130 }, (_, i) => [enc(`k${i}`), i] as [Uint8Array, number]),
      [[new Uint8Array(65), 1]],
      [],
    ];
    for (const pairs of cases) {
      const ref = new SkipList();
      for (const [m, s] of pairs) ref.add(m, s);
      const z = zsetInternals.fromPairs(pairs, (n) => new Uint8Array(n));
      assert.deepEqual(show(z.entries()), show(ref.entries()));
      assert.equal(z.size, ref.size);
      let est = OBJ_OVERHEAD;
      for (const [m] of ref.rawEntries()) est += ZSET_MEMBER + m.length;
      assert.equal(z.memoryBytes, est);
      // The same bytes as a snapshot payload.
      const payload: number[] = [];
      for (const [m, s] of pairs) {
        payload.push(m.length & 255, (m.length >> 8) & 255, 0, 0, ...m);
        payload.push(...new Uint8Array(new Float64Array([s]).buffer));
      }
      const a = zsetInternals.adopt(new Uint8Array(payload), pairs.length, true);
      assert.deepEqual(show(a.entries()), show(ref.entries()));
      assert.equal(a.memoryBytes, est);
      a.add(enc("zz"), 0.5); // a shared payload is copied before the write
      assert.equal(a.size, ref.size + 1);
    }
  });
});
