// Small hashes are kept compact (one byte array in the snapshot payload
// layout) and become a Map past the limits: both encodings must behave alike
// through every hash command, snapshots, rewrites and dumps.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, hex, utf8 } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { HashValue } from "../../src/store/values.ts";
import { hashFromPairs, hashInternals } from "../../src/store/_hash_value.ts";
import { COMPACT_MAX_BYTES, COMPACT_MAX_FIELDS } from "../../src/store/_listpack.ts";
import { applyCommand, type Reply } from "../../src/store/apply.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/store/snapshot.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { compactLogPieces } from "../../src/persist/_rewrite_frames.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import { encodeSnapshotChunks, SNAPSHOT_MAGIC } from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";

const NOW = 1767225600000;
const compact = (h: HashValue) => hashInternals.isCompact(h);
const b = (...x: number[]) => new Uint8Array(x);

function hashAt(s: Store, key: string): HashValue {
  const v = s.lookup(utf8(key));
  assert.ok(v instanceof HashValue);
  return v;
}

/** Every hash command, run on a store whose hash is compact or forced to a Map. */
function script(forceMap: boolean): { replies: Reply[]; store: Store } {
  const s = new Store({ now: () => NOW });
  const replies: Reply[] = [];
  const run = (...a: Array<string | Uint8Array>) => {
    const r = applyCommand(s, a);
    replies.push(r.ok ? r.reply : `ERR:${r.error}`);
  };
  run("HSET", "h", "a", "1", "b", "2", "c", "3");
  if (forceMap) void hashAt(s, "h").map; // reading .map converts for good
  assert.equal(compact(hashAt(s, "h")), !forceMap);
  run("HSET", "h", "b", "20", "d", "4");
  run("HMSET", "h", "e", "5", "a", "");
  run("HSETNX", "h", "a", "x");
  run("HSETNX", "h", "f", "6");
  run("HGET", "h", "b");
  run("HGET", "h", "zz");
  run("HMGET", "h", "a", "zz", "f");
  run("HEXISTS", "h", "c");
  run("HEXISTS", "h", "zz");
  run("HLEN", "h");
  run("HINCRBY", "h", "c", "39");
  run("HINCRBY", "h", "new", "-5");
  run("HINCRBY", "h", "b", "notanumber");
  run("HINCRBYFLOAT", "h", "f", "0.5");
  run("HINCRBYFLOAT", "h", "e", "abc");
  run("HDEL", "h", "a", "zz", "d");
  run("HGETALL", "h");
  run("HSET", "h", b(0), b(), b(), b(0xff));
  run("HGET", "h", b());
  run("HGETALL", "h");
  assert.equal(compact(hashAt(s, "h")), !forceMap); // a Map never turns back
  run("HDEL", "h", "b", "c", "e", "f", "new", b(0), b());
  run("EXISTS", "h");
  return { replies, store: s };
}

