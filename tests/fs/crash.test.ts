// Self-tests of the CrashFs power-cut model.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CRASH_VARIANTS, CrashFs, type CrashVariant } from "../../src/fs/crash.ts";
import { isNotFound } from "../../src/fs/types.ts";
import { utf8 } from "../_helpers.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function variant(fs: CrashFs, afterOp: number, name: CrashVariant): CrashFs {
  const image = fs.crashImages(afterOp).find((i) => i.crashVariant === name);
  assert.ok(image, `variant ${name} exists after op ${afterOp}`);
  return image;
}

/** "/db/aof" durably holding "base", then `extra` appended without a sync. */
async function unsyncedAppend(extra: string): Promise<CrashFs> {
  const fs = new CrashFs();
  fs.writeFileDurable("/db/aof", utf8("base"));
  const f = await fs.openAppend("/db/aof");
  await f.write(utf8(extra));
  return fs;
}

describe("CrashFs: file content", () => {
  it("unsynced bytes are lost in 'lost' and present in 'flushed'", async () => {
    const fs = await unsyncedAppend("+more");
    assert.equal(text(variant(fs, 1, "lost").readFileSync("/db/aof")), "base");
    assert.equal(text(variant(fs, 1, "flushed").readFileSync("/db/aof")), "base+more");
  });

  it("synced bytes survive every variant", async () => {
    const fs = await unsyncedAppend("+more");
    const f = await fs.openAppend("/db/aof");
    await f.syncData();
    for (const image of fs.crashImages(fs.ops.length)) {
      assert.equal(text(image.readFileSync("/db/aof")), "base+more", image.crashVariant ?? "");
    }
    assert.equal(fs.crashImages(fs.ops.length).length, 1, "all variants coincide");
  });

  it("a torn variant is a prefix of the intended bytes; torn-zeros pads it with zeros", async () => {
    const fs = await unsyncedAppend("123456");
    const intended = utf8("base123456");
    const torn = variant(fs, 1, "torn").readFileSync("/db/aof");
    assert.ok(torn.length > 4 && torn.length < intended.length);
    assert.deepEqual(torn, intended.subarray(0, torn.length));
    const zeros = variant(fs, 1, "torn-zeros").readFileSync("/db/aof");
    assert.equal(zeros.length, intended.length);
    assert.deepEqual(zeros.subarray(0, torn.length), torn);
    assert.ok(zeros.subarray(torn.length).every((b) => b === 0));
  });

  it("a file whose name is durable but whose data is not comes back empty", async () => {
    const fs = new CrashFs();
    fs.writeFileDurable("/db/keep", utf8("k"));
    const f = await fs.openWrite("/db/snap");
    await f.write(utf8("snapshot"));
    await fs.syncDir("/db");
    assert.equal(variant(fs, fs.ops.length, "lost").readFileSync("/db/snap").length, 0);
    // Before the syncDir, the same state needs the metadata-only flush of 'data-lost'.
    assert.equal(variant(fs, fs.ops.length - 1, "data-lost").readFileSync("/db/snap").length, 0);
    assert.equal(variant(fs, fs.ops.length - 1, "lost").statSync("/db/snap"), null);
  });

  it("images are fully durable: crashing an image again changes nothing", async () => {
    const image = variant(await unsyncedAppend("xyz"), 1, "flushed");
    assert.equal(image.crashImages(0).length, 1);
    assert.equal(text(image.crashImages(0)[0]!.readFileSync("/db/aof")), "basexyz");
  });
});

describe("CrashFs: directory entries", () => {
  async function renamed(syncDir: boolean): Promise<CrashFs> {
    const fs = new CrashFs();
    fs.writeFileDurable("/db/data", utf8("old"));
    const f = await fs.openWrite("/db/data.tmp");
    await f.write(utf8("new"));
    await f.syncData();
    await f.close();
    await fs.rename("/db/data.tmp", "/db/data");
    if (syncDir) await fs.syncDir("/db");
    return fs;
  }

  it("a rename without syncDir is undone in 'lost'", async () => {
    const fs = await renamed(false);
    const image = variant(fs, fs.ops.length, "lost");
    assert.equal(text(image.readFileSync("/db/data")), "old");
    assert.equal(image.statSync("/db/data.tmp"), null, "the create was not dir-synced either");
    assert.equal(text(variant(fs, fs.ops.length, "flushed").readFileSync("/db/data")), "new");
  });

  it("a rename followed by syncDir is kept in every variant", async () => {
    const fs = await renamed(true);
    for (const image of fs.crashImages(fs.ops.length)) {
      assert.equal(text(image.readFileSync("/db/data")), "new");
      assert.deepEqual(image.readDirSync("/db").map((e) => e.name), ["data"]);
    }
  });

  it("a remove without syncDir is undone; mkdir needs syncDir of the parent", async () => {
    const fs = new CrashFs();
    fs.writeFileDurable("/db/old", utf8("x"));
    await fs.remove("/db/old");
    await fs.mkdir("/db/new/deep");
    const lost = variant(fs, fs.ops.length, "lost");
    assert.equal(text(lost.readFileSync("/db/old")), "x");
    assert.equal(lost.statSync("/db/new"), null);
    const flushed = variant(fs, fs.ops.length, "flushed");
    assert.equal(flushed.statSync("/db/old"), null);
    assert.equal(flushed.statSync("/db/new/deep")?.isDirectory, true);
  });
});

