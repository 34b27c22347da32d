// A kevy 5.x shard's snapshot cursor survives our saves: ShardFiles reads the
// feed cursor of a v5+ snapshot and writes it back in every snapshot it saves.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFileSync, readFileSync } from "node:fs";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { decodeEntries } from "../../src/codec/snapshot.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { fixturePath, tempDir } from "../_helpers.ts";

const W = 1796083200000;

describe("ShardFiles on a kevy 5.x snapshot", () => {
  it("keeps the feed cursor and writes it back (version 5) on save", async () => {
    const dir = tempDir();
    const snap = join(dir, "dump-0.rdb");
    copyFileSync(fixturePath("vectors-v5/snapshot/v5_cursor.rdb"), snap);
    const before = decodeEntries(new Uint8Array(readFileSync(snap)), { now: W });
    const shard = await ShardFiles.open({
      snapshotPath: snap,
      aofPath: join(dir, "aof-0.aof"),
      fsync: "always",
      now: () => W,
    });
    const keys = dumpKeyspace(shard.store);
    await shard.save();
    await shard.close();
    const after = decodeEntries(new Uint8Array(readFileSync(snap)), { now: W });
    assert.equal(after.version, 5);
    assert.deepEqual(after.cursor, before.cursor);
    assert.equal(after.checksum, "verified");
    const again = await ShardFiles.open({
      snapshotPath: snap,
      aofPath: join(dir, "aof-0.aof"),
      fsync: "no",
      now: () => W,
    });
    assert.deepEqual(dumpKeyspace(again.store), keys);
    await again.close();
  });
});
