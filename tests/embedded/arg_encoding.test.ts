// Arguments of the typed methods are encoded as UTF-8 exactly as TextEncoder
// does, whether they go through the shared pool (short strings) or not, and a
// returned view never changes afterwards (pool bytes are written once).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../../src/embedded/_reply.ts";
import { encodeArgv } from "../../src/embedded/_arg_names.ts";
import { rng } from "../_helpers.ts";

const enc = new TextEncoder();

/** Random text: ASCII, 2- and 3-byte characters, astral pairs, lone surrogates. */
function text(r: () => number, max: number): string {
  const n = (r() * max) | 0;
  let s = "";
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.6) s += String.fromCharCode(32 + ((r() * 95) | 0));
    else if (x < 0.7) s += String.fromCharCode(0x80 + ((r() * 0x700) | 0));
    else if (x < 0.8) s += String.fromCharCode(0x800 + ((r() * 0xd000) | 0));
    else if (x < 0.9) s += String.fromCodePoint(0x10000 + ((r() * 0xfffff) | 0));
    else if (x < 0.95) s += String.fromCharCode(0xd800 + ((r() * 0x800) | 0)); // lone surrogate
    else s += String.fromCharCode((r() * 32) | 0);
  }
  return s;
}

describe("argument encoding", () => {
  it("utf8() equals TextEncoder.encode for every kind of string, across pool refills", () => {
    const r = rng(7);
    const kept: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 20000; i++) {
      const s = text(r, i % 50 === 0 ? 900 : 40);
      const got = utf8(s);
      const want = enc.encode(s);
      assert.deepEqual(got, want, JSON.stringify(s));
      if (i % 97 === 0) kept.push([got, want]);
    }
    // Views handed out earlier were never overwritten by later calls.
    for (const [got, want] of kept) assert.deepEqual(got, want);
  });

  it("encodeArgv: strings, bytes and numbers as before; a bad argument names itself", () => {
    const b = new Uint8Array([0, 255]);
    const a = encodeArgv("set", ["SET", "k€", b, 12, 3n]);
    assert.deepEqual(a, [
      enc.encode("SET"),
      enc.encode("k€"),
      b,
      enc.encode("12"),
      enc.encode("3"),
    ]);
    assert.equal(a[2], b, "bytes are passed as they are");
    assert.deepEqual(encodeArgv("set", ["SET", "k", "v"])[0], enc.encode("SET"));
    assert.throws(
      () => encodeArgv("set", ["SET", "k", null]),
      (e: Error) =>
        e instanceof TypeError && /set\(\): value must be a string or a Uint8Array/.test(e.message),
    );
    assert.throws(() => encodeArgv("get", ["GET", NaN]), TypeError);
  });
});
