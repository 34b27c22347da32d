// Integer elements of RDB listpacks, ziplists and intsets are written into
// the bulk loader's payloads as decimal text without a string per element:
// the text must be exactly what String() gives (Redis's own text for them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Builder } from "../../src/codec/_rdb_payload.ts";

describe("payload integers as text", () => {
  it("equal String(v) for edges, powers of ten, negatives, int64 bigints", () => {
    const vals: Array<number | bigint> = [
      0,
      -0,
      9,
      -9,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    vals.push(9223372036854775807n, -9223372036854775808n, 9007199254740993n);
    for (let k = 0; k < 16; k++) {
      vals.push(10 ** k, 10 ** k - 1, 10 ** k + 1, -(10 ** k), 1 - 10 ** k);
    }
    let s = 12345;
    for (let i = 0; i < 20000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const mag = 2 ** ((s % 53) + 1);
      vals.push(Math.floor(((s / 0x100000000) - 0.5) * mag));
    }
    const dec = new TextDecoder();
    for (const v of vals) {
      const w = new Builder();
      w.pos = 0;
      const at = w.intItem(v);
      const want = String(v);
      assert.equal(dec.decode(w.buf.subarray(at, w.pos)), want);
      assert.equal(w.buf[at - 4]! | (w.buf[at - 3]! << 8), want.length, `length of ${want}`);
      assert.ok(w.maxLen >= want.length);
    }
  });
});
