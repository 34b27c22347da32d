import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatShardsMeta, parseShardsMeta } from "../../src/codec/meta.ts";
import { listFixtures, readFixture, readFixtureJson } from "../_helpers.ts";

describe("parseShardsMeta: golden vectors (meta/)", () => {
  const names = listFixtures("vectors/meta").filter((f) => f.endsWith(".meta")).map((f) =>
    f.slice(0, -5)
  );
  it("has the vectors", () => assert.ok(names.length >= 15));
  for (const name of names) {
    it(name, () => {
      const bytes = readFixture(`vectors/meta/${name}.meta`);
      const exp = readFixtureJson<{ parsed: unknown }>(`vectors/meta/${name}.expected.json`);
      assert.deepEqual(parseShardsMeta(bytes), exp.parsed);
      assert.deepEqual(parseShardsMeta(new TextDecoder().decode(bytes)), exp.parsed);
    });
  }
});

describe("formatShardsMeta", () => {
  it("writes the v2 form exactly like the real writer", () => {
    const dec = (f: string): string => new TextDecoder().decode(readFixture(`vectors/meta/${f}`));
    assert.equal(formatShardsMeta({ n: 4, routing: "kevyhash" }), dec("v2_kevyhash_written.meta"));
    assert.equal(formatShardsMeta({ n: 3, routing: "slots" }), dec("v2_slots_written.meta"));
  });
  it("round-trips, including n = 0", () => {
    for (const m of [{ n: 0, routing: "kevyhash" }, { n: 16, routing: "slots" }] as const) {
      assert.deepEqual(parseShardsMeta(formatShardsMeta(m)), m);
    }
  });
  it("rejects what it could not write", () => {
    assert.throws(() => formatShardsMeta({ n: -1, routing: "slots" }), RangeError);
    assert.throws(() => formatShardsMeta({ n: 2, routing: "x" as "slots" }), TypeError);
  });
});

describe("parseShardsMeta: rules beyond the vectors", () => {
  it("invalid UTF-8 is no meta", () => {
    assert.equal(parseShardsMeta(new Uint8Array([0x34, 0x0a, 0xff, 0x0a])), null);
  });
  it("trims like Rust: U+0085 is whitespace, U+FEFF (BOM) is not", () => {
    assert.deepEqual(parseShardsMeta("\u00854\u0085\nslots"), { n: 4, routing: "slots" });
    assert.equal(parseShardsMeta("\ufeff4\n"), null);
  });
  it("leading zeros are fine, '+' alone or signs are not", () => {
    assert.deepEqual(parseShardsMeta("007\n"), { n: 7, routing: "kevyhash" });
    assert.equal(parseShardsMeta("+\n"), null);
    assert.equal(parseShardsMeta("-0\n"), null);
    assert.equal(parseShardsMeta("4 2\n"), null);
  });
  it("a count that is not a safe integer is no meta", () => {
    assert.equal(parseShardsMeta("99999999999999999999\n"), null);
  });
  it("a blank first line is no meta", () => {
    assert.equal(parseShardsMeta("\nslots\n"), null);
  });
});
