// Robustness: the fuzz corpus and mutated vectors never make parseFrame throw,
// loop, or allocate beyond the input. Seeded, so failures reproduce.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AOF_MAGIC, parseFrame } from "../../src/codec/resp.ts";
import { bytesEqual } from "../../src/codec/bytes.ts";
import { listFixtures, readFixture, utf8 } from "../_helpers.ts";

const V2_MAGIC = utf8("KEVYAOF2");

/** Parses until the end or the first non-frame; checks every invariant on the way. */
function checkParse(buf: Uint8Array): void {
  let p = buf.length >= 9 && bytesEqual(buf.subarray(0, 9), AOF_MAGIC) ? 9 : 0;
  let argBytes = 0;
  while (p < buf.length) {
    const r = parseFrame(buf, p);
    if (r.kind === "frame") {
      assert.ok(r.end > p, "progress");
      assert.ok(r.end <= buf.length);
      assert.ok(r.argv.length >= 1);
      // Each element needs at least "$0\r\n\r\n": argv can never outgrow the frame.
      assert.ok(r.argv.length * 6 <= r.end - p);
      for (const a of r.argv) {
        assert.equal(a.buffer, buf.buffer, "a view of the input, no new allocation");
        assert.ok(
          a.byteOffset >= buf.byteOffset + p && a.byteOffset + a.length <= buf.byteOffset + r.end,
        );
        argBytes += a.length;
      }
      p = r.end;
    } else if (r.kind === "incomplete") {
      assert.equal(r.offset, p);
      return;
    } else {
      assert.equal(r.kind, "corrupt");
      assert.ok(r.offset >= p && r.offset < buf.length, "corrupt offset inside the data");
      assert.equal(typeof r.expected, "string");
      // Cutting the data right before the bad byte leaves a proper prefix: incomplete.
      const cut = parseFrame(buf.subarray(0, r.offset), p);
      assert.ok(cut.kind === "incomplete" || (cut.kind === "frame" && r.offset === cut.end));
      return;
    }
  }
  assert.ok(argBytes <= buf.length);
}

let seed = 0x9e3779b9;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

function mutations(src: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (src.length === 0) return out;
  for (let k = 0; k < count; k++) {
    const b = src.slice();
    switch (k % 4) {
      case 0: // truncate
        out.push(b.subarray(0, rand(b.length)));
        break;
      case 1: { // flip bytes
        for (let f = 1 + rand(3); f > 0; f--) {
          const i = rand(b.length);
          b[i] = b[i]! ^ (1 << rand(8));
        }
        out.push(b);
        break;
      }
      case 2: { // splice: a slice of the file inserted elsewhere
        const from = rand(b.length), len = rand(Math.min(64, b.length - from) + 1);
        const at = rand(b.length + 1);
        const s = new Uint8Array(b.length + len);
        s.set(b.subarray(0, at));
        s.set(b.subarray(from, from + len), at);
        s.set(b.subarray(at), at + len);
        out.push(s);
        break;
      }
      default: { // zero-fill a range, as a power cut leaves
        const at = rand(b.length);
        b.fill(0, at, at + 1 + rand(b.length - at));
        out.push(b);
      }
    }
  }
  return out;
}

describe("parseFrame robustness", () => {
  it("every file of the kevy-replay-aof fuzz corpus (KEVYAOF2 files are out of scope)", () => {
    let n = 0;
    for (const name of listFixtures("fuzz/kevy-replay-aof")) {
      const buf = readFixture(`fuzz/kevy-replay-aof/${name}`);
      if (buf.length >= 8 && bytesEqual(buf.subarray(0, 8), V2_MAGIC)) continue;
      checkParse(buf);
      n++;
    }
    assert.ok(n > 100);
  });

  it("mutated golden vectors: truncated, bit-flipped, spliced, zero-filled", () => {
    const names = listFixtures("vectors/aof").filter((f) => f.endsWith(".aof"));
    let n = 0;
    for (const name of names) {
      const src = readFixture(`vectors/aof/${name}`);
      for (const m of mutations(src, 200)) {
        checkParse(m);
        n++;
      }
    }
    assert.ok(n > 3000);
  });

  it("parses at every offset of every vector without throwing", () => {
    for (const name of listFixtures("vectors/aof").filter((f) => f.endsWith(".aof"))) {
      const buf = readFixture(`vectors/aof/${name}`);
      for (let p = 0; p <= buf.length; p++) {
        const r = parseFrame(buf, p);
        if (r.kind === "frame") assert.ok(r.end > p);
        else if (r.kind === "incomplete") assert.equal(r.offset, p);
        else assert.ok(r.offset >= p && r.offset < buf.length);
      }
    }
  });
});
