// Redis's nested encodings (listpack, ziplist, intset, zipmap): every element
// encoding reads back, and damaged bytes are a CorruptFileError at the bad
// offset (relative to the container), as Redis's deep sanitization refuses
// them. Real containers written by Redis are covered by the RDB fixtures.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { ListpackReader, ListpackWriter } from "../../src/codec/_redis_listpack.ts";
import { ZiplistReader } from "../../src/codec/_redis_ziplist.ts";
import { decodeIntset, encodeIntset } from "../../src/codec/_redis_intset.ts";
import { decodeZipmap } from "../../src/codec/_redis_zipmap.ts";
import { utf8 } from "../_helpers.ts";

const td = new TextDecoder();

function corruptAt(f: () => unknown, offset: number, match?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof CorruptFileError, String(e));
    assert.equal(e.offset, offset, e.message);
    if (match) assert.match(e.expected, match);
    return true;
  });
}

function readAll(lp: Uint8Array): string[] {
  const r = new ListpackReader(lp, 0, lp.length);
  const out: string[] = [];
  while (r.next()) out.push(r.isInt ? `int:${r.big ?? r.int}` : td.decode(r.bytes()));
  return out;
}

/** A ziplist laid out as ziplist.c describes (test data builder). */
function ziplist(items: Array<string | number | bigint>): Uint8Array {
  const entries: Uint8Array[] = [];
  let prev = 0;
  for (const it of items) {
    const pre = prev < 254
      ? [prev]
      : [0xfe, prev & 0xff, (prev >> 8) & 0xff, (prev >> 16) & 0xff, prev >>> 24];
    let body: number[];
    if (typeof it === "string") {
      const s = utf8(it);
      const n = s.length;
      const hdr = n < 64
        ? [n]
        : n < 16384
        ? [0x40 | (n >> 8), n & 0xff]
        : [0x80, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
      body = [...hdr, ...s];
    } else {
      const v = BigInt(it);
      const le = (bytes: number) =>
        Array.from(
          { length: bytes },
          (_, i) => Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn),
        );
      if (v >= 0n && v <= 12n) body = [0xf1 + Number(v)];
      else if (v >= -128n && v <= 127n) body = [0xfe, ...le(1)];
      else if (v >= -32768n && v <= 32767n) body = [0xc0, ...le(2)];
      else if (v >= -8388608n && v <= 8388607n) body = [0xf0, ...le(3)];
      else if (v >= -2147483648n && v <= 2147483647n) body = [0xd0, ...le(4)];
      else body = [0xe0, ...le(8)];
    }
    const e = new Uint8Array([...pre, ...body]);
    entries.push(e);
    prev = e.length;
  }
  const size = 10 + entries.reduce((n, e) => n + e.length, 0) + 1;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, size, true);
  const tail = entries.length === 0 ? 10 : size - 1 - entries[entries.length - 1]!.length;
  dv.setUint32(4, tail, true);
  dv.setUint16(8, Math.min(entries.length, 0xffff), true);
  let at = 10;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  out[size - 1] = 0xff;
  return out;
}

function readZl(z: Uint8Array): string[] {
  const r = new ZiplistReader(z, 0, z.length);
  const out: string[] = [];
  while (r.next()) out.push(r.isInt ? `int:${r.big ?? r.int}` : td.decode(r.bytes()));
  return out;
}

