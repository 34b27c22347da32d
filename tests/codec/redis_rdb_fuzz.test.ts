// Damaged RDB input only ever gives typed errors: truncation at every offset,
// single bit flips at every byte, huge length fields spliced in anywhere. No
// other exception, no hang, no allocation beyond the bytes present, and every
// error names an offset inside the input.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "../../src/codec/rdb_errors.ts";
import { encodeRedisRdbChunks } from "../../src/codec/redis_rdb_encode.ts";
import { decodeRedisDump, encodeRedisDump } from "../../src/codec/redis_dump.ts";
import type { Entry } from "../../src/codec/types.ts";
import { concat, readFixture, utf8 } from "../_helpers.ts";
import { decode } from "./_rdb_build.ts";

const FILES = [
  "redis-rdb/peer/redis-assets/encodings/encodings.rdb",
  "redis-rdb/peer/redis-assets/zset-ziplist/zset-ziplist.rdb",
  "redis-rdb/peer/redis-assets/hash-zipmap/hash-zipmap.rdb",
  "redis-rdb/peer/redis-assets/list-quicklist/list-quicklist.rdb",
  "redis-rdb/peer/rdb-tools/rdb_version_5_with_checksum/rdb_version_5_with_checksum.rdb",
  "redis-rdb/peer/rdb-tools/redis_40_with_module/redis_40_with_module.rdb",
  "redis-rdb/peer/rdb-tools/sorted_set_as_ziplist/sorted_set_as_ziplist.rdb",
];

/** A small v12 file of our own: streams with groups, field TTLs, listpacks, intsets. */
function ours(): Uint8Array {
  const te = utf8;
  const entries: Entry[] = [
    {
      key: te("s"),
      value: { type: "string", value: te("x".repeat(40)) },
      deadline: 1_900_000_000_000,
    },
    {
      key: te("l"),
      value: { type: "list", value: [te("a"), te("17"), te("b".repeat(70))] },
      deadline: null,
    },
    {
      key: te("i"),
      value: { type: "set", value: [te("1"), te("-5"), te("300000")] },
      deadline: null,
    },
    { key: te("m"), value: { type: "set", value: [te("a"), te("b")] }, deadline: null },
    {
      key: te("z"),
      value: { type: "zset", value: [[te("a"), 1.5], [te("b"), -2]] },
      deadline: null,
    },
    {
      key: te("h"),
      value: {
        type: "hash",
        value: [[te("f"), te("v")], [te("g"), te("w")]],
        fieldDeadlines: [1_900_000_000_000, null],
      },
      deadline: null,
    },
    {
      key: te("x"),
      value: {
        type: "stream",
        value: {
          lastId: { ms: 10n, seq: 2n },
          maxDeletedId: { ms: 0n, seq: 0n },
          entriesAdded: 3n,
          entries: [
            { id: { ms: 10n, seq: 0n }, fields: [[te("a"), te("1")]] },
            { id: { ms: 10n, seq: 1n }, fields: [[te("a"), te("2")]] },
            { id: { ms: 10n, seq: 2n }, fields: [[te("b"), te("3")]] },
          ],
          groups: [{
            name: te("g"),
            lastDelivered: { ms: 10n, seq: 1n },
            entriesRead: 2n,
            consumers: [{ name: te("c"), seenTime: 5n, activeTime: 4n }],
            pel: [{
              id: { ms: 10n, seq: 1n },
              consumer: te("c"),
              deliveryTime: 5n,
              deliveryCount: 1,
            }],
          }],
        },
      },
      deadline: null,
    },
  ];
  return concat(
    encodeRedisRdbChunks([{ db: 0, entries }, { db: 3, entries: entries.slice(0, 2) }], {
      rdbVersion: 12,
    }),
  );
}

const inputs = (): Array<[string, Uint8Array]> => [
  ...FILES.map((f): [string, Uint8Array] => [f.split("/").pop()!, readFixture(f)]),
  ["ours-v12.rdb", ours()],
];

