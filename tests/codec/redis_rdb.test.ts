// The RDB decoder: streaming in any chunking, every opcode, header and
// checksum rules, module values refused or skipped, and typed errors at the
// right file offsets.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "../../src/codec/redis_rdb.ts";
import { redisModuleName } from "../../src/codec/rdb_errors.ts";
import { ListpackWriter } from "../../src/codec/_redis_listpack.ts";
import { RdbOut } from "../../src/codec/_rdb_out.ts";
import { hex, readFixture, utf8 } from "../_helpers.ts";
import { viewOfEntry } from "../redis/_rdb_view.ts";
import { decode, RdbBuilder } from "./_rdb_build.ts";

const td = new TextDecoder();

function corruptAt(f: () => unknown, offset: number, match?: RegExp): CorruptFileError {
  let err: CorruptFileError | undefined;
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof CorruptFileError, String(e));
    assert.equal(e.offset, offset, e.message);
    if (match) assert.match(e.expected, match, e.message);
    err = e;
    return true;
  });
  return err!;
}

/** A module type id for `name` (9 chars of the module charset) and encoding version `ver`. */
function moduleId(name: string, ver: number): bigint {
  const cs = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let id = 0n;
  for (const c of name) id = (id << 6n) | BigInt(cs.indexOf(c));
  return (id << 10n) | BigInt(ver);
}

