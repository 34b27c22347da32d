// Snapshot files and bit rot: a flipped bit in a file we saved fails its load
// with the damaged byte named (the checksum trailer's diagnosis, even when the
// parser tripped over something else first), and verifySnapshotFile checks a
// file without loading it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { loadSnapshot, loadSnapshotSync, saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { verifySnapshotFile, verifySnapshotFileSync } from "../../src/persist/snapshot_verify.ts";
import { SnapshotChecksumError } from "../../src/codec/snapshot.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { fixturePath, tempDir } from "../_helpers.ts";

async function savedFile(): Promise<{ path: string; bytes: Uint8Array; store: Store }> {
  const dir = tempDir();
  const store = new Store();
  for (let i = 0; i < 300; i++) applyCommand(store, ["SET", `key:${i}`, `value:${i}`]);
  applyCommand(store, ["RPUSH", "list", "a", "b"]);
  const path = join(dir, "dump-0.rdb");
  await saveSnapshot(store, path);
  return { path, bytes: new Uint8Array(readFileSync(path)), store };
}

describe("snapshot files and bit rot", () => {
  it("a saved file verifies, and loads to the same keyspace", async () => {
    const { path, store } = await savedFile();
    const r = await verifySnapshotFile(path);
    assert.equal(r.checksum, "verified");
    assert.deepEqual(verifySnapshotFileSync(path), r);
    assert.deepEqual(dumpKeyspace(await loadSnapshot(path)), dumpKeyspace(store));
  });

  it("a kevy-written file has no checksum and still loads", async () => {
    const path = fixturePath("vectors/snapshot/mixed.rdb");
    assert.deepEqual(await verifySnapshotFile(path), { checksum: "absent" });
  });

  it("any flipped bit fails the load with SnapshotChecksumError naming that byte and bit", async () => {
    const { path, bytes } = await savedFile();
    const covered = bytes.length - (readFileSync(path).readUInt32LE(bytes.length - 12));
    // A length byte (the parser reads past it), a value byte, the EOF opcode, the version byte.
    const eof = covered - 1;
    for (const at of [8, 11, 20, Math.floor(covered / 2), eof]) {
      for (const bit of [0, 5]) {
        const m = bytes.slice();
        m[at]! ^= 1 << bit;
        writeFileSync(path, m);
        const check = (e: unknown) => {
          assert.ok(e instanceof SnapshotChecksumError, `byte ${at} bit ${bit}: ${String(e)}`);
          assert.deepEqual(e.flip, { offset: at, bit });
          assert.equal(e.path, path);
          return true;
        };
        await assert.rejects(loadSnapshot(path), check);
        assert.throws(() => loadSnapshotSync(path), check);
        const target = new Store();
        applyCommand(target, ["SET", "mine", "1"]);
        await assert.rejects(loadSnapshot(path, { store: target }), check);
        assert.equal(target.dbsize(), 1, "all-or-nothing");
        await assert.rejects(verifySnapshotFile(path), check);
      }
    }
  });

  it("a damaged trailer is reported as such (the data before it is intact)", async () => {
    const { path, bytes } = await savedFile();
    const m = bytes.slice();
    m[bytes.length - 20]! ^= 0x10; // a CRC inside the trailer
    writeFileSync(path, m);
    await assert.rejects(loadSnapshot(path), (e: unknown) => {
      assert.ok(e instanceof CorruptFileError);
      return true;
    });
    assert.throws(
      () => verifySnapshotFileSync(path),
      /checksum trailer \(the trailer's own CRC32C\)/,
    );
  });
});