describe("HashValue: compact and Map encodings", () => {
  it("every hash command gives the same replies and keyspace in both encodings", () => {
    const a = script(false), m = script(true);
    assert.deepEqual(a.replies, m.replies);
    assert.deepEqual(dumpKeyspace(a.store), dumpKeyspace(m.store));
    assert.equal(a.store.has(utf8("h")), false); // emptied by HDEL
  });

  it("converts past COMPACT_MAX_FIELDS fields, and never back", () => {
    const h = new HashValue();
    for (let i = 0; i < COMPACT_MAX_FIELDS; i++) h.set(utf8(`f${i}`), utf8(`${i}`));
    assert.equal(compact(h), true);
    assert.equal(h.set(utf8("f0"), utf8("again")), false); // overwrite: still compact
    assert.equal(compact(h), true);
    assert.equal(h.set(utf8("one more"), utf8("x")), true);
    assert.equal(compact(h), false);
    assert.equal(h.size, COMPACT_MAX_FIELDS + 1);
    assert.deepEqual(h.get(utf8("f0")), utf8("again"));
    h.delete(utf8("one more"));
    h.delete(utf8("f1"));
    assert.equal(compact(h), false);
    assert.deepEqual([...h.entries()][0], [utf8("f0"), utf8("again")]);
  });

  for (const which of ["field", "value"] as const) {
    it(`converts when a ${which} is longer than COMPACT_MAX_BYTES`, () => {
      const at = new Uint8Array(COMPACT_MAX_BYTES).fill(7);
      const over = new Uint8Array(COMPACT_MAX_BYTES + 1).fill(8);
      const h = new HashValue();
      h.set(utf8("k"), utf8("v"));
      if (which === "field") h.set(at, utf8("v"));
      else h.set(utf8("k2"), at);
      assert.equal(compact(h), true);
      if (which === "field") h.set(over, utf8("v"));
      else h.set(utf8("k"), over); // an overwrite too
      assert.equal(compact(h), false);
      assert.deepEqual(
        h.get(which === "field" ? over : utf8("k")),
        which === "field" ? utf8("v") : over,
      );
      assert.equal(h.size, which === "field" ? 3 : 2);
    });
  }

  it("keeps binary fields byte-exact: empty, 0x00..0xFF, every byte in one field", () => {
    for (const start of [0, 128]) {
      const pairs: Array<[Uint8Array, Uint8Array]> = [];
      for (let x = start; x < start + 128; x++) pairs.push([b(x), b(255 - x, x)]);
      const h = hashFromPairs(pairs);
      assert.equal(compact(h), true);
      for (const [f, v] of pairs) assert.deepEqual(h.get(f), v);
      assert.deepEqual([...h.entries()], pairs);
    }
    const h = new HashValue();
    const all = new Uint8Array(64).map((_, i) => i * 4 + 3);
    h.set(new Uint8Array(0), new Uint8Array(0));
    h.set(all, b(0, 0xff));
    assert.equal(compact(h), true);
    assert.deepEqual(h.get(new Uint8Array(0)), new Uint8Array(0));
    assert.equal(h.has(b()), true);
    assert.equal(h.has(b(0)), false);
    assert.deepEqual(h.get(all), b(0, 0xff));
  });

  it("values handed out never change after later writes", () => {
    const h = new HashValue();
    h.set(utf8("a"), utf8("111"));
    const got = h.get(utf8("a"))!;
    const pairs = [...h.entries()];
    h.set(utf8("a"), utf8("222"));
    h.delete(utf8("a"));
    assert.deepEqual(got, utf8("111"));
    assert.deepEqual(pairs, [[utf8("a"), utf8("111")]]);
  });

  it("clone and .map give the same content; .map converts", () => {
    const h = hashFromPairs([[utf8("x"), utf8("1")], [utf8("y"), utf8("2")]]);
    const c = h.clone();
    h.set(utf8("x"), utf8("changed"));
    assert.deepEqual(c.get(utf8("x")), utf8("1"));
    assert.deepEqual([...c.map.entries()].map(([k, v]) => [k, hex(v)]), [["x", "31"], ["y", "32"]]);
    assert.equal(compact(c), false);
  });
});

/** A v4 snapshot with one hash record `h` of the given pairs (duplicates as given). */
function hashImage(pairs: Array<[string, string]>, checksum = true): Uint8Array {
  const parts = encodeSnapshotChunks([{
    key: utf8("h"),
    value: { type: "hash", value: pairs.map(([f, v]) => [utf8(f), utf8(v)]) },
    deadline: null,
  }], { checksum });
  return concat(parts);
}

