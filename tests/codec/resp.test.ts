import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AOF_MAGIC,
  encodeCommand,
  encodeCommandInto,
  type FrameResult,
  isZeroTail,
  MAX_BULK_LEN,
  MAX_FRAME_ARGS,
  parseFrame,
} from "../../src/codec/resp.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { utf8 } from "../_helpers.ts";

const text = (b: Uint8Array): string => new TextDecoder("latin1").decode(b);
const parse = (s: string, offset = 0): FrameResult => parseFrame(utf8(s), offset);

function corruptAt(s: string, offset: number): string {
  const r = parse(s);
  assert.equal(r.kind, "corrupt", `${JSON.stringify(s)} should be corrupt`);
  assert.equal(r.offset, offset, `${JSON.stringify(s)}: bad byte offset`);
  return r.expected;
}

describe("AOF_MAGIC", () => {
  it("is the 9 bytes KEVYAOF1\\n", () => {
    assert.equal(text(AOF_MAGIC), "KEVYAOF1\n");
  });
});

describe("encodeCommand", () => {
  it("writes *<argc> then $<len> per argument, plain decimal, CRLF", () => {
    assert.equal(
      text(encodeCommand(["SET", "k", "v"])),
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
    );
  });
  it("encodes strings as UTF-8 and counts bytes, not characters", () => {
    const b = encodeCommand(["SET", "é€😀", ""]);
    assert.deepEqual(b, utf8("*3\r\n$3\r\nSET\r\n$9\r\né€😀\r\n$0\r\n\r\n"));
  });
  it("keeps binary arguments byte-exact", () => {
    const bin = new Uint8Array([0, 0xff, 0x0d, 0x0a]);
    const b = encodeCommand([bin]);
    assert.deepEqual([...b], [...utf8("*1\r\n$4\r\n"), 0, 0xff, 13, 10, 13, 10]);
  });
  it("writes lengths of 10 and more in decimal", () => {
    assert.equal(text(encodeCommand(["x".repeat(1234)])).slice(0, 11), "*1\r\n$1234\r\n");
  });
  it("refuses an empty argv (kevy never writes one)", () => {
    assert.throws(() => encodeCommand([]), RangeError);
  });
  it("encodeCommandInto appends to a reused writer", () => {
    const w = new ByteWriter(8);
    encodeCommandInto(w, ["PING"]);
    encodeCommandInto(w, [utf8("DEL"), "k"]);
    assert.equal(text(w.bytes()), "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
  });
});

describe("parseFrame: valid frames", () => {
  it("returns argv and the offset just after the frame", () => {
    const r = parse("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1");
    assert.equal(r.kind, "frame");
    if (r.kind !== "frame") return;
    assert.deepEqual(r.argv.map(text), ["GET", "k"]);
    assert.equal(r.end, 20);
  });
  it("parses from a non-zero offset (after the AOF header)", () => {
    const buf = new Uint8Array([...AOF_MAGIC, ...encodeCommand(["PING"])]);
    const r = parseFrame(buf, 9);
    assert.equal(r.kind, "frame");
    if (r.kind === "frame") assert.equal(r.end, buf.length);
  });
  it("accepts empty and binary payloads, including CRLF inside", () => {
    const r = parseFrame(encodeCommand(["", "\r\n*1\r\n"]), 0);
    assert.equal(r.kind, "frame");
    if (r.kind === "frame") assert.deepEqual(r.argv.map(text), ["", "\r\n*1\r\n"]);
  });
  it("argv elements are views into the buffer (documented: do not reuse buf)", () => {
    const buf = encodeCommand(["SET", "k", "v"]);
    const r = parseFrame(buf, 0);
    assert.equal(r.kind, "frame");
    if (r.kind !== "frame") return;
    assert.equal(r.argv[1]!.buffer, buf.buffer);
    assert.equal(r.argv[1]!.byteOffset, buf.byteOffset + 17);
  });
  it("works on a buffer that is itself a view at an offset", () => {
    const big = new Uint8Array([7, 7, 7, ...encodeCommand(["A", "BC"])]);
    const r = parseFrame(big.subarray(3), 0);
    assert.equal(r.kind, "frame");
    if (r.kind === "frame") assert.deepEqual(r.argv.map(text), ["A", "BC"]);
  });
  it("accepts a count of exactly MAX_FRAME_ARGS in the header", () => {
    // Only the header is present: incomplete, not corrupt.
    assert.equal(parse(`*${MAX_FRAME_ARGS}\r\n`).kind, "incomplete");
    assert.equal(parse(`*1\r\n$${MAX_BULK_LEN}\r\n`).kind, "incomplete");
  });
});

describe("parseFrame: incomplete (could still become a frame)", () => {
  for (
    const s of [
      "",
      "*",
      "*1",
      "*12",
      "*3\r",
      "*3\r\n",
      "*3\r\n$",
      "*3\r\n$3",
      "*3\r\n$3\r",
      "*3\r\n$3\r\nSE",
      "*3\r\n$3\r\nSET",
      "*3\r\n$3\r\nSET\r",
      "*3\r\n$3\r\nSET\r\n",
      "*1\r\n$0\r\n",
      "*1\r\n$0\r\n\r",
      "*1\r\n$999999\r\nabc",
    ]
  ) {
    it(JSON.stringify(s), () => {
      assert.deepEqual(parse(s), { kind: "incomplete", offset: 0 });
    });
  }
  it("reports the frame start, not the end of data", () => {
    assert.deepEqual(parse("xx*2\r\n$1", 2), { kind: "incomplete", offset: 2 });
  });
  it("an offset at the end of the buffer is incomplete (no bytes yet)", () => {
    assert.deepEqual(parse("*1\r\n", 4), { kind: "incomplete", offset: 4 });
  });
});

describe("parseFrame: corrupt, at the first bad byte", () => {
  it("inline text (first byte not '*')", () => {
    assert.equal(corruptAt("PING\r\n", 0), "'*' (multibulk frame)");
  });
  it("a zero byte where a frame should start", () => {
    corruptAt("\0\0\0", 0);
  });
  it("*0 and *-1 (kevy passes them on as empty argv)", () => {
    corruptAt("*0\r\n", 1);
    corruptAt("*-1\r\n", 1);
  });
  it("a signed or zero-padded count", () => {
    corruptAt("*+3\r\n", 1);
    corruptAt("*03\r\n", 1);
  });
  it("no digits in the count", () => {
    corruptAt("*\r\n", 1);
  });
  it("anything but a digit or CRLF after count digits (*1x)", () => {
    corruptAt("*1x", 2);
    corruptAt("*1 \r\n", 2);
  });
  it("CR not followed by LF", () => {
    corruptAt("*1\rx", 3);
    corruptAt("*1\r\n$1\rx", 7);
  });
  it("a count above MAX_FRAME_ARGS, at the digit that exceeds it", () => {
    corruptAt(`*${MAX_FRAME_ARGS + 1}\r\n`, 7);
    corruptAt("*99999999999999999999999999", 7);
  });
  it("an element not starting with '$'", () => {
    assert.equal(corruptAt("*2\r\n$1\r\na\r\n:1\r\n", 11), "'$' (bulk string)");
  });
  it("$-1 and signed lengths", () => {
    corruptAt("*1\r\n$-1\r\n", 5);
    corruptAt("*1\r\n$+1\r\na\r\n", 5);
  });
  it("leading zeros in a length (at the digit after the zero)", () => {
    corruptAt("*1\r\n$01\r\na\r\n", 6);
    corruptAt("*1\r\n$00\r\n", 6);
  });
  it("a length above MAX_BULK_LEN, before anything is allocated", () => {
    corruptAt(`*1\r\n$${MAX_BULK_LEN + 1}\r\n`, 13);
    corruptAt("*1\r\n$99999999999999999999", 13);
  });
  it("missing CRLF after the payload", () => {
    assert.equal(corruptAt("*1\r\n$3\r\nabcXY", 11), "CRLF after bulk payload");
    corruptAt("*1\r\n$3\r\nabc\rY", 12);
  });
  it("never reads past the buffer for a lying length", () => {
    const r = parse("*1\r\n$536870912\r\nab");
    assert.deepEqual(r, { kind: "incomplete", offset: 0 });
  });
});

describe("isZeroTail", () => {
  it("is true when every byte from offset is 0x00, and for an empty range", () => {
    assert.equal(isZeroTail(new Uint8Array([1, 0, 0, 0]), 1), true);
    assert.equal(isZeroTail(new Uint8Array([1, 0, 0, 0]), 4), true);
    assert.equal(isZeroTail(new Uint8Array(0), 0), true);
  });
  it("is false when any later byte is not zero", () => {
    assert.equal(isZeroTail(new Uint8Array([0, 0, 0, 1]), 0), false);
    assert.equal(isZeroTail(new Uint8Array([1, 0, 0]), 0), false);
  });
});

describe("round trip (randomized, seeded)", () => {
  let seed = 0x12345678;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return ((seed >>> 8) % n);
  };
  const randomArgv = (): Uint8Array[] => {
    const argc = 1 + rand(6);
    return Array.from({ length: argc }, () => {
      const len = rand(4) === 0 ? rand(300) : rand(20);
      const a = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        a[i] = rand(4) === 0 ? [13, 10, 42, 36, 0][rand(5)]! : rand(256);
      }
      return a;
    });
  };

  it("encodeCommand -> parseFrame gives back the same argv", () => {
    for (let t = 0; t < 500; t++) {
      const argv = randomArgv();
      const buf = encodeCommand(argv);
      const r = parseFrame(buf, 0);
      assert.equal(r.kind, "frame");
      if (r.kind !== "frame") return;
      assert.equal(r.end, buf.length);
      assert.deepEqual(r.argv.map((a) => [...a]), argv.map((a) => [...a]));
    }
  });

  it("every proper prefix of a valid frame is incomplete", () => {
    for (let t = 0; t < 60; t++) {
      const buf = encodeCommand(randomArgv());
      for (let n = 0; n < buf.length; n++) {
        assert.deepEqual(parseFrame(buf.subarray(0, n), 0), { kind: "incomplete", offset: 0 });
      }
    }
  });

  it("frames written back to back parse back in sequence", () => {
    const w = new ByteWriter(16);
    const all: Uint8Array[][] = [];
    for (let t = 0; t < 200; t++) {
      const argv = randomArgv();
      all.push(argv);
      encodeCommandInto(w, argv);
    }
    const buf = w.take();
    let p = 0;
    for (const argv of all) {
      const r = parseFrame(buf, p);
      assert.equal(r.kind, "frame");
      if (r.kind !== "frame") return;
      assert.deepEqual(r.argv.map((a) => [...a]), argv.map((a) => [...a]));
      p = r.end;
    }
    assert.equal(p, buf.length);
  });
});
