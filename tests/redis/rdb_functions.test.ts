// Function libraries in RDB files: read into database 0's Store.libraries as
// FUNCTION LOAD keeps them, written back from there, delivered as FUNCTION
// LOAD by the AOF replay of an RDB base; what Redis refuses is refused here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { loadRedisRdb } from "../../src/redis/rdb_load.ts";
import { saveRedisRdb } from "../../src/redis/rdb_save.ts";
import { CommandApplier } from "../../src/store/apply.ts";
import { Store } from "../../src/store/store.ts";
import { utf8 } from "../_helpers.ts";
import { RdbBuilder } from "../codec/_rdb_build.ts";

const td = new TextDecoder();
const LIB = "#!lua name=mylib\nredis.register_function('one', function() return 1 end)";
const OTHER = "#!lua name=other\nredis.register_function('two', function() return 2 end)";

function fsWith(path: string, bytes: Uint8Array): CrashFs {
  const fs = new CrashFs();
  fs.writeFileDurable(path, bytes);
  return fs;
}

const libsOf = (s: Store | undefined): Record<string, string> =>
  Object.fromEntries([...(s?.libraries ?? new Map()).entries()].map(([n, c]) => [n, td.decode(c)]));

describe("function libraries in an RDB", () => {
  it("FUNCTION2 records go to database 0's libraries (also when database 0 holds no key)", async () => {
    const b = new RdbBuilder().u8(0xf5).str(LIB).u8(0xf5).str(OTHER)
      .u8(0xfe).len(3).u8(0).str("k").str("v");
    const load = await loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", b.finish()) });
    assert.equal(load.functions.length, 2);
    assert.deepEqual(libsOf(load.dbs.get(0)), { mylib: LIB, other: OTHER });
    assert.equal(load.dbs.get(0)!.dbsize(), 0);
    assert.equal(load.dbs.get(3)!.dbsize(), 1);
    assert.equal(load.dbs.get(3)!.libraries.size, 0);
  });

  it("a library FUNCTION LOAD refuses, or the same name twice, is corrupt at its record", async () => {
    const bad = new RdbBuilder().u8(0xf5).str("no shebang here");
    await assert.rejects(
      loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", bad.finish()) }),
      (e) => e instanceof CorruptFileError && e.offset === 9 && /FUNCTION LOAD/.test(e.message),
    );
    const twice = new RdbBuilder().u8(0xf5).str(LIB).u8(0xf5).str(LIB);
    const at = 9 + 1 + 2 + LIB.length; // header, opcode, 14-bit length, code
    await assert.rejects(
      loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", twice.finish()) }),
      (e) => e instanceof CorruptFileError && e.offset === at && /already exists/.test(e.message),
    );
  });

  it("7.0 release-candidate FUNCTION records are returned but not loaded", async () => {
    const b = new RdbBuilder().u8(0xf6).str("f").str("LUA").len(0).str("return 1")
      .u8(0xfe).len(0).u8(0).str("k").str("v");
    const load = await loadRedisRdb("/d.rdb", { fs: fsWith("/d.rdb", b.finish()) });
    assert.equal(load.functions.length, 1);
    assert.equal(td.decode(load.functions[0]!.legacy!.name), "f");
    assert.equal(load.dbs.get(0)!.libraries.size, 0);
  });

  it("saveRedisRdb writes database 0's libraries, and they load back", async () => {
    const fs = new CrashFs();
    await fs.mkdir("/d");
    const s0 = new Store();
    const applier = new CommandApplier(s0);
    assert.equal(applier.apply(["FUNCTION", "LOAD", LIB]).ok, true);
    const s1 = new Store();
    s1.setString(utf8("k"), utf8("v"));
    await saveRedisRdb(new Map([[0, s0], [1, s1]]), "/d/dump.rdb", { fs });
    const back = await loadRedisRdb("/d/dump.rdb", { fs });
    assert.deepEqual(libsOf(back.dbs.get(0)), { mylib: LIB });
    assert.equal(back.dbs.get(1)!.dbsize(), 1);
    // Given explicitly, `functions` wins; version 9 cannot hold them.
    await saveRedisRdb(s0, "/d/none.rdb", { fs, functions: [] });
    assert.equal((await loadRedisRdb("/d/none.rdb", { fs })).functions.length, 0);
    await assert.rejects(saveRedisRdb(s0, "/d/v9.rdb", { fs, rdbVersion: 9 }), RangeError);
  });
});

describe("function libraries in an AOF's RDB base", () => {
  it("reach apply as FUNCTION LOAD, with entries to onRdbEntry or as commands", async () => {
    const base = new RdbBuilder().u8(0xf5).str(LIB).u8(0xfe).len(2).u8(0).str("k").str("v");
    const fs = fsWith("/appendonly.aof", base.finish());
    for (const entries of [true, false]) {
      const dbs = new Map<number, Store>();
      const storeOf = (n: number): Store => {
        let s = dbs.get(n);
        if (s === undefined) dbs.set(n, s = new Store());
        return s;
      };
      const applier = new CommandApplier(storeOf);
      const seen: string[] = [];
      await replayRedisAof("/appendonly.aof", (argv) => {
        seen.push(td.decode(argv[0]!));
        return applier.apply(argv);
      }, {
        fs,
        ...(entries ? { onRdbEntry: (db, e) => storeOf(db).put(e) } : {}),
      });
      applier.finish();
      assert.equal(seen[0], "FUNCTION");
      assert.deepEqual(libsOf(dbs.get(0)), { mylib: LIB });
      assert.equal(dbs.get(2)!.dbsize(), 1);
    }
  });

  it("a 7.0 release-candidate FUNCTION record is refused (Redis 7.0 and later refuse it too)", async () => {
    const base = new RdbBuilder().u8(0xf6).str("f").str("LUA").len(0).str("return 1");
    const fs = fsWith("/appendonly.aof", base.finish());
    await assert.rejects(
      replayRedisAof("/appendonly.aof", () => undefined, { fs, onRdbEntry: () => {} }),
      (e) => e instanceof CorruptFileError && e.offset === 9 && /FUNCTION2/.test(e.message),
    );
  });
});
