import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hex, utf8 } from "../_helpers.ts";
import { hashBytes, HOLE, KeyIndex, MIN_DEAD } from "../../src/store/_index.ts";
import { Store } from "../../src/store/store.ts";

function has(ix: KeyIndex, k: Uint8Array): number {
  return ix.find(k, 0, k.length, hashBytes(k, 0, k.length));
}

function add(ix: KeyIndex, k: Uint8Array, v: Uint8Array): number {
  let ei = has(ix, k);
  if (ei < 0) ei = ix.insert(k, 0, k.length, hashBytes(k, 0, k.length));
  ix.setStr(ei, v, 0, v.length);
  return ei;
}

/** Linear-probing invariant: no empty slot between an entry's home slot and its slot. */
function checkProbeRuns(ix: KeyIndex): void {
  const size = ix.mask + 1;
  let occupied = 0;
  for (let s = 0; s < size; s++) {
    const e = ix.slots[2 * s]!;
    if (e === 0) continue;
    occupied++;
    assert.notEqual(ix.kind[e - 1], HOLE, "slot points at a hole");
    for (let p = ix.slots[2 * s + 1]! & ix.mask; p !== s; p = (p + 1) & ix.mask) {
      assert.notEqual(ix.slots[2 * p], 0, `gap in the probe run of slot ${s}`);
    }
  }
  assert.equal(occupied, ix.live);
}

describe("KeyIndex", () => {
  it("grows past many doublings and finds every key", () => {
    const ix = new KeyIndex();
    for (let i = 0; i < 5000; i++) add(ix, utf8(`k${i}`), utf8(`v${i}`));
    assert.equal(ix.live, 5000);
    assert.ok(ix.mask + 1 >= 5000 / 0.75);
    for (let i = 0; i < 5000; i++) {
      const ei = has(ix, utf8(`k${i}`));
      assert.ok(ei >= 0);
      assert.deepEqual(ix.str(ei), utf8(`v${i}`));
    }
    assert.equal(has(ix, utf8("k5000")), -1);
    checkProbeRuns(ix);
  });

  it("backward-shift deletion keeps colliding probe runs intact", () => {
    const ix = new KeyIndex();
    // Keys whose hashes share their low bits: one long probe run in a small table.
    const keys: Uint8Array[] = [];
    for (let i = 0; keys.length < 10; i++) {
      const k = utf8(`c${i}`);
      if ((hashBytes(k, 0, k.length) & 15) === 3) keys.push(k);
    }
    for (const k of keys) add(ix, k, k);
    checkProbeRuns(ix);
    for (const i of [0, 4, 9, 1]) {
      const ei = has(ix, keys[i]!);
      ix.remove(ei);
      checkProbeRuns(ix);
    }
    keys.forEach((k, i) => assert.equal(has(ix, k) >= 0, ![0, 4, 9, 1].includes(i), `key ${i}`));
  });

  it("compacts holes away and cursors follow the renumbering", () => {
    const ix = new KeyIndex();
    for (let i = 0; i < 1000; i++) add(ix, utf8(`k${i}`), utf8("v"));
    const c = ix.cursor();
    const seen: number[] = [];
    const epoch = ix.epoch;
    for (let ei = ix.advance(c); ei >= 0; ei = ix.advance(c)) {
      const k = new TextDecoder().decode(ix.key(ei));
      seen.push(Number(k.slice(1)));
      // Delete everything after the first 10 keys once we reach key 10: forces compaction.
      if (seen.length === 10) {
        for (let i = 10; i < 1000; i++) if (i % 100 !== 0) ix.remove(has(ix, utf8(`k${i}`)));
      }
    }
    assert.notEqual(ix.epoch, epoch, "a rebuild renumbered the entries");
    assert.ok(ix.n < 100, `holes were compacted away: ${ix.n} entries`);
    assert.deepEqual(seen, [
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      100,
      200,
      300,
      400,
      500,
      600,
      700,
      800,
      900,
    ]);
    checkProbeRuns(ix);
  });

  it("compacts the arena once dead bytes exceed live ones; old views stay unchanged", () => {
    const ix = new KeyIndex();
    const k = utf8("key");
    add(ix, k, utf8("first"));
    const first = ix.str(has(ix, k));
    let compactions = 0;
    for (let i = 0; i < 5000; i++) {
      const before = ix.dead;
      add(ix, k, utf8(`value-${i}`));
      if (ix.dead < before) compactions++;
      assert.ok(ix.dead <= Math.max(MIN_DEAD, ix.used) + 16);
    }
    assert.ok(compactions > 0);
    assert.ok(ix.arena.length < 64 * 1024, `arena stays small: ${ix.arena.length}`);
    assert.deepEqual(first, utf8("first"));
    assert.deepEqual(ix.str(has(ix, k)), utf8("value-4999"));
  });

  it("keeps the TTL list in step with deletions and renumbering", () => {
    const ix = new KeyIndex();
    for (let i = 0; i < 200; i++) {
      const ei = add(ix, utf8(`k${i}`), utf8("v"));
      if (i % 3 === 0) ix.setDeadline(ei, 1000 + i);
    }
    for (let i = 0; i < 200; i += 2) ix.remove(has(ix, utf8(`k${i}`))); // forces a rebuild
    const expected = new Map<string, number>();
    for (let i = 1; i < 200; i += 2) if (i % 3 === 0) expected.set(`k${i}`, 1000 + i);
    assert.equal(ix.ttlCount, expected.size);
    for (let p = 0; p < ix.ttlCount; p++) {
      const ei = ix.ttl[p]!;
      assert.equal(ix.tpos![ei], p);
      const k = new TextDecoder().decode(ix.key(ei));
      assert.equal(ix.deadline(ei), expected.get(k), k);
    }
    ix.clearDeadline(has(ix, utf8("k3")));
    assert.equal(ix.ttlCount, expected.size - 1);
    assert.ok(Number.isNaN(ix.deadline(has(ix, utf8("k3")))));
  });
});

