// The store's frozen records for the encoder (hashes and sets copied as
// binary-string arrays and written with charCodeAt) and the pre-sizing bulk
// loader: both must give exactly what the Entry paths give.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, hex, utf8 } from "../_helpers.ts";
import { hashBytes, KeyIndex } from "../../src/store/_index.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { indexOf } from "../../src/store/internals.ts";
import { MAX_HINT_KEYS, SAMPLE, StoreLoader } from "../../src/store/loader.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import type { Entry } from "../../src/codec/types.ts";

const NOW = 1767225600000;
const FAR = NOW + 1e12;

/** Hashes and sets with every byte value in fields, an empty field, a 300-byte field. */
function collections(): Store {
  const s = new Store({ now: () => NOW });
  const fields: Array<[Uint8Array, Uint8Array]> = [];
  for (let b = 0; b < 256; b++) fields.push([new Uint8Array([b, 255 - b]), new Uint8Array([b])]);
  fields.push([new Uint8Array(0), utf8("empty field")]);
  fields.push([new Uint8Array(300).fill(0x9f), new Uint8Array(200).fill(1)]);
  s.put({ key: utf8("h"), value: { type: "hash", value: fields }, deadline: FAR });
  s.put({ key: utf8("h0"), value: { type: "hash", value: [] }, deadline: null });
  s.put({
    key: new Uint8Array([0x80, 0]),
    value: { type: "set", value: fields.map(([f]) => f) },
    deadline: null,
  });
  s.put({ key: utf8("str"), value: { type: "string", value: utf8("v") }, deadline: null });
  s.put({ key: utf8("l"), value: { type: "list", value: [utf8("x")] }, deadline: FAR });
  return s;
}

describe("frozen records: hashes and sets", () => {
  it("encode byte-identically to the entry path, across chunk boundaries", () => {
    const s = collections();
    for (const chunkSize of [64, 97, 1 << 20]) {
      const viaEntries = concat(
        encodeSnapshotChunks(Array.from(s.entries()), { now: NOW, chunkSize }),
      );
      const viaCursor = concat(encodeSnapshotChunks(s.entries(), { now: NOW, chunkSize }));
      assert.deepEqual(viaCursor, viaEntries, `chunkSize ${chunkSize}`);
    }
  });

  it("are copied at the call: later HSET/HDEL/SADD do not show", () => {
    const s = collections();
    const expected = encodeSnapshot(s);
    const frozen = freezeEntries(s.entries());
    applyCommand(s, [utf8("HSET"), utf8("h"), utf8("new"), utf8("x")]);
    applyCommand(s, [utf8("HDEL"), utf8("h"), new Uint8Array([1, 254])]);
    applyCommand(s, [utf8("SADD"), new Uint8Array([0x80, 0]), utf8("new")]);
    assert.deepEqual(concat(encodeSnapshotChunks(frozen, { now: NOW })), expected);
  });

  it("iterate as the same entries (fresh copies), once", () => {
    const s = collections();
    const want = Array.from(s.entries());
    const frozen = freezeEntries(s.entries());
    const got: Entry[] = [...frozen];
    assert.deepEqual(got, want);
    assert.throws(() => [...frozen], TypeError);
  });

  it("report which types they hold without being consumed", () => {
    const frozen = freezeEntries(collections().entries());
    assert.deepEqual(
      (["string", "hash", "list", "set", "zset", "stream"] as const).map((t) => frozen.has(t)),
      [true, true, true, true, false, false],
    );
    assert.equal([...frozen].length, 5);
    const strings = new Store();
    strings.setString(utf8("k"), utf8("v"));
    assert.equal(freezeEntries(strings.entries()).has("string"), true);
    assert.equal(freezeEntries(strings.entries()).has("hash"), false);
    assert.equal(freezeEntries(new Store().entries()).has("string"), false);
    assert.equal(freezeEntries(want()).has("list"), true);
    function want(): Entry[] {
      return [{ key: utf8("a"), value: { type: "list", value: [] }, deadline: null }];
    }
  });
});

