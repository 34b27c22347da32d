import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  aofName,
  inferFilesN,
  premigrationName,
  RESHARD_JOURNAL,
  reshardName,
  rewriteName,
  SHARDS_META,
  snapshotName,
  tmpName,
} from "../../src/codec/names.ts";
import { readFixtureJson } from "../_helpers.ts";

interface Layout {
  cases: Array<{ case: string; files: string[]; infer_files_n: number }>;
  file_names: Record<string, string>;
}
const layout = readFixtureJson<Layout>("vectors/layout/infer_files_n.json");

/** The fixture marks directories with a trailing '/'. */
const entries = (files: string[]): Array<{ name: string; isFile: boolean }> =>
  files.map((f) =>
    f.endsWith("/") ? { name: f.slice(0, -1), isFile: false } : { name: f, isFile: true }
  );

describe("file names", () => {
  it("match the reference names (layout/infer_files_n.json file_names)", () => {
    const f = layout.file_names;
    assert.equal(snapshotName(0), f["snapshot_file(0)"]);
    assert.equal(snapshotName(12), f["snapshot_file(12)"]);
    assert.equal(aofName(0), f["aof_file(0)"]);
    assert.equal(aofName(12), f["aof_file(12)"]);
    assert.equal(SHARDS_META, f["shards_meta"]);
    assert.equal(RESHARD_JOURNAL, "reshard.journal");
  });
  it("derived names append a suffix to the full name", () => {
    assert.equal(tmpName("dump-0.rdb"), "dump-0.rdb.tmp");
    assert.equal(rewriteName("aof-0.aof"), "aof-0.aof.rewrite");
    assert.equal(rewriteName(""), "aof.rewrite");
    assert.equal(reshardName("dump-1.rdb"), "dump-1.rdb.reshard");
    assert.equal(tmpName(reshardName("dump-1.rdb")), "dump-1.rdb.reshard.tmp");
    assert.equal(premigrationName("aof-1.aof", 1111n), "aof-1.aof.premigration.1111");
    assert.equal(
      premigrationName("dump-0.rdb", 1767225600123456789n),
      "dump-0.rdb.premigration.1767225600123456789",
    );
  });
  it("reject bad indexes and stamps", () => {
    assert.throws(() => snapshotName(-1), RangeError);
    assert.throws(() => aofName(1.5), RangeError);
    assert.throws(() => premigrationName("x", -1n), RangeError);
  });
});

describe("inferFilesN", () => {
  // Cases where we deliberately differ from kevy v1.17, with the reference result.
  const DIFFERS: Record<string, [number, string]> = {
    // kevy parses "+2" as usize 2 -> 3; we require plain digits.
    "plus sign": [0, "kevy: 3"],
    // kevy counts any directory entry; we count plain files only.
    "a DIRECTORY named dump-6.rdb counts too": [0, "kevy: 7"],
  };
  for (const c of layout.cases) {
    const differs = DIFFERS[c.case];
    const want = differs ? differs[0] : c.infer_files_n;
    it(`${c.case}: ${want}${differs ? ` (${differs[1]})` : ""}`, () => {
      if (differs) {
        assert.notEqual(c.infer_files_n, want, "the fixture still records kevy's result");
      }
      assert.equal(inferFilesN(entries(c.files)), want);
    });
  }
  it("every case of the fixture is covered and the differing ones exist", () => {
    const names = layout.cases.map((c) => c.case);
    for (const k of Object.keys(DIFFERS)) assert.ok(names.includes(k), k);
  });
  it("a file that is not plain decimal between prefix and suffix does not count", () => {
    assert.equal(
      inferFilesN(entries(["dump-1a.rdb", "aof- 2.aof", "dump-.rdb", "aof-1.aof.tmp"])),
      0,
    );
    assert.equal(inferFilesN(entries(["aof-007.aof"])), 8);
  });
});