describe("Store on the index", () => {
  it("holds every single-byte key, the empty key and binary values byte-exactly", () => {
    const s = new Store({ now: () => 0 });
    for (let b = 0; b < 256; b++) s.setValue(new Uint8Array([b]), new Uint8Array([b, 255 - b]));
    s.setValue(new Uint8Array(0), new Uint8Array(0));
    for (let b = 0; b < 256; b++) s.setValue(new Uint8Array([b, b]), new Uint8Array([b]));
    assert.equal(s.dbsize(), 513);
    for (let b = 0; b < 256; b++) {
      assert.deepEqual(s.lookup(new Uint8Array([b])), new Uint8Array([b, 255 - b]));
      assert.deepEqual(s.lookup(new Uint8Array([b, b])), new Uint8Array([b]));
    }
    assert.deepEqual(s.lookup(new Uint8Array(0)), new Uint8Array(0));
    const keys = [...s.keys()].map(hex);
    assert.equal(new Set(keys).size, 513);
    assert.ok(keys.includes(""));
  });

  it("a string returned by lookup never changes, whatever is written later", () => {
    const s = new Store({ now: () => 0 });
    const k = utf8("k");
    s.setValue(k, utf8("old"));
    const v = s.lookup(k) as Uint8Array;
    for (let i = 0; i < 3000; i++) s.setValue(utf8(`x${i}`), utf8(`${i}`.repeat(10)));
    for (let i = 0; i < 3000; i++) s.setValue(k, utf8(`new${i}`));
    for (let i = 0; i < 3000; i++) s.delete(utf8(`x${i}`));
    assert.deepEqual(v, utf8("old"));
    assert.deepEqual(s.lookup(k), utf8("new2999"));
  });

  it("keeps large strings by reference and small ones as copies", () => {
    const s = new Store({ now: () => 0 });
    const big = new Uint8Array(70_000).fill(7);
    s.setValue(utf8("big"), big);
    assert.equal(s.lookup(utf8("big")), big);
    const small = utf8("abc");
    s.setString(utf8("small"), small);
    small[0] = 0; // the caller reuses its buffer
    assert.deepEqual(s.lookup(utf8("small")), utf8("abc"));
    s.putString(big, 0, 3, big, 0, big.length, null);
    assert.deepEqual(s.lookup(big.subarray(0, 3)), big);
  });

  it("a scan survives mass deletion (entry renumbering) and returns survivors once", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 1000; i++) s.setValue(utf8(`k${i}`), utf8("v"));
    const seen: string[] = [];
    let cursor = 0;
    let round = 0;
    do {
      const [next, keys] = s.scan(cursor, 50);
      seen.push(...keys.map((k) => new TextDecoder().decode(k)));
      if (round++ === 2) {
        for (let i = 0; i < 1000; i++) {
          if (i % 10 !== 0) s.delete(utf8(`k${i}`));
        }
      }
      cursor = next;
    } while (cursor !== 0);
    for (let i = 0; i < 1000; i += 10) {
      assert.equal(seen.filter((k) => k === `k${i}`).length, 1, `k${i}`);
    }
    assert.equal(new Set(seen).size, seen.length);
  });

  it("entries() keeps iterating correctly while the loop deletes keys", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 500; i++) s.setValue(utf8(`k${i}`), utf8(`${i}`));
    const seen: string[] = [];
    for (const e of s.entries()) {
      const k = new TextDecoder().decode(e.key);
      seen.push(k);
      s.delete(e.key);
    }
    assert.equal(seen.length, 500);
    assert.equal(new Set(seen).size, 500);
    assert.equal(s.dbsize(), 0);
  });

  it("active expiry keeps working after the TTL entries were renumbered", () => {
    let t = 0;
    const s = new Store({ now: () => t });
    for (let i = 0; i < 300; i++) {
      s.setValue(utf8(`k${i}`), utf8("v"));
      if (i % 2 === 0) s.setDeadline(utf8(`k${i}`), 100);
    }
    for (let i = 1; i < 300; i += 4) s.delete(utf8(`k${i}`));
    for (let i = 3; i < 300; i += 4) s.delete(utf8(`k${i}`)); // all odd keys gone: rebuild
    t = 100;
    let removed = 0;
    for (let i = 0; i < 20; i++) removed += s.activeExpire(20);
    assert.equal(removed, 150);
    assert.equal(s.dbsize(), 0);
  });
});
