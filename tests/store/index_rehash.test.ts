// The index's slot table grows without a stall: a table twice the size takes
// over and the old one's slots move a few per write. At every step of such a
// rehash every key is found, nothing else is, deletes and overwrites land,
// and a snapshot view taken mid-rehash is the point in time it was taken at.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, utf8 } from "../_helpers.ts";
import { hashBytes, HOLE, KeyIndex } from "../../src/store/_index.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { encodeSnapshot } from "../../src/store/snapshot.ts";
import { indexOf } from "../../src/store/internals.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";

function has(ix: KeyIndex, k: Uint8Array): number {
  return ix.find(k, 0, k.length, hashBytes(k, 0, k.length));
}

function put(ix: KeyIndex, k: Uint8Array, v: Uint8Array): number {
  let ei = has(ix, k);
  if (ei < 0) ei = ix.insert(k, 0, k.length, hashBytes(k, 0, k.length));
  ix.setStr(ei, v, 0, v.length);
  return ei;
}

function del(ix: KeyIndex, k: Uint8Array): boolean {
  const ei = has(ix, k);
  if (ei < 0) return false;
  ix.remove(ei);
  return true;
}

/** Whether slot `s` of a table lies in the probe run of hash `h` (no empty slot from its home). */
function reachable(t: Int32Array, mask: number, s: number, h: number): boolean {
  for (let p = h & mask; p !== s; p = (p + 1) & mask) if (t[2 * p] === 0) return false;
  return true;
}

/**
 * Every live entry is in exactly one place a lookup looks: the new table, or
 * the old table's part not moved yet (and reachable there); no slot points at
 * a hole.
 */
function checkTables(ix: KeyIndex): void {
  const where = new Map<number, string>();
  const note = (ei: number, at: string) => {
    assert.equal(where.get(ei), undefined, `entry ${ei} at ${where.get(ei)} and ${at}`);
    where.set(ei, at);
  };
  for (let s = 0; s <= ix.mask; s++) {
    const e = ix.slots[2 * s]!;
    if (e === 0) continue;
    assert.notEqual(ix.kind[e - 1], HOLE, `new slot ${s} points at a hole`);
    assert.ok(reachable(ix.slots, ix.mask, s, ix.slots[2 * s + 1]!), `new slot ${s} unreachable`);
    note(e - 1, `new ${s}`);
  }
  if (ix.old !== null) {
    for (let s = ix.mig; s <= ix.oldMask; s++) {
      const e = ix.old[2 * s]!;
      if (e <= 0) continue; // empty, or moved on lookup
      assert.notEqual(ix.kind[e - 1], HOLE, `old slot ${s} points at a hole`);
      assert.ok(reachable(ix.old, ix.oldMask, s, ix.old[2 * s + 1]!), `old slot ${s} unreachable`);
      note(e - 1, `old ${s}`);
    }
  }
  assert.equal(where.size, ix.live, "live entries in the tables");
}

/** Inserts `k${i}` from `from` on until a rehash is in progress; returns the next i. */
function fillUntilRehash(ix: KeyIndex, from: number): number {
  let i = from;
  while (ix.old === null) {
    put(ix, utf8(`k${i}`), utf8(`v${i}`));
    i++;
  }
  return i;
}