describe("index pre-sizing", () => {
  it("reserve grows slots, columns and arena once; entries and holes survive", () => {
    const ix = new KeyIndex();
    const k = (i: number) => utf8(`k${i}`);
    for (let i = 0; i < 10; i++) {
      const b = k(i);
      ix.find(b, 0, b.length, hashBytes(b, 0, b.length));
      const ei = ix.insert(b, 0, b.length, hashBytes(b, 0, b.length));
      ix.setStr(ei, b, 0, b.length);
    }
    const b3 = k(3);
    ix.remove(ix.find(b3, 0, b3.length, hashBytes(b3, 0, b3.length)));
    ix.reserve(5000, 60_000); // 4990 keys and values of 3..5 bytes: < 50 kB
    assert.ok(ix.cap >= 5009);
    assert.ok(ix.arena.length >= ix.used + 60_000);
    const slots = ix.slots, arena = ix.arena;
    for (let i = 10; i < 5000; i++) {
      const b = k(i);
      ix.find(b, 0, b.length, hashBytes(b, 0, b.length));
      const ei = ix.insert(b, 0, b.length, hashBytes(b, 0, b.length));
      ix.setStr(ei, b, 0, b.length);
    }
    assert.ok(ix.slots === slots, "no rebuild after the reserve");
    assert.ok(ix.arena === arena, "no arena growth after the reserve");
    for (let i = 0; i < 5000; i++) {
      const b = k(i);
      const ei = ix.find(b, 0, b.length, hashBytes(b, 0, b.length));
      if (i === 3) assert.equal(ei, -1);
      else assert.equal(hex(ix.str(ei)), hex(b));
    }
    const cap = ix.cap;
    ix.reserve(1, 1); // never shrinks
    assert.equal(ix.cap, cap);
  });

  it("the loader reserves from the first SAMPLE records and the total size", () => {
    const s = new Store({ now: () => NOW });
    const l = new StoreLoader(s, 9 + 40 * 100_000);
    const buf = utf8("k".repeat(14) + "v".repeat(16)); // 30 bytes + 10 of record head = 40
    for (let i = 0; i < SAMPLE; i++) {
      const key = utf8(String(i).padStart(14, "0"));
      buf.set(key, 0);
      l.onString(buf, 0, 14, 14, 16, null, 9 + 40 * i);
    }
    assert.equal(l.count, SAMPLE);
    assert.equal(s.dbsize(), SAMPLE);
    const ix = indexOf(s);
    assert.ok(ix.cap >= 100_000, `cap ${ix.cap}`);
    assert.ok(ix.cap < 4 * 100_000, `cap ${ix.cap}`);
    assert.ok(ix.arena.length >= 30 * 100_000 * 0.99, `arena ${ix.arena.length}`);
    assert.ok(ix.arena.length <= 40 * 100_000, `arena ${ix.arena.length}`);
  });

  it("the loader's hint is capped (keys) and bounded by the bytes left (arena)", () => {
    const s = new Store({ now: () => NOW });
    const l = new StoreLoader(s, 9 + 20 * 5_000_000);
    for (let i = 0; i < SAMPLE; i++) {
      l.put({ key: utf8(`k${i}`), value: { type: "list", value: [] }, deadline: null }, 9 + 20 * i);
    }
    const ix = indexOf(s);
    assert.ok(ix.cap >= MAX_HINT_KEYS && ix.cap < 2 * MAX_HINT_KEYS + SAMPLE, `cap ${ix.cap}`);
    assert.ok(ix.arena.length < 1e8 / 2, "arena hint from key bytes only");
    const tiny = new Store();
    const t = new StoreLoader(tiny, 100); // fewer records than SAMPLE: no hint
    t.onString(utf8("kv"), 0, 1, 1, 1, null, 9);
    assert.equal(indexOf(tiny).cap, new KeyIndex().cap);
  });

  it("decodeSnapshot (fresh and given store) loads the same keyspace with hints", () => {
    const a = new Store({ now: () => NOW });
    for (let i = 0; i < 3000; i++) {
      a.setString(utf8(`key:${i}`), utf8(`value:${i}`.repeat(1 + (i % 3))));
      if (i % 4 === 0) a.setDeadline(utf8(`key:${i}`), FAR + i);
    }
    a.put({
      key: utf8("h"),
      value: { type: "hash", value: [[utf8("f"), utf8("v")]] },
      deadline: null,
    });
    const image = encodeSnapshot(a);
    const fresh = decodeSnapshot(image, { now: NOW });
    const given = new Store({ now: () => NOW });
    given.setString(utf8("other"), utf8("kept"));
    decodeSnapshot(image, { now: NOW, store: given });
    assert.deepEqual(Array.from(fresh.entries()), Array.from(a.entries()));
    assert.deepEqual(Array.from(given.entries()).slice(1), Array.from(a.entries()));
    assert.equal(given.dbsize(), 3002);
  });
});
