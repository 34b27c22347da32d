import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeCommand, encodeCommandInto, parseFrame } from "../../src/codec/resp.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { writerInternals } from "../../src/codec/bytes_util.ts";

// encodeCommandInto sizes the whole frame, reserves it once and stores by
// index; these pin the digit-count boundaries and the reserve/grow path
// against a frame spelled out as text.

function latin1(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The frame as text, the obvious way. */
function reference(argv: ReadonlyArray<Uint8Array | string>): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) {
    const b = typeof a === "string" ? utf8(a) : a;
    s += `$${b.length}\r\n${latin1(b)}\r\n`;
  }
  return s;
}

function encodeText(argv: ReadonlyArray<Uint8Array | string>, cap = 1): string {
  const w = new ByteWriter(cap);
  encodeCommandInto(w, argv);
  return latin1(w.bytes());
}

const LENGTHS = [0, 1, 9, 10, 15, 16, 17, 99, 100, 999, 1000, 1023, 1024, 9999, 10000, 100000];

describe("encodeCommandInto: lengths and counts at digit boundaries", () => {
  it("byte arguments of every boundary length", () => {
    for (const n of LENGTHS) {
      const a = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
      assert.equal(encodeText([a]), reference([a]), `length ${n}`);
      assert.equal(encodeText(["SET", a, a]), reference(["SET", a, a]), `3 x length ${n}`);
    }
  });
  it("string arguments of every boundary length, ASCII and not", () => {
    for (const n of LENGTHS) {
      const ascii = "k".repeat(n);
      assert.equal(encodeText([ascii]), reference([ascii]), `ascii ${n}`);
      const wide = "é".repeat(n); // 2n bytes
      assert.equal(encodeText(["SET", wide]), reference(["SET", wide]), `utf-8 ${n}`);
    }
    const odd = ["a\ud800b", "\udc00", "😀x", "€"];
    assert.equal(encodeText(odd), reference(odd));
  });
  it("argument counts 1, 9, 10, 99, 100, 1024", () => {
    for (const argc of [1, 9, 10, 99, 100, 1024]) {
      const argv = Array.from({ length: argc }, (_, i) => (i % 2 ? `v${i}` : utf8(`k${i}`)));
      assert.equal(encodeText(argv), reference(argv), `argc ${argc}`);
    }
  });
  it("appends after existing bytes and grows from any capacity", () => {
    for (const cap of [0, 1, 5, 31, 32, 33]) {
      const w = new ByteWriter(cap);
      w.writeAscii("xy");
      encodeCommandInto(w, ["DEL", utf8("k")]);
      encodeCommandInto(w, [new Uint8Array(40)]);
      assert.equal(
        latin1(w.bytes()),
        "xy" + reference(["DEL", "k"]) + reference([new Uint8Array(40)]),
      );
    }
  });
  it("matches encodeCommand and parses back", () => {
    const argv = ["SET", utf8("key:1"), "é", new Uint8Array([0, 13, 10, 255])];
    const w = new ByteWriter();
    encodeCommandInto(w, argv);
    assert.deepEqual(w.bytes(), encodeCommand(argv));
    const r = parseFrame(w.bytes(), 0);
    assert.ok(r.kind === "frame" && r.end === w.length && r.argv.length === 4);
  });
  it("a bad argument throws RangeError and leaves the writer unchanged", () => {
    const w = new ByteWriter(4);
    encodeCommandInto(w, ["PING"]);
    const before = latin1(w.bytes());
    const bad = [utf8("SET"), 42 as unknown as Uint8Array];
    assert.throws(() => encodeCommandInto(w, bad), RangeError);
    assert.throws(() => encodeCommandInto(w, []), RangeError);
    assert.equal(latin1(w.bytes()), before);
  });
});

describe("ByteWriter internals used by the encoder", () => {
  it("reserve() grows, counts the bytes and returns where they start", () => {
    const w = new ByteWriter(0);
    assert.equal(writerInternals.reserve(w, 3), 0);
    assert.equal(w.length, 3);
    const at = writerInternals.reserve(w, 100);
    assert.equal(at, 3);
    assert.equal(w.length, 103);
    assert.ok(w.capacity >= 103);
    writerInternals.buffer(w)[at] = 0x2a;
    assert.equal(w.bytes()[3], 0x2a);
  });
});
