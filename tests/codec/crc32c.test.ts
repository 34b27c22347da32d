import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32c, crc32cUpdate } from "../../src/codec/crc32c.ts";
import { readFixtureJson, rng, unhex } from "../_helpers.ts";

interface CrcVector {
  label: string;
  input_len: number;
  input: string;
  input_rule?: string;
  crc32c_u32: number;
}

const file = readFixtureJson<{ vectors: CrcVector[] }>("vectors-v5/crc32c/crc32c_vectors.json");

/** Bit-at-a-time CRC32C straight from the definition (the slow reference). */
function reference(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32c", () => {
  it("matches every published kevy 5.4 test value", () => {
    assert.ok(file.vectors.length >= 17);
    for (const v of file.vectors) {
      let input: Uint8Array;
      if (v.input_rule === "byte i = i mod 251") {
        input = new Uint8Array(v.input_len).map((_, i) => i % 251);
      } else {
        assert.equal(v.input_rule, undefined, `unknown rule in ${v.label}`);
        input = unhex(v.input);
      }
      assert.equal(input.length, v.input_len, v.label);
      assert.equal(crc32c(input), v.crc32c_u32, v.label);
    }
  });

  it("gives the RFC 3720 check value", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  });

  it("agrees with the bitwise definition at every alignment and length around the word path", () => {
    const r = rng(54);
    const big = new Uint8Array(700).map(() => Math.floor(r() * 256));
    for (let off = 0; off < 8; off++) {
      for (const len of [0, 1, 7, 8, 15, 16, 17, 127, 128, 129, 255, 256, 300, 691]) {
        const b = big.subarray(off, off + len);
        assert.equal(crc32c(b), reference(b), `offset ${off} length ${len}`);
      }
    }
  });

  it("chains: the CRC of a concatenation continues from the CRC of its first part", () => {
    const r = rng(7);
    const b = new Uint8Array(1000).map(() => Math.floor(r() * 256));
    for (const cut of [0, 1, 9, 128, 500, 999, 1000]) {
      assert.equal(crc32cUpdate(crc32cUpdate(0, b, 0, cut), b, cut, b.length), crc32c(b));
      assert.equal(crc32c(b.subarray(cut), crc32c(b.subarray(0, cut))), crc32c(b));
    }
  });
});
