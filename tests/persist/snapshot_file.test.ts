import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import {
  loadSnapshot,
  loadSnapshotSync,
  saveSnapshot,
  saveSnapshotSync,
} from "../../src/persist/snapshot_file.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { isNotFound } from "../../src/fs/types.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { fixturePath, readFixtureJson, tempDir, utf8 } from "../_helpers.ts";

const NOW = 4_000_000_000_000; // before every vector deadline (2100+)

describe("loadSnapshot on kevy v1.17 vectors", () => {
  for (const name of ["mixed", "zset", "stream", "ttl", "big_value", "crafted_v2_relative_ttl"]) {
    it(`${name}: the decoded keyspace matches kevy's`, async () => {
      const want = readFixtureJson<{ keyspace: unknown }>(`vectors/snapshot/${name}.expected.json`);
      const store = await loadSnapshot(fixturePath(`vectors/snapshot/${name}.rdb`), { now: NOW });
      if (name === "crafted_v2_relative_ttl") {
        // v2 TTLs are relative: deadline = load time + remaining.
        assert.ok(dumpKeyspace(store).some((k) => k.ttl !== null && k.ttl > NOW));
      } else {
        assert.deepEqual(dumpKeyspace(store), want.keyspace);
      }
    });
  }

  it("is all-or-nothing: an error leaves the target store untouched", async () => {
    for (const name of ["err_truncated_mid_record", "err_unknown_opcode", "err_missing_eof"]) {
      const store = new Store();
      applyCommand(store, ["SET", "mine", "1"]);
      const before = JSON.stringify(dumpKeyspace(store));
      const path = fixturePath(`vectors/snapshot/${name}.rdb`);
      await assert.rejects(
        loadSnapshot(path, { store, now: NOW }),
        (e: unknown) => e instanceof CorruptFileError && e.path === path,
      );
      assert.throws(() => loadSnapshotSync(path, { store, now: NOW }), CorruptFileError);
      assert.equal(JSON.stringify(dumpKeyspace(store)), before, name);
    }
  });

  it("a missing file is a clear ENOENT error", async () => {
    const path = join(tempDir(), "dump-0.rdb");
    await assert.rejects(
      loadSnapshot(path),
      (e: unknown) => isNotFound(e) && /not found/.test(String(e)),
    );
    assert.throws(() => loadSnapshotSync(path), (e: unknown) => isNotFound(e));
  });
});

describe("saveSnapshot", () => {
  function sample(): Store {
    const s = new Store();
    applyCommand(s, ["SET", "k", "v"]);
    applyCommand(s, ["RPUSH", "l", "a", "b"]);
    applyCommand(s, ["ZADD", "z", "-inf", "lo", "1.5", "mid"]);
    s.put({ key: utf8("t"), value: { type: "string", value: utf8("x") }, deadline: 7258118400000 });
    return s;
  }

  it("round-trips through a real file (async and sync) and leaves no temp", async () => {
    const dir = tempDir();
    const src = sample();
    const a = join(dir, "a.rdb");
    const b = join(dir, "b.rdb");
    await saveSnapshot(src, a);
    saveSnapshotSync(src, b);
    assert.equal(existsSync(`${a}.tmp`), false);
    assert.deepEqual(new Uint8Array(readFileSync(a)).subarray(0, 9), utf8("KEVYSNAP\x04"));
    assert.deepEqual(dumpKeyspace(await loadSnapshot(a)), dumpKeyspace(src));
    assert.deepEqual(dumpKeyspace(loadSnapshotSync(b)), dumpKeyspace(src));
  });

  it("re-saves a kevy vector to the same keyspace", async () => {
    const src = await loadSnapshot(fixturePath("vectors/snapshot/stream.rdb"), { now: NOW });
    const fs = new CrashFs();
    fs.mkdirSync("/d");
    await saveSnapshot(src, "/d/dump-0.rdb", { fs, now: NOW });
    const back = await loadSnapshot("/d/dump-0.rdb", { fs, now: NOW });
    assert.deepEqual(dumpKeyspace(back), dumpKeyspace(src));
  });

  it("every crash point leaves the old snapshot or the new one, never a torn one", async () => {
    const old = sample();
    const next = sample();
    applyCommand(next, ["INCR", "counter"]);
    const oldDump = JSON.stringify(dumpKeyspace(old));
    const newDump = JSON.stringify(dumpKeyspace(next));
    let sawNew = false;
    await CrashFs.enumerate(
      async (fs) => {
        fs.mkdirSync("/d");
        await saveSnapshot(old, "/d/dump-0.rdb", { fs });
      },
      (fs) => saveSnapshot(next, "/d/dump-0.rdb", { fs }),
      async (img, p) => {
        const got = JSON.stringify(dumpKeyspace(await loadSnapshot("/d/dump-0.rdb", { fs: img })));
        assert.ok(got === oldDump || got === newDump, `after op ${p.afterOp} (${p.variant})`);
        if (got === newDump) sawNew = true;
      },
    );
    assert.ok(sawNew);
    // After the last op (directory fsync) every variant has the new file.
  });

  it("streams: the writer never holds the whole image (chunked writes)", async () => {
    const s = new Store();
    const big = new Uint8Array(300_000).fill(7);
    for (let i = 0; i < 12; i++) {
      s.put({ key: utf8(`k${i}`), value: { type: "string", value: big }, deadline: null });
    }
    const fs = new CrashFs();
    fs.mkdirSync("/d");
    fs.checkpoint();
    await saveSnapshot(s, "/d/dump-0.rdb", { fs });
    const writes = fs.ops.filter((o) => o.kind === "write");
    assert.ok(writes.length > 1, `${writes.length} writes`);
    assert.ok(Math.max(...writes.map((w) => w.length ?? 0)) < 3_600_000);
  });

  it("a failed write removes the temp file and keeps the old snapshot", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/d");
    await saveSnapshot(sample(), "/d/dump-0.rdb", { fs });
    const before = fs.readFileSync("/d/dump-0.rdb");
    fs.failNext("sync");
    await assert.rejects(saveSnapshot(new Store(), "/d/dump-0.rdb", { fs }));
    assert.equal(fs.statSync("/d/dump-0.rdb.tmp"), null);
    assert.deepEqual(fs.readFileSync("/d/dump-0.rdb"), before);
  });
});
