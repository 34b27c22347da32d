// StringRecords: a snapshot's string records as byte ranges, one record per
// key (a key added again replaces its record, as a later snapshot record
// wins), found by key bytes, removed and revived, walked in order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StringRecords } from "../../src/persist/string_records.ts";
import { utf8 } from "../_helpers.ts";

const td = new TextDecoder();

/** Every live record as [key, value, deadline], in cursor order. */
function all(r: StringRecords): Array<[string, string, number | null]> {
  const out: Array<[string, string, number | null]> = [];
  const c = r.cursor();
  while (c.next()) {
    out.push([
      td.decode(c.kbuf.subarray(c.koff, c.koff + c.klen)),
      td.decode(c.kbuf.subarray(c.voff, c.voff + c.vlen)),
      c.deadline,
    ]);
  }
  return out;
}

/** Adds key=value as ranges of one fresh chunk holding key then value. */
function add(r: StringRecords, key: string, value: string, deadline: number | null = null): void {
  const chunk = utf8(key + value);
  r.add(chunk, 0, utf8(key).length, utf8(key).length, utf8(value).length, deadline);
}

describe("StringRecords", () => {
  it("keeps records in order, finds them by key bytes, and a repeated key keeps its later value", () => {
    const r = new StringRecords();
    add(r, "a", "1");
    add(r, "b", "2", 1_700_000_000_123);
    add(r, "a", "3"); // before the index exists
    assert.equal(r.size, 2);
    assert.deepEqual(all(r), [["b", "2", 1_700_000_000_123], ["a", "3", null]]);
    add(r, "b", "4"); // after: replaced in place
    assert.deepEqual(all(r), [["b", "4", null], ["a", "3", null]]);
    const i = r.find(utf8("xbx"), 1, 1);
    assert.ok(i >= 0);
    assert.deepEqual(r.entry(i), {
      key: utf8("b"),
      value: { type: "string", value: utf8("4") },
      deadline: null,
    });
    assert.equal(r.find(utf8("c")), -1);
  });

  it("binary keys (a leading NUL, a key that is a prefix of another) are told apart", () => {
    const r = new StringRecords();
    add(r, "\x00k", "nul");
    add(r, "k", "plain");
    add(r, "k\x00", "trailing");
    add(r, "", "empty key");
    assert.equal(r.size, 4);
    assert.equal(td.decode(r.entry(r.find(utf8("\x00k"))).value.value as Uint8Array), "nul");
    assert.equal(td.decode(r.entry(r.find(utf8("k"))).value.value as Uint8Array), "plain");
    assert.equal(td.decode(r.entry(r.find(utf8(""))).value.value as Uint8Array), "empty key");
  });

  it("removed records are skipped, can come back, and clear() removes all", () => {
    const r = new StringRecords();
    for (let i = 0; i < 5000; i++) add(r, `key:${i}`, `v${i}`); // several table growths
    assert.equal(r.size, 5000);
    r.remove(r.find(utf8("key:17")));
    r.remove(r.find(utf8("key:17"))); // -1 now: nothing
    assert.equal(r.find(utf8("key:17")), -1);
    assert.equal(r.size, 4999);
    add(r, "key:17", "back");
    assert.equal(r.size, 5000);
    for (let i = 5000; i < 12000; i++) add(r, `key:${i}`, `v${i}`); // growth after indexing
    assert.equal(r.size, 12000);
    for (let i = 0; i < 12000; i += 997) {
      const e = r.entry(r.find(utf8(`key:${i}`)));
      assert.equal(td.decode(e.value.value as Uint8Array), i === 17 ? "back" : `v${i}`);
    }
    r.clear();
    assert.equal(r.size, 0);
    assert.deepEqual(all(r), []);
  });

  it("many repeated keys, in any order, resolve to their last record when walked or counted", () => {
    const r = new StringRecords();
    const last = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4000; i++) {
        const k = `k${(i * 7919 + round * 13) % 4000}`;
        const v = `${round}:${i}`;
        add(r, k, v);
        last.set(k, v);
      }
    }
    const walked = all(r);
    assert.equal(r.size, 4000);
    assert.equal(walked.length, 4000);
    assert.deepEqual(new Map(walked.map(([k, v]) => [k, v])), last);
    // After that, adding a key that is there replaces it; lookups agree.
    add(r, "k1", "new");
    assert.equal(r.size, 4000);
    assert.equal(td.decode(r.entry(r.find(utf8("k1"))).value.value as Uint8Array), "new");
  });
});