describe("listpack", () => {
  it("reads back every integer width and string length class", () => {
    const ints = [
      0,
      127,
      128,
      -1,
      4095,
      -4096,
      4096,
      32767,
      -32768,
      8388607,
      -8388608,
      2147483647,
      -2147483648,
      2 ** 53,
      -(2 ** 53),
    ];
    const bigs = [2n ** 63n - 1n, -(2n ** 63n)];
    const strs = [
      "",
      "a".repeat(63),
      "b".repeat(64),
      "c".repeat(4095),
      "d".repeat(4096),
      "e".repeat(70000),
    ];
    const w = new ListpackWriter();
    for (const v of ints) w.appendInt(v);
    for (const v of bigs) w.appendInt(v);
    for (const s of strs) w.appendString(utf8(s));
    const got = readAll(w.finish());
    assert.deepStrictEqual(got, [
      ...ints.map((v) => `int:${v}`),
      ...bigs.map((v) => `int:${v}`),
      ...strs,
    ]);
  });

  it("stores canonical integer strings as integers and keeps others as strings (lpAppend)", () => {
    const w = new ListpackWriter();
    for (
      const s of ["12", "-7", "007", "-0", "+1", " 1", "9223372036854775807", "9223372036854775808"]
    ) {
      w.append(utf8(s));
    }
    assert.deepStrictEqual(readAll(w.finish()), [
      "int:12",
      "int:-7",
      "007",
      "-0",
      "+1",
      " 1",
      "int:9223372036854775807",
      "9223372036854775808",
    ]);
  });

  it("writes back-lengths at Redis's size thresholds (127/128, 16382/16383 bytes)", () => {
    for (const n of [126, 127, 16380, 16381, 16382]) {
      const w = new ListpackWriter();
      w.appendString(utf8("x".repeat(n)));
      w.appendInt(1);
      assert.deepStrictEqual(readAll(w.finish()), ["x".repeat(n), "int:1"], `${n}`);
    }
  });

  it("refuses a header whose total bytes differ, a missing terminator, a wrong count", () => {
    const w = new ListpackWriter();
    w.appendString(utf8("ab"));
    w.appendInt(5);
    const lp = w.finish().slice();
    const bad1 = lp.slice();
    bad1[0]! += 1;
    corruptAt(() => readAll(bad1), 0, /total bytes/);
    const bad2 = lp.slice();
    bad2[bad2.length - 1] = 0;
    corruptAt(() => readAll(bad2), bad2.length - 1, /terminator/);
    const bad3 = lp.slice();
    bad3[4] = 3;
    corruptAt(() => readAll(bad3), 4, /count/);
    const unknown = lp.slice();
    unknown[4] = 0xff;
    unknown[5] = 0xff;
    assert.deepStrictEqual(readAll(unknown), ["ab", "int:5"]); // 65535: count not kept
  });

  it("refuses an unused encoding byte, an element past the end, a wrong back-length", () => {
    const w = new ListpackWriter();
    w.appendString(utf8("ab"));
    w.appendInt(5);
    const lp = w.finish().slice();
    const enc = lp.slice();
    enc[6] = 0xf5;
    corruptAt(() => readAll(enc), 6, /encoding/);
    const long = lp.slice();
    long[6] = 0x80 | 40; // a 40-byte string in a 12-byte listpack
    corruptAt(() => readAll(long), 6, /ends inside/);
    const back = lp.slice();
    back[9] = 2; // "ab" takes 3 bytes: its back-length must say 3
    corruptAt(() => readAll(back), 9, /back-length/);
  });
});

