import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatReshardJournal,
  parseReshardJournal,
  type ReshardJournal,
} from "../../src/codec/journal.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { listFixtures, readFixture, readFixtureJson } from "../_helpers.ts";

interface Expected {
  parsed: { prev_n: number; n: number; routing: string; stamp: string } | null;
}

describe("parseReshardJournal: golden vectors (journal/parse)", () => {
  const names = listFixtures("vectors/journal/parse")
    .filter((f) => f.endsWith(".journal"))
    .map((f) => f.slice(0, -8));
  it("has the vectors", () => assert.ok(names.length >= 15));
  for (const name of names) {
    it(name, () => {
      const bytes = readFixture(`vectors/journal/parse/${name}.journal`);
      const exp = readFixtureJson<Expected>(`vectors/journal/parse/${name}.expected.json`);
      const want: ReshardJournal | null = exp.parsed === null ? null : {
        stamp: BigInt(exp.parsed.stamp),
        prevN: exp.parsed.prev_n,
        n: exp.parsed.n,
        routing: exp.parsed.routing as ReshardJournal["routing"],
      };
      assert.deepEqual(parseReshardJournal(bytes), want);
      assert.deepEqual(parseReshardJournal(new TextDecoder().decode(bytes)), want);
    });
  }
});

describe("formatReshardJournal", () => {
  it("reproduces the real writer's output byte for byte (valid_written)", () => {
    const text = new TextDecoder().decode(
      readFixture("vectors/journal/parse/valid_written.journal"),
    );
    const j = { stamp: 1767225600123456789n, prevN: 4, n: 2, routing: "slots" } as const;
    assert.equal(formatReshardJournal(j), text);
    assert.deepEqual(parseReshardJournal(formatReshardJournal(j)), j);
  });
  it("round-trips a u128 stamp", () => {
    const j: ReshardJournal = { stamp: (1n << 128n) - 1n, prevN: 0, n: 0, routing: "kevyhash" };
    assert.deepEqual(parseReshardJournal(formatReshardJournal(j)), j);
  });
  it("rejects values it could not write", () => {
    assert.throws(
      () => formatReshardJournal({ stamp: -1n, prevN: 1, n: 2, routing: "slots" }),
      RangeError,
    );
    assert.throws(
      () => formatReshardJournal({ stamp: 1n << 128n, prevN: 1, n: 2, routing: "slots" }),
      RangeError,
    );
    assert.throws(
      () => formatReshardJournal({ stamp: 1n, prevN: 1.5, n: 2, routing: "slots" }),
      RangeError,
    );
    assert.throws(
      () =>
        formatReshardJournal({
          stamp: 1n,
          prevN: 1,
          n: 2,
          routing: "crc" as ReshardJournal["routing"],
        }),
      TypeError,
    );
  });
});

describe("parseReshardJournal: rules beyond the vectors", () => {
  const H = "kevy-reshard-journal v1\n";
  it("a later invalid value unsets a field set earlier", () => {
    assert.equal(parseReshardJournal(`${H}stamp=7\nprev_n=3\nn=5\nrouting=slots\nn=x\n`), null);
  });
  it("accepts a leading + like Rust's parse, rejects '-'", () => {
    assert.deepEqual(parseReshardJournal(`${H}stamp=+7\nprev_n=3\nn=5\nrouting=slots`)?.stamp, 7n);
    assert.equal(parseReshardJournal(`${H}stamp=-7\nprev_n=3\nn=5\nrouting=slots`), null);
  });
  it("a stamp beyond u128 is invalid", () => {
    assert.equal(
      parseReshardJournal(`${H}stamp=${1n << 128n}\nprev_n=3\nn=5\nrouting=slots`),
      null,
    );
  });
  it("splits at the first '=' and keeps the rest as the value", () => {
    assert.equal(parseReshardJournal(`${H}stamp=7\nprev_n=3\nn=5\nrouting=slots=x`), null);
  });
  it("two final newlines make a blank line: unparsable", () => {
    assert.equal(parseReshardJournal(`${H}stamp=7\nprev_n=3\nn=5\nrouting=slots\n\n`), null);
  });
  it("a zero-filled journal (power cut) is unparsable, not an error", () => {
    assert.equal(parseReshardJournal(new Uint8Array(64)), null);
  });
  it("invalid UTF-8 throws CorruptFileError (kevy stops startup, it does not delete)", () => {
    const b = new Uint8Array([...new TextEncoder().encode(H), 0xff, 0x0a]);
    assert.throws(() => parseReshardJournal(b), (e: unknown) => {
      assert.ok(e instanceof CorruptFileError);
      assert.equal(e.offset, H.length);
      return true;
    });
  });
});
