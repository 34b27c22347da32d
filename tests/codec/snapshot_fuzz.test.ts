// Randomized round trips and mutation fuzzing of the snapshot codec: any
// input either decodes or raises CorruptFileError, quickly, with any chunking.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeEntries, encodeSnapshotChunks, SnapshotDecoder } from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import type { Entry, KeyValue, StreamId, StreamValue } from "../../src/codec/types.ts";
import { concat, readFixture } from "../_helpers.ts";

const NOW = 1767225600000;

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCORES = [
  0,
  -0,
  1,
  -1,
  0.5,
  Infinity,
  -Infinity,
  5e-324,
  -5e-324,
  2.2250738585072e-308, // subnormal
  1e300,
  -1e300,
  Number.MAX_VALUE,
  1e-20,
];

function gen(r: () => number) {
  const int = (n: number) => Math.floor(r() * n);
  const bytes = (max = 12) => {
    const b = new Uint8Array(r() < 0.05 ? int(300) : int(max));
    for (let i = 0; i < b.length; i++) b[i] = int(256);
    return b;
  };
  const u64 = () =>
    r() < 0.3
      ? BigInt(int(1000))
      : BigInt.asUintN(64, BigInt(int(2 ** 32)) << 32n | BigInt(int(2 ** 32)));
  const id = (): StreamId => ({ ms: u64(), seq: u64() });
  const many = <T>(f: () => T, max = 6) => Array.from({ length: int(max) }, f);
  const score = () => {
    if (r() < 0.6) return SCORES[int(SCORES.length)]!;
    const dv = new DataView(new ArrayBuffer(8));
    dv.setUint32(0, int(2 ** 32));
    dv.setUint32(4, int(2 ** 32));
    const x = dv.getFloat64(0);
    return Number.isNaN(x) ? 0.25 : x;
  };
  const stream = (): StreamValue => ({
    lastId: id(),
    maxDeletedId: id(),
    entriesAdded: u64(),
    entries: many(
      () => ({ id: id(), fields: many(() => [bytes(), bytes()] as [Uint8Array, Uint8Array], 4) }),
      4,
    ),
    groups: many(() => ({
      name: bytes(),
      lastDelivered: id(),
      consumers: many(() => ({ name: bytes(), seenTime: u64() }), 3),
      pel: many(
        () => ({ id: id(), consumer: bytes(), deliveryTime: u64(), deliveryCount: int(2 ** 32) }),
        3,
      ),
    }), 3),
  });
  const value = (): KeyValue => {
    switch (int(6)) {
      case 0:
        return { type: "string", value: bytes(40) };
      case 1:
        return { type: "hash", value: many(() => [bytes(), bytes()] as [Uint8Array, Uint8Array]) };
      case 2:
        return { type: "list", value: many(() => bytes()) };
      case 3:
        return { type: "set", value: many(() => bytes()) };
      case 4:
        return { type: "zset", value: many(() => [bytes(), score()] as [Uint8Array, number]) };
      default:
        return { type: "stream", value: stream() };
    }
  };
  const entry = (): Entry => ({
    key: bytes(),
    value: value(),
    deadline: r() < 0.5 ? null : NOW + 1 + int(2 ** 52 - NOW),
  });
  return { int, bytes, entries: (n: number) => Array.from({ length: n }, entry) };
}

/** Length of the checksum trailer a file ends with (its last 12 bytes: length, magic). */
function trailerLength(file: Uint8Array): number {
  const p = file.length - 12;
  return (file[p]! | (file[p + 1]! << 8) | (file[p + 2]! << 16) | (file[p + 3]! << 24)) >>> 0;
}

/** Decodes with random push sizes and no totalSize. */
function decodeSplit(bytes: Uint8Array, r: () => number) {
  const entries: Entry[] = [];
  const dec = new SnapshotDecoder({ now: NOW, onEntry: (e) => entries.push(e) });
  for (let o = 0; o < bytes.length;) {
    const n = 1 + Math.floor(r() * 300);
    dec.push(bytes.subarray(o, o + n));
    o += n;
  }
  return { ...dec.finish(), entries };
}

/** Outcome of decoding: entries or the CorruptFileError; any other throw fails the test. */
function outcome(f: () => { entries: Entry[] }): Entry[] | CorruptFileError {
  try {
    return f().entries;
  } catch (e) {
    if (e instanceof CorruptFileError) return e;
    throw e;
  }
}

