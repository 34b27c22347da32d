// The CLI on kevy 5.4 files: inspect shows every file's format (v1/v2 AOF,
// snapshot version, feed cursor, field-TTL and stub counts, checksum), dump
// --now reads the vectors at their frozen clock, convert --aof-format 2 writes
// a v2 log, and check names a flipped bit and its record.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { cli } from "./_cli.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";

const W = "1796083200000";
const v5 = (p: string) => fixturePath(`vectors-v5/${p}`);

describe("kevy-persist on kevy 5.4 files", () => {
  it("inspect shows a v2 AOF, a torn transaction, a v5 cursor, field TTLs and stubs", async () => {
    let r = await cli(["inspect", v5("aof/v2_txn_committed.aof")]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /kevy AOF v2 \(KEVYAOF2/);
    r = await cli(["inspect", v5("aof/v2_txn_unterminated_tail.aof")]);
    assert.match(r.out, /torn transaction\s+BEGIN at byte 44, 2 frame\(s\) not applied/);
    r = await cli(["inspect", v5("aof/v1_appended_by_54.aof")]);
    assert.match(r.out, /kevy AOF v1 \(KEVYAOF1 header\)/);
    r = await cli(["inspect", v5("snapshot/v5_cursor.rdb")]);
    assert.match(r.out, /kevy snapshot v5/);
    assert.match(r.out, /feed cursor\s+generation 7365887390543728, offset 987654321/);
    r = await cli(["inspect", v5("snapshot/v6_hash_field_ttl.rdb")]);
    assert.match(r.out, /hash-field TTLs\s+18/);
    r = await cli(["inspect", v5("snapshot/crafted_v7_segstub.rdb")]);
    assert.match(r.out, /kevy snapshot v7/);
    assert.match(r.out, /row-segment stubs\s+1/);
  });

  for (
    const name of [
      "aof/v2_txn_committed",
      "aof/v2_binary",
      "snapshot/v5_cursor",
      "snapshot/v4_collections",
    ]
  ) {
    it(`dump --now ${W} ${name} gives the vector's keyspace`, async () => {
      const ext = name.startsWith("aof") ? ".aof" : ".rdb";
      const r = await cli(["dump", v5(name + ext), "--now", W]);
      assert.equal(r.code, 0, r.err);
      const got = r.out.trim() === "" ? [] : r.out.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(
        got,
        readFixtureJson<{ keyspace: unknown[] }>(`vectors-v5/${name}.expected.json`).keyspace,
      );
    });
  }

  it("dump refuses a segment stub and a segment frame with exit 1, naming segs-{i}", async () => {
    const dir = tempDir();
    copyFileSync(v5("snapshot/crafted_v7_segstub.rdb"), join(dir, "dump-0.rdb"));
    let r = await cli(["dump", join(dir, "dump-0.rdb"), "--now", W]);
    assert.equal(r.code, 1);
    assert.match(r.err, /segs-0\//);
    copyFileSync(v5("aof/v2_segmented_frame.aof"), join(dir, "aof-0.aof"));
    r = await cli(["dump", join(dir, "aof-0.aof"), "--now", W]);
    assert.equal(r.code, 1);
    assert.match(r.err, /segs-0\//);
  });

  it("convert --aof-format 2 writes a KEVYAOF2 log that reads back to the same keyspace", async () => {
    const dir = tempDir();
    const dst = join(dir, "out.aof");
    const r = await cli(["convert", v5("snapshot/v4_collections.rdb"), dst, "--aof-format", "2"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(new TextDecoder().decode(readFileSync(dst).subarray(0, 9)), "KEVYAOF2\n");
    const back = await cli(["dump", dst, "--now", W]);
    const a = await cli(["dump", v5("snapshot/v4_collections.rdb"), "--now", W]);
    assert.equal(back.out, a.out);
    assert.equal((await cli(["convert", dst, join(dir, "x.rdb"), "--aof-format", "2"])).code, 2);
  });

  it("check names a flipped bit of a snapshot and the record holding it", async () => {
    const dir = tempDir();
    const store = new Store();
    for (let i = 0; i < 50; i++) applyCommand(store, ["SET", `key:${i}`, `value:${i}`]);
    const p = join(dir, "dump-0.rdb");
    await saveSnapshot(store, p);
    const b = new Uint8Array(readFileSync(p));
    const at = b.indexOf(0x3a, 300); // a ':' inside some key or value
    b[at]! ^= 0x04;
    writeFileSync(p, b);
    const r = await cli(["check", p]);
    assert.equal(r.code, 1);
    assert.match(r.out + r.err, new RegExp(`bit 2 of byte ${at} is flipped`));
    assert.match(r.out + r.err, /the first damaged record starts at byte \d+/);
  });
});
