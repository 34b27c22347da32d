// loadRedisRdb / saveRedisRdb: Redis's loading rules (nothing expires while
// loading, expired keys dropped after unless kept, a key twice in one
// database refused), the bulk hash path checked like the neutral one, the
// fs/now options, and the durable write.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { ListpackWriter } from "../../src/codec/_redis_listpack.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { saveRedisRdb } from "../../src/redis/rdb_save.ts";
import { Store } from "../../src/store/store.ts";
import { utf8 } from "../_helpers.ts";
import { RdbBuilder } from "../codec/_rdb_build.ts";
import { viewOfRdbStores } from "./_rdb_view.ts";

function fsWith(path: string, bytes: Uint8Array): CrashFs {
  const fs = new CrashFs();
  fs.writeFileDurable(path, bytes);
  return fs;
}

const td = new TextDecoder();

describe("loadRedisRdb", () => {
  it("keys past their deadline when the load ends are dropped and counted as expired", async () => {
    const b = new RdbBuilder().u8(0xfe).len(0)
      .u8(0xfc).i64(1000).u8(0).str("gone").str("x")
      .u8(0xfc).i64(3000).u8(0).str("kept").str("x")
      .u8(0xfc).i64(1000).u8(16).str("h-gone").str((() => {
        const w = new ListpackWriter();
        w.append(utf8("f"));
        w.append(utf8("v"));
        return w.finish();
      })())
      .u8(0).str("plain").str("x");
    const fs = fsWith("/d.rdb", b.finish());
    let now = 2000;
    const load = await loadRedisRdb("/d.rdb", { fs, now: () => now });
    assert.equal(load.stats.keys, 4);
    assert.equal(load.stats.expired, 2);
    assert.equal(load.stats.loaded, 2);
    const s = load.dbs.get(0)!;
    assert.deepStrictEqual([...s.keys()].map((k) => td.decode(k)).sort(), ["kept", "plain"]);
    now = 3000; // the stores keep the clock they were given
    assert.equal(s.dbsize(), 1);
  });

  it("keepExpired leaves them in the stores (to be judged by the stores' clock)", async () => {
    const b = new RdbBuilder().u8(0xfe).len(0).u8(0xfc).i64(1000).u8(0).str("old").str("x");
    const fs = fsWith("/d.rdb", b.finish());
    const late = await loadRedisRdb("/d.rdb", { fs, now: () => 5000, keepExpired: true });
    assert.equal(late.stats.expired, 0);
    assert.equal(late.stats.loaded, 1);
    const early = await loadRedisRdb("/d.rdb", { fs, now: () => 500 });
    assert.equal(early.dbs.get(0)!.deadline(utf8("old")), 1000);
  });

  it("refuses a key stored twice in one database, at the second one", async () => {
    for (const type of [0, 16, 1]) {
      const w = new ListpackWriter();
      w.append(utf8("f"));
      w.append(utf8("v"));
      const value = type === 0 ? utf8("x") : type === 16 ? w.finish() : null;
      const b = new RdbBuilder().u8(0xfe).len(0);
      const rec = (
        bb: RdbBuilder,
      ) => (value === null ? bb.u8(1).str("k").len(1).str("a") : bb.u8(type).str("k").str(value));
      rec(b);
      const at = b.bytes().length;
      rec(b);
      const fs = fsWith("/d.rdb", b.finish());
      const err = await loadRedisRdb("/d.rdb", { fs }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof CorruptFileError, String(err));
      assert.equal(err.offset, at);
      assert.match(err.expected, /twice/);
    }
  });

  it("the same key in two databases is fine", async () => {
    const b = new RdbBuilder().u8(0xfe).len(0).u8(0).str("k").str("a").u8(0xfe).len(1).u8(0).str(
      "k",
    ).str("b");
    const load = await loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", b.finish()) });
    assert.equal(td.decode(load.dbs.get(1)!.lookup(utf8("k")) as Uint8Array), "b");
  });

  it("the bulk hash path refuses duplicate fields in every hash encoding", async () => {
    const lp = new ListpackWriter();
    for (const x of ["f", "1", "f", "2"]) lp.append(utf8(x));
    const cases = [
      new RdbBuilder().u8(0xfe).len(0).u8(4).str("h").len(2).str("f").str("1").str("f").str("2"),
      new RdbBuilder().u8(0xfe).len(0).u8(16).str("h").str(lp.finish()),
      new RdbBuilder(3).u8(0xfe).len(0).u8(9).str("h").str(
        new Uint8Array([2, 1, 0x66, 1, 0, 0x31, 1, 0x66, 1, 0, 0x32, 0xff]),
      ),
    ];
    for (const b of cases) {
      const err = await loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", b.finish()) }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof CorruptFileError, String(err));
      assert.match(err.expected, /duplicates/);
    }
  });

  it("a missing file is an ENOENT error naming it; bad options are RangeErrors", async () => {
    const fs = new CrashFs();
    await assert.rejects(
      loadRedisRdb("/nope.rdb", { fs }),
      (e: unknown) => (e as { code?: string }).code === "ENOENT" && /nope\.rdb/.test(String(e)),
    );
    await assert.rejects(loadRedisRdb("/nope.rdb", { fs, chunkBytes: 0 }), RangeError);
  });
});