/** Decodes; returns "ok" or the typed error; anything else fails the test. */
function attempt(bytes: Uint8Array, opts: Parameters<typeof decode>[1] = {}): "ok" | Error {
  try {
    decode(bytes, { skipModules: true, path: "f.rdb", ...opts }, 97);
    return "ok";
  } catch (e) {
    if (e instanceof CorruptFileError) {
      assert.equal(e.path, "f.rdb");
      assert.ok(
        e.offset >= 0 && e.offset <= bytes.length,
        `offset ${e.offset} outside 0..${bytes.length}`,
      );
      return e;
    }
    if (e instanceof RedisRdbVersionError || e instanceof RedisRdbModuleError) return e;
    throw e;
  }
}

describe("RDB fuzz: damaged input gives typed errors only", () => {
  for (const [name, bytes] of inputs()) {
    it(`${name}: truncated at every offset, with and without the total size known`, () => {
      assert.equal(attempt(bytes), "ok");
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        const a = attempt(cut);
        const b = attempt(cut, { totalSize: n });
        // The module file ends with 40 bytes Redis never reads: cutting them is harmless.
        if (name === "redis_40_with_module.rdb" && n >= bytes.length - 40) continue;
        assert.ok(a instanceof CorruptFileError, `cut at ${n}: ${a}`);
        assert.ok(b instanceof CorruptFileError, `cut at ${n} (size known): ${b}`);
      }
    });

    it(`${name}: every byte with one bit flipped (checksum off, so the parser sees it)`, () => {
      let failures = 0;
      const verified = decode(bytes, { skipModules: true }).stats.checksum === "ok";
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of bytes.length < 300 ? [0, 1, 2, 3, 4, 5, 6, 7] : [i % 8, (i + 3) % 8]) {
          const d = bytes.slice();
          d[i]! ^= 1 << bit;
          if (attempt(d, { verifyChecksum: false }) !== "ok") failures++;
          // With a checksum, no single flip is accepted (a version digit turned below 5
          // makes a file without a checksum, whose last 8 bytes are then trailing).
          if (verified && !(i >= 5 && i < 9)) {
            assert.notEqual(attempt(d), "ok", `flip at ${i} bit ${bit} accepted`);
          }
        }
      }
      assert.ok(failures > 0);
    });

    it(`${name}: a 2^40 length spliced in at every offset is refused without allocating it`, () => {
      const huge = [0x81, 0, 0, 1, 0, 0, 0, 0, 0];
      const rss = process.memoryUsage().rss;
      for (let i = 9; i < bytes.length; i++) {
        const d = new Uint8Array([...bytes.subarray(0, i), ...huge, ...bytes.subarray(i + 1)]);
        attempt(d, { totalSize: d.length, verifyChecksum: false });
      }
      assert.ok(process.memoryUsage().rss - rss < 256 * 1024 * 1024);
    });
  }

  it("DUMP payloads: truncation, bit flips and huge lengths give typed errors only", () => {
    const payloads = [
      encodeRedisDump({ type: "list", value: [utf8("a"), utf8("b".repeat(100))] }),
      encodeRedisDump({ type: "hash", value: [[utf8("f"), utf8("v")]], fieldDeadlines: [5] }, {
        rdbVersion: 12,
      }),
      encodeRedisDump({ type: "zset", value: [[utf8("m"), 2.5]] }, { rdbVersion: 9 }),
    ];
    for (const p of payloads) {
      for (let n = 0; n < p.length; n++) {
        assert.throws(
          () => decodeRedisDump(p.subarray(0, n)),
          (e: unknown) => e instanceof CorruptFileError || e instanceof RedisRdbVersionError,
        );
      }
      for (let i = 0; i < p.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const d = p.slice();
          d[i]! ^= 1 << bit;
          try {
            decodeRedisDump(d, { verifyChecksum: false });
          } catch (e) {
            assert.ok(
              e instanceof CorruptFileError || e instanceof RedisRdbVersionError ||
                e instanceof RedisRdbModuleError,
              String(e),
            );
          }
        }
      }
    }
  });
});
