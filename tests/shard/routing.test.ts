import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc16, kevyHash, keyHashSlot, shardIndex } from "../../src/shard/routing.ts";
import { readFixtureJson, unhex, utf8 } from "../_helpers.ts";

interface HashVector {
  key: string;
  key_ascii?: string;
  len: number;
  kevyhash: string;
  crc16_full_key: number;
  hashtag_part: string;
  slot: number;
  embedded_shard_idx: Record<string, number>;
  server_shard_of_kevyhash: Record<string, number>;
  server_shard_of_slots: Record<string, number>;
}
const vectors = readFixtureJson<{ keys: HashVector[] }>("vectors/hash/kevyhash_vectors.json").keys;

describe("routing: golden vectors (hash/kevyhash_vectors.json)", () => {
  it("has the vectors", () => assert.ok(vectors.length >= 200));
  it("kevyHash matches every key", () => {
    for (const v of vectors) {
      assert.equal(kevyHash(unhex(v.key)).toString(16).padStart(16, "0"), v.kevyhash, v.key);
    }
  });
  it("crc16 of the full key matches every key", () => {
    for (const v of vectors) assert.equal(crc16(unhex(v.key)), v.crc16_full_key, v.key);
  });
  it("keyHashSlot matches every key and equals crc16 of its hash tag", () => {
    for (const v of vectors) {
      assert.equal(keyHashSlot(unhex(v.key)), v.slot, v.key);
      assert.equal(crc16(unhex(v.hashtag_part)) & 0x3fff, v.slot, v.key);
    }
  });
  it("shardIndex matches the embedded store and the server, for every n", () => {
    for (const v of vectors) {
      const key = unhex(v.key);
      for (const [n, want] of Object.entries(v.embedded_shard_idx)) {
        assert.equal(shardIndex(key, Number(n), "kevyhash"), want, `${v.key} n=${n}`);
      }
      for (const [n, want] of Object.entries(v.server_shard_of_kevyhash)) {
        assert.equal(shardIndex(key, Number(n), "kevyhash"), want, `${v.key} n=${n}`);
      }
      for (const [n, want] of Object.entries(v.server_shard_of_slots)) {
        assert.equal(shardIndex(key, Number(n), "slots"), want, `${v.key} n=${n} slots`);
      }
    }
  });
});

describe("routing: spec check values and edges", () => {
  it("the empty key hashes to a47e4914af8cafbc", () => {
    assert.equal(kevyHash(new Uint8Array()), 0xa47e4914af8cafbcn);
  });
  it("crc16 check values", () => {
    assert.equal(crc16(utf8("123456789")), 0x31c3);
    assert.equal(crc16(new Uint8Array()), 0);
  });
  it("hash tag rules (Redis)", () => {
    const slot = (s: string): number => keyHashSlot(utf8(s));
    const crcSlot = (s: string): number => crc16(utf8(s)) & 0x3fff;
    assert.equal(slot("foo{}{bar}"), crcSlot("foo{}{bar}"));
    assert.equal(slot("foo{{bar}}zap"), crcSlot("{bar"));
    assert.equal(slot("foo{bar}{zap}"), crcSlot("bar"));
    assert.equal(slot("foo{bar"), crcSlot("foo{bar"));
  });
  it("the non-BigInt modulo agrees with BigInt for large and odd n", () => {
    for (const v of vectors.slice(0, 60)) {
      const key = unhex(v.key);
      const h = BigInt("0x" + v.kevyhash);
      for (const n of [3, 7, 1000, 2097151, 2097153, 4294967291, 4294967296, 2 ** 40 + 1]) {
        assert.equal(shardIndex(key, n, "kevyhash"), Number(h % BigInt(n)), `${v.key} n=${n}`);
      }
    }
  });
  it("slots routing is the inverse of the contiguous slot ranges", () => {
    for (const n of [1, 2, 3, 5, 7, 16, 100]) {
      for (let i = 0; i < n; i++) {
        const first = Math.ceil((i * 16384) / n);
        const last = Math.ceil(((i + 1) * 16384) / n) - 1;
        assert.equal(Math.floor((first * n) / 16384), i);
        assert.equal(Math.floor((last * n) / 16384), i);
      }
    }
  });
  it("rejects a bad shard count or routing", () => {
    assert.throws(() => shardIndex(utf8("k"), 0, "kevyhash"), RangeError);
    assert.throws(() => shardIndex(utf8("k"), 2.5, "slots"), RangeError);
    assert.throws(() => shardIndex(utf8("k"), 2, "crc" as "slots"), TypeError);
  });
});
