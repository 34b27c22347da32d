// encodeSnapshot / decodeSnapshot: whole-store images, checked against the
// golden vectors through dumpKeyspace.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { SortedSet, Store } from "../../src/store/store.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { SNAPSHOT_MAGIC } from "../../src/codec/snapshot.ts";
import { hex, listFixtures, readFixture, readFixtureJson, utf8 } from "../_helpers.ts";

/** 2026-01-01T00:00:00Z. */
const NOW = 1767225600000;
const DIR = "vectors/snapshot";
const NAMES = listFixtures(DIR).filter((f) => f.endsWith(".rdb")).map((f) => f.slice(0, -4));

interface Expected {
  version?: number;
  load: "ok" | { error_kind: string; message: string };
  record_count: number;
  not_loaded_keys: string[];
  keyspace: Array<{ key: string; ttl: unknown }>;
}

const fixedStore = (now = NOW) => new Store({ now: () => now });

/** The vectors write a v2 TTL as {remaining_ms}; a loaded store holds now + remaining. */
function expectedKeyspace(exp: Expected): unknown[] {
  return exp.keyspace.map((k) => {
    const ttl = k.ttl as null | number | { remaining_ms: number };
    return typeof ttl === "object" && ttl !== null ? { ...k, ttl: NOW + ttl.remaining_ms } : k;
  });
}

function preloaded(): Store {
  const s = fixedStore();
  s.put({ key: utf8("already"), value: { type: "string", value: utf8("here") }, deadline: null });
  return s;
}

describe("decodeSnapshot: golden vectors", () => {
  for (const name of NAMES) {
    const bytes = readFixture(`${DIR}/${name}.rdb`);
    const exp = readFixtureJson<Expected>(`${DIR}/${name}.expected.json`);
    if (exp.load === "ok") {
      it(`${name}: dumpKeyspace equals the vector's keyspace`, () => {
        const store = decodeSnapshot(bytes, { now: NOW, store: fixedStore(), path: name });
        assert.deepEqual(dumpKeyspace(store), expectedKeyspace(exp));
        assert.equal(store.dbsize(), exp.keyspace.length);
        for (const k of exp.not_loaded_keys) {
          assert.equal(store.has(unhexKey(k)), false, `expired key ${k} must be absent`);
        }
      });
      it(`${name}: decode -> encode -> decode keeps the keyspace`, () => {
        const store = decodeSnapshot(bytes, { now: NOW, store: fixedStore() });
        const image = encodeSnapshot(store);
        assert.deepEqual(image.subarray(0, 9), new Uint8Array([...SNAPSHOT_MAGIC, 4]));
        const again = decodeSnapshot(image, { store: fixedStore() });
        assert.deepEqual(dumpKeyspace(again), dumpKeyspace(store));
      });
    } else {
      it(`${name}: CorruptFileError, and the given store is untouched`, () => {
        // Deliberate difference: kevy keeps the records loaded before the
        // error (the vector's `keyspace`); decodeSnapshot keeps none.
        const store = preloaded();
        const before = dumpKeyspace(store);
        assert.throws(
          () => decodeSnapshot(bytes, { now: NOW, store, path: `${name}.rdb` }),
          (e) =>
            e instanceof CorruptFileError && e.path === `${name}.rdb` && e.offset <= bytes.length,
        );
        assert.deepEqual(dumpKeyspace(store), before);
      });
    }
  }

  it("crafted_expired_deadline: the 1970 key is absent (not kept as persistent)", () => {
    // kevy v1.17 quirk: a fresh process may keep this key with no TTL (its
    // lazily created monotonic epoch makes the deadline saturate to 0 =
    // "persistent"). We treat every deadline <= now as expired.
    const store = decodeSnapshot(readFixture(`${DIR}/crafted_expired_deadline.rdb`), {
      now: NOW,
      store: fixedStore(),
    });
    assert.equal(store.has(utf8("expired")), false);
    assert.equal(store.has(utf8("alive")), true);
  });

  it("crafted_duplicate_key: the later record wins", () => {
    const store = decodeSnapshot(readFixture(`${DIR}/crafted_duplicate_key.rdb`), {
      now: NOW,
      store: fixedStore(),
    });
    assert.deepEqual(store.getEntry(utf8("dup"))?.value, { type: "string", value: utf8("second") });
  });
});

