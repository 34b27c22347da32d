// kevy 5.4 snapshots (SPEC-v5 §2: versions 5-7, the feed cursor, opcode 7
// field TTLs, opcode 8 row-segment stubs) against the vectors in
// tests/fixtures/vectors-v5/snapshot/. Where a vector records a 5.4 defect or
// leniency, the test names it and asserts our stricter result.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeEntries,
  encodeSnapshotChunks,
  SegmentStubError,
  SnapshotDecoder,
} from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import type { Entry } from "../../src/codec/types.ts";
import { concat, hex, listFixtures, readFixture, readFixtureJson, utf8 } from "../_helpers.ts";
import { entriesKeyspace, W } from "./_v5_keyspace.ts";

const DIR = "vectors-v5/snapshot";
const NAMES = listFixtures(DIR).filter((f) => f.endsWith(".rdb")).map((f) => f.slice(0, -4));

interface Expected {
  version: number;
  feed_cursor: null | { generation: string; offset: string } | { error_kind: string };
  load: "ok" | { error_kind: string; message: string };
  record_count: number;
  field_ttl_records?: number;
  trailing_bytes_after_eof?: number;
  not_loaded_keys: string[];
  keyspace: Array<{ key: string; seg_stub?: unknown }>;
  orphan_field_ttls?: unknown[];
  decode_stopped_at_offset?: number;
}

const exp = (name: string) => readFixtureJson<Expected>(`${DIR}/${name}.expected.json`);
const file = (name: string) => readFixture(`${DIR}/${name}.rdb`);

function decodeChunked(bytes: Uint8Array, step: number) {
  const entries: Entry[] = [];
  let ttls = 0;
  const dec = new SnapshotDecoder({
    now: W,
    onEntry: (e) => entries.push(e),
    onFieldTtl: () => ttls++,
  });
  for (let o = 0; o < bytes.length; o += step) dec.push(bytes.subarray(o, o + step));
  return { stats: dec.finish(), entries, ttls };
}

/** Vectors whose result differs from kevy 5.4's on purpose, and why. */
const STRICTER: Record<string, string> = {
  crafted_hfttl_before_entry:
    "SPEC-v5 §6.8 (field TTLs wiped by record order): the TTL is applied after every entry, so it survives",
  crafted_hfttl_orphans:
    "SPEC-v5 §6.15 (orphan field TTLs kept and re-emitted): a TTL without its field is dropped and counted",
  crafted_v4_with_opcodes_7_and_8:
    "SPEC-v5 §6.16 (a stub without its segment loads, then panics on use): the stub is refused",
  crafted_v7_segstub: "SPEC-v5 §6.16: the stub is refused, naming the segs-{i} directory",
  crafted_v7_segstub_with_ttl: "SPEC-v5 §6.15-16: the stub is refused",
};

/** Where our decoder stops on each error vector (kevy's harness offset where it differs). */
const ERROR_OFFSETS: Record<string, number> = {
  err_huge_count: 73, // the count field itself: 2^32-1 fields cannot fit (kevy reads on to 87)
  err_huge_len: 60,
  err_unknown_opcode_9: 1742, // the opcode (kevy reads its TTL flag and key first, to 1752)
  err_v5_truncated_cursor: 17,
  err_v6_missing_eof: 2242,
  err_v6_truncated_in_field_ttl: 1783,
  err_v6_truncated_in_stream_groups: 504,
  err_v6_truncated_mid_record: 1583,
  err_version_1: 8,
  err_version_8: 8,
};

