import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hex, utf8 } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import type { Entry } from "../../src/codec/types.ts";

function clock(start = 1_000_000): { now: () => number; set(t: number): void } {
  let t = start;
  return { now: () => t, set: (x) => void (t = x) };
}

const str = (key: string, value: string, deadline: number | null = null): Entry => ({
  key: utf8(key),
  value: { type: "string", value: utf8(value) },
  deadline,
});

describe("Store basics", () => {
  it("put/getEntry/type/has/delete round-trip a string", () => {
    const s = new Store({ now: () => 0 });
    s.put(str("k", "v"));
    assert.equal(s.has(utf8("k")), true);
    assert.equal(s.type(utf8("k")), "string");
    assert.deepEqual(s.getEntry(utf8("k")), str("k", "v"));
    assert.equal(s.dbsize(), 1);
    assert.equal(s.delete(utf8("k")), true);
    assert.equal(s.delete(utf8("k")), false);
    assert.equal(s.getEntry(utf8("k")), null);
    assert.equal(s.type(utf8("k")), null);
  });

  it("put replaces the value and the deadline", () => {
    const s = new Store({ now: () => 0 });
    s.put(str("k", "a", 500));
    s.put(str("k", "b"));
    assert.deepEqual(s.getEntry(utf8("k")), str("k", "b"));
    assert.equal(s.deadline(utf8("k")), null);
  });

  it("put with a deadline <= now does not store (and removes an old value)", () => {
    const s = new Store({ now: () => 100 });
    s.put(str("k", "a"));
    s.put(str("k", "b", 100));
    assert.equal(s.has(utf8("k")), false);
    assert.equal(s.dbsize(), 0);
  });

  it("keeps every collection type in the neutral layout, zset ordered", () => {
    const s = new Store({ now: () => 0 });
    const b = (x: number) => new Uint8Array([x]);
    s.put({ key: b(1), value: { type: "hash", value: [[b(2), b(3)]] }, deadline: null });
    s.put({ key: b(2), value: { type: "list", value: [b(5), b(4)] }, deadline: null });
    s.put({ key: b(3), value: { type: "set", value: [b(9), b(8)] }, deadline: null });
    s.put({
      key: b(4),
      value: { type: "zset", value: [[b(1), 2], [b(2), -0], [b(0), 2]] },
      deadline: 7,
    });
    assert.deepEqual(s.getEntry(b(1))!.value, { type: "hash", value: [[b(2), b(3)]] });
    assert.deepEqual(s.getEntry(b(2))!.value, { type: "list", value: [b(5), b(4)] });
    assert.deepEqual(s.getEntry(b(3))!.value, { type: "set", value: [b(9), b(8)] });
    assert.deepEqual(s.getEntry(b(4)), {
      key: b(4),
      value: { type: "zset", value: [[b(2), -0], [b(0), 2], [b(1), 2]] },
      deadline: 7,
    });
    assert.deepEqual([...s.keys()].map(hex), ["01", "02", "03", "04"]);
    assert.equal([...s.entries()].length, 4);
  });

  it("keeps empty collections given to put (kevy's loader accepts them)", () => {
    const s = new Store({ now: () => 0 });
    s.put({ key: utf8("h"), value: { type: "hash", value: [] }, deadline: null });
    assert.equal(s.type(utf8("h")), "hash");
  });

  it("keeps NaN zset scores (kevy 1.17 files hold them)", () => {
    const s = new Store({ now: () => 0 });
    s.put({
      key: utf8("z"),
      value: { type: "zset", value: [[utf8("m"), NaN], [utf8("n"), 1]] },
      deadline: null,
    });
    const e = s.getEntry(utf8("z"))!;
    assert.equal(e.value.type, "zset");
    assert.deepEqual(e.value.value.map(([m, sc]) => [new TextDecoder().decode(m), sc]), [
      ["n", 1],
      ["m", NaN],
    ]);
  });

  it("clear removes everything", () => {
    const s = new Store({ now: () => 0 });
    s.put(str("a", "1", 50));
    s.put(str("b", "2"));
    s.clear();
    assert.equal(s.dbsize(), 0);
    assert.equal(s.activeExpire(), 0);
  });
});

describe("Store binary keys", () => {
  it("every byte value 0x00..0xff is a distinct, byte-exact key", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 256; i++) {
      s.put({
        key: new Uint8Array([i]),
        value: { type: "string", value: new Uint8Array([255 - i]) },
        deadline: null,
      });
    }
    assert.equal(s.dbsize(), 256);
    for (let i = 0; i < 256; i++) {
      const e = s.getEntry(new Uint8Array([i]))!;
      assert.deepEqual(e.key, new Uint8Array([i]));
      assert.deepEqual(e.value, { type: "string", value: new Uint8Array([255 - i]) });
    }
  });

  it("a key holding all 256 bytes (and a long one) round-trips", () => {
    const s = new Store({ now: () => 0 });
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const long = Uint8Array.from({ length: 20000 }, (_, i) => (i * 7) & 255);
    s.put({ key: all, value: { type: "string", value: all }, deadline: null });
    s.put({ key: long, value: { type: "string", value: new Uint8Array() }, deadline: null });
    assert.deepEqual([...s.keys()], [all, long]);
    assert.equal(s.has(all.slice(0, 255)), false);
    assert.equal(s.has(long.slice()), true);
  });

  it("the empty key is a key", () => {
    const s = new Store({ now: () => 0 });
    s.put(str("", "x"));
    assert.equal(s.has(new Uint8Array()), true);
  });
});

