import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { saveSnapshot, saveSnapshotSync } from "../../src/persist/snapshot_file.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import type { FsAdapter, WritableFile } from "../../src/fs/types.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { rng, utf8 } from "../_helpers.ts";

const NOW = 1_767_225_600_000;

/** Strings of many sizes (long keys, deadlines, values spanning chunks) and a few collections. */
function mixed(): Store {
  const s = new Store({ now: () => NOW });
  const r = rng(17);
  for (let i = 0; i < 3000; i++) {
    const klen = [1, 10, 31, 32, 33, 200][i % 6]!;
    const key = utf8(`k${i}:`.padEnd(klen, "x"));
    const vlen = [0, 1, 16, 32, 33, 700, 5000][Math.floor(r() * 7)]!;
    const value = new Uint8Array(vlen).map(() => Math.floor(r() * 256));
    const deadline = i % 5 === 0 ? NOW + 1000 + i : null;
    s.put({ key, value: { type: "string", value }, deadline });
  }
  // Bigger than several 256 KiB chunks: more than one chunk fills before a yield.
  const big = new Uint8Array(600_000).map((_, i) => (i * 7) & 255);
  s.put({ key: utf8("big"), value: { type: "string", value: big }, deadline: null });
  applyCommand(s, ["HSET", "h", "f1", "v1", "f2", "v2"]);
  applyCommand(s, ["RPUSH", "l", "a", "b", "c"]);
  applyCommand(s, ["SADD", "set", "x", "y"]);
  applyCommand(s, ["ZADD", "z", "1.5", "m"]);
  return s;
}

/** Equal bytes (the first difference reported, not a dump of megabytes). */
function sameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  assert.equal(i, want.length, `${what}: first difference at byte ${i}`);
  assert.equal(got.length, want.length, `${what}: length`);
}

/**
 * An in-memory fs whose writes complete late and read their bytes only then
 * (on a later event-loop turn): a writer that reuses a buffer before its
 * write finished would leave other bytes in the file.
 */
function lateFs(): CrashFs {
  const fs = new CrashFs();
  const openWrite = fs.openWrite.bind(fs);
  fs.openWrite = async (path, o) => {
    const f = await openWrite(path, o);
    const late: WritableFile = Object.create(f);
    late.write = (d: Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        setTimeout(() => f.write(d.slice()).then(resolve, reject), 1);
      });
    return late;
  };
  return fs;
}

describe("saveSnapshot writes exactly the encoded bytes", () => {
  it("with writes that complete late (one in flight while the next chunk is encoded)", async () => {
    const s = mixed();
    const want = concatBytes([...encodeSnapshotChunks(s.entries(), { now: NOW })]);
    const fs = lateFs();
    fs.mkdirSync("/d");
    await saveSnapshot(s, "/d/a.rdb", { fs, now: NOW });
    sameBytes(fs.readFileSync("/d/a.rdb"), want, "async save");
    saveSnapshotSync(s, "/d/b.rdb", { fs: fs as FsAdapter, now: NOW });
    sameBytes(fs.readFileSync("/d/b.rdb"), want, "sync save");
  });

  it("a store's records encode as their neutral entries do (any chunk size)", () => {
    const s = mixed();
    const neutral = Array.from(s.entries());
    for (const chunkBytes of [64, 4096, 1 << 18]) {
      const fast = concatBytes([...encodeSnapshotChunks(s.entries(), { now: NOW, chunkBytes })]);
      const slow = concatBytes([...encodeSnapshotChunks(neutral, { now: NOW, chunkBytes })]);
      sameBytes(fast, slow, `chunkBytes ${chunkBytes}`);
    }
  });
});
