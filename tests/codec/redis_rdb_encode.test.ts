// The RDB writer and DUMP payloads: every type round-trips through every
// version that can hold it, in the encoding Redis would pick; what a version
// cannot hold is refused. (A real redis-server loading our files is in
// tests/redis/rdb_server.test.ts.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { encodeRedisRdbChunks } from "../../src/codec/redis_rdb_encode.ts";
import { decodeRedisDump, encodeRedisDump } from "../../src/codec/redis_dump.ts";
import { RedisRdbVersionError } from "../../src/codec/rdb_errors.ts";
import type { Entry, KeyValue, StreamValue } from "../../src/codec/types.ts";
import { concat, utf8 } from "../_helpers.ts";
import { viewOfEntry } from "../redis/_rdb_view.ts";
import { decode } from "./_rdb_build.ts";

const e = (key: string, value: KeyValue, deadline: number | null = null): Entry => ({
  key: utf8(key),
  value,
  deadline,
});
const strs = (n: number, f: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => utf8(f(i)));

function stream(withTimes: boolean): StreamValue {
  return {
    lastId: { ms: 1700000000002n, seq: 7n },
    maxDeletedId: { ms: 1700000000000n, seq: 1n },
    entriesAdded: 300n,
    entries: Array.from({ length: 250 }, (_, i) => ({
      id: { ms: 1700000000000n + BigInt(i >> 7), seq: BigInt(i & 127) + 2n },
      fields: (i % 4 === 0 ? [["other", String(i)]] : [["a", String(i)], ["b", "x".repeat(i % 50)]])
        .map(([f, v]) => [utf8(f!), utf8(v!)] as [Uint8Array, Uint8Array]),
    })),
    groups: [{
      name: utf8("g"),
      lastDelivered: { ms: 1700000000000n, seq: 5n },
      entriesRead: 4n,
      consumers: [
        {
          name: utf8("alice"),
          seenTime: 1700000000500n,
          ...(withTimes ? { activeTime: 1700000000400n } : {}),
        },
        { name: utf8("idle"), seenTime: 1700000000600n, ...(withTimes ? { activeTime: -1n } : {}) },
      ],
      pel: [
        {
          id: { ms: 1700000000000n, seq: 3n },
          consumer: utf8("alice"),
          deliveryTime: 1700000000450n,
          deliveryCount: 2,
        },
        {
          id: { ms: 1700000000000n, seq: 2n },
          consumer: utf8("alice"),
          deliveryTime: 1700000000440n,
          deliveryCount: 1,
        },
      ],
    }, {
      name: utf8("unread"),
      lastDelivered: { ms: 0n, seq: 0n },
      entriesRead: null,
      consumers: [],
      pel: [],
    }],
  };
}

/** One key of each type and encoding class (stream and field TTLs per version). */
function sample(version: number): Entry[] {
  const out: Entry[] = [
    e("s:small", { type: "string", value: utf8("hello") }, 1_900_000_000_000),
    e("s:int", { type: "string", value: utf8("-123456") }),
    e("s:big-int", { type: "string", value: utf8("92233720368547758070") }),
    e("s:lzf", { type: "string", value: utf8("abc".repeat(500)) }),
    e("s:empty", { type: "string", value: new Uint8Array(0) }),
    e("", { type: "string", value: utf8("empty key") }),
    e("l:small", { type: "list", value: [utf8("a"), utf8("12"), new Uint8Array([0, 255])] }),
    e("l:big", { type: "list", value: strs(3000, (i) => `item-${i}-${"z".repeat(i % 30)}`) }),
    e("set:int", { type: "set", value: strs(10, (i) => String(i * 1000 - 5)) }),
    e("set:str", { type: "set", value: strs(10, (i) => `m${i}`) }),
    e("set:big", { type: "set", value: strs(700, (i) => String(i)) }),
    e("z:small", {
      type: "zset",
      value: [[utf8("a"), 1], [utf8("b"), -0], [utf8("c"), Infinity], [utf8("d"), -Infinity], [
        utf8("e"),
        1e-20,
      ], [utf8("f"), 5e-324]],
    }),
    e("z:big", {
      type: "zset",
      value: strs(200, (i) => `m${i}`).map((m, i) => [m, (i * 37) % 11 - 5.5]),
    }),
    e("h:small", { type: "hash", value: [[utf8("f"), utf8("v")], [utf8("n"), utf8("1")]] }),
    e("h:big", {
      type: "hash",
      value: strs(200, (i) => `f${i}`).map((f, i) => [f, utf8(`v${i}`)]),
    }),
    e("x:stream", { type: "stream", value: stream(version >= 11) }),
  ];
  if (version >= 12) {
    out.push(
      e("h:ttl-small", {
        type: "hash",
        value: [[utf8("a"), utf8("1")], [utf8("b"), utf8("2")], [utf8("c"), utf8("3")]],
        fieldDeadlines: [1_900_000_000_000, null, 1_800_000_000_000],
      }),
      e("h:ttl-big", {
        type: "hash",
        value: strs(150, (i) => `f${i}`).map((f, i) => [f, utf8(`v${i}`)]),
        fieldDeadlines: Array.from(
          { length: 150 },
          (_, i) => (i % 3 === 0 ? 1_800_000_000_000 + i : null),
        ),
      }),
    );
  }
  return out;
}