describe("Store expiry", () => {
  it("expires lazily at the deadline (deadline <= now is expired)", () => {
    const c = clock(1000);
    const s = new Store({ now: c.now });
    s.put(str("k", "v", 2000));
    assert.equal(s.deadline(utf8("k")), 2000);
    c.set(1999);
    assert.equal(s.has(utf8("k")), true);
    c.set(2000);
    assert.equal(s.has(utf8("k")), false);
    assert.equal(s.getEntry(utf8("k")), null);
    assert.equal(s.deadline(utf8("k")), null);
  });

  it("dbsize, keys and entries skip expired keys", () => {
    const c = clock(0);
    const s = new Store({ now: c.now });
    s.put(str("a", "1", 10));
    s.put(str("b", "2"));
    c.set(10);
    assert.equal(s.dbsize(), 1);
    assert.deepEqual([...s.keys()].map(hex), ["62"]);
    assert.deepEqual([...s.entries()].map((e) => hex(e.key)), ["62"]);
  });

  it("setDeadline sets, removes, deletes when <= now, and reports missing keys", () => {
    const s = new Store({ now: () => 100 });
    s.put(str("k", "v"));
    assert.equal(s.setDeadline(utf8("k"), 500), true);
    assert.equal(s.deadline(utf8("k")), 500);
    assert.equal(s.setDeadline(utf8("k"), null), true);
    assert.equal(s.deadline(utf8("k")), null);
    assert.equal(s.setDeadline(utf8("k"), 100), true);
    assert.equal(s.has(utf8("k")), false);
    assert.equal(s.setDeadline(utf8("nope"), 500), false);
  });

  it("activeExpire removes expired keys incrementally, round-robin", () => {
    const c = clock(0);
    const s = new Store({ now: c.now });
    for (let i = 0; i < 50; i++) s.put(str(`k${i}`, "v", i < 30 ? 10 : 1000));
    s.put(str("forever", "v"));
    c.set(10);
    let removed = 0;
    const steps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = s.activeExpire(10);
      steps.push(r);
      removed += r;
    }
    assert.ok(steps[0]! <= 10);
    assert.equal(removed, 30);
    assert.equal(s.dbsize(), 21);
    assert.equal(s.activeExpire(10), 0);
  });
});

describe("Store scan", () => {
  function fullScan(
    s: Store,
    count: number,
    match?: string,
    between?: (i: number) => void,
  ): string[] {
    const seen: string[] = [];
    let cursor = 0;
    let i = 0;
    do {
      const [next, keys] = s.scan(cursor, count, match);
      seen.push(...keys.map(hex));
      cursor = next;
      between?.(i++);
    } while (cursor !== 0);
    return seen;
  }

  it("a full scan returns every key once", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 100; i++) s.put(str(`k${i}`, "v"));
    const seen = fullScan(s, 7);
    assert.equal(seen.length, 100);
    assert.equal(new Set(seen).size, 100);
  });

  it("keys that exist throughout are returned despite concurrent deletes and inserts", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 100; i++) s.put(str(`k${i}`, "v"));
    const seen = new Set(fullScan(s, 5, undefined, (i) => {
      s.delete(utf8(`k${i * 2}`)); // delete some, possibly already visited
      s.put(str(`new${i}`, "v"));
    }));
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 1 || i >= 80) assert.ok(seen.has(hex(utf8(`k${i}`))), `k${i}`);
    }
  });

  it("filters with a glob and skips expired keys", () => {
    const c = clock(0);
    const s = new Store({ now: c.now });
    s.put(str("user:1", "v"));
    s.put(str("user:2", "v", 5));
    s.put(str("other", "v"));
    s.put(str("user:x", "v"));
    c.set(5);
    assert.deepEqual(fullScan(s, 100, "user:[0-9]").map((h) => h), [hex(utf8("user:1"))]);
    assert.deepEqual(fullScan(s, 1, "*").length, 3);
  });

  it("an unknown cursor resumes by position", () => {
    const s = new Store({ now: () => 0 });
    for (let i = 0; i < 10; i++) s.put(str(`k${i}`, "v"));
    const [c1] = s.scan(0, 4);
    // A different Store has never seen c1: falls back to position 4.
    const t = new Store({ now: () => 0 });
    for (let i = 0; i < 10; i++) t.put(str(`k${i}`, "v"));
    const [, keys] = t.scan(c1, 100);
    assert.equal(keys.length, 6);
  });
});
