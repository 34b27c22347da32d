// SlotStage: a part's string records laid out as RESP key/value bulks in
// the order a cluster copy sends them (by slot, slots in bit-reversed
// order, file order within a slot), a window of at most `maxBytes` at a time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StringRecords } from "../../src/persist/string_records.ts";
import { SlotStage } from "../../src/redis/_slot_stage.ts";
import { keyHashSlot } from "../../src/shard/routing.ts";
import { utf8 } from "../_helpers.ts";

const td = new TextDecoder();

/** Slot `s` with its 14 bits reversed (the send order), written out independently. */
function reversed(s: number): number {
  return parseInt(s.toString(2).padStart(14, "0").split("").reverse().join(""), 2);
}

/** Records key<i> = value<i> (some long, some with a NUL), and their indexes and slots. */
function records(n: number) {
  const r = new StringRecords();
  const keys: string[] = [], values: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = i % 7 === 0 ? `\x00k${i}` : `k${i}`;
    const value = i % 5 === 0 ? `v${i}-${"x".repeat(100 + i)}` : `v${i}`;
    const chunk = utf8(`##${key}${value}`);
    r.add(chunk, 2, utf8(key).length, 2 + utf8(key).length, utf8(value).length, null);
    keys.push(key);
    values.push(value);
  }
  const idx = new Int32Array(n), slots = new Uint16Array(n);
  const c = r.cursor();
  let j = 0;
  while (c.next()) {
    idx[j] = c.index;
    slots[j++] = keyHashSlot(c.kbuf.subarray(c.koff, c.koff + c.klen));
  }
  return { r, keys, values, idx, slots };
}

/** The staged pairs read back as [key, value, slot]. */
function staged(s: SlotStage): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  let p = 0;
  const bulk = (): string => {
    assert.equal(s.bytes[p], 0x24);
    const nl = s.bytes.indexOf(13, p);
    const len = Number(td.decode(s.bytes.subarray(p + 1, nl)));
    const v = td.decode(s.bytes.subarray(nl + 2, nl + 2 + len));
    assert.equal(td.decode(s.bytes.subarray(nl + 2 + len, nl + 4 + len)), "\r\n");
    p = nl + 4 + len;
    return v;
  };
  for (let i = 0; i < s.size; i++) {
    const k = bulk(), v = bulk();
    assert.equal(p, s.ends[i], "each pair ends where `ends` says");
    out.push([k, v, s.slots[i]!]);
  }
  return out;
}

describe("SlotStage", () => {
  it("lays the pairs out by slot in bit-reversed order, file order within a slot", () => {
    const { r, keys, values, idx, slots } = records(3000);
    const s = new SlotStage();
    assert.equal(s.fill(r, idx, slots, 0, idx.length, 1 << 30), 3000);
    const got = staged(s);
    const want = keys.map((k, i) => ({ k, v: values[i]!, slot: keyHashSlot(utf8(k)), i }))
      .sort((a, b) => reversed(a.slot) - reversed(b.slot) || a.i - b.i)
      .map((e): [string, string, number] => [e.k, e.v, e.slot]);
    assert.deepEqual(got, want);
  });

  it("a window holds at most maxBytes of pairs (at least one record); the windows cover every record once", () => {
    const { r, keys, idx, slots } = records(2000);
    const s = new SlotStage();
    const seen: string[] = [];
    let windows = 0;
    for (let from = 0; from < idx.length;) {
      const to = s.fill(r, idx, slots, from, idx.length, 4096);
      assert.ok(to > from);
      assert.ok(s.size === to - from);
      assert.ok(s.size === 1 || s.ends[s.size - 1]! <= 4096, "within the bound");
      const got = staged(s);
      // Within a window: sorted by the send order of slots.
      for (let i = 1; i < got.length; i++) {
        assert.ok(reversed(got[i - 1]![2]) <= reversed(got[i]![2]));
      }
      seen.push(...got.map(([k]) => k));
      windows++;
      from = to;
    }
    assert.ok(windows > 10);
    assert.deepEqual(seen.sort(), [...keys].sort());
    // A record larger than the bound goes alone.
    const big = new StringRecords();
    const value = "y".repeat(10_000);
    big.add(utf8(`k${value}`), 0, 1, 1, value.length, null);
    const one = new SlotStage();
    assert.equal(
      one.fill(big, Int32Array.of(0), Uint16Array.of(keyHashSlot(utf8("k"))), 0, 1, 100),
      1,
    );
    assert.deepEqual(staged(one), [["k", value, keyHashSlot(utf8("k"))]]);
  });
});