describe("compact hashes in snapshots, rewrites and dumps", () => {
  it("crafted duplicate fields keep the first position and the last value", () => {
    const image = hashImage([["a", "1"], ["b", "2"], ["a", "3"], ["c", "4"], ["b", "5"]]);
    const want = [[utf8("a"), utf8("3")], [utf8("b"), utf8("5")], [utf8("c"), utf8("4")]];
    const fresh = decodeSnapshot(image, { now: NOW }); // the raw payload path
    const given = decodeSnapshot(image, { now: NOW, store: new Store({ now: () => NOW }) });
    for (const s of [fresh, given]) {
      const h = hashAt(s, "h");
      assert.equal(compact(h), true);
      assert.equal(h.size, 3);
      assert.deepEqual([...h.entries()], want);
    }
    // Written back without the duplicates.
    assert.deepEqual(encodeSnapshot(fresh), hashImage([["a", "3"], ["b", "5"], ["c", "4"]]));
  });

  it("a loaded compact hash is written back byte for byte, and survives writes", () => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 10; i++) pairs.push([`field:${i}`, `value:${i}`]);
    const image = hashImage(pairs);
    const s = decodeSnapshot(image, { now: NOW });
    assert.deepEqual(encodeSnapshot(s), image);
    const frozen = freezeEntries(s.entries());
    applyCommand(s, ["HSET", "h", "field:0", "longer value", "new", "n"]);
    applyCommand(s, ["HDEL", "h", "field:5"]);
    assert.deepEqual(concat(encodeSnapshotChunks(frozen)), image); // the capture is frozen
    const again = decodeSnapshot(encodeSnapshot(s), { now: NOW });
    assert.deepEqual(dumpKeyspace(again), dumpKeyspace(s));
    assert.equal(hashAt(s, "h").size, 10);
  });

  it("large hashes (Map) load and round-trip like before", () => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i <= COMPACT_MAX_FIELDS; i++) pairs.push([`f${i}`, `${i}`]);
    const s = decodeSnapshot(hashImage(pairs), { now: NOW });
    assert.equal(compact(hashAt(s, "h")), false);
    assert.deepEqual(encodeSnapshot(s), hashImage(pairs));
    const long = decodeSnapshot(hashImage([["k", "v".repeat(COMPACT_MAX_BYTES + 1)]]), {
      now: NOW,
    });
    assert.equal(compact(hashAt(long, "h")), false);
  });

  it("snapshot, rewrite and dump are byte-identical for both encodings", () => {
    const make = (forceMap: boolean) => {
      const s = new Store({ now: () => NOW });
      const pairs: Array<[Uint8Array, Uint8Array]> = [];
      for (let x = 0; x < 100; x++) pairs.push([b(x, 0, 255 - x), utf8(`v${x}`)]);
      pairs.push([b(), b()]);
      s.put({ key: utf8("h1"), value: { type: "hash", value: pairs }, deadline: NOW + 5000 });
      s.put({ key: utf8("h2"), value: { type: "hash", value: [[b(9), b(8)]] }, deadline: null });
      s.put({ key: utf8("str"), value: { type: "string", value: utf8("x") }, deadline: null });
      if (forceMap) {
        void hashAt(s, "h1").map;
        void hashAt(s, "h2").map;
      }
      return s;
    };
    const c = make(false), m = make(true);
    assert.equal(compact(hashAt(c, "h1")), true);
    assert.equal(compact(hashAt(m, "h1")), false);
    const img = encodeSnapshot(c);
    assert.deepEqual(img.subarray(0, 8), SNAPSHOT_MAGIC);
    assert.deepEqual(img, encodeSnapshot(m));
    assert.deepEqual(
      concat(compactLogPieces(c.entries(), NOW)),
      concat(compactLogPieces(m.entries(), NOW)),
    );
    assert.deepEqual(
      concat(compactLogPieces(freezeEntries(c.entries()), NOW)),
      concat(compactLogPieces(m.entries(), NOW)),
    );
    assert.deepEqual(dumpKeyspace(c), dumpKeyspace(m));
    assert.deepEqual(c.getEntry(utf8("h1")), m.getEntry(utf8("h1")));
  });

  it("a truncated hash payload fails on the raw path exactly as on the entry path", () => {
    const image = hashImage([["abc", "def"], ["g", "h"]], false); // cut records, not a trailer
    for (let cut = 10; cut < image.length; cut++) {
      const bytes = image.subarray(0, cut);
      const err = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          assert.ok(e instanceof CorruptFileError);
          return [e.offset, e.expected];
        }
        assert.fail("expected a CorruptFileError");
      };
      const raw = err(() => decodeSnapshot(bytes, { now: NOW }));
      const entry = err(() => decodeSnapshot(bytes, { now: NOW, store: new Store() }));
      assert.deepEqual(raw, entry, `cut at ${cut}`);
    }
  });
});