describe("CrashFs: recording and enumeration", () => {
  it("records every mutating op in order", async () => {
    const fs = new CrashFs();
    await fs.mkdir("/d");
    const f = await fs.openAppend("/d/a");
    await f.write(utf8("hi"));
    await f.syncData();
    await f.truncate(1);
    await f.sync();
    await fs.rename("/d/a", "/d/b");
    await fs.syncDir("/d");
    await fs.remove("/d/b");
    assert.deepEqual(fs.ops.map((o) => `${o.index}:${o.kind}`), [
      "1:mkdir",
      "2:create",
      "3:write",
      "4:syncData",
      "5:truncate",
      "6:sync",
      "7:rename",
      "8:syncDir",
      "9:remove",
    ]);
    assert.deepEqual(fs.ops[6], { index: 7, kind: "rename", path: "/d/a", to: "/d/b" });
    assert.throws(() => fs.crashImages(10), RangeError);
  });

  it("enumerate visits every op index with every distinct variant", async () => {
    const seen = new Map<number, string[]>();
    const count = await CrashFs.enumerate(
      (fs) => fs.writeFileDurable("/db/aof", utf8("A")),
      async (fs) => {
        const f = await fs.openAppend("/db/aof");
        await f.write(utf8("BB"));
        await f.syncData();
        await f.write(utf8("CC"));
      },
      (fs, point) => {
        seen.set(point.afterOp, [...(seen.get(point.afterOp) ?? []), point.variant]);
        const bytes = text(fs.readFileSync("/db/aof"));
        assert.ok("ABBCC".startsWith(bytes.replace(/\0+$/, "")), `${bytes} is a prefix`);
        if (point.afterOp >= 2) assert.ok(bytes.startsWith("ABB"), "synced bytes survive");
      },
    );
    assert.deepEqual([...seen.keys()], [0, 1, 2, 3]);
    assert.deepEqual(seen.get(0), ["lost"]);
    assert.deepEqual(seen.get(1), ["lost", "flushed", "torn", "torn-zeros"]);
    assert.deepEqual(seen.get(2), ["lost"]);
    assert.equal(count, [...seen.values()].flat().length);
  });

  it("options.variants restricts the images", async () => {
    const fs = await unsyncedAppend("zz");
    assert.deepEqual(fs.crashImages(1, { variants: ["flushed"] }).map((i) => i.crashVariant), [
      "flushed",
    ]);
    assert.equal(CRASH_VARIANTS[0], "lost");
  });

  it("a second crash during recovery is expressible by enumerating from an image", async () => {
    let inner = 0;
    await CrashFs.enumerate(
      (fs) => fs.mkdirSync("/db"),
      async (fs) => {
        const f = await fs.openAppend("/db/aof");
        await f.write(utf8("rec"));
      },
      async (image) => {
        inner += await CrashFs.enumerate(image, async (fs) => {
          // "recovery": make whatever survived durable
          if (fs.statSync("/db/aof")) (await fs.openAppend("/db/aof")).syncDataSync();
          await fs.syncDir("/db");
        }, (again) => {
          assert.equal(again.statSync("/db")?.isDirectory, true);
        });
      },
    );
    assert.ok(inner > 0);
  });
});

describe("CrashFs: fault injection", () => {
  it("failNext makes exactly one op of that kind throw EIO, without effect", async () => {
    const fs = new CrashFs();
    const f = await fs.openAppend("/aof");
    fs.failNext("write");
    await assert.rejects(f.write(utf8("lost")), (e) => (e as { code?: string }).code === "EIO");
    await f.write(utf8("ok"));
    assert.equal(text(fs.readFileSync("/aof")), "ok");
    fs.failNext("syncData");
    assert.throws(() => f.syncDataSync(), { code: "EIO" });
    f.syncDataSync();
    assert.deepEqual(fs.ops.map((o) => o.kind), ["create", "write", "syncData"]);
  });

  it("failOn fails every matching op until removed; a custom error is thrown as is", async () => {
    const fs = new CrashFs();
    const boom = Object.assign(new Error("disk full"), { code: "ENOSPC" });
    const stop = fs.failOn((op) => op.kind === "rename" && op.to === "/b", boom);
    fs.openWriteSync("/a").closeSync();
    assert.throws(() => fs.renameSync("/a", "/b"), boom);
    await assert.rejects(fs.rename("/a", "/b"), boom);
    stop();
    fs.renameSync("/a", "/b");
    assert.equal(fs.statSync("/b")?.isFile, true);
  });

  it("reads can fail too, and errors keep Node-style codes", async () => {
    const fs = new CrashFs();
    fs.writeFileDurable("/x", utf8("1"));
    fs.failNext("read");
    await assert.rejects(fs.readFile("/x"), { code: "EIO" });
    assert.throws(() => fs.readFileSync("/nope"), isNotFound);
  });
});
