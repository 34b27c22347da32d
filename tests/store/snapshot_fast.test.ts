// The snapshot fast paths: the encoder reading string records straight from
// the store (RECORD_CURSOR), the decoder's onString sink, and the batch that
// keeps loads into a caller's store all-or-nothing. Each must give exactly
// what the Entry path gives.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";
import { encodeSnapshotChunks, SnapshotDecoder } from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import type { Entry } from "../../src/codec/types.ts";
import { concat, utf8 } from "../_helpers.ts";

const NOW = 1767225600000;
/** Deadlines in the future for any clock (the fresh store of decodeSnapshot uses Date.now). */
const FAR = NOW + 1e12;

/** A store with every type, TTLs, binary keys, an empty string and a 70 kB string. */
function mixedStore(): Store {
  const s = new Store({ now: () => NOW });
  for (let i = 0; i < 300; i++) {
    s.put({
      key: utf8(`s${i}`),
      value: { type: "string", value: utf8(`v${i}`) },
      deadline: i % 7 === 0 ? FAR + i : null,
    });
  }
  s.put({
    key: new Uint8Array([0, 255]),
    value: { type: "string", value: new Uint8Array(0) },
    deadline: null,
  });
  s.put({
    key: utf8("big"),
    value: { type: "string", value: new Uint8Array(70_000).fill(9) },
    deadline: null,
  });
  s.put({
    key: utf8("h"),
    value: { type: "hash", value: [[utf8("f"), utf8("x")]] },
    deadline: FAR,
  });
  s.put({ key: utf8("l"), value: { type: "list", value: [utf8("a"), utf8("b")] }, deadline: null });
  s.put({ key: utf8("z"), value: { type: "zset", value: [[utf8("m"), 1.5]] }, deadline: null });
  for (let i = 0; i < 300; i += 3) s.delete(utf8(`s${i}`)); // holes in entry order
  return s;
}

describe("snapshot fast paths", () => {
  it("encodeSnapshot(store) is byte-identical to encoding the entries one by one", () => {
    const s = mixedStore();
    const viaEntries = concat(encodeSnapshotChunks(Array.from(s.entries()), { now: NOW }));
    assert.deepEqual(encodeSnapshot(s), viaEntries);
  });

  it("the encoder reads a copy taken when encoding starts", () => {
    const s = mixedStore();
    const expected = encodeSnapshot(s);
    const chunks = encodeSnapshotChunks(s.entries(), { now: NOW, chunkSize: 64 });
    const first = chunks.next();
    assert.equal(first.done, false);
    s.setValue(utf8("s1"), utf8("changed"));
    s.delete(utf8("s2"));
    s.put({ key: utf8("new"), value: { type: "string", value: utf8("n") }, deadline: null });
    (s.lookup(utf8("l")) as { pushBack(x: Uint8Array): void }).pushBack(utf8("c"));
    const rest = [...{ [Symbol.iterator]: () => chunks }];
    assert.deepEqual(concat([first.value as Uint8Array, ...rest]), expected);
  });

  it("decoding into a given store equals decoding into a fresh one", () => {
    const image = encodeSnapshot(mixedStore());
    const fresh = decodeSnapshot(image, { now: NOW });
    const target = new Store({ now: () => NOW });
    target.put({ key: utf8("s1"), value: { type: "list", value: [utf8("old")] }, deadline: null });
    target.put({ key: utf8("keep"), value: { type: "string", value: utf8("k") }, deadline: null });
    decodeSnapshot(image, { now: NOW, store: target });
    const want = [...fresh.entries()];
    const got = [...target.entries()].filter((e) => new TextDecoder().decode(e.key) !== "keep");
    const byKey = (es: Entry[]) => new Map(es.map((e) => [new TextDecoder().decode(e.key), e]));
    assert.deepEqual(byKey(got), byKey(want));
    assert.equal(target.dbsize(), fresh.dbsize() + 1);
  });

  it("a corrupt tail leaves a given store untouched, even after many string records", () => {
    const image = encodeSnapshot(mixedStore());
    const bad = image.slice(0, image.length - 1);
    bad[bad.length - 1] = 0xee;
    const target = new Store({ now: () => NOW });
    target.put({ key: utf8("s1"), value: { type: "string", value: utf8("mine") }, deadline: null });
    assert.throws(() => decodeSnapshot(bad, { now: NOW, store: target }), CorruptFileError);
    assert.equal(target.dbsize(), 1);
    assert.deepEqual(target.lookup(utf8("s1")), utf8("mine"));
  });

  it("onString gets the same records as onEntry, whatever the chunking", () => {
    const image = encodeSnapshot(mixedStore());
    const viaEntry: string[] = [];
    const d1 = new SnapshotDecoder({
      now: NOW,
      onEntry: (e, at) => {
        if (e.value.type === "string") {
          viaEntry.push(`${at}:${[...e.key]}=${e.value.value.length}@${e.deadline}`);
        }
      },
    });
    d1.push(image);
    const s1 = d1.finish();
    const viaSink: string[] = [];
    const d2 = new SnapshotDecoder({
      now: NOW,
      onEntry: (e) => assert.notEqual(e.value.type, "string"),
      onString: (b, k, kl, v, vl, d, at) => {
        viaSink.push(`${at}:${[...b.subarray(k, k + kl)]}=${vl}@${d}`);
        assert.ok(v + vl <= b.length);
      },
    });
    for (let i = 0; i < image.length; i += 7) d2.push(image.subarray(i, i + 7));
    assert.deepEqual(d2.finish(), s1);
    assert.deepEqual(viaSink, viaEntry);
    assert.ok(viaSink.length > 100);
  });
});
