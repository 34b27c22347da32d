// Compact values adopted where their bytes lie in a shared slab (adoptAt, no
// view made until first use): equal to the same payload adopted from a copy,
// same memory estimate, and writes never reach the slab (its neighbours).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashInternals } from "../../src/store/_hash_value.ts";
import { listInternals } from "../../src/store/_list_value.ts";
import { setInternals } from "../../src/store/_set_value.ts";
import { zsetInternals } from "../../src/store/_sorted_set.ts";
import { wrScore } from "../../src/store/_zset_compact.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Items in the snapshot payload layout (`u32le len, bytes`); a zset adds an f64le after each. */
function payload(items: string[], scores?: number[]): Uint8Array {
  const parts: number[] = [];
  items.forEach((s, i) => {
    const b = enc(s);
    parts.push(b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
    if (scores !== undefined) {
      const f = new Uint8Array(8);
      wrScore(f, 0, scores[i]!);
      parts.push(...f);
    }
  });
  return new Uint8Array(parts);
}

/** `p` placed in a slab between two guard runs; returns the slab and where `p` starts. */
function inSlab(p: Uint8Array): { slab: Uint8Array; off: number; guard: Uint8Array } {
  const slab = new Uint8Array(p.length + 64).fill(0xee);
  slab.set(p, 32);
  return { slab, off: 32, guard: slab.slice() };
}

describe("adoptAt: compact values over slab bytes", () => {
  it("hash: equals adopt of a copy; a write copies first", () => {
    const p = payload(["f1", "v1", "f2", "22", "f3", ""]);
    const { slab, off, guard } = inSlab(p);
    const h = hashInternals.adoptAt(slab, off, off + p.length, 3);
    const want = hashInternals.adopt(p.slice(), 3, true);
    assert.deepEqual([...h.entries()].map(([f, v]) => [dec(f), dec(v)]), [
      ...[...want.entries()].map(([f, v]) => [dec(f), dec(v)]),
    ]);
    assert.equal(h.memoryBytes, want.memoryBytes);
    assert.ok(hashInternals.isCompact(h));
    // Writes before any read (reads can mark the bytes shared): a delete, which could
    // shift bytes in place, then a set.
    const w = hashInternals.adoptAt(slab, off, off + p.length, 3);
    w.delete(enc("f2"));
    w.set(enc("f1"), enc("x"));
    assert.equal(dec(w.get(enc("f1"))!), "x");
    assert.equal(w.get(enc("f2")), undefined);
    assert.deepEqual(slab, guard);
  });

  it("list: equals adopt of a copy; over 8 KiB it is the ring; a write copies first", () => {
    const items = ["a", "bb", "", "12"];
    const p = payload(items);
    const { slab, off, guard } = inSlab(p);
    const l = listInternals.adoptAt(slab, off, off + p.length, items.length);
    assert.deepEqual([...l].map(dec), items);
    assert.equal(l.memoryBytes, listInternals.adopt(p.slice(), items.length, true).memoryBytes);
    const w = listInternals.adoptAt(slab, off, off + p.length, items.length);
    w.popFront();
    w.set(0, enc("z"));
    w.pushBack(enc("tail"));
    assert.deepEqual([...w].map(dec), ["z", "", "12", "tail"]);
    assert.deepEqual(slab, guard);
    const big = Array.from({ length: 40 }, (_, i) => `${i}`.repeat(300));
    const bp = payload(big);
    const bs = inSlab(bp);
    const r = listInternals.adoptAt(bs.slab, bs.off, bs.off + bp.length, big.length);
    assert.ok(!listInternals.isCompact(r));
    assert.deepEqual([...r].map(dec), big);
    assert.throws(() => listInternals.adoptAt(bs.slab, bs.off, bs.off + bp.length, 3), RangeError);
  });

  it("set: intset-like and listpack-like members compact, past the limits a Set", () => {
    for (
      const [members, compact] of [
        [["1", "-5", "300"], true],
        [["a", "b", "12"], true],
        [["x".repeat(65), "y"], false],
        [Array.from({ length: 600 }, (_, i) => String(i)), false],
      ] as Array<[string[], boolean]>
    ) {
      const p = payload(members);
      const { slab, off, guard } = inSlab(p);
      const s = setInternals.adoptAt(slab, off, off + p.length, members.length);
      assert.equal(setInternals.isCompact(s), compact);
      assert.deepEqual([...s.members()].map(dec).sort(), [...members].sort());
      const want = setInternals.adopt(p.slice(), members.length, null, true);
      assert.equal(s.memoryBytes, want.memoryBytes);
      const w = setInternals.adoptAt(slab, off, off + p.length, members.length);
      w.delete(enc(members[0]!));
      w.add(enc("new"));
      assert.ok(w.has(enc("new")) && !w.has(enc(members[0]!)));
      assert.deepEqual(slab, guard);
    }
  });

  it("zset: sorted input is kept, unsorted or oversized input is rebuilt; a write copies first", () => {
    for (
      const [members, scores] of [
        [["a", "b", "c"], [1, 2, 2]],
        [["c", "a", "b"], [3, 1, 2]], // unsorted
        [["m".repeat(70), "n"], [1, 2]], // member past the compact size
      ] as Array<[string[], number[]]>
    ) {
      const p = payload(members, scores);
      const { slab, off, guard } = inSlab(p);
      const z = zsetInternals.adoptAt(slab, off, off + p.length, members.length);
      const want = zsetInternals.adopt(p.slice(), members.length, true, true);
      const list = (x: typeof z) => [...x.entries()].map(([m, s]) => `${dec(m)}=${s}`);
      assert.deepEqual(list(z), list(want));
      assert.equal(z.memoryBytes, want.memoryBytes);
      assert.equal(zsetInternals.isCompact(z), zsetInternals.isCompact(want));
      const w = zsetInternals.adoptAt(slab, off, off + p.length, members.length);
      w.delete(enc(members[1]!));
      w.add(enc("q"), 10);
      assert.equal(w.score(enc("q")), 10);
      assert.equal(w.score(enc(members[1]!)), undefined);
      assert.deepEqual(slab, guard);
    }
  });
});
