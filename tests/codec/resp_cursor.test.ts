// scanFrame / FrameCursor: the one RESP frame scanner, offsets only (parseFrame
// is it plus views; its strictness is pinned down in resp*.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  FRAME_CORRUPT,
  FRAME_INCOMPLETE,
  FrameCursor,
  scanFrame,
} from "../../src/codec/resp_cursor.ts";
import { encodeCommand } from "../../src/codec/resp.ts";

const te = new TextEncoder(), td = new TextDecoder();

describe("scanFrame", () => {
  it("leaves each argument's offset and length in the cursor, reused frame after frame", () => {
    const a = encodeCommand(["SET", "k", ""]), b = encodeCommand(["RPUSH", "list", "x", "yz"]);
    const buf = new Uint8Array([...a, ...b]);
    const cur = new FrameCursor();
    assert.equal(scanFrame(buf, 0, buf.length, cur), a.length);
    assert.deepEqual(cur.argv().map((x) => td.decode(x)), ["SET", "k", ""]);
    assert.equal(scanFrame(buf, a.length, buf.length, cur), buf.length);
    assert.equal(cur.argc, 4);
    assert.deepEqual(
      [...cur.start.subarray(0, 4)].map((s, i) => td.decode(buf.subarray(s, s + cur.len[i]!))),
      [
        "RPUSH",
        "list",
        "x",
        "yz",
      ],
    );
    assert.equal(td.decode(cur.arg(3)), "yz");
    assert.equal(cur.arg(3).buffer, buf.buffer, "a view, not a copy");
  });

  it("grows its offset arrays only as arguments are parsed (a damaged count allocates nothing)", () => {
    const cur = new FrameCursor();
    // Claims 1,000,000 arguments, has 10: incomplete, and the arrays stay small.
    const head = te.encode("*1000000\r\n" + "$1\r\nx\r\n".repeat(10));
    assert.equal(scanFrame(head, 0, head.length, cur), FRAME_INCOMPLETE);
    assert.ok(cur.start.length <= 16 && cur.len.length <= 16);
    // 1000 arguments: grown to hold them; release() gives the memory and the buffer back.
    const big = encodeCommand(Array.from({ length: 1000 }, (_, i) => `a${i}`));
    assert.equal(scanFrame(big, 0, big.length, cur), big.length);
    assert.equal(cur.argc, 1000);
    assert.equal(td.decode(cur.arg(999)), "a999");
    cur.release();
    assert.equal(cur.buf.length, 0);
    assert.equal(cur.start.length, 8);
  });

  it("reports corruption at the first bad byte, and incomplete for every proper prefix", () => {
    const f = encodeCommand(["GET", "key"]);
    const cur = new FrameCursor();
    for (let n = 0; n < f.length; n++) {
      assert.equal(scanFrame(f, 0, n, cur), FRAME_INCOMPLETE, `${n}`);
    }
    const bad = f.slice();
    bad[11] = 0x41; // the byte after "GET" must be CR
    assert.equal(scanFrame(bad, 0, bad.length, cur), FRAME_CORRUPT);
    assert.equal(cur.errAt, 11);
    assert.equal(cur.expected, "CRLF after bulk payload");
  });
});