function unhexKey(h: string): Uint8Array {
  return new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
}

describe("encodeSnapshot / decodeSnapshot", () => {
  it("adds to the given store and returns it; records replace existing keys", () => {
    const src = fixedStore();
    src.put({ key: utf8("already"), value: { type: "list", value: [utf8("x")] }, deadline: null });
    src.put({ key: utf8("new"), value: { type: "string", value: utf8("n") }, deadline: NOW + 5 });
    const target = preloaded();
    target.put({ key: utf8("other"), value: { type: "string", value: utf8("o") }, deadline: null });
    assert.equal(decodeSnapshot(encodeSnapshot(src), { store: target }), target);
    assert.deepEqual(dumpKeyspace(target).map((k) => [k.key, k.type, k.ttl]), [
      [hex(utf8("already")), "list", null],
      [hex(utf8("new")), "string", NOW + 5],
      [hex(utf8("other")), "string", null],
    ]);
  });

  it("leaves out keys expired at encode time (now defaults to the store clock)", () => {
    let t = NOW;
    const s = new Store({ now: () => t });
    s.put({ key: utf8("a"), value: { type: "string", value: utf8("1") }, deadline: NOW + 10 });
    s.put({ key: utf8("b"), value: { type: "string", value: utf8("2") }, deadline: null });
    assert.equal(decodeSnapshot(encodeSnapshot(s), { store: fixedStore() }).dbsize(), 2);
    assert.equal(
      decodeSnapshot(encodeSnapshot(s, { now: NOW + 10 }), { store: fixedStore() }).dbsize(),
      1,
    );
    t = NOW + 10;
    assert.equal(decodeSnapshot(encodeSnapshot(s), { store: fixedStore() }).dbsize(), 1);
  });

  it("drops records already expired at load time", () => {
    const s = fixedStore();
    s.put({ key: utf8("a"), value: { type: "string", value: utf8("1") }, deadline: NOW + 10 });
    const image = encodeSnapshot(s);
    assert.equal(decodeSnapshot(image, { now: NOW + 10, store: fixedStore(NOW + 10) }).dbsize(), 0);
    assert.equal(decodeSnapshot(image, { now: NOW + 9, store: fixedStore(NOW + 9) }).dbsize(), 1);
  });

  it("an error after valid records leaves the store untouched (kevy would keep them)", () => {
    const s = fixedStore();
    for (let i = 0; i < 10; i++) {
      s.put({ key: utf8(`k${i}`), value: { type: "string", value: utf8("v") }, deadline: null });
    }
    const image = encodeSnapshot(s);
    const store = preloaded();
    assert.throws(
      () => decodeSnapshot(image.subarray(0, image.length - 1), { store }),
      CorruptFileError,
    );
    assert.deepEqual(dumpKeyspace(store), dumpKeyspace(preloaded()));
  });

  it("a NaN zset score (kevy 1.17 writes one) loads as kevy does", () => {
    const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
    const nan = [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
    const image = new Uint8Array([
      ...SNAPSHOT_MAGIC,
      4,
      5,
      0,
      ...u32(1),
      0x7a,
      ...u32(1),
      ...u32(1),
      0x6d,
      ...nan,
      0,
    ]);
    const store = decodeSnapshot(image, { path: "dump-0.rdb" });
    const z = store.lookup(utf8("z"));
    assert.ok(z instanceof SortedSet);
    assert.ok(Number.isNaN(z.score(utf8("m"))));
    assert.equal(dumpKeyspace(store)[0]!.type, "zset");
  });

  it("without a store, returns a new one", () => {
    const store = decodeSnapshot(readFixture(`${DIR}/strings.rdb`), { now: NOW });
    assert.ok(store instanceof Store);
    assert.equal(store.dbsize(), 10);
  });
});
