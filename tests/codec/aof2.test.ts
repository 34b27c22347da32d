import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AOF2_MAGIC,
  encodeRecord,
  encodeRecordInto,
  internalFrame,
  parseRecord,
  SEGMENTED_FRAME,
  TXN_BEGIN,
  TXN_COMMIT,
  wrapRecordInto,
} from "../../src/codec/aof2.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { hex, readFixtureJson, unhex, utf8 } from "../_helpers.ts";

const crcFile = readFixtureJson<{
  record_example: { argv: string[]; payload: string; record: string };
  vectors: Array<{ label: string; input: string }>;
}>("vectors-v5/crc32c/crc32c_vectors.json");

function rec(header: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out.set(header.slice(0, 8));
  out.set(payload, 8);
  return out;
}

describe("KEVYAOF2 records", () => {
  it("the header is exactly KEVYAOF2\\n", () => {
    assert.equal(hex(AOF2_MAGIC), hex(utf8("KEVYAOF2\n")));
  });

  it("encodes SET k v exactly as kevy 5.4's record_example", () => {
    const ex = crcFile.record_example;
    const argv = ex.argv.map(unhex);
    assert.equal(hex(encodeRecord(argv)), ex.record);
    const w = new ByteWriter(4);
    encodeRecordInto(w, ["SET", "k", "v"]);
    encodeRecordInto(w, argv);
    assert.equal(hex(w.bytes()), ex.record + ex.record);
    const f = unhex(ex.payload);
    const w2 = new ByteWriter();
    wrapRecordInto(w2, f, 0, f.length);
    assert.equal(hex(w2.bytes()), ex.record);
  });

  it("encodes the transaction markers with the payloads kevy 5.4 checksums", () => {
    const payloads = crcFile.vectors.filter((v) => v.label.startsWith("TXN")).map((v) => v.input);
    assert.deepEqual(payloads, [hex(encodeCommand([TXN_BEGIN])), hex(encodeCommand([TXN_COMMIT]))]);
  });

  it("parses a record back to its argv and end", () => {
    const r = encodeRecord(["HSET", "h", "f", new Uint8Array([0, 255])]);
    const two = new Uint8Array(r.length * 2);
    two.set(r);
    two.set(r, r.length);
    const a = parseRecord(two, 0);
    assert.equal(a.kind, "record");
    if (a.kind !== "record") return;
    assert.equal(a.end, r.length);
    assert.deepEqual(a.argv.map(hex), ["48534554", "68", "66", "00ff"]);
    const b = parseRecord(two, r.length);
    assert.equal(b.kind === "record" && b.end, two.length);
  });

  it("is short (not corrupt) while the header or payload is incomplete", () => {
    const r = encodeRecord(["SET", "k", "v"]);
    for (let cut = 0; cut < r.length; cut++) {
      const s = parseRecord(r.subarray(0, cut), 0);
      assert.equal(s.kind, "short", `cut at ${cut}`);
      if (s.kind === "short") assert.equal(s.need, cut < 8 ? 8 : r.length);
    }
    assert.equal(parseRecord(r, 0, r.length - 1).kind, "short");
  });

  it("checks in kevy 5.4's order: length range, presence, CRC, one command", () => {
    const ok = encodeRecord(["PING"]);
    const zero = rec([0, 0, 0, 0, 0, 0, 0, 0], new Uint8Array(4));
    const step = parseRecord(zero, 0);
    assert.equal(step.kind === "corrupt" && step.reason, "record length out of range");
    const over = ok.slice();
    over[3] = 0x40;
    over[0] = 1; // 2^30 + 1: out of range even though nothing follows
    const so = parseRecord(over, 0);
    assert.equal(so.kind === "corrupt" && so.reason, "record length out of range");
    const exactly = ok.slice();
    exactly.set([0, 0, 0, 0x40]); // exactly 2^30: in range, so it is short
    assert.equal(parseRecord(exactly, 0).kind, "short");
    const badCrc = ok.slice();
    badCrc[4]! ^= 1;
    const sc = parseRecord(badCrc, 0);
    assert.equal(sc.kind === "corrupt" && sc.reason, "record checksum mismatch");
  });

  it("refuses a payload that is not exactly one multibulk command", () => {
    const cases: Array<[string, Uint8Array]> = [
      ["two commands", new Uint8Array([...encodeCommand(["PING"]), ...encodeCommand(["PING"])])],
      ["trailing bytes", new Uint8Array([...encodeCommand(["PING"]), 0x0d, 0x0a])],
      ["half a command", encodeCommand(["PING"]).subarray(0, 9)],
      ["empty multibulk (kevy 5.4 rejects it too)", utf8("*0\r\n")],
      ["inline text (kevy 5.4 accepts it; no writer produces it)", utf8("PING\r\n")],
      [
        "*0 then a command (kevy 5.4 accepts it; no writer produces it)",
        utf8("*0\r\n*1\r\n$4\r\nPING\r\n"),
      ],
    ];
    for (const [what, payload] of cases) {
      const w = new ByteWriter();
      wrapRecordInto(w, payload, 0, payload.length);
      const s = parseRecord(w.bytes(), 0);
      assert.equal(s.kind, "corrupt", what);
      if (s.kind === "corrupt") {
        assert.equal(s.reason, "checksummed record does not hold exactly one command", what);
        assert.equal(s.offset, 0);
      }
    }
  });

  it("classifies internal frames by their whole argv", () => {
    const f = utf8("seg-1.kseg");
    assert.equal(internalFrame([TXN_BEGIN]), "begin");
    assert.equal(internalFrame([TXN_COMMIT]), "commit");
    assert.equal(internalFrame([SEGMENTED_FRAME, f]), "segmented");
    assert.equal(internalFrame([TXN_BEGIN, f]), null);
    assert.equal(internalFrame([SEGMENTED_FRAME]), null);
    assert.equal(internalFrame([SEGMENTED_FRAME, f, f]), null);
    assert.equal(internalFrame([utf8("\0KEVYOTHER")]), null);
    assert.equal(internalFrame([utf8("SET"), f, f]), null);
    assert.equal(internalFrame([]), null);
  });
});