describe("snapshot codec: randomized round trips", () => {
  it("decode(encode(x)) = x for random entries of every type, any chunking", () => {
    const r = rng(1);
    const g = gen(r);
    for (let round = 0; round < 60; round++) {
      const entries = g.entries(g.int(12));
      const chunkSize = 64 + g.int(512);
      const bytes = concat(encodeSnapshotChunks(entries, { chunkSize, now: NOW }));
      assert.deepEqual(decodeEntries(bytes, { now: NOW }).entries, entries);
      assert.deepEqual(decodeSplit(bytes, r).entries, entries);
      // Re-encoding what was decoded gives the same bytes.
      assert.deepEqual(
        concat(encodeSnapshotChunks(decodeEntries(bytes, { now: NOW }).entries)),
        bytes,
      );
    }
  });

  it("keeps every zset score bit-exactly (-0, ±inf, subnormals, 5e-324, 1e300)", () => {
    const value: Array<[Uint8Array, number]> = SCORES.map((s, i) => [new Uint8Array([i]), s]);
    const bytes = concat(
      encodeSnapshotChunks([{
        key: new Uint8Array(0),
        value: { type: "zset", value },
        deadline: null,
      }]),
    );
    const got = decodeEntries(bytes, { now: NOW }).entries[0]?.value;
    assert.equal(got?.type, "zset");
    const scores = got.type === "zset" ? got.value.map(([, s]) => s) : [];
    for (let i = 0; i < SCORES.length; i++) {
      assert.ok(Object.is(scores[i], SCORES[i]), `score ${SCORES[i]}`);
    }
  });
});

describe("snapshot codec: mutation fuzz", () => {
  const r = rng(7);
  const g = gen(r);
  const random = concat(encodeSnapshotChunks(g.entries(8), { now: NOW }));
  const files: Array<[string, Uint8Array]> = [
    ["mixed", readFixture("vectors/snapshot/mixed.rdb")],
    ["stream", readFixture("vectors/snapshot/stream.rdb")],
    ["crafted_v3", readFixture("vectors/snapshot/crafted_v3.rdb")],
    ["crafted_v2_relative_ttl", readFixture("vectors/snapshot/crafted_v2_relative_ttl.rdb")],
    ["random", random],
  ];

  /** Decodes `bytes` whole (with totalSize) and split (without): same outcome, only CorruptFileError. */
  function check(bytes: Uint8Array, label: string): Entry[] | CorruptFileError {
    const whole = outcome(() => decodeEntries(bytes, { now: NOW }));
    const split = outcome(() => decodeSplit(bytes, r));
    if (whole instanceof CorruptFileError) {
      assert.ok(split instanceof CorruptFileError, `${label}: split decode succeeded`);
      assert.equal(split.offset, whole.offset, label);
      assert.ok(
        whole.offset >= 0 && whole.offset <= bytes.length,
        `${label}: offset ${whole.offset}`,
      );
    } else {
      assert.deepEqual(split, whole, label);
      // Whatever decodes re-encodes to something that decodes the same.
      const again = decodeEntries(concat(encodeSnapshotChunks(whole)), { now: NOW }).entries;
      assert.deepEqual(again, whole, label);
    }
    return whole;
  }

  for (const [name, file] of files) {
    it(`${name}: every truncation is a CorruptFileError at or before the cut`, () => {
      // Our files end in a checksum trailer after the EOF opcode; cut exactly
      // before it, a file is all data and no trailer, like one kevy wrote.
      const data = name === "random" ? file.length - trailerLength(file) : file.length;
      for (let cut = 0; cut < file.length; cut++) {
        const res = check(file.subarray(0, cut), `${name} cut ${cut}`);
        if (cut === data) assert.ok(!(res instanceof CorruptFileError), `${name} data only`);
        else assert.ok(res instanceof CorruptFileError, `${name} cut at ${cut} decoded`);
      }
    });

    it(`${name}: flipped, spliced, zero- and 0xff-filled bytes decode or raise CorruptFileError`, () => {
      for (let n = 0; n < 200; n++) {
        const m = file.slice();
        const at = g.int(m.length);
        const len = 1 + g.int(8);
        switch (n % 4) {
          case 0:
            m[at] = m[at]! ^ (1 << g.int(8));
            check(m, `${name} flip@${at}`);
            break;
          case 1: {
            const other = files[g.int(files.length)]![1];
            const from = g.int(other.length);
            const piece = other.subarray(from, from + 1 + g.int(40));
            check(
              concat([m.subarray(0, at), piece, m.subarray(at + g.int(8))]),
              `${name} splice@${at}`,
            );
            break;
          }
          case 2:
            m.fill(0, at, at + len);
            check(m, `${name} zero@${at}+${len}`);
            break;
          default:
            m.fill(0xff, at, at + len);
            check(m, `${name} ff@${at}+${len}`);
        }
      }
    });
  }

  it("huge lengths and counts in a tiny file fail before any allocation", () => {
    // Every u32 slot after the header set to 0xFFFFFFFF in turn.
    const file = readFixture("vectors/snapshot/mixed.rdb");
    for (let at = 9; at + 4 <= file.length; at++) {
      const m = file.slice();
      m.fill(0xff, at, at + 4);
      const dec = new SnapshotDecoder({ now: NOW, onEntry: () => {}, totalSize: m.length });
      const res = outcome(() => {
        dec.push(m);
        return { entries: [], ...dec.finish() };
      });
      if (res instanceof CorruptFileError) assert.ok(res.offset <= m.length);
    }
  });
});