describe("saveRedisRdb", () => {
  it("writes every database atomically (temp file, fsync, rename, dir fsync) and loads back", async () => {
    const fs = new CrashFs();
    await fs.mkdir("/data");
    const a = new Store();
    a.setString(utf8("k"), utf8("v"));
    const b = new Store();
    b.put({ key: utf8("l"), value: { type: "list", value: [utf8("x")] }, deadline: null });
    const stats = await saveRedisRdb(new Map([[0, a], [3, b]]), "/data/dump.rdb", { fs });
    assert.equal(stats.keys, 2);
    const back = await loadRedisRdb("/data/dump.rdb", { fs });
    assert.deepStrictEqual(viewOfRdbStores(back.dbs), viewOfRdbStores(new Map([[0, a], [3, b]])));
    assert.equal((await fs.readDir("/data")).map((e) => e.name).join(), "dump.rdb");
  });

  it("a crash at any point leaves the old file or the whole new one", async () => {
    const fs = new CrashFs();
    await fs.mkdir("/data");
    const old = new Store();
    old.setString(utf8("k"), utf8("old"));
    await saveRedisRdb(old, "/data/dump.rdb", { fs });
    fs.checkpoint();
    const next = new Store();
    for (let i = 0; i < 200; i++) next.setString(utf8(`k${i}`), utf8("new".repeat(i)));
    await saveRedisRdb(next, "/data/dump.rdb", { fs, chunkBytes: 512 });
    assert.ok(fs.ops.length > 3);
    const seen = new Set<number>();
    for (let op = 0; op <= fs.ops.length; op++) {
      for (const img of fs.crashImages(op)) {
        const load = await loadRedisRdb("/data/dump.rdb", { fs: img });
        const n = load.dbs.get(0)!.dbsize();
        assert.ok(n === 1 || n === 200, `after op ${op} (${img.crashVariant}): ${n} keys`);
        seen.add(n);
      }
    }
    assert.deepStrictEqual([...seen].sort((a, b) => a - b), [1, 200]);
  });

  it("a failure while writing leaves the old file and no temp file", async () => {
    const fs = new CrashFs();
    await fs.mkdir("/data");
    const s = new Store();
    s.setString(utf8("k"), utf8("v"));
    await saveRedisRdb(s, "/data/dump.rdb", { fs });
    const h = new Store();
    for (let i = 0; i < 100; i++) h.setString(utf8(`k${i}`), utf8("new".repeat(100)));
    fs.failNext("write");
    await assert.rejects(saveRedisRdb(h, "/data/dump.rdb", { fs, chunkBytes: 1000 }));
    assert.deepStrictEqual((await fs.readDir("/data")).map((e) => e.name), ["dump.rdb"]);
    assert.equal(
      td.decode(
        (await loadRedisRdb("/data/dump.rdb", { fs })).dbs.get(0)!.lookup(utf8("k")) as Uint8Array,
      ),
      "v",
    );
  });
});
