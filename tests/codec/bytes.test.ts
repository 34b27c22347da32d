import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bytesEqual,
  ByteWriter,
  concatBytes,
  toHex,
  utf8Encode,
  utf8Length,
} from "../../src/codec/bytes.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("ByteWriter", () => {
  it("grows past its initial capacity and keeps what was written", () => {
    const w = new ByteWriter(2);
    for (let i = 0; i < 1000; i++) w.writeByte(i);
    assert.equal(w.length, 1000);
    assert.ok(w.capacity >= 1000);
    assert.equal(w.bytes()[999], 999 & 0xff);
    assert.equal(w.bytes()[0], 0);
  });
  it("works with an initial capacity of 0", () => {
    const w = new ByteWriter(0);
    w.writeAscii("abc");
    assert.equal(text(w.bytes()), "abc");
  });
  it("ensure(n) makes room for n more bytes", () => {
    const w = new ByteWriter(4);
    w.writeAscii("ab");
    w.ensure(100);
    assert.ok(w.capacity >= 102);
    assert.equal(text(w.bytes()), "ab");
  });
  it("writeBytes copies short and long arrays", () => {
    const w = new ByteWriter(1);
    w.writeBytes(new Uint8Array([1, 2, 3]));
    const long = new Uint8Array(100).map((_, i) => i);
    w.writeBytes(long);
    assert.deepEqual([...w.bytes()], [1, 2, 3, ...long]);
  });
  it("writeAscii writes one byte per character and rejects non-ASCII", () => {
    const w = new ByteWriter();
    w.writeAscii("*3\r\n");
    assert.deepEqual([...w.bytes()], [42, 51, 13, 10]);
    assert.throws(() => w.writeAscii("é"), RangeError);
  });
  it("writeUtf8 encodes like TextEncoder (lone surrogates -> U+FFFD)", () => {
    for (const s of ["", "plain", "é€😀", "a\ud800b", "\udc00", "x\ud83d"]) {
      const w = new ByteWriter(1);
      const n = w.writeUtf8(s);
      assert.deepEqual(w.bytes(), utf8Encode(s), JSON.stringify(s));
      assert.equal(n, utf8Encode(s).length);
      assert.equal(utf8Length(s), n);
    }
  });
  it("writeDecimal writes plain decimal for 0 .. 2^53-1 and rejects the rest", () => {
    const w = new ByteWriter(1);
    const values = [0, 7, 9, 10, 99, 100, 4294967295, 4294967296, 1e15, Number.MAX_SAFE_INTEGER];
    for (const v of values) {
      w.reset();
      w.writeDecimal(v);
      assert.equal(text(w.bytes()), String(v));
    }
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      assert.throws(() => w.writeDecimal(bad), RangeError);
    }
  });
  it("writeU32LE / writeU64LE / writeF64LE are little-endian", () => {
    const w = new ByteWriter(3);
    w.writeU32LE(0x01020304);
    w.writeU64LE(0x0102030405060708n);
    w.writeU64LE(2 ** 53 - 1);
    w.writeF64LE(-0);
    const b = w.bytes();
    assert.equal(toHex(b.subarray(0, 4)), "04030201");
    assert.equal(toHex(b.subarray(4, 12)), "0807060504030201");
    assert.equal(toHex(b.subarray(12, 20)), "ffffffffffff1f00");
    assert.equal(toHex(b.subarray(20, 28)), "0000000000000080");
    assert.throws(() => w.writeU32LE(2 ** 32), RangeError);
    assert.throws(() => w.writeU64LE(2n ** 64n), RangeError);
    assert.throws(() => w.writeU64LE(-1), RangeError);
  });
  it("writeF64LE survives a grow (its DataView follows the new buffer)", () => {
    const w = new ByteWriter(8);
    w.writeF64LE(1.5);
    w.writeF64LE(2.5);
    const v = new DataView(w.bytes().buffer, w.bytes().byteOffset, 16);
    assert.equal(v.getFloat64(0, true), 1.5);
    assert.equal(v.getFloat64(8, true), 2.5);
  });
  it("bytes() is a view; take() is a copy and resets, keeping the buffer", () => {
    const w = new ByteWriter(16);
    w.writeAscii("abc");
    const view = w.bytes();
    const copy = w.take();
    assert.equal(w.length, 0);
    assert.equal(w.capacity, 16);
    w.writeAscii("xyz");
    assert.equal(text(view), "xyz");
    assert.equal(text(copy), "abc");
  });
  it("reset() drops a buffer that grew beyond 16 MiB", () => {
    const w = new ByteWriter(64);
    w.ensure(17 * 1024 * 1024);
    w.reset();
    assert.equal(w.capacity, 64);
  });
  it("rejects a bad initial capacity", () => {
    assert.throws(() => new ByteWriter(-1), RangeError);
  });
});

describe("byte helpers", () => {
  it("concatBytes joins in order", () => {
    const out = concatBytes([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])]);
    assert.deepEqual([...out], [1, 2, 3]);
    assert.equal(concatBytes([]).length, 0);
  });
  it("bytesEqual compares length and contents", () => {
    assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
    assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
    assert.equal(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
  });
  it("toHex is lowercase, two digits per byte", () => {
    assert.equal(toHex(new Uint8Array([0, 9, 0xab, 0xff])), "0009abff");
  });
  it("utf8Encode", () => {
    assert.deepEqual([...utf8Encode("é")], [0xc3, 0xa9]);
  });
});