describe("RedisRdbDecoder", () => {
  it("gives the same keys whatever the chunking (1 byte at a time up to whole)", () => {
    const f = readFixture("redis-rdb/peer/redis-assets/encodings/encodings.rdb");
    const whole = decode(f).entries.map((e) => [e.db, viewOfEntry(e.entry)]);
    assert.ok(whole.length > 10);
    for (const chunk of [1, 2, 3, 5, 8, 13, 64, 100, 333]) {
      assert.deepStrictEqual(
        decode(f, {}, chunk).entries.map((e) => [e.db, viewOfEntry(e.entry)]),
        whole,
      );
    }
  });

  it("reads EXPIRETIME (seconds), EXPIRETIME_MS, IDLE, FREQ, SLOT_INFO, RESIZEDB and int-encoded AUX values", () => {
    const b = new RdbBuilder(11)
      .u8(0xfa).str("redis-bits").u8(0xc0, 64)
      .u8(0xfe).len(3)
      .u8(0xfb).len(2).len(1)
      .u8(0xf4).len(100).len(2).len(1)
      .u8(0xfd).u8(0x10, 0x27, 0, 0) // 10000 seconds
      .u8(0).str("sec").str("a")
      .u8(0xf8).len(77)
      .u8(0xf9).u8(5)
      .u8(0xfc).i64(1_700_000_000_123)
      .u8(0).str("ms").str("b")
      .u8(0).str("plain").str("c");
    const hints: unknown[] = [];
    const d = decode(b.finish(), { onDb: (db, h) => hints.push([db, h]) });
    assert.deepStrictEqual(d.aux, [["redis-bits", "64"]]);
    assert.deepStrictEqual(hints, [[3, null], [3, { keys: 2, expires: 1 }]]);
    assert.deepStrictEqual(
      d.entries.map((e) => [td.decode(e.entry.key), e.db, e.entry.deadline, e.idle, e.freq]),
      [
        ["sec", 3, 10_000_000, null, null],
        ["ms", 3, 1_700_000_000_123, 77, 5],
        ["plain", 3, null, null, null],
      ],
    );
    assert.equal(d.stats.checksum, "ok");
    assert.equal(d.stats.withDeadline, 2);
  });

  it("reports where each key starts (its first attribute opcode)", () => {
    const b = new RdbBuilder().u8(0xfe).len(0);
    const first = b.bytes().length;
    b.u8(0xfc).i64(5).u8(0).str("k").str("v");
    const second = b.bytes().length;
    b.u8(0).str("k2").str("v");
    const d = decode(b.finish());
    assert.deepStrictEqual(d.entries.map((e) => e.offset), [first, second]);
  });

  it("reads function libraries: FUNCTION2 and the 7.0-rc FUNCTION record", () => {
    const code = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
    const b = new RdbBuilder()
      .u8(0xf5).str(code)
      .u8(0xf6).str("old").str("LUA").len(1).str("desc").str("return 1");
    const fns: Array<{ code: string; legacy?: string[] }> = [];
    decode(b.finish(), {
      onFunction: (f) =>
        fns.push({
          code: td.decode(f.code),
          ...(f.legacy
            ? {
              legacy: [
                td.decode(f.legacy.name),
                td.decode(f.legacy.engine),
                td.decode(f.legacy.description!),
              ],
            }
            : {}),
        }),
    });
    assert.deepStrictEqual(fns, [{ code }, { code: "return 1", legacy: ["old", "LUA", "desc"] }]);
  });

  it("reads 64-bit lengths and 32-bit lengths", () => {
    const b = new RdbBuilder().u8(0xfe).u8(0x81, 0, 0, 0, 0, 0, 0, 0, 2) // db 2 as a 64-bit length
      .u8(0).u8(0x80, 0, 0, 0, 1).u8(0x6b).str("v");
    const d = decode(b.finish());
    assert.equal(d.entries[0]!.db, 2);
    assert.equal(td.decode(d.entries[0]!.entry.key), "k");
  });

  it("refuses module values naming the module, or skips and counts them with skipModules", () => {
    const id = moduleId("ReJSON-RL", 3);
    assert.equal(redisModuleName(id), "ReJSON-RL");
    const b = new RdbBuilder(9).u8(0xfe).len(0);
    const at = b.bytes().length;
    b.u8(7).str("doc").len(id)
      .len(2).len(7) // uint 7
      .len(5).str("payload") // string
      .len(4).i64(0) // double
      .len(3).u8(0, 0, 0, 0) // float
      .len(0) // EOF
      .u8(0).str("k").str("v");
    const bytes = b.finish();
    assert.throws(() => decode(bytes), (e: unknown) => {
      assert.ok(e instanceof RedisRdbModuleError);
      assert.equal(e.module, "ReJSON-RL");
      assert.equal(td.decode(e.key!), "doc");
      assert.equal(e.offset, at);
      return true;
    });
    const d = decode(bytes, { skipModules: true });
    assert.deepStrictEqual(d.stats.skippedModules, { "ReJSON-RL": 1 });
    assert.deepStrictEqual(d.entries.map((e) => td.decode(e.entry.key)), ["k"]);
  });

  it("refuses MODULE_AUX data, or skips and counts it", () => {
    const b = new RdbBuilder();
    const at = b.bytes().length;
    b.u8(0xf7).len(moduleId("scripting", 1)).len(2).len(2).len(5).str("x").len(0)
      .u8(0xfe).len(0).u8(0).str("k").str("v");
    const bytes = b.finish();
    assert.throws(
      () => decode(bytes),
      (e: unknown) => e instanceof RedisRdbModuleError && e.key === null && e.offset === at,
    );
    assert.deepStrictEqual(decode(bytes, { skipModules: true }).stats.skippedModules, {
      scripting: 1,
    });
  });

  it("skips empty collections as Redis does, and counts them", () => {
    const empty = new ListpackWriter().finish();
    const b = new RdbBuilder().u8(0xfe).len(0)
      .u8(16).str("h").str(empty) // empty hash listpack
      .u8(18).str("l").len(1).len(2).str(empty) // quicklist with one empty node
      .u8(1).str("l2").len(0)
      .u8(0).str("k").str("v");
    const d = decode(b.finish());
    assert.equal(d.stats.emptyKeysSkipped, 3);
    assert.deepStrictEqual(d.entries.map((e) => td.decode(e.entry.key)), ["k"]);
  });

  it("checks the header: magic, 4 digits, versions 1-12", () => {
    corruptAt(() => decode(utf8("RADIS0010")), 0, /magic/);
    corruptAt(() => decode(utf8("REDIS00x0")), 5, /4-digit/);
    assert.throws(
      () => decode(utf8("REDIS0013")),
      (e: unknown) => e instanceof RedisRdbVersionError && e.version === 13,
    );
    assert.throws(() => decode(utf8("REDIS0000")), RedisRdbVersionError);
    corruptAt(() => decode(utf8("REDIS")), 0, /header/);
  });

  it("verifies the CRC-64; 0 means disabled; verifyChecksum: false reads it unchecked", () => {
    const good = new RdbBuilder().u8(0xfe).len(0).u8(0).str("k").str("v").finish();
    assert.equal(decode(good).stats.checksum, "ok");
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    corruptAt(() => decode(bad), bad.length - 8, /checksum/);
    assert.equal(decode(bad, { verifyChecksum: false }).stats.checksum, "unchecked");
    const zero = new RdbBuilder().u8(0xfe).len(0).u8(0).str("k").str("v").finish(new Uint8Array(8));
    assert.equal(decode(zero).stats.checksum, "disabled");
    // A byte changed inside a value is caught by the checksum.
    const flipped = good.slice();
    flipped[good.length - 10] = 0x77; // the value "v"
    corruptAt(() => decode(flipped), good.length - 8, /checksum/);
    // Before version 5 there is none.
    const v4 = new RdbBuilder(4).u8(0xfe).len(0).u8(0).str("k").str("v").u8(0xff).bytes();
    assert.equal(decode(v4).stats.checksum, "absent");
  });

  it("counts bytes after the RDB as trailing (the RESP tail of an AOF with a preamble)", () => {
    const f = readFixture("redis-rdb/peer/redis-assets/rdb-preamble/rdb-preamble.aof");
    const d = decode(f, {}, 10);
    assert.equal(d.stats.trailingBytes, 52);
    assert.equal(d.stats.rdbBytes, f.length - 52);
    assert.equal(td.decode(f.subarray(d.stats.rdbBytes, d.stats.rdbBytes + 4)), "*2\r\n");
  });

  it("fails at the offset where a truncated file ends (finish), and at an unknown opcode", () => {
    const good = new RdbBuilder().u8(0xfe).len(0).u8(0).str("key").str("value").finish();
    const cut = good.subarray(0, 15);
    const e = corruptAt(() => decode(cut), 13, /key/); // where the key's 3 bytes should be
    assert.match(e.message, /left/);
    const b = new RdbBuilder().u8(0xfe).len(0);
    const at = b.bytes().length;
    corruptAt(() => decode(b.u8(8).str("k").finish()), at, /opcode|value type/);
  });

  it("refuses a key stored with a value type byte that no Redis writes (8, 26-243)", () => {
    for (const t of [8, 26, 100, 243]) {
      const b = new RdbBuilder().u8(0xfe).len(0);
      const at = b.bytes().length;
      corruptAt(() => decode(b.u8(t).str("k").str("v").finish()), at, /value type/);
    }
  });

  it("maps an error inside an LZF-compressed container to the string's offset", () => {
    // A listpack that claims 1 element but holds 2, stored LZF-compressed.
    const w = new ListpackWriter();
    for (let i = 0; i < 20; i++) {
      w.appendString(utf8(`same-same-same-${i % 10}${Math.floor(i / 10)}`));
    }
    const lp = w.finish().slice();
    lp[4] = 1;
    const b = new RdbBuilder().u8(0xfe).len(0);
    b.u8(20).str("s");
    const at = b.bytes().length;
    const lzf = new RdbOut(true);
    lzf.string(lp); // LZF-compressed: the writer compresses long repetitive strings
    b.u8(...lzf.take());
    const bytes = b.finish();
    assert.equal(bytes[at], 0xc3);
    const e = corruptAt(() => decode(bytes), at, /LZF-decompressed/);
    assert.match(e.expected, /count/);
  });

  it("maps an error inside a raw container to the exact file offset", () => {
    const w = new ListpackWriter();
    w.appendString(utf8("a"));
    w.appendString(utf8("a"));
    const lp = w.finish();
    const b = new RdbBuilder().u8(0xfe).len(0).u8(20).str("s");
    const at = b.bytes().length + 1; // after the 1-byte length
    b.str(lp);
    // Duplicate member "a": the second element, at listpack offset 6 + 3.
    corruptAt(() => decode(b.finish()), at + 9, /duplicates/);
  });

  it("keeps values after the input buffers are reused (values are copies)", () => {
    const f = readFixture("redis-rdb/peer/redis-assets/encodings/encodings.rdb");
    const buf = f.slice();
    const got = decode(buf, {}, 7);
    const before = JSON.stringify(got.entries.map((e) => viewOfEntry(e.entry)));
    buf.fill(0);
    assert.equal(JSON.stringify(got.entries.map((e) => viewOfEntry(e.entry))), before);
  });

  it("reads hash field TTL types 22 and 23 (7.4 release candidates: absolute TTLs)", () => {
    const lp = new ListpackWriter();
    lp.append(utf8("a"));
    lp.append(utf8("1"));
    lp.appendInt(2_000_000_000_000);
    lp.append(utf8("b"));
    lp.append(utf8("2"));
    lp.appendInt(0);
    const b = new RdbBuilder(12).u8(0xfe).len(0)
      .u8(22).str("h22").len(2).len(0).str("x").str("1").len(1_900_000_000_000).str("y").str("2")
      .u8(23).str("h23").str(lp.finish());
    const rows = decode(b.finish()).entries.map((e) => viewOfEntry(e.entry));
    assert.deepStrictEqual(rows.map((r) => r.fieldTtls), [
      { [hex(utf8("y"))]: 1_900_000_000_000 },
      { [hex(utf8("a"))]: 2_000_000_000_000 },
    ]);
  });

  it("refuses hash listpack-ex TTLs out of order or after a field without one", () => {
    const lp = new ListpackWriter();
    lp.append(utf8("a"));
    lp.append(utf8("1"));
    lp.appendInt(0);
    lp.append(utf8("b"));
    lp.append(utf8("2"));
    lp.appendInt(5);
    const b = new RdbBuilder(12).u8(0xfe).len(0).u8(25).str("h").i64(5).str(lp.finish());
    assert.throws(
      () => decode(b.finish()),
      (e: unknown) => e instanceof CorruptFileError && /ascending/.test(e.expected),
    );
  });

  it("stream checks: a length that is not the live entries, a consumer PEL ID not in the group PEL", () => {
    // One node (master 5-0, fields f), one entry 5-0 f=v; group g with a PEL of 5-0.
    const node = new ListpackWriter();
    for (const x of [1, 0, 1]) node.appendInt(x);
    node.append(utf8("f"));
    for (const x of [0, 2, 0, 0]) node.appendInt(x); // master terminator, flags SAMEFIELDS, ms/seq delta
    node.append(utf8("v"));
    node.appendInt(4);
    const raw = (ms: number, seq: number) => {
      const b = new Uint8Array(16);
      b[7] = ms;
      b[15] = seq;
      return b;
    };
    const build = (length: number, consumerPel: Uint8Array) => {
      const b = new RdbBuilder(11).u8(0xfe).len(0).u8(21).str("s").len(1).str(raw(5, 0)).str(
        node.finish().slice(),
      );
      b.len(length).len(5).len(0).len(5).len(0).len(0).len(0).len(1);
      b.len(1).str("g").len(5).len(0).len(1);
      b.len(1).u8(...raw(5, 0)).i64(1000).len(1);
      b.len(1).str("c").i64(1000).i64(1000).len(1).u8(...consumerPel);
      return b.finish();
    };
    const ok = decode(build(1, raw(5, 0))).entries[0]!.entry.value;
    assert.equal(ok.type, "stream");
    assert.throws(
      () => decode(build(2, raw(5, 0))),
      (e: unknown) => e instanceof CorruptFileError && /length/.test(e.expected),
    );
    assert.throws(
      () => decode(build(1, raw(6, 0))),
      (e: unknown) => e instanceof CorruptFileError && /group PEL/.test(e.expected),
    );
  });
});
