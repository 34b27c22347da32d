// Bit rot at rest in snapshots: the checksum trailer after the EOF opcode
// (which kevy 1.17 and 5.4 never read) makes every single flipped bit of a
// file we write fail to load, and locates it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeEntries,
  encodeSnapshotChunks,
  SegmentStubError,
  SnapshotChecksumError,
  SnapshotChecksumVerifier,
  snapshotTrailerLength,
} from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import type { Entry } from "../../src/codec/types.ts";
import { concat, readFixture, readFixtureJson, rng, streamEntry, utf8 } from "../_helpers.ts";
import { entriesKeyspace, W } from "./_v5_keyspace.ts";

function sample(): Entry[] {
  return [
    { key: utf8("s"), value: { type: "string", value: utf8("value") }, deadline: W + 60000 },
    {
      key: utf8("h"),
      value: {
        type: "hash",
        value: [[utf8("a"), utf8("1")], [utf8("b"), utf8("2")]],
        fieldDeadlines: [4102444800000, null],
      },
      deadline: null,
    },
    { key: utf8("l"), value: { type: "list", value: [utf8("x"), utf8("")] }, deadline: null },
    { key: utf8("t"), value: { type: "set", value: [utf8("m")] }, deadline: null },
    { key: utf8("z"), value: { type: "zset", value: [[utf8("m"), 1.5]] }, deadline: null },
    streamEntry("x", 5n, 1n, 3n),
  ];
}

function flipped(file: Uint8Array, bit: number): Uint8Array {
  const m = file.slice();
  m[bit >> 3]! ^= 1 << (bit & 7);
  return m;
}

/** The raw trailer check a `check` run does (no record parsing). */
function verify(file: Uint8Array): void {
  const n = snapshotTrailerLength(file, file.length);
  if (n === null) throw new CorruptFileError({ offset: file.length, expected: "a trailer" });
  const v = new SnapshotChecksumVerifier(file.subarray(file.length - n), file.length - n);
  v.push(file.subarray(0, file.length - n));
  v.finish();
}