describe("ziplist", () => {
  it("reads every entry encoding: 6/14/32-bit strings, immediates, 8/16/24/32/64-bit integers", () => {
    const items = [
      "",
      "short",
      "m".repeat(300),
      "l".repeat(20000),
      0,
      12,
      13,
      -1,
      127,
      -128,
      1000,
      -32768,
      100000,
      -8388608,
      2147483647,
      -2147483648,
      2n ** 40n,
      -(2n ** 63n),
    ];
    const got = readZl(ziplist(items));
    assert.deepStrictEqual(got, items.map((x) => (typeof x === "string" ? x : `int:${x}`)));
  });

  it("uses 5-byte prevlens after an entry of 254 bytes or more", () => {
    const items = ["p".repeat(252), "after", "q".repeat(260), "x"];
    assert.deepStrictEqual(readZl(ziplist(items)), items);
  });

  it("refuses a prevlen that is not the previous entry's length", () => {
    const z = ziplist(["ab", "cd"]);
    const bad = z.slice();
    bad[10 + 4] = 9; // second entry's prevlen (first entry: 1 + 1 + 2 bytes)
    corruptAt(() => readZl(bad), 14, /prevlen/);
  });

  it("refuses a tail offset off the last entry, a wrong count, a bad encoding, an entry past the end", () => {
    const z = ziplist(["ab", "cd"]);
    const tail = z.slice();
    tail[4] = 10;
    corruptAt(() => readZl(tail), 4, /tail offset/);
    const count = z.slice();
    count[8] = 3;
    corruptAt(() => readZl(count), 8, /count/);
    const enc = z.slice();
    enc[11] = 0xc1;
    corruptAt(() => readZl(enc), 11, /encoding/);
    const long = z.slice();
    long[11] = 30; // a 30-byte string
    corruptAt(() => readZl(long), 10, /ends inside/);
    const tailOut = z.slice();
    tailOut[4] = 200;
    corruptAt(() => readZl(tailOut), 4, /tail offset inside/);
  });
});

describe("intset", () => {
  it("reads 16, 32 and 64-bit intsets and writes the narrowest width", () => {
    for (
      const [vals, width] of [[[-5, 1, 300], 2], [[-70000, 5], 4], [[1n, 2n ** 62n], 8]] as const
    ) {
      const b = encodeIntset([...vals]);
      assert.equal(b[0], width);
      assert.deepStrictEqual(
        decodeIntset(b, 0, b.length).map((x) => td.decode(x)),
        vals.map(String),
      );
    }
  });

  it("refuses unsorted or duplicate members, a size that does not match the count, emptiness, a bad width", () => {
    const b = encodeIntset([1, 2, 3]);
    const unsorted = b.slice();
    unsorted[8] = 9; // 9, 2, 3
    corruptAt(() => decodeIntset(unsorted, 0, unsorted.length), 10, /ascending/);
    corruptAt(() => decodeIntset(b, 0, b.length - 1), 4, /intset of 3/);
    const empty = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]);
    corruptAt(() => decodeIntset(empty, 0, 8), 4, /non-empty/);
    const width = b.slice();
    width[0] = 3;
    corruptAt(() => decodeIntset(width, 0, width.length), 0, /width/);
    assert.throws(() => encodeIntset([1, 1]), RangeError);
  });
});

describe("zipmap", () => {
  // "\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff" from zipmap.c, with free bytes after "bar".
  const zm = new Uint8Array([
    2,
    3,
    ...utf8("foo"),
    3,
    2,
    ...utf8("bar"),
    0,
    0,
    5,
    ...utf8("hello"),
    5,
    0,
    ...utf8("world"),
    0xff,
  ]);

  it("reads fields and values, skipping free bytes", () => {
    const got = decodeZipmap(zm, 0, zm.length).map(([f, v]) => [td.decode(f), td.decode(v)]);
    assert.deepStrictEqual(got, [["foo", "bar"], ["hello", "world"]]);
  });

  it("refuses a duplicate field, a wrong count, a missing terminator, an empty zipmap", () => {
    const dup = new Uint8Array([2, 1, 0x61, 1, 0, 0x62, 1, 0x61, 1, 0, 0x63, 0xff]);
    corruptAt(() => decodeZipmap(dup, 0, dup.length), 6, /duplicates/);
    const count = zm.slice();
    count[0] = 3;
    corruptAt(() => decodeZipmap(count, 0, count.length), 0, /count/);
    const term = zm.slice(0, zm.length - 1);
    corruptAt(() => decodeZipmap(term, 0, term.length), term.length - 1, /terminator/);
    corruptAt(() => decodeZipmap(new Uint8Array([0, 0xff]), 0, 2), 0, /non-empty/);
    const over = zm.slice();
    over[1] = 200; // field length past the end
    corruptAt(() => decodeZipmap(over, 0, over.length), 1, /inside/);
  });
});
