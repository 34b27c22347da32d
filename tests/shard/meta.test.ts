import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listFixtures, readFixture, readFixtureJson, tempDir } from "../_helpers.ts";
import { readShardsMeta, writeShardsMeta } from "../../src/shard/shards_meta.ts";
import { inferFilesN } from "../../src/codec/names.ts";
import { defaultFs } from "../../src/fs/detect.ts";
import { CrashFs } from "../../src/fs/crash.ts";

interface MetaExpected {
  parsed: { n: number; routing: string } | null;
}

describe("readShardsMeta: every meta/ vector through a real directory", () => {
  const names = listFixtures("vectors/meta").filter((f) => f.endsWith(".meta"));
  it("has the vectors", () => assert.ok(names.length >= 15));
  for (const name of names) {
    const base = name.slice(0, -".meta".length);
    it(base, async () => {
      const dir = tempDir("kevy-meta-");
      writeFileSync(join(dir, "shards.meta"), readFixture(`vectors/meta/${name}`));
      const exp = readFixtureJson<MetaExpected>(`vectors/meta/${base}.expected.json`);
      assert.deepEqual(await readShardsMeta(dir), exp.parsed);
    });
  }
});

describe("readShardsMeta: absent or unreadable", () => {
  it("is null when the file is missing", async () => {
    assert.equal(await readShardsMeta(tempDir("kevy-meta-")), null);
  });
  it("is null when the directory is missing", async () => {
    assert.equal(await readShardsMeta(join(tempDir("kevy-meta-"), "nope")), null);
  });
  it("is null when shards.meta is a directory (unreadable, as kevy treats it)", async () => {
    const dir = tempDir("kevy-meta-");
    mkdirSync(join(dir, "shards.meta"));
    assert.equal(await readShardsMeta(dir), null);
  });
  it("is null for invalid UTF-8", async () => {
    const dir = tempDir("kevy-meta-");
    writeFileSync(join(dir, "shards.meta"), new Uint8Array([0x34, 0x0a, 0xff, 0x0a]));
    assert.equal(await readShardsMeta(dir), null);
  });
});

describe("writeShardsMeta", () => {
  it("writes the exact bytes of kevy's writer (the *_written vectors)", async () => {
    const dir = tempDir("kevy-meta-");
    await writeShardsMeta(dir, { n: 4, routing: "kevyhash" });
    assert.deepEqual(
      new Uint8Array(readFileSync(join(dir, "shards.meta"))),
      readFixture("vectors/meta/v2_kevyhash_written.meta"),
    );
    await writeShardsMeta(dir, { n: 3, routing: "slots" });
    assert.deepEqual(
      new Uint8Array(readFileSync(join(dir, "shards.meta"))),
      readFixture("vectors/meta/v2_slots_written.meta"),
    );
    assert.deepEqual(readdirSync(dir), ["shards.meta"], "no temp file left behind");
  });

  it("round-trips through readShardsMeta", async () => {
    const dir = tempDir("kevy-meta-");
    for (
      const meta of [{ n: 1, routing: "kevyhash" as const }, { n: 16, routing: "slots" as const }]
    ) {
      await writeShardsMeta(dir, meta, { fs: defaultFs() });
      assert.deepEqual(await readShardsMeta(dir), meta);
    }
  });

  it("rejects an invalid record before touching the disk", async () => {
    const dir = tempDir("kevy-meta-");
    await assert.rejects(writeShardsMeta(dir, { n: -1, routing: "kevyhash" }), RangeError);
    await assert.rejects(
      writeShardsMeta(dir, { n: 2, routing: "SLOTS" as unknown as "slots" }),
      TypeError,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it("is atomic and durable at every crash point: old record or new, never torn or missing", async () => {
    const old = { n: 4, routing: "kevyhash" as const };
    const next = { n: 2, routing: "slots" as const };
    let points = 0;
    await CrashFs.enumerate(
      async (fs) => {
        fs.mkdirSync("/db");
        await writeShardsMeta("/db", old, { fs });
      },
      (fs) => writeShardsMeta("/db", next, { fs }),
      async (fs, point) => {
        points++;
        const got = await readShardsMeta("/db", { fs });
        assert.ok(
          JSON.stringify(got) === JSON.stringify(old) ||
            JSON.stringify(got) === JSON.stringify(next),
          `after op ${point.afterOp} (${point.variant}): ${JSON.stringify(got)}`,
        );
      },
    );
    assert.ok(points > 4);
    // After the last op (directory fsync) every image holds the new record.
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    await writeShardsMeta("/db", old, { fs });
    fs.checkpoint();
    await writeShardsMeta("/db", next, { fs });
    for (const image of fs.crashImages(fs.ops.length)) {
      assert.deepEqual(await readShardsMeta("/db", { fs: image }), next);
    }
  });
});

describe("inferFilesN on a real directory (layout/infer_files_n.json)", () => {
  interface Case {
    case: string;
    files: string[];
    infer_files_n: number;
  }
  const { cases } = readFixtureJson<{ cases: Case[] }>("vectors/layout/infer_files_n.json");
  // Our rule is stricter than kevy v1.17's: plain files only (kevy also counts a
  // directory named dump-6.rdb) and digits only (kevy's usize parse accepts "+2").
  const ours: Record<string, number> = {
    "plus sign": 0, // kevy: 3
    "a DIRECTORY named dump-6.rdb counts too": 0, // kevy: 7
  };
  for (const c of cases) {
    it(c.case, async () => {
      const dir = tempDir("kevy-infer-");
      for (const f of c.files) {
        if (f.endsWith("/")) mkdirSync(join(dir, f.slice(0, -1)));
        else writeFileSync(join(dir, f), new Uint8Array([0]));
      }
      const want = c.case in ours ? ours[c.case] : c.infer_files_n;
      assert.equal(inferFilesN(await defaultFs().readDir(dir)), want);
    });
  }
});