describe("kevy 5.4 snapshot vectors", () => {
  it("covers every vector", () => {
    assert.equal(NAMES.length, 31);
    for (const n of NAMES) {
      const e = exp(n);
      assert.ok(e.load === "ok" ? true : n in ERROR_OFFSETS, `${n} has an expected error offset`);
    }
  });

  for (const name of NAMES) {
    const e = exp(name);
    if (e.load !== "ok") {
      it(`${name}: refused with CorruptFileError at byte ${ERROR_OFFSETS[name]}`, () => {
        const bytes = file(name);
        for (const f of [() => decodeEntries(bytes, { now: W }), () => decodeChunked(bytes, 3)]) {
          assert.throws(f, (err: unknown) => {
            assert.ok(err instanceof CorruptFileError, String(err));
            assert.equal(err.offset, ERROR_OFFSETS[name]);
            return true;
          });
        }
      });
      continue;
    }
    if (name in STRICTER) continue;
    it(`${name}: version ${e.version}, cursor, records and keyspace as kevy 5.4`, () => {
      const bytes = file(name);
      const got = decodeEntries(bytes, { now: W });
      assert.equal(got.version, e.version);
      const c = e.feed_cursor as { generation: string; offset: string } | null;
      assert.deepEqual(
        got.cursor,
        c === null ? null : { generation: BigInt(c.generation), offset: BigInt(c.offset) },
      );
      assert.equal(got.records, e.record_count);
      assert.equal(got.fieldTtls, e.field_ttl_records ?? 0);
      assert.equal(got.trailingBytes, e.trailing_bytes_after_eof ?? 0);
      assert.equal(got.checksum, "absent");
      assert.equal(got.fieldTtlOutcome.orphans, 0);
      assert.deepEqual(entriesKeyspace(got.entries), e.keyspace);
      const live = new Set(got.entries.map((x) => hex(x.key)));
      for (const k of e.not_loaded_keys) assert.ok(!live.has(k), `${k} is not loaded`);
      for (const step of [1, 7, 4096]) {
        const ch = decodeChunked(bytes, step);
        assert.equal(ch.stats.records, got.records, `step ${step}`);
        assert.equal(ch.ttls, got.fieldTtls);
      }
    });
  }

  it("crafted_hfttl_before_entry: " + STRICTER.crafted_hfttl_before_entry, () => {
    const got = decodeEntries(file("crafted_hfttl_before_entry"), { now: W });
    const want = exp("crafted_hfttl_before_entry").keyspace;
    // kevy 5.4 loses the TTL; here field "f" keeps it.
    assert.deepEqual(entriesKeyspace(got.entries), [{
      ...want[0]!,
      field_ttls: [["66", 4102444800000]],
    }]);
    assert.equal(got.fieldTtlOutcome.applied, 1);
  });

  it("a later record for the same hash keeps the field TTL as well (§6.8, second case)", () => {
    const pairs: Array<[Uint8Array, Uint8Array]> = [[utf8("f"), utf8("1")]];
    const plain: Entry = { key: utf8("h"), value: { type: "hash", value: pairs }, deadline: null };
    const timed: Entry = {
      ...plain,
      value: { type: "hash", value: pairs, fieldDeadlines: [W + 5] },
    };
    const noTtl = concat(encodeSnapshotChunks([plain], { version: 6, checksum: false }));
    const withTtl = concat(encodeSnapshotChunks([timed], { checksum: false }));
    // header (25 bytes), hash record, opcode 7, then the hash record again, EOF.
    const record = noTtl.subarray(25, noTtl.length - 1);
    const spliced = concat([withTtl.subarray(0, withTtl.length - 1), record, new Uint8Array([0])]);
    const got = decodeEntries(spliced, { now: W });
    assert.equal(got.entries.length, 2);
    assert.deepEqual(entriesKeyspace(got.entries), [{
      key: "68",
      type: "hash",
      ttl: null,
      value: [["66", "31"]],
      field_ttls: [["66", W + 5]],
    }]);
  });

  it("crafted_hfttl_orphans: " + STRICTER.crafted_hfttl_orphans, () => {
    const e = exp("crafted_hfttl_orphans");
    const got = decodeEntries(file("crafted_hfttl_orphans"), { now: W });
    assert.deepEqual(entriesKeyspace(got.entries), e.keyspace);
    assert.equal(got.fieldTtlOutcome.orphans, e.orphan_field_ttls!.length);
    assert.equal(got.fieldTtlOutcome.applied, 1);
  });

  for (
    const name of [
      "crafted_v4_with_opcodes_7_and_8",
      "crafted_v7_segstub",
      "crafted_v7_segstub_with_ttl",
    ]
  ) {
    it(`${name}: ${STRICTER[name]}`, () => {
      const stub = exp(name).keyspace.find((k) => k.seg_stub !== undefined)!;
      assert.throws(
        () => decodeEntries(file(name), { now: W, path: "/data/dump-3.rdb" }),
        (err: unknown) => {
          assert.ok(err instanceof SegmentStubError, String(err));
          assert.equal(err.segmentDir, "/data/segs-3");
          assert.equal(hex(err.key), stub.key);
          assert.equal(err.seq, (stub.seg_stub as { seq: number }).seq);
          assert.match(err.message, /\/data\/segs-3\//);
          assert.match(err.message, /row-segment stub/);
          return true;
        },
      );
      // A caller that opts in sees the stub (inspect counts them).
      const stubs: number[] = [];
      const dec = new SnapshotDecoder({
        now: W,
        onEntry: () => {},
        onFieldTtl: () => {},
        onSegmentStub: (s) => stubs.push(s.seq),
      });
      dec.push(file(name));
      assert.equal(dec.finish().segmentStubs, 1);
      assert.deepEqual(stubs, [(stub.seg_stub as { seq: number }).seq]);
    });
  }

  it("a decoder without onFieldTtl refuses field TTLs instead of dropping them", () => {
    const dec = new SnapshotDecoder({ now: W, onEntry: () => {} });
    assert.throws(() => dec.push(file("v6_hash_field_ttl")), /opcode 7.*no onFieldTtl/);
  });
});

describe("writing versions 4, 5 and 6 as kevy 5.4 chooses", () => {
  const str: Entry = {
    key: utf8("k"),
    value: { type: "string", value: utf8("v") },
    deadline: null,
  };
  const hashTtl: Entry = {
    key: utf8("h"),
    value: {
      type: "hash",
      value: [[utf8("a"), utf8("1")], [utf8("b"), utf8("2")], [utf8("c"), utf8("3")]],
      fieldDeadlines: [4102444800000, null, W - 1],
    },
    deadline: 7258118400000,
  };
  const enc = (es: Iterable<Entry>, o: Parameters<typeof encodeSnapshotChunks>[1] = {}) =>
    concat(encodeSnapshotChunks(es, o));

  it("4 without a cursor or field TTLs, 5 with a cursor, 6 with field TTLs", () => {
    assert.equal(enc([str])[8], 4);
    const cursor = { generation: 7365887390543728n, offset: 987654321n };
    const v5 = enc([str], { cursor });
    assert.equal(v5[8], 5);
    assert.deepEqual(decodeEntries(v5, { now: W }).cursor, cursor);
    const v6 = enc([str, hashTtl]);
    assert.equal(v6[8], 6);
    assert.deepEqual(decodeEntries(v6, { now: W }).cursor, { generation: 0n, offset: 0n });
  });

  it("a v5 file with a cursor re-encodes to the bytes kevy 5.4 wrote", () => {
    for (const name of ["v5_cursor", "v5_cursor_u64max", "v5_empty_zero_cursor"]) {
      const bytes = file(name);
      const got = decodeEntries(bytes, { now: W });
      const again = enc(got.entries, { cursor: got.cursor, checksum: false, chunkSize: 64 });
      assert.equal(hex(again), hex(bytes), name);
    }
  });

  it("v6 files re-read identically: field TTLs after the entries, due fields left out", () => {
    for (const name of ["v6_hash_field_ttl", "v6_with_cursor", "v6_unreaped_due_fields"]) {
      const first = decodeEntries(file(name), { now: W });
      const bytes = enc(first.entries, { cursor: first.cursor, now: W });
      const again = decodeEntries(bytes, { now: W });
      assert.equal(again.version, 6, name);
      assert.equal(again.checksum, "verified");
      assert.deepEqual(again.cursor, first.cursor);
      assert.deepEqual(entriesKeyspace(again.entries), exp(name).keyspace, name);
    }
    const got = decodeEntries(enc([hashTtl], { now: W }), { now: W });
    assert.equal(got.fieldTtls, 1, "the due field c and its TTL are not written");
    assert.deepEqual(entriesKeyspace(got.entries), [{
      key: "68",
      type: "hash",
      ttl: 7258118400000,
      value: [["61", "31"], ["62", "32"]],
      field_ttls: [["61", 4102444800000]],
    }]);
  });

  it("refuses field TTLs in a version that cannot hold them", () => {
    assert.throws(
      () => enc([hashTtl], { version: 4 }),
      /field TTLs, which need snapshot version 6/,
    );
    assert.throws(() => enc([hashTtl], { version: 5 }), RangeError);
    // A lazy iterable is not scanned ahead: it needs version 6 said up front.
    function* lazy(): Generator<Entry> {
      yield hashTtl;
    }
    assert.throws(() => concat(encodeSnapshotChunks(lazy())), RangeError);
    assert.equal(enc(lazy(), { version: 6 })[8], 6);
    assert.throws(
      () => enc([str], { version: 4, cursor: { generation: 1n, offset: 1n } }),
      RangeError,
    );
  });
});