describe("KeyIndex: incremental rehash", () => {
  it("finds every key (and no other) after each write of a rehash", () => {
    const ix = new KeyIndex();
    let i = 0;
    for (; i < 2000; i++) put(ix, utf8(`k${i}`), utf8(`v${i}`));
    i = fillUntilRehash(ix, i);
    for (let r = 0; r < 2; r++) {
      // Several rehashes, each checked at every insert until it ends.
      let steps = 0;
      while (ix.old !== null) {
        put(ix, utf8(`k${i}`), utf8(`v${i}`));
        i++;
        steps++;
        if (r === 0 || steps % 8 === 0) checkTables(ix);
        for (let j = 0; j < i; j += 1 + (j >> 6)) {
          const ei = has(ix, utf8(`k${j}`));
          assert.ok(ei >= 0, `k${j} missing after ${steps} steps`);
          assert.deepEqual(ix.str(ei), utf8(`v${j}`));
        }
        assert.equal(has(ix, utf8(`k${i}`)), -1);
        assert.equal(has(ix, utf8("absent")), -1);
      }
      assert.ok(steps > 1, "a rehash spans several writes");
      i = fillUntilRehash(ix, i);
    }
    assert.equal(ix.live, i);
  });

  it("deletes and overwrites mid-rehash, on moved and unmoved keys", () => {
    const ix = new KeyIndex();
    const want = new Map<string, string>();
    let i = 0;
    for (; i < 3000; i++) {
      put(ix, utf8(`k${i}`), utf8(`v${i}`));
      want.set(`k${i}`, `v${i}`);
    }
    i = fillUntilRehash(ix, i);
    for (let j = 3000; j < i; j++) want.set(`k${j}`, `v${j}`);
    let w = 0;
    const gone: string[] = [];
    while (ix.old !== null) {
      // Spread over the key space: some keys already moved, most not yet.
      const victim = `k${(w * 7919) % i}`;
      if (w % 3 === 0) {
        assert.equal(del(ix, utf8(victim)), want.has(victim));
        want.delete(victim);
        gone.push(victim);
      } else {
        put(ix, utf8(victim), utf8(`over${w}`));
        want.set(victim, `over${w}`);
      }
      if (w % 2 === 0) {
        put(ix, utf8(`n${w}`), utf8(`fresh${w}`));
        want.set(`n${w}`, `fresh${w}`);
      }
      w++;
      checkTables(ix);
      for (const k of gone) {
        if (!want.has(k)) assert.equal(has(ix, utf8(k)), -1, `${k} was deleted`);
      }
    }
    assert.ok(w > 2, "the rehash spanned the writes");
    assert.equal(ix.live, want.size);
    for (const [k, v] of want) {
      const ei = has(ix, utf8(k));
      assert.ok(ei >= 0, `${k} missing`);
      assert.deepEqual(ix.str(ei), utf8(v));
    }
    for (let j = 0; j < i; j++) if (!want.has(`k${j}`)) assert.equal(has(ix, utf8(`k${j}`)), -1);
  });

  it("deleting until the table shrinks finishes the rehash first", () => {
    const ix = new KeyIndex();
    const i = fillUntilRehash(ix, 0);
    assert.notEqual(ix.old, null);
    for (let j = 0; j < i - 5; j++) assert.ok(del(ix, utf8(`k${j}`)));
    assert.equal(ix.old, null);
    checkTables(ix);
    for (let j = i - 5; j < i; j++) assert.ok(has(ix, utf8(`k${j}`)) >= 0);
    assert.equal(ix.live, 5);
  });

  it("a snapshot view taken mid-rehash is the point in time it was taken at", () => {
    const s = new Store();
    const run = (...a: string[]) => applyCommand(s, a.map(utf8));
    let i = 0;
    while (i < 5000 || indexOf(s).old === null) {
      run("SET", `k${i}`, `v${i}`);
      if (i % 5 === 0) run("HSET", `h${i}`, "f", `${i}`);
      i++;
    }
    const expected = encodeSnapshot(s);
    const chunks = encodeSnapshotChunks(freezeEntries(s.entries()), { chunkSize: 1024 });
    const got: Uint8Array[] = [];
    let rehashed = false;
    for (let step = 0; step < 100_000; step++) {
      for (let w = 0; w < 20; w++) {
        const j = (step * 20 + w) * 13 % i;
        run("SET", `k${j}`, `new${step}`);
        run("DEL", `h${j - (j % 5)}`);
        run("SET", `fresh${step}:${w}`, "x");
      }
      if (indexOf(s).old === null) rehashed = true;
      const r = chunks.next();
      if (r.done) break;
      got.push(r.value.slice());
    }
    assert.ok(rehashed, "the rehash ended while the view was read");
    assert.deepEqual(concat(got), expected);
  });
});