describe("snapshot checksum trailer", () => {
  it("kevy 1.17 and 5.4 loaders never read after EOF (vectors): the trailer does not disturb them", () => {
    const v117 = readFixtureJson<{ load: string; trailing_bytes_after_eof: number }>(
      "vectors/snapshot/crafted_trailing_bytes.expected.json",
    );
    const v54 = readFixtureJson<{ load: string; trailing_bytes_after_eof: number }>(
      "vectors-v5/snapshot/crafted_ttl_flags_and_trailing.expected.json",
    );
    assert.equal(v117.load, "ok");
    assert.equal(v54.load, "ok");
    assert.ok(v117.trailing_bytes_after_eof > 0 && v54.trailing_bytes_after_eof > 0);
    // A v4 file of ours is kevy's bytes, then the trailer: both read the same prefix.
    const es = sample().filter((e) => e.value.type !== "hash");
    const plain = concat(encodeSnapshotChunks(es, { checksum: false }));
    const summed = concat(encodeSnapshotChunks(es));
    assert.deepEqual(summed.subarray(0, plain.length), plain);
    assert.equal(summed[8], 4, "kevy 1.17 reads version 4");
    const a = decodeEntries(plain, { now: W });
    const b = decodeEntries(summed, { now: W });
    assert.equal(a.checksum, "absent");
    assert.equal(b.checksum, "verified");
    assert.equal(b.trailingBytes, 0);
    assert.deepEqual(b.entries, a.entries);
  });

  it("foreign bytes after EOF are still ignored, as kevy does", () => {
    const got = decodeEntries(readFixture("vectors/snapshot/crafted_trailing_bytes.rdb"), {
      now: W,
    });
    assert.equal(got.checksum, "absent");
    assert.equal(got.trailingBytes, 26);
  });

  it("every single-bit flip of a small v6 file is detected; data flips are located to the bit", () => {
    const file = concat(encodeSnapshotChunks(sample(), { now: W }));
    const want = entriesKeyspace(decodeEntries(file, { now: W }).entries);
    assert.equal(file[8], 6);
    const trailer = snapshotTrailerLength(file, file.length)!;
    const covered = file.length - trailer;
    let located = 0, detectedOnLoad = 0;
    for (let bit = 0; bit < file.length * 8; bit++) {
      const m = flipped(file, bit);
      let err: unknown = null;
      try {
        const got = decodeEntries(m, { now: W });
        assert.fail(
          `bit ${bit} loaded: ${
            JSON.stringify(entriesKeyspace(got.entries)) === JSON.stringify(want)
              ? "same keyspace"
              : "different keyspace"
          }`,
        );
      } catch (e) {
        err = e;
      }
      assert.ok(
        err instanceof CorruptFileError || err instanceof SegmentStubError,
        `bit ${bit}: ${String(err)}`,
      );
      detectedOnLoad++;
      // The raw check, as `check` runs it before parsing.
      if (bit >> 3 < covered) {
        assert.throws(() => verify(m), (e: unknown) => {
          assert.ok(e instanceof SnapshotChecksumError, `bit ${bit}: ${String(e)}`);
          assert.deepEqual(e.flip, { offset: bit >> 3, bit: bit & 7 });
          return true;
        });
        located++;
      } else {
        assert.throws(() => verify(m), CorruptFileError, `trailer bit ${bit}`);
      }
    }
    assert.equal(detectedOnLoad, file.length * 8);
    assert.equal(located, covered * 8);
  });

  it("sampled single-bit flips of a large file (many blocks) are detected and located", () => {
    const r = rng(18);
    const es: Entry[] = [];
    for (let i = 0; i < 1200; i++) {
      es.push({
        key: utf8(`key:${i}`),
        value: { type: "string", value: utf8(`v${r()}`) },
        deadline: null,
      });
    }
    const file = concat(encodeSnapshotChunks(es));
    assert.ok(file.length > 8 * 4096);
    const covered = file.length - snapshotTrailerLength(file, file.length)!;
    for (let n = 0; n < 60; n++) {
      const bit = Math.floor(r() * file.length * 8);
      const m = flipped(file, bit);
      assert.throws(() => decodeEntries(m, { now: W }), CorruptFileError, `bit ${bit}`);
      if (bit >> 3 < covered) {
        assert.throws(
          () => verify(m),
          (e: unknown) =>
            e instanceof SnapshotChecksumError && e.flip?.offset === bit >> 3 &&
            e.blockStart === Math.floor((bit >> 3) / 4096) * 4096,
        );
      }
    }
  });

  it("a damaged value byte is a SnapshotChecksumError at that byte on load", () => {
    const es = sample().slice(0, 1);
    const file = concat(encodeSnapshotChunks(es));
    const at = file.indexOf(0x76); // "v" of "value": inside the string payload
    const m = flipped(file, at * 8 + 2);
    assert.throws(() => decodeEntries(m, { now: W, path: "dump-0.rdb" }), (e: unknown) => {
      assert.ok(e instanceof SnapshotChecksumError);
      assert.equal(e.offset, at);
      assert.equal(e.path, "dump-0.rdb");
      assert.match(e.message, new RegExp(`bit 2 of byte ${at} is flipped`));
      return true;
    });
  });

  it("a truncated trailer is corrupt; a file cut right before it reads as one without", () => {
    const file = concat(encodeSnapshotChunks(sample(), { now: W }));
    const covered = file.length - snapshotTrailerLength(file, file.length)!;
    for (let cut = covered + 1; cut < file.length; cut++) {
      assert.throws(() => decodeEntries(file.subarray(0, cut), { now: W }), CorruptFileError);
    }
    assert.equal(decodeEntries(file.subarray(0, covered), { now: W }).checksum, "absent");
  });
});
