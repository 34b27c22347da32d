// The AOF golden vectors whose replay stopped cleanly: applying their argv
// through CommandApplier must give exactly their keyspace. The vectors record
// kevy-embedded's dispatcher, which ignores stream verbs; our applier (like
// kevy's server) rebuilds the streams of rewrite_stream instead, so that one is
// checked against the snapshot vector it was rewritten from.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listFixtures, readFixtureJson, unhex } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { CommandApplier } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";

interface AofExpected {
  stop: string;
  argv: string[][];
  keyspace: unknown[];
}

// 2023-11-14: before every deadline the vectors use (2100, 2200).
const NOW = 1_700_000_000_000;

describe("AOF vectors (clean replays)", () => {
  const names = listFixtures("vectors/aof").filter((n) => n.endsWith(".expected.json"));
  const clean = names.filter((n) =>
    readFixtureJson<AofExpected>(`vectors/aof/${n}`).stop === "clean" &&
    n !== "rewrite_stream.expected.json"
  );

  it("there are clean vectors to check", () => {
    assert.ok(clean.length >= 10, `only ${clean.length}`);
  });

  for (const name of clean) {
    it(`${name.replace(".expected.json", "")} replays to the expected keyspace`, () => {
      const v = readFixtureJson<AofExpected>(`vectors/aof/${name}`);
      const store = new Store({ now: () => NOW });
      const ap = new CommandApplier(store);
      for (const argv of v.argv) ap.apply(argv.map(unhex));
      assert.deepEqual(ap.finish(), { danglingMulti: false, discarded: 0 });
      assert.deepEqual(dumpKeyspace(store), v.keyspace);
    });
  }

  it("counts unknown verbs by name", () => {
    const ap = new CommandApplier(new Store({ now: () => NOW }));
    ap.apply(["NOSUCHVERB", "a"]);
    ap.apply(["nosuchverb"]);
    ap.apply(["OTHERVERB"]);
    ap.apply(["SET", "k", "v"]);
    assert.equal(ap.unknown.get("nosuchverb"), 2);
    assert.equal(ap.unknown.get("otherverb"), 1);
    assert.equal(ap.applied, 1);
  });

  it("ignores empty argv (null and empty arrays)", () => {
    const v = readFixtureJson<AofExpected>("vectors/aof/null_and_empty_arrays.expected.json");
    const ap = new CommandApplier(new Store({ now: () => NOW }));
    for (const argv of v.argv) ap.apply(argv.map(unhex));
    assert.equal(ap.empty, 4);
    assert.equal(ap.applied, 3);
    assert.equal(ap.errors, 0);
  });
});
