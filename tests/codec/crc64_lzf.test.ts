// CRC-64 (Jones, reflected, as Redis) and LZF (as Redis's lzf_c/lzf_d).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Crc64, crc64 } from "../../src/codec/crc64.ts";
import { lzfCompress, lzfDecompress, LzfError } from "../../src/codec/lzf.ts";
import { readFixture, rng, utf8 } from "../_helpers.ts";

describe("crc64", () => {
  it("gives Redis's check values (crc64.c test: '123456789' and the Lorem ipsum text)", () => {
    assert.equal(crc64(utf8("123456789")), 0xe9c6d914c4b8d9can);
    const li = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed " +
      "do eiusmod tempor incididunt ut labore et dolore magna " +
      "aliqua. Ut enim ad minim veniam, quis nostrud exercitation " +
      "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis " +
      "aute irure dolor in reprehenderit in voluptate velit esse " +
      "cillum dolore eu fugiat nulla pariatur. Excepteur sint " +
      "occaecat cupidatat non proident, sunt in culpa qui officia " +
      "deserunt mollit anim id est laborum.\0"; // sizeof() counts the NUL
    assert.equal(crc64(utf8(li)), 0xc7794709e69683b3n);
  });

  it("is 0 for no bytes and continues from a seed", () => {
    assert.equal(crc64(new Uint8Array(0)), 0n);
    const a = utf8("12345");
    const b = utf8("6789");
    assert.equal(crc64(b, crc64(a)), 0xe9c6d914c4b8d9can);
  });

  it("gives the same value fed in any split (8-byte fast path and byte tail agree)", () => {
    const r = rng(7);
    const data = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
    const whole = crc64(data);
    for (const step of [1, 3, 7, 8, 9, 64, 999]) {
      const c = new Crc64();
      for (let i = 0; i < data.length; i += step) {
        c.update(data, i, Math.min(data.length, i + step));
      }
      assert.equal(c.value, whole, `step ${step}`);
    }
  });

  it("matches the checksum redis-server stored at the end of a real RDB", () => {
    const f = readFixture("redis-rdb/peer/redis-assets/zset-ziplist/zset-ziplist.rdb");
    const c = new Crc64().update(f, 0, f.length - 8);
    assert.ok(c.equalsLE(f, f.length - 8));
    const out = new Uint8Array(8);
    c.writeLE(out, 0);
    assert.deepStrictEqual(out, f.subarray(f.length - 8));
  });

  it("refuses a seed outside 64 bits", () => {
    assert.throws(() => new Crc64(-1n), RangeError);
    assert.throws(() => new Crc64(1n << 64n), RangeError);
  });
});

describe("LZF", () => {
  it("round-trips random, repetitive and mixed data of every size up to 3000 bytes", () => {
    const r = rng(11);
    for (let t = 0; t < 400; t++) {
      const n = Math.floor(r() * 3000);
      const alphabet = 1 + Math.floor(r() * 40);
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        a[i] = i > 10 && r() < 0.3 ? a[i - 1 - Math.floor(r() * 10)]! : Math.floor(r() * alphabet);
      }
      const c = lzfCompress(a, n + 64);
      if (n === 0) {
        assert.equal(c, null);
        continue;
      }
      assert.ok(c !== null);
      assert.deepStrictEqual(lzfDecompress(c, n), a);
    }
  });

  it("compresses long runs (back references of up to 264 bytes, 8 KiB back)", () => {
    const a = new Uint8Array(20000).fill(7);
    const c = lzfCompress(a)!;
    assert.ok(c.length < 300, `${c.length}`);
    assert.deepStrictEqual(lzfDecompress(c, a.length), a);
    const far = new Uint8Array(9000);
    for (let i = 0; i < 100; i++) far[i] = i + 1;
    far.set(far.subarray(0, 100), 8100);
    assert.deepStrictEqual(lzfDecompress(lzfCompress(far)!, far.length), far);
  });

  it("returns null when the output would not fit the limit (as lzf_compress returns 0)", () => {
    const r = rng(3);
    const noise = Uint8Array.from({ length: 100 }, () => Math.floor(r() * 256));
    assert.equal(lzfCompress(noise), null);
    assert.equal(lzfCompress(noise, noise.length - 4), null);
  });

  it("decodes the LZF string redis-server wrote in a real RDB", () => {
    // ziplist_that_compresses_easily: the list's ziplist is LZF-compressed; the file loads
    // to the values Redis reported (tests/redis/rdb_fixtures.test.ts), which needs this.
    const f = readFixture(
      "redis-rdb/peer/rdb-tools/ziplist_that_compresses_easily/ziplist_that_compresses_easily.rdb",
    );
    // After the header, SELECTDB 0, the type (10) and the 25-byte key: 0xc3 (LZF),
    // the compressed length (6-bit) and the uncompressed length (14-bit).
    const at = 9 + 2 + 1 + 1 + 25;
    assert.equal(f[at], 0xc3);
    const clen = f[at + 1]! & 0x3f;
    const ulen = ((f[at + 2]! & 0x3f) << 8) | f[at + 3]!;
    const out = lzfDecompress(f, ulen, at + 4, at + 4 + clen);
    assert.equal(out.length, ulen);
    // A ziplist: its first 4 bytes are its total length.
    assert.equal(out[0]! | (out[1]! << 8), ulen);
  });

  it("refuses damaged input with an LzfError at the bad control byte, never a wrong length", () => {
    const text = utf8("hello hello hello hello hello hello");
    const c = lzfCompress(text)!;
    assert.throws(() => lzfDecompress(c, text.length + 1), LzfError);
    assert.throws(() => lzfDecompress(c, text.length - 1), LzfError);
    // A literal run that reaches past the input.
    assert.throws(
      () => lzfDecompress(new Uint8Array([0x05, 0x61]), 6),
      (e: unknown) => e instanceof LzfError && e.offset === 0,
    );
    // A back reference before the start of the output.
    assert.throws(() => lzfDecompress(new Uint8Array([0x00, 0x61, 0x20, 0x05]), 4), LzfError);
    // A back reference cut off.
    assert.throws(() => lzfDecompress(new Uint8Array([0x00, 0x61, 0xe0]), 10), LzfError);
  });

  it("every truncation fails; every bit flip fails with LzfError or gives exactly the announced length", () => {
    const text = utf8("abcabcabcabc-the quick brown fox-abcabcabcabc".repeat(4));
    const c = lzfCompress(text)!;
    for (let n = 0; n < c.length; n++) {
      assert.throws(() => lzfDecompress(c.subarray(0, n), text.length), LzfError);
    }
    for (let i = 0; i < c.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const d = c.slice();
        d[i]! ^= 1 << bit;
        try {
          const out = lzfDecompress(d, text.length);
          assert.equal(out.length, text.length);
        } catch (e) {
          assert.ok(e instanceof LzfError, String(e));
        }
      }
    }
  });
});
