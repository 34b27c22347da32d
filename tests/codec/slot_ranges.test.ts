// Explicit slot ranges: their text form, the checks, and how shards.meta and
// the re-shard journal record them (in a form kevy 1.17 refuses rather than
// misreads).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkSlotRanges,
  formatSlotRanges,
  parseSlotRanges,
  sameSlotRanges,
  slotOwners,
  standardSlotRanges,
} from "../../src/codec/slot_ranges.ts";
import { formatShardsMeta, parseShardsMeta } from "../../src/codec/meta.ts";
import { formatReshardJournal, parseReshardJournal } from "../../src/codec/journal.ts";

const CLUSTER3 = "0-5460 5461-10922 10923-16383"; // what redis-cli --cluster create assigns

describe("slot ranges", () => {
  it("parse the text form: shards by spaces, ranges by commas, single slots", () => {
    assert.deepEqual(parseSlotRanges(CLUSTER3), [[[0, 5460]], [[5461, 10922]], [[10923, 16383]]]);
    assert.deepEqual(parseSlotRanges(" 0-99,200-16383  100-199 "), [[[0, 99], [200, 16383]], [[
      100,
      199,
    ]]]);
    assert.deepEqual(parseSlotRanges("0-8191 8192,8193-16383")[1], [[8192, 8192], [8193, 16383]]);
  });

  it("every slot exactly once, or a RangeError naming the problem", () => {
    assert.throws(() => parseSlotRanges("0-100"), /slot 101 is in no shard/);
    assert.throws(
      () => parseSlotRanges("0-9000 9000-16383"),
      /slot 9000 is in shard 0 and shard 1/,
    );
    assert.throws(() => parseSlotRanges("0-16384"), /beyond 16383/);
    assert.throws(() => parseSlotRanges("10-5 0-16383"), /runs backwards/);
    assert.throws(() => parseSlotRanges("0-16383 x"), /"x" is not a slot/);
    assert.throws(() => parseSlotRanges(""), /none given/);
    assert.throws(() => checkSlotRanges([[[0, 16383]], []]), /shard 1 holds no slot/);
  });

  it("format sorts and joins adjacent ranges; owners map every slot", () => {
    const r = parseSlotRanges("100-16383,0-99");
    assert.equal(formatSlotRanges(r), "0-16383");
    const o = slotOwners(parseSlotRanges(CLUSTER3));
    assert.deepEqual([o[0], o[5460], o[5461], o[10922], o[10923], o[16383]], [0, 0, 1, 1, 2, 2]);
    assert.ok(sameSlotRanges(parseSlotRanges("0-100,101-16383"), parseSlotRanges("0-16383")));
    assert.ok(!sameSlotRanges(parseSlotRanges(CLUSTER3), standardSlotRanges(3)));
  });

  it("the standard ranges of n shards are the inverse of (slot * n) >> 14", () => {
    for (const n of [1, 2, 3, 5, 16]) {
      const o = slotOwners(standardSlotRanges(n));
      for (let s = 0; s < 16384; s++) {
        assert.equal(o[s], Math.floor((s * n) / 16384), `n=${n} slot ${s}`);
      }
    }
    // For 3 shards they differ from the cluster's own split at 2 boundary slots.
    assert.equal(formatSlotRanges(standardSlotRanges(3)), "0-5461 5462-10922 10923-16383");
  });
});

describe("shards.meta with slot ranges", () => {
  it("writes the slot-ranges tag and the ranges on line 3, and reads them back", () => {
    const meta = { n: 3, routing: "slots" as const, slotRanges: parseSlotRanges(CLUSTER3) };
    const text = formatShardsMeta(meta);
    assert.equal(text, `3\nslot-ranges\n${CLUSTER3}\n`);
    assert.deepEqual(parseShardsMeta(text), meta);
  });

  it("standard ranges are written as plain slots (kevy 1.17 reads that)", () => {
    assert.equal(
      formatShardsMeta({ n: 3, routing: "slots", slotRanges: standardSlotRanges(3) }),
      "3\nslots\n",
    );
  });

  it("bad or mismatched ranges make the meta unreadable (the dir is then re-sharded, losing nothing)", () => {
    assert.equal(parseShardsMeta("3\nslot-ranges\n0-16383\n"), null);
    assert.equal(parseShardsMeta("2\nslot-ranges\n0-10 12-16383\n"), null);
    assert.equal(parseShardsMeta("2\nslot-ranges\n"), null);
    assert.throws(
      () => formatShardsMeta({ n: 2, routing: "kevyhash", slotRanges: standardSlotRanges(2) }),
      /routing slots/,
    );
    assert.throws(
      () => formatShardsMeta({ n: 2, routing: "slots", slotRanges: standardSlotRanges(3) }),
      /3 slot range group\(s\) for 2/,
    );
  });
});

describe("re-shard journal with slot ranges", () => {
  it("adds a slot_ranges line and reads it back", () => {
    const j = {
      stamp: 9n,
      prevN: 1,
      n: 3,
      routing: "slots" as const,
      slotRanges: parseSlotRanges(CLUSTER3),
    };
    const text = formatReshardJournal(j);
    assert.equal(
      text,
      `kevy-reshard-journal v1\nstamp=9\nprev_n=1\nn=3\nrouting=slots\nslot_ranges=${CLUSTER3}\n`,
    );
    assert.deepEqual(parseReshardJournal(text), j);
  });

  it("a journal whose ranges do not parse, or do not match n, is unparsable (not committed)", () => {
    const head = "kevy-reshard-journal v1\nstamp=9\nprev_n=1\nn=3\nrouting=slots\n";
    assert.equal(parseReshardJournal(`${head}slot_ranges=0-100\n`), null);
    assert.equal(parseReshardJournal(`${head}slot_ranges=0-16383\n`), null);
    assert.equal(
      parseReshardJournal(head.replace("slots", "kevyhash") + `slot_ranges=${CLUSTER3}\n`),
      null,
    );
  });
});
