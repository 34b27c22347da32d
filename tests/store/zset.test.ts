import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareScores, SortedSet } from "../../src/store/zset.ts";
import { compareBytes } from "../../src/store/_keys.ts";

const b = (...x: number[]) => new Uint8Array(x);

describe("compareScores", () => {
  it("is the IEEE-754 total order on non-NaN doubles", () => {
    const sorted = [
      -Infinity,
      -1e308,
      -1,
      -5e-324,
      -0,
      0,
      5e-324,
      2.2250738585072014e-308,
      1,
      1e308,
      Infinity,
    ];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        assert.equal(
          compareScores(sorted[i]!, sorted[j]!),
          Math.sign(i - j),
          `${sorted[i]} vs ${sorted[j]}`,
        );
      }
    }
  });
});

describe("SortedSet ordering", () => {
  it("orders -inf, -0, +0, subnormals, +inf and ties by member bytes", () => {
    const z = new SortedSet();
    z.add(b(1), Infinity);
    z.add(b(2), 0);
    z.add(b(3), -0);
    z.add(b(4), 5e-324);
    z.add(b(5), -Infinity);
    z.add(b(6), 1e-310); // subnormal
    z.add(b(0xff), 1);
    z.add(b(0x00, 0x00), 1);
    z.add(b(0x00), 1);
    z.add(b(0x80), 1);
    assert.deepEqual([...z.entries()], [
      [b(5), -Infinity],
      [b(3), -0],
      [b(2), 0],
      [b(4), 5e-324],
      [b(6), 1e-310],
      [b(0x00), 1],
      [b(0x00, 0x00), 1],
      [b(0x80), 1],
      [b(0xff), 1],
      [b(1), Infinity],
    ]);
    assert.equal(z.rank(b(3)), 1);
    assert.equal(z.rank(b(3), true), 8);
  });

  it("re-scoring moves a member; -0 and +0 are different scores", () => {
    const z = new SortedSet();
    assert.equal(z.add(b(1), 0), true);
    assert.equal(z.add(b(1), 0), false);
    z.add(b(2), 0);
    z.add(b(2), -0);
    assert.deepEqual([...z.entries()], [[b(2), -0], [b(1), 0]]);
  });

  it("holds a NaN score (kevy files) after +inf, outside every score range", () => {
    const z = new SortedSet();
    z.add(b(3), NaN);
    z.add(b(1), Infinity);
    z.add(b(2), 0);
    z.add(b(0), NaN);
    assert.deepEqual([...z.entries()], [[b(2), 0], [b(1), Infinity], [b(0), NaN], [b(3), NaN]]);
    assert.equal(z.add(b(3), NaN), false);
    assert.equal(z.rank(b(3)), 3);
    assert.deepEqual(
      z.rangeByScore({ value: -Infinity, ex: false }, { value: Infinity, ex: false }, false, 0, -1)
        .map(([m]) => m),
      [b(2), b(1)],
    );
    assert.equal(z.delete(b(0)), true);
    assert.equal(z.size, 3);
  });

  it("score ranges honour exclusive bounds, reverse, offset and limit", () => {
    const z = new SortedSet();
    for (let i = 0; i < 10; i++) z.add(b(i), i);
    const r = (x: Array<[Uint8Array, number]>) => x.map(([, s]) => s);
    assert.deepEqual(r(z.rangeByScore({ value: 2, ex: false }, { value: 5, ex: true })), [2, 3, 4]);
    assert.deepEqual(r(z.rangeByScore({ value: 2, ex: true }, { value: 5, ex: false }, true)), [
      5,
      4,
      3,
    ]);
    assert.deepEqual(
      r(z.rangeByScore(
        { value: -Infinity, ex: false },
        { value: Infinity, ex: false },
        false,
        3,
        2,
      )),
      [3, 4],
    );
    assert.deepEqual(r(z.rangeByScore({ value: 20, ex: false }, { value: 30, ex: false })), []);
    assert.deepEqual(z.pop(2, true).map(([, s]) => s), [9, 8]);
    assert.deepEqual(z.pop(1).map(([, s]) => s), [0]);
    assert.equal(z.size, 7);
  });

  it("lex ranges", () => {
    const z = new SortedSet();
    for (const m of ["a", "b", "c", "d"]) z.add(new TextEncoder().encode(m), 0);
    const t = (x: Array<[Uint8Array, number]>) =>
      x.map(([m]) => new TextDecoder().decode(m)).join("");
    const e = (s: string) => new TextEncoder().encode(s);
    assert.equal(t(z.rangeByLex("-", "+")), "abcd");
    assert.equal(
      t(z.rangeByLex({ member: e("b"), ex: false }, { member: e("d"), ex: true })),
      "bc",
    );
    assert.equal(t(z.rangeByLex({ member: e("b"), ex: true }, "+")), "cd");
  });
});

describe("SortedSet vs a naive model", () => {
  it("agrees on order, rank, at and rank ranges over random operations", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const scores = [-Infinity, -0, 0, 5e-324, 1, 1.5, 2, 1e300, Infinity, -2.5];
    const z = new SortedSet();
    const model = new Map<string, [Uint8Array, number]>();
    const sorted = () =>
      [...model.values()].sort((x, y) => compareScores(x[1], y[1]) || compareBytes(x[0], y[0]));
    for (let step = 0; step < 3000; step++) {
      const m = b(rnd(40), ...(rnd(2) ? [rnd(256)] : []));
      const key = Array.from(m).join(",");
      if (rnd(4) === 0) {
        assert.equal(z.delete(m), model.delete(key));
      } else {
        const s = scores[rnd(scores.length)]!;
        assert.equal(z.add(m, s), !model.has(key));
        model.set(key, [m, s]);
      }
      if (step % 100 === 99) {
        const want = sorted();
        assert.deepEqual([...z.entries()], want);
        assert.equal(z.size, want.length);
        for (let i = 0; i < want.length; i++) {
          assert.equal(z.rank(want[i]![0]), i);
          assert.equal(z.rank(want[i]![0], true), want.length - 1 - i);
          assert.deepEqual(z.at(i), want[i]);
        }
        const s = rnd(want.length + 2), e = rnd(want.length + 2);
        assert.deepEqual(z.rangeByRank(s, e), want.slice(s, e + 1));
        assert.deepEqual(z.rangeByRank(s, e, true), [...want].reverse().slice(s, e + 1));
      }
    }
  });
});

describe("SortedSet with NaN scores (kevy files)", () => {
  it("score ranges skip NaN members whatever the skip-list levels", () => {
    for (let round = 0; round < 50; round++) {
      const z = new SortedSet();
      for (let i = 0; i < 40; i++) z.add(new Uint8Array([i]), i % 7 === 0 ? NaN : i);
      const got = z.rangeByScore({ value: 3, ex: false }, { value: Infinity, ex: false })
        .map(([, s]) => s);
      const want = Array.from({ length: 40 }, (_, i) => i).filter((i) => i >= 3 && i % 7 !== 0);
      assert.deepEqual(got, want);
      const rev = z.rangeByScore({ value: -Infinity, ex: false }, { value: 10, ex: true }, true)
        .map(([, s]) => s);
      assert.deepEqual(rev, want.filter((i) => i < 10).reverse().concat([2, 1]));
    }
  });
});
