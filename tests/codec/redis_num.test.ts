// Numbers inside RDB containers: score text read as Redis's strtod reads what
// Redis writes, and integers given back as decimal text.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScore } from "../../src/codec/_redis_num.ts";
import { Slabs } from "../../src/codec/_slab.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const score = (s: string): number => {
  // Inside a larger buffer, as in a listpack.
  const b = enc(`xx${s}yy`);
  return parseScore(b, 2, b.length - 4);
};

describe("parseScore", () => {
  it("reads %.17g text, signs, exponents, -0 and the infinities", () => {
    assert.equal(score("1.5"), 1.5);
    assert.equal(score("-2"), -2);
    assert.equal(score("+4"), 4);
    assert.equal(score("1e3"), 1000);
    assert.equal(score("2.5E-3"), 0.0025);
    assert.equal(score("0.10000000000000001"), 0.1);
    assert.ok(Object.is(score("-0"), -0));
    for (const t of ["inf", "+inf", "INF", "infinity"]) assert.equal(score(t), Infinity, t);
    for (const t of ["-inf", "-Infinity"]) assert.equal(score(t), -Infinity, t);
    assert.equal(score(" 3 "), 3);
  });

  it("is NaN for text that is no number", () => {
    for (const t of ["", "nan", "-nan", "abc", "1.2.3", "e5", ".", "-", "1x"]) {
      assert.ok(Number.isNaN(score(t)), JSON.stringify(t));
    }
  });
});

describe("Slabs.int", () => {
  it("gives each integer its decimal text in a view of its own", () => {
    const s = new Slabs();
    const cases = [0, 7, 9, 10, 255, -1, -9, 123456789, Number.MAX_SAFE_INTEGER, -(2n ** 63n)];
    const views = cases.map((n) => s.int(n));
    views.forEach((v, i) => assert.equal(new TextDecoder().decode(v), String(cases[i])));
    // Later writes never change earlier views.
    for (let i = 0; i < 300_000; i++) s.int(i % 100);
    views.forEach((v, i) => assert.equal(new TextDecoder().decode(v), String(cases[i])));
  });
});