function encode(
  entries: Entry[],
  opts: Parameters<typeof encodeRedisRdbChunks>[1] = {},
): Uint8Array {
  return concat(encodeRedisRdbChunks([{ db: 0, entries }], opts));
}

const viewOf = (list: Entry[]) => list.map((x) => viewOfEntry(x));

/** What an RDB 9/10 stream loses (entries added etc. before 10; active times before 11). */
function expected(version: number): Entry[] {
  return sample(version).map((x) => {
    if (x.value.type !== "stream") return x;
    const s = x.value.value;
    const groups = s.groups.map((g) => {
      const { entriesRead: _r, ...rest } = g;
      return version >= 10 ? g : { ...rest };
    });
    const value: StreamValue = version >= 10
      ? { ...s, groups }
      : { ...s, groups, maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: BigInt(s.entries.length) };
    return { ...x, value: { type: "stream", value } };
  });
}

describe("encodeRedisRdbChunks", () => {
  for (const version of [9, 10, 11, 12]) {
    it(`version ${version}: every type reads back equal`, () => {
      const d = decode(encode(sample(version), { rdbVersion: version }));
      assert.equal(d.stats.version, version);
      assert.equal(d.stats.checksum, "ok");
      assert.deepStrictEqual(viewOf(d.entries.map((x) => x.entry)), viewOf(expected(version)));
    });
  }

  it("picks the encodings Redis picks with its default limits, per version", () => {
    const types = (v: number) =>
      Object.fromEntries(
        decode(encode(sample(v), { rdbVersion: v })).entries.map((x) => [
          new TextDecoder().decode(x.entry.key),
          x.type,
        ]),
      );
    assert.deepStrictEqual(types(9), {
      "s:small": 0,
      "s:int": 0,
      "s:big-int": 0,
      "s:lzf": 0,
      "s:empty": 0,
      "": 0,
      "l:small": 1,
      "l:big": 1,
      "set:int": 11,
      "set:str": 2,
      "set:big": 2,
      "z:small": 5,
      "z:big": 5,
      "h:small": 4,
      "h:big": 4,
      "x:stream": 15,
    });
    assert.deepStrictEqual(types(10), {
      ...types(9),
      "l:small": 18,
      "l:big": 18,
      "z:small": 17,
      "h:small": 16,
      "x:stream": 19,
    });
    assert.deepStrictEqual(types(12), {
      ...types(10),
      "set:str": 20,
      "x:stream": 21,
      "h:ttl-small": 25,
      "h:ttl-big": 24,
    });
  });

  it("compresses with LZF unless told not to; writes a zero checksum when told", () => {
    const on = encode(sample(10));
    const off = encode(sample(10), { compress: false, checksum: false });
    assert.ok(on.length < off.length);
    assert.deepStrictEqual(off.subarray(off.length - 8), new Uint8Array(8));
    assert.equal(decode(off).stats.checksum, "disabled");
    assert.deepStrictEqual(
      viewOf(decode(off).entries.map((x) => x.entry)),
      viewOf(decode(on).entries.map((x) => x.entry)),
    );
  });

  it("yields chunks of about chunkBytes that decode like the whole", () => {
    const chunks = [
      ...encodeRedisRdbChunks([{ db: 0, entries: sample(10) }], { chunkBytes: 1000 }),
    ];
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    assert.deepStrictEqual(
      viewOf(decode(concat(chunks)).entries.map((x) => x.entry)),
      viewOf(decode(encode(sample(10))).entries.map((x) => x.entry)),
    );
  });

  it("writes several databases with RESIZEDB hints, AUX fields and functions", () => {
    const bytes = concat(encodeRedisRdbChunks([
      {
        db: 0,
        entries: [e("a", { type: "string", value: utf8("1") })],
        size: { keys: 1, expires: 0 },
      },
      { db: 7, entries: [e("b", { type: "string", value: utf8("2") }, 5)] },
    ], {
      aux: [["my-field", "x"]],
      ctime: 1700000000,
      functions: [{ code: utf8("#!lua name=l\nreturn 1") }],
    }));
    const hints: unknown[] = [];
    const fns: string[] = [];
    const d = decode(bytes, {
      onDb: (db, h) => hints.push([db, h]),
      onFunction: (f) => fns.push(new TextDecoder().decode(f.code)),
    });
    assert.deepStrictEqual(d.aux, [["redis-bits", "64"], ["ctime", "1700000000"], [
      "my-field",
      "x",
    ]]);
    assert.deepStrictEqual(hints, [[0, null], [0, { keys: 1, expires: 0 }], [7, null]]);
    assert.deepStrictEqual(d.entries.map((x) => [x.db, x.entry.deadline]), [[0, null], [7, 5]]);
    assert.deepStrictEqual(fns, ["#!lua name=l\nreturn 1"]);
  });

  it("leaves out entries past `now` and empty collections, counted", () => {
    const gen = encodeRedisRdbChunks([{
      db: 0,
      entries: [
        e("old", { type: "string", value: utf8("x") }, 100),
        e("new", { type: "string", value: utf8("x") }, 300),
        e("empty", { type: "list", value: [] }),
      ],
    }], { now: 200 });
    let r = gen.next();
    const parts: Uint8Array[] = [];
    while (!r.done) {
      parts.push(r.value);
      r = gen.next();
    }
    assert.equal(r.value.keys, 1);
    assert.equal(r.value.expiredSkipped, 1);
    assert.equal(r.value.emptySkipped, 1);
    assert.deepStrictEqual(
      decode(concat(parts)).entries.map((x) => new TextDecoder().decode(x.entry.key)),
      ["new"],
    );
  });

  it("refuses what the version cannot hold or Redis refuses", () => {
    const ttl = e("h", { type: "hash", value: [[utf8("f"), utf8("v")]], fieldDeadlines: [5] });
    for (const v of [9, 10, 11]) {
      assert.throws(() => encode([ttl], { rdbVersion: v }), /version 12/);
    }
    assert.throws(
      () => encode([], { rdbVersion: 9, functions: [{ code: utf8("x") }] }),
      RangeError,
    );
    assert.throws(() => encode([e("z", { type: "zset", value: [[utf8("m"), NaN]] })]), /NaN/);
    assert.throws(() => encode([e("k", { type: "string", value: utf8("v") }, 1.5)]), /deadline/);
    assert.throws(
      () =>
        encode([ttl], { rdbVersion: 12 }).length === 0 ||
        encode([{ ...ttl, value: { ...ttl.value, fieldDeadlines: [2 ** 48] } as KeyValue }], {
          rdbVersion: 12,
        }),
      /2\^48/,
    );
    for (const v of [8, 13, 10.5]) assert.throws(() => encode([], { rdbVersion: v }), RangeError);
    assert.throws(
      () => concat(encodeRedisRdbChunks([{ db: 1, entries: [] }, { db: 1, entries: [] }])),
      /twice/,
    );
    const s = stream(true);
    s.groups[0]!.pel.push({
      id: { ms: 9n, seq: 9n },
      consumer: utf8("nobody"),
      deliveryTime: 1n,
      deliveryCount: 1,
    });
    assert.throws(() => encode([e("s", { type: "stream", value: s })]), /consumer/);
  });
});

