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

describe("payload scores from text", () => {
  it("plain decimals (the fast path) and the rest parse exactly as Number() does", async () => {
    const { parseScore } = await import("../../src/codec/_redis_num.ts");
    const cases = ["0", "-0", "-0.0", "1.", ".5", "-.5", "4.5", "-1", "0.1", "00012.5000"];
    cases.push("123456789012345", "1234567890123456", "0.30000000000000004", "1e5", "+5");
    cases.push("", ".", "-", "1.2.3", "inf", "-inf");
    let s = 99;
    for (let i = 0; i < 20000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const d = (s % 17) + 1, f = (s >>> 8) % d;
      let t = "";
      for (let k = 0; k < d; k++) t += String(((s >>> (k % 24)) + k * 7) % 10);
      if (f > 0) t = `${t.slice(0, d - f)}.${t.slice(d - f)}`;
      cases.push((s & 1) === 1 ? `-${t}` : t);
    }
    const te = new TextEncoder();
    for (const c of cases) {
      const b = te.encode(` ${c}`);
      const want = c === "" ? NaN : c === "inf" ? Infinity : c === "-inf" ? -Infinity : Number(c);
      assert.ok(Object.is(parseScore(b, 1, b.length - 1), want), JSON.stringify(c));
    }
  });
});
