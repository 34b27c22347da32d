// Small lists and sets are one packed byte array (Redis's listpacks and
// intsets) and become a ring / a Set past the limits: random operations on
// a compact value must give exactly what the same operations give on the big
// encoding (and on a plain array model), across the conversion thresholds.
import { LIST_ITEM, OBJ_OVERHEAD, SET_MEMBER } from "../../src/store/_meter.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListValue, SetValue } from "../../src/store/values.ts";
import { LIST_COMPACT_BYTES, listInternals } from "../../src/store/_list_value.ts";
import {
  SET_COMPACT_BYTES,
  SET_COMPACT_ENTRIES,
  SET_COMPACT_INTS,
  setInternals,
} from "../../src/store/_set_value.ts";
import { fromKey, toKey } from "../../src/store/_keys.ts";
import { rng } from "../_helpers.ts";

const hex = (xs: Iterable<Uint8Array>) => [...xs].map(toKey);
const enc = (s: string) => new TextEncoder().encode(s);

function item(r: () => number, big: number): Uint8Array {
  const len = r() < big ? 300 + ((r() * 700) | 0) : (r() * 12) | 0;
  const x = new Uint8Array(len);
  for (let i = 0; i < len; i++) x[i] = (r() * 256) | 0;
  return x;
}

function raceList(seed: number, steps: number, big: number): boolean {
  const r = rng(seed);
  const a = new ListValue();
  const b = new ListValue();
  listInternals.toRing(b);
  const model: Uint8Array[] = [];
  let crossed = false;
  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed} step ${step}`;
    const op = model.length > 120 ? 0.35 + r() * 0.65 : r();
    if (op < 0.2) {
      const x = item(r, big);
      a.pushBack(x);
      b.pushBack(x);
      model.push(x);
    } else if (op < 0.35) {
      const x = item(r, big);
      a.pushFront(x);
      b.pushFront(x);
      model.unshift(x);
    } else if (op < 0.45) {
      const m = model.shift();
      assert.deepEqual(a.popFront(), m, where);
      assert.deepEqual(b.popFront(), m, where);
    } else if (op < 0.55) {
      const m = model.pop();
      assert.deepEqual(a.popBack(), m, where);
      assert.deepEqual(b.popBack(), m, where);
    } else if (op < 0.68) {
      for (let k = 0; k < 3; k++) {
        const i = ((r() * (model.length + 2)) | 0) - 1;
        assert.deepEqual(a.at(i), model[i], where);
        assert.deepEqual(b.at(i), model[i], where);
      }
    } else if (op < 0.75 && model.length > 0) {
      const i = (r() * model.length) | 0, x = item(r, big);
      a.set(i, x);
      b.set(i, x);
      model[i] = x;
    } else if (op < 0.85) {
      const s = ((r() * (model.length + 4)) | 0) - 2, e = ((r() * (model.length + 4)) | 0) - 2;
      const want = hex(model.slice(Math.max(0, s), Math.max(0, Math.min(model.length, e))));
      assert.deepEqual(hex(a.slice(s, e)), want, where);
      assert.deepEqual(hex(b.slice(s, e)), want, where);
    } else if (op < 0.9) {
      // LREM / LINSERT style edit.
      const keep = model.filter(() => r() < 0.8);
      if (r() < 0.5) keep.splice((r() * keep.length) | 0, 0, item(r, big));
      a.replaceAll([...keep]);
      b.replaceAll([...keep]);
      listInternals.toRing(b);
      model.splice(0, model.length, ...keep);
    } else if (op < 0.95) {
      const c = a.clone();
      c.pushBack(enc("clone"));
      c.popFront();
      assert.deepEqual(hex(a), hex(model), `${where}: the clone wrote through`);
      a.pushFront(enc("src"));
      assert.equal(a.popFront()!.length, 3);
      assert.equal(c.length, model.length, `${where}: the source wrote through`);
    } else {
      // A write during an iteration of a compact list leaves the iterated items alone.
      const wasCompact = listInternals.isCompact(a);
      const it = a[Symbol.iterator]();
      const first = it.next();
      const x = item(r, big);
      a.pushFront(x);
      b.pushFront(x);
      const seen = first.done ? [] : hex([first.value, ...it]);
      if (wasCompact) assert.deepEqual(seen, hex(model), where);
      model.unshift(x);
    }
    assert.equal(a.length, model.length, where);
    assert.equal(b.length, model.length, where);
    // The memory estimate depends on the items only, never on the encoding.
    let est = OBJ_OVERHEAD;
    for (const x of model) est += LIST_ITEM + x.length;
    assert.equal(a.memoryBytes, est, where);
    assert.equal(b.memoryBytes, est, where);
    if (step % 5 === 0) {
      assert.deepEqual(hex(a), hex(model), where);
      assert.deepEqual(hex(b), hex(model), where);
    }
    if (listInternals.isCompact(a)) {
      let bytes = 0;
      for (const x of model) bytes += 4 + x.length;
      assert.ok(bytes <= LIST_COMPACT_BYTES, `${where}: compact with ${bytes} bytes`);
    } else crossed = true;
  }
  return crossed;
}

function member(r: () => number, mode: number): Uint8Array {
  const x = r();
  if (x < mode) return enc(String(((r() * 1200) | 0) - 600)); // integers (intset)
  if (x < mode + 0.01) return new Uint8Array(SET_COMPACT_BYTES + (r() < 0.5 ? 0 : 1)).fill(7);
  if (x < mode + 0.03) {
    return enc(["007", "-0", "+5", "9223372036854775808", "1.5", ""][(r() * 6) | 0]!);
  }
  return enc(`m${(r() * 300) | 0}`);
}

function raceSet(seed: number, steps: number, ints: number): boolean {
  const r = rng(seed);
  const a = new SetValue();
  const b = new SetValue();
  void b.raw; // the Set encoding for good
  const model = new Set<string>();
  let crossed = false;
  for (let step = 0; step < steps; step++) {
    const where = `seed ${seed} step ${step}`;
    const op = model.size > 600 ? 0.4 + r() * 0.6 : r();
    if (op < 0.4) {
      const m = member(r, ints);
      const want = !model.has(toKey(m));
      model.add(toKey(m));
      assert.equal(a.add(m), want, where);
      assert.equal(b.add(m), want, where);
    } else if (op < 0.45) {
      const k = toKey(member(r, ints));
      const want = !model.has(k);
      model.add(k);
      assert.equal(a.addRaw(k), want, where);
      assert.equal(b.addRaw(k), want, where);
    } else if (op < 0.6) {
      const m = member(r, ints);
      const want = model.delete(toKey(m));
      assert.equal(a.delete(m), want, where);
      assert.equal(b.delete(m), want, where);
    } else if (op < 0.65) {
      const k = toKey(member(r, ints));
      const want = model.delete(k);
      assert.equal(a.deleteRaw(k), want, where);
      assert.equal(b.deleteRaw(k), want, where);
    } else if (op < 0.85) {
      const m = member(r, ints);
      assert.equal(a.has(m), model.has(toKey(m)), where);
      assert.equal(b.hasRaw(toKey(m)), model.has(toKey(m)), where);
      assert.equal(a.hasRaw(toKey(m)), model.has(toKey(m)), where);
    } else if (op < 0.92) {
      const c = a.clone();
      c.add(enc("clone-only"));
      c.delete(fromKey([...model][0] ?? "x"));
      assert.deepEqual(hex(a.members()), [...model], `${where}: the clone wrote through`);
      a.add(enc("src-only"));
      a.delete(enc("src-only"));
      assert.ok(!c.has(enc("src-only")), where);
    } else {
      const it = a.rawMembers();
      const first = it.next();
      const m = member(r, ints);
      const want = !model.has(toKey(m));
      const before = [...model];
      assert.equal(a.add(m), want, where);
      assert.equal(b.add(m), want, where);
      model.add(toKey(m));
      const seen = first.done ? [] : [first.value, ...it];
      if (setInternals.isCompact(a) || !want) {
        assert.deepEqual(seen.slice(0, before.length), before, where);
      }
    }
    assert.equal(a.size, model.size, where);
    assert.equal(b.size, model.size, where);
    let est = OBJ_OVERHEAD;
    for (const k of model) est += SET_MEMBER + k.length;
    assert.equal(a.memoryBytes, est, where);
    assert.equal(b.memoryBytes, est, where);
    if (step % 5 === 0) {
      // Insertion order is kept by both encodings.
      assert.deepEqual(hex(a.members()), [...model], where);
      assert.deepEqual([...b.rawMembers()], [...model], where);
    }
    if (setInternals.isCompact(a)) {
      const all = [...model];
      const allInts = all.every((k) =>
        /^(0|-?[1-9][0-9]{0,18})$/.test(k) && BigInt(k) <= 2n ** 63n - 1n &&
        BigInt(k) >= -(2n ** 63n)
      );
      assert.ok(
        model.size <= (allInts ? SET_COMPACT_INTS : SET_COMPACT_ENTRIES),
        `${where}: compact with ${model.size}`,
      );
      assert.ok(all.every((k) => k.length <= SET_COMPACT_BYTES), where);
    } else crossed = true;
  }
  return crossed;
}

describe("ListValue compact encoding", () => {
  it("is compact up to 8 KiB of items, then a ring for good", () => {
    const l = new ListValue();
    const x = new Uint8Array(LIST_COMPACT_BYTES / 2 - 4);
    l.pushBack(x);
    l.pushFront(x);
    assert.ok(listInternals.isCompact(l));
    l.pushBack(new Uint8Array(0));
    assert.ok(!listInternals.isCompact(l));
    l.popBack();
    assert.ok(!listInternals.isCompact(l));
    assert.equal(l.length, 2);
    const big = listInternals.fromItems(
      [new Uint8Array(LIST_COMPACT_BYTES)],
      (n) => new Uint8Array(n),
    );
    assert.ok(!listInternals.isCompact(big));
  });

  it("built whole (fromItems, adopt) counts what pushes of the same items count", () => {
    const al = (n: number) => new Uint8Array(n);
    for (
      const items of [[], [enc("a"), enc("bc")], [new Uint8Array(LIST_COMPACT_BYTES), enc("d")]]
    ) {
      const pushed = new ListValue(items);
      const payload = new Uint8Array(items.reduce((t, x) => t + 4 + x.length, 0));
      let p = 0;
      for (const x of items) {
        new DataView(payload.buffer).setUint32(p, x.length, true);
        payload.set(x, p + 4);
        p += 4 + x.length;
      }
      const built = [
        listInternals.fromItems(items, al),
        listInternals.adopt(payload, items.length, true),
      ];
      for (const l of built) assert.equal(l.memoryBytes, pushed.memoryBytes);
      assert.equal(pushed.clone().memoryBytes, pushed.memoryBytes);
      assert.equal(built[0]!.clone().memoryBytes, pushed.memoryBytes);
    }
  });

  it("random operations equal the ring's and the array model's, across 8 KiB", () => {
    let crossed = 0;
    for (let seed = 1; seed <= 6; seed++) if (raceList(seed, 800, 0.3)) crossed++;
    assert.ok(crossed >= 3, `only ${crossed} of 6 runs crossed the threshold`);
  });

  it("random operations equal the ring's while small", () => {
    for (let seed = 50; seed <= 56; seed++) raceList(seed, 600, 0);
  });
});

describe("SetValue compact encoding", () => {
  it("intsets up to 512 integers, other sets up to 128 members of 64 bytes", () => {
    const s = new SetValue();
    for (let i = 0; i < SET_COMPACT_INTS; i++) s.add(enc(String(i - 100)));
    assert.ok(setInternals.isCompact(s));
    s.add(enc("600"));
    assert.ok(!setInternals.isCompact(s), "the 513th integer");
    const t = new SetValue();
    for (let i = 0; i < SET_COMPACT_ENTRIES; i++) t.add(enc(String(i)));
    t.add(enc("x"));
    assert.ok(!setInternals.isCompact(t), "129 members, one not an integer");
    const u = new SetValue();
    for (let i = 0; i < 10; i++) u.add(enc(String(i)));
    u.add(enc("007")); // not canonical: no longer an intset, still small
    assert.ok(setInternals.isCompact(u));
    u.add(new Uint8Array(SET_COMPACT_BYTES + 1));
    assert.ok(!setInternals.isCompact(u));
    const v = new SetValue();
    v.add(enc("a"));
    void v.raw;
    assert.ok(!setInternals.isCompact(v), "reading raw converts");
  });

  it("random operations equal the Set's and the model's (intsets, mixed, across the limits)", () => {
    let crossed = 0;
    for (let seed = 1; seed <= 4; seed++) if (raceSet(seed, 1200, 0.97)) crossed++;
    for (let seed = 7; seed <= 10; seed++) if (raceSet(seed, 800, 0)) crossed++;
    for (let seed = 13; seed <= 15; seed++) raceSet(seed, 800, 0.5);
    assert.ok(crossed >= 4, `only ${crossed} runs crossed a limit`);
  });

  it("fromMembers: duplicates count once; big inputs become a Set", () => {
    const al = (n: number) => new Uint8Array(n);
    const d = setInternals.fromMembers([enc("a"), enc("b"), enc("a")], al);
    assert.deepEqual(hex(d.members()), ["a", "b"]);
    assert.equal(d.memoryBytes, OBJ_OVERHEAD + 2 * (SET_MEMBER + 1));
    const ints = setInternals.fromMembers(
      Array.from({ length: 500 }, (_, i) => enc(String(i))),
      al,
    );
    assert.ok(setInternals.isCompact(ints));
    assert.equal(ints.size, 500);
    const many = setInternals.fromMembers(Array.from({ length: 200 }, (_, i) => enc(`m${i}`)), al);
    assert.ok(!setInternals.isCompact(many));
    assert.equal(many.size, 200);
    // Compact or not, the estimate is the members' bytes and overheads.
    for (const s of [ints, many]) {
      let est = OBJ_OVERHEAD;
      for (const m of s.members()) est += SET_MEMBER + m.length;
      assert.equal(s.memoryBytes, est);
    }
  });
});