describe("encodeRedisDump / decodeRedisDump", () => {
  for (const version of [9, 10, 11, 12]) {
    it(`version ${version}: every type round-trips`, () => {
      const input = sample(version);
      for (const [i, x] of expected(version).entries()) {
        const got = decodeRedisDump(encodeRedisDump(input[i]!.value, { rdbVersion: version }));
        assert.equal(got.rdbVersion, version);
        assert.deepStrictEqual(
          viewOfEntry({ ...x, value: got.value, deadline: null }),
          viewOfEntry({ ...x, deadline: null }),
        );
      }
    });
  }

  it("refuses a damaged CRC, a newer version, a short payload, trailing bytes, an empty value", () => {
    const p = encodeRedisDump({ type: "string", value: utf8("hello") });
    const bad = p.slice();
    bad[0] = 1;
    assert.throws(
      () => decodeRedisDump(bad),
      (x: unknown) => x instanceof CorruptFileError && x.offset === p.length - 8,
    );
    const v13 = p.slice();
    v13[p.length - 10] = 13;
    assert.throws(() => decodeRedisDump(v13, { verifyChecksum: false }), RedisRdbVersionError);
    assert.throws(() => decodeRedisDump(p.subarray(0, 10)), CorruptFileError);
    // One more byte inside the value part: the value ends before the footer.
    const longer = new Uint8Array([
      ...p.subarray(0, p.length - 10),
      0x00,
      ...p.subarray(p.length - 10),
    ]);
    assert.throws(() => decodeRedisDump(longer, { verifyChecksum: false }), /end of the value/);
    assert.throws(() => encodeRedisDump({ type: "set", value: [] }), RangeError);
  });
});
