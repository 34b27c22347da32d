// SortedStrings: a StringRecords' live records in key byte order, one row
// per key (the later record of a repeated key), rows taken out by a list of
// names, expired rows dropped, rows found by binary search.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KeyList, SortedStrings } from "../../src/persist/sorted_strings.ts";
import { StringRecords } from "../../src/persist/string_records.ts";
import { utf8 } from "../_helpers.ts";

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Adds key=value (bytes) as ranges of one fresh chunk. */
function add(r: StringRecords, key: Uint8Array, value: string, deadline: number | null = null) {
  const v = utf8(value);
  const chunk = new Uint8Array(key.length + v.length);
  chunk.set(key);
  chunk.set(v, key.length);
  r.add(chunk, 0, key.length, key.length, v.length, deadline);
}

/** Every row as [key hex, value, deadline]. */
function rows(s: SortedStrings): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (let j = 0; j < s.length; j++) {
    const k = s.keys.subarray(s.keyOffset(j), s.keyOffset(j) + s.keyLength(j));
    const c = s.valueChunk(j);
    const v = new TextDecoder().decode(
      c.subarray(s.valueOffset(j), s.valueOffset(j) + s.valueLength(j)),
    );
    out.push([hexOf(k), v, s.deadline(j)]);
  }
  return out;
}

describe("SortedStrings", () => {
  it("orders rows by key bytes (a prefix first, NUL and 0xff bytes, the empty key) and keeps the later record of a key", () => {
    const r = new StringRecords();
    const keys = [[0x62], [0x61, 0x00], [0xff], [0x61], [], [0x61, 0xff, 0x01], [0x62]];
    keys.forEach((k, i) => add(r, Uint8Array.from(k), `v${i}`, i === 3 ? 5 : null));
    const s = new SortedStrings(r);
    assert.deepEqual(rows(s), [
      ["", "v4", NaN],
      ["61", "v3", 5],
      ["6100", "v1", NaN],
      ["61ff01", "v5", NaN],
      ["62", "v6", NaN], // the later of the two records of "b"
      ["ff", "v2", NaN],
    ]);
    assert.equal(s.indexOf(Uint8Array.of(0x62)), 4);
    assert.equal(s.indexOf(Uint8Array.of(0x61, 0x01)), -1);
    assert.equal(s.indexOf(new Uint8Array(0)), 0);
  });

  it("sorts many keys as a byte comparison does (radix buckets and the small-range sort alike)", () => {
    const r = new StringRecords();
    const expected = new Map<string, string>();
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const len = x % 7;
      const k = Uint8Array.from(
        { length: len },
        (_, j) => (x >>> (j * 3)) % 5 === 0 ? 0 : (x >>> j) & 0xff,
      );
      add(r, k, `v${i}`);
      expected.set(hexOf(k), `v${i}`); // the last record of a key wins
    }
    const want = [...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(rows(new SortedStrings(r)).map(([k, v]) => [k, v]), want);
  });

  it("a record removed before sorting is not a row", () => {
    const r = new StringRecords();
    add(r, utf8("a"), "1");
    add(r, utf8("b"), "2");
    r.remove(r.find(utf8("a")));
    assert.deepEqual(rows(new SortedStrings(r)).map(([k]) => k), ["62"]);
  });

  it("take() hands out the rows of the named keys (repeats and unknown names fine) and keeps the rest in order", () => {
    const r = new StringRecords();
    for (const k of ["k1", "k2", "k3", "k4", "k5"]) add(r, utf8(k), k.toUpperCase());
    const s = new SortedStrings(r);
    const names = new KeyList();
    for (const k of ["k4", "zz", "k2", "k4", "a", "k20"]) names.add(utf8(k));
    const taken: string[] = [];
    s.take(names, (rec) => taken.push(new TextDecoder().decode(r.entry(rec).key)));
    assert.deepEqual(taken, ["k2", "k4"]);
    assert.deepEqual(rows(s).map(([, v]) => v), ["K1", "K3", "K5"]);
    s.take(new KeyList(), () => assert.fail("nothing named"));
    assert.equal(s.length, 3);
  });

  it("take() with few names (searched one by one) and with many (merged) takes the same rows", () => {
    const build = () => {
      const r = new StringRecords();
      for (let i = 0; i < 400; i++) add(r, utf8(`k${i}`), `v${i}`);
      return { r, s: new SortedStrings(r) };
    };
    const picks = [7, 399, 7, 123, 0];
    for (const extra of [0, 200]) {
      const { r, s } = build();
      const names = new KeyList();
      for (const i of picks) names.add(utf8(`k${i}`));
      names.add(utf8("nope"));
      for (let i = 0; i < extra; i++) names.add(utf8(`x${i}`)); // many names: the merge
      const taken: string[] = [];
      s.take(names, (rec) => taken.push(new TextDecoder().decode(r.entry(rec).key)));
      assert.deepEqual(taken, ["k0", "k123", "k399", "k7"], `${extra} extra names`);
      assert.equal(s.length, 396);
      assert.equal(s.indexOf(utf8("k7")), -1);
      assert.ok(s.indexOf(utf8("k8")) >= 0);
    }
  });

  it("dropExpired() drops rows whose deadline is <= the cutoff and keeps rows without one", () => {
    const r = new StringRecords();
    add(r, utf8("a"), "1", 100);
    add(r, utf8("b"), "2", 101);
    add(r, utf8("c"), "3");
    const s = new SortedStrings(r);
    s.dropExpired(100);
    assert.deepEqual(rows(s), [["62", "2", 101], ["63", "3", NaN]]);
    s.dropExpired(Number.MIN_SAFE_INTEGER);
    assert.equal(s.length, 2);
  });

  it("KeyList grows past its first buffers and keeps every key's bytes", () => {
    const names = new KeyList();
    const big = new Uint8Array(10_000).fill(7);
    for (let i = 0; i < 600; i++) names.add(utf8(`key:${i}`));
    names.add(big);
    assert.equal(names.length, 601);
    const at = (i: number) =>
      names.bytes().subarray(names.starts()[i]!, names.starts()[i]! + names.lengths()[i]!);
    assert.equal(new TextDecoder().decode(at(599)), "key:599");
    assert.deepEqual(at(600), big);
  });
});
