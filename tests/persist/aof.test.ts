import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { Aof, AofClosedError, AofFailedError } from "../../src/persist/aof.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { hex, readFixture, streamEntry, tempDir, utf8 } from "../_helpers.ts";

const cmd = (...a: string[]) => a.map(utf8);
const MAGIC = "KEVYAOF1\n";

async function frames(path: string, fs?: CrashFs): Promise<string[]> {
  const out: string[] = [];
  await replayAof(
    path,
    (a) => out.push(a.map((b) => new TextDecoder().decode(b)).join(" ")),
    fs ? { fs } : {},
  );
  return out;
}

function memFs(): CrashFs {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.checkpoint();
  return fs;
}

describe("Aof.open", () => {
  it("creates a new log with the synced header and a synced directory entry", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    assert.equal(new TextDecoder().decode(fs.readFileSync("/db/aof-0.aof")), MAGIC);
    assert.deepEqual(fs.ops.map((o) => o.kind), ["create", "write", "sync", "syncDir"]);
    // Survives a power cut right after open.
    for (const img of fs.crashImages(fs.ops.length)) {
      assert.equal(new TextDecoder().decode(img.readFileSync("/db/aof-0.aof")), MAGIC);
    }
    assert.equal(aof.sizeBytes, 9);
    assert.equal(aof.hasHeader, true);
    await aof.close();
  });

  it("keeps a legacy headerless log headerless", async () => {
    const dir = tempDir();
    const p = join(dir, "aof-0.aof");
    const legacy = readFixture("vectors/aof/legacy_noheader.aof");
    writeFileSync(p, legacy);
    const aof = await Aof.open(p, { fsync: "always" });
    assert.equal(aof.hasHeader, false);
    await aof.append(cmd("SET", "new", "1"));
    await aof.close();
    const bytes = new Uint8Array(readFileSync(p));
    assert.equal(hex(bytes.subarray(0, legacy.length)), hex(legacy));
    assert.equal((await frames(p)).at(-1), "SET new 1");
  });

  it("cuts a torn tail before appending, keeping the torn bytes (unlike kevy v1.17)", async () => {
    const dir = tempDir();
    const p = join(dir, "aof-0.aof");
    const torn = readFixture("vectors/aof/torn_tail.aof");
    writeFileSync(p, torn);
    const aof = await Aof.open(p, { fsync: "always", now: () => 1234 });
    assert.deepEqual(aof.repairedTail, { offset: 116, bytes: 50, savedTo: `${p}.torn.1234` });
    assert.equal(hex(new Uint8Array(readFileSync(`${p}.torn.1234`))), hex(torn.subarray(116)));
    assert.equal(statSync(p).size, 116);
    await aof.append(cmd("SET", "after", "crash"));
    await aof.close();
    // kevy's torn_then_reopened loses this write; we keep it.
    const all = await frames(p);
    assert.equal(all.length, 4);
    assert.equal(all[3], "SET after crash");
  });

  it("a second repair does not overwrite the first quarantine file", async () => {
    const fs = memFs();
    const torn = readFixture("vectors/aof/torn_tail.aof");
    fs.writeFileDurable("/db/aof-0.aof", torn);
    (await Aof.open("/db/aof-0.aof", { fsync: "no", fs, now: () => 7 })).closeSync();
    fs.writeFileDurable("/db/aof-0.aof", torn);
    const again = await Aof.open("/db/aof-0.aof", { fsync: "no", fs, now: () => 7 });
    assert.equal(again.repairedTail?.savedTo, "/db/aof-0.aof.torn.7-1");
    await again.close();
  });

  it("rejects mid-file corruption and changes nothing", async () => {
    for (const name of ["corrupt_bad_len", "torn_then_reopened"]) {
      const fs = memFs();
      const bytes = readFixture(`vectors/aof/${name}.aof`);
      fs.writeFileDurable("/db/aof-0.aof", bytes);
      await assert.rejects(Aof.open("/db/aof-0.aof", { fsync: "always", fs }), CorruptFileError);
      assert.equal(fs.ops.filter((o) => o.kind !== "syncDir").length, 0);
      assert.equal(hex(fs.readFileSync("/db/aof-0.aof")), hex(bytes));
    }
  });

  it("opens a KEVYAOF2 log: a torn record header is cut, appends stay v2", async () => {
    const fs = memFs();
    fs.writeFileDurable("/db/aof-0.aof", utf8("KEVYAOF2\n\x05\x00\x00\x00"));
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    assert.equal(aof.format, 2, "a v2 log keeps its format even with the default aofFormat");
    assert.equal(aof.repairedTail?.offset, 9);
    await aof.append([utf8("SET"), utf8("k"), utf8("v")]);
    await aof.close();
    const bytes = fs.readFileSync("/db/aof-0.aof");
    assert.equal(
      hex(bytes.subarray(9)),
      "1b0000006b956664" + hex(utf8("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")),
    );
  });

  it("openAndReplay applies the frames of the same scan", async () => {
    const fs = memFs();
    fs.writeFileDurable("/db/aof-0.aof", readFixture("vectors/aof/basic.aof"));
    const store = new Store();
    const { aof, stats } = await Aof.openAndReplay("/db/aof-0.aof", (a) => applyCommand(store, a), {
      fsync: "no",
      fs,
    });
    assert.equal(stats.frames, 18);
    assert.ok(store.dbsize() > 0);
    await aof.close();
  });
});

describe("Aof.append", () => {
  it("group commit: 64 concurrent appends with always share one write and one fdatasync", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    fs.checkpoint();
    await Promise.all(Array.from({ length: 64 }, (_, i) => aof.append(cmd("INCR", `k${i}`))));
    const kinds = fs.ops.map((o) => o.kind);
    assert.deepEqual(kinds, ["write", "syncData"]);
    assert.equal((await frames("/db/aof-0.aof", fs)).length, 64);
    await aof.close();
  });

  it("always: the promise resolves only after the fdatasync covering the frame", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    fs.checkpoint();
    await aof.append(cmd("INCR", "n"));
    // A power cut now loses nothing acknowledged, whatever the variant.
    for (const img of fs.crashImages(fs.ops.length)) {
      assert.deepEqual(await frames("/db/aof-0.aof", img), ["INCR n"]);
    }
    await aof.close();
  });

  it("appends arriving during a sync form the next group", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    fs.checkpoint();
    const first = aof.append(cmd("INCR", "a"));
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    const second = aof.append(cmd("INCR", "b"));
    await Promise.all([first, second]);
    assert.deepEqual(await frames("/db/aof-0.aof", fs), ["INCR a", "INCR b"]);
    assert.ok(fs.ops.filter((o) => o.kind === "syncData").length <= 2);
    await aof.close();
  });

  it("no/everysec: one write per turn and no fdatasync until flush()", async () => {
    for (const fsync of ["no", "everysec"] as const) {
      const fs = memFs();
      const aof = await Aof.open("/db/aof-0.aof", { fsync, fs });
      fs.checkpoint();
      await Promise.all([aof.append(cmd("SET", "a", "1")), aof.append(cmd("SET", "b", "2"))]);
      assert.deepEqual(fs.ops.map((o) => o.kind), ["write"]);
      await aof.flush();
      assert.deepEqual(fs.ops.map((o) => o.kind), ["write", "syncData"]);
      await aof.close();
    }
  });

  it("a failed fdatasync rejects the group and fails the log; a flush retries and recovers", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    await aof.append(cmd("INCR", "ok"));
    fs.failNext("syncData");
    const results = await Promise.allSettled([
      aof.append(cmd("INCR", "a")),
      aof.append(cmd("INCR", "b")),
    ]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.ok((r as PromiseRejectedResult).reason instanceof AofFailedError);
    }
    assert.equal(aof.lastWriteStatus, "failed");
    await assert.rejects(aof.append(cmd("INCR", "later")), AofFailedError);
    await aof.flush(); // the retry syncs the written bytes: ok again
    assert.equal(aof.lastWriteStatus, "ok");
    await aof.append(cmd("INCR", "later"));
    await aof.close();
    const again = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    assert.equal(again.lastWriteStatus, "ok");
    await again.append(cmd("INCR", "again"));
    await again.close();
    assert.deepEqual(await frames("/db/aof-0.aof", fs), [
      "INCR ok",
      "INCR a",
      "INCR b",
      "INCR later",
      "INCR again",
    ]);
  });

  it("a failed write under no rejects and fails the log", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "no", fs });
    fs.failNext("write");
    await assert.rejects(aof.append(cmd("SET", "k", "v")), AofFailedError);
    await assert.rejects(aof.append(cmd("SET", "k", "v")), AofFailedError);
    await aof.close();
  });

  it("a closed log rejects every use", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "no", fs });
    await aof.close();
    await assert.rejects(aof.append(cmd("PING")), AofClosedError);
    await assert.rejects(aof.flush(), AofClosedError);
    await assert.rejects(aof.truncate(), AofClosedError);
    assert.throws(() => aof.appendSync(cmd("PING")), AofClosedError);
  });

  it("appendSync writes and syncs at once", () => {
    const fs = memFs();
    const aof = Aof.openSync("/db/aof-0.aof", { fsync: "always", fs });
    fs.checkpoint();
    aof.appendSync(cmd("SET", "k", "v"));
    assert.deepEqual(fs.ops.map((o) => o.kind), ["write", "syncData"]);
    aof.closeSync();
  });
});

describe("Aof policy and sizes", () => {
  it("setFsync('always') syncs the backlog at once", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "no", fs });
    fs.checkpoint();
    void aof.append(cmd("SET", "a", "1"));
    await aof.setFsync("always");
    assert.equal(aof.fsyncPolicy, "always");
    assert.deepEqual(fs.ops.map((o) => o.kind), ["write", "syncData"]);
    await aof.append(cmd("SET", "b", "2"));
    assert.deepEqual(fs.ops.map((o) => o.kind), ["write", "syncData", "write", "syncData"]);
    await aof.setFsync("everysec");
    assert.equal(aof.fsyncPolicy, "everysec");
    assert.throws(() => aof.setFsync("sometimes" as "no"), TypeError);
    await aof.close();
  });

  it("shouldRewrite follows Redis: min size and growth percentage; 0 disables", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", {
      fsync: "no",
      fs,
      autoRewriteMinSize: 100,
      autoRewritePercentage: 100,
    });
    assert.equal(aof.shouldRewrite(), false);
    while (aof.sizeBytes < 100) void aof.append(cmd("SET", "k", "v"));
    assert.equal(aof.shouldRewrite(), true); // >= 100 bytes and > 100% over 9
    await aof.rewriteFrom(new Store());
    assert.equal(aof.sizeAtLastRewrite, 9);
    assert.equal(aof.rewritesTotal, 1);
    assert.equal(aof.shouldRewrite(), false);
    await aof.close();
    const off = await Aof.open("/db/aof-0.aof", {
      fsync: "no",
      fs,
      autoRewritePercentage: 0,
      autoRewriteMinSize: 0,
    });
    while (off.sizeBytes < 1000) void off.append(cmd("SET", "k", "v"));
    assert.equal(off.shouldRewrite(), false);
    await off.close();
  });

  it("truncate() resets to the synced header; a legacy log gains one", async () => {
    const fs = memFs();
    fs.writeFileDurable("/db/aof-0.aof", readFixture("vectors/aof/legacy_noheader.aof"));
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    await aof.truncate();
    assert.equal(new TextDecoder().decode(fs.readFileSync("/db/aof-0.aof")), MAGIC);
    assert.equal(aof.sizeBytes, 9);
    await aof.append(cmd("SET", "k", "v"));
    await aof.truncate();
    for (const img of fs.crashImages(fs.ops.length)) {
      assert.equal(new TextDecoder().decode(img.readFileSync("/db/aof-0.aof")), MAGIC);
    }
    await aof.close();
  });

  it("every crash point of truncate leaves either the old log or the header", async () => {
    let images = 0;
    await CrashFs.enumerate(
      (fs) => {
        fs.writeFileDurable("/db/aof-0.aof", utf8(MAGIC + "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"));
      },
      async (fs) => {
        const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
        await aof.truncate();
        await aof.close();
      },
      async (img) => {
        images++;
        const f = await frames("/db/aof-0.aof", img);
        assert.ok(f.length === 0 || (f.length === 1 && f[0] === "INCR n"), JSON.stringify(f));
      },
    );
    assert.ok(images > 3);
  });
});

describe("Aof.rewriteFrom", () => {
  function fullStore(): Store {
    const s = new Store();
    const t = utf8;
    s.put({
      key: t("str"),
      value: { type: "string", value: t("v\r\n\0") },
      deadline: 4102444800000,
    });
    s.put({
      key: t("z"),
      value: {
        type: "zset",
        value: [
          [t("neg0"), -0],
          [t("tiny"), 1e-20],
          [t("sub"), 5e-324],
          [t("pinf"), Infinity],
          [t("ninf"), -Infinity],
          [t("pi"), Math.PI],
          [t("big"), 1.7976931348623157e308],
          [t("e17"), 1e17 + 8],
        ],
      },
      deadline: null,
    });
    s.put({
      key: t("h"),
      value: {
        type: "hash",
        value: Array.from({ length: 150 }, (_, i) => [t(`f${i}`), t(`v${i}`)]),
      },
      deadline: 7258118400000,
    });
    s.put({
      key: t("l"),
      value: { type: "list", value: Array.from({ length: 130 }, (_, i) => t(`${i}`)) },
      deadline: null,
    });
    s.put({
      key: t("s"),
      value: { type: "set", value: Array.from({ length: 65 }, (_, i) => t(`m${i}`)) },
      deadline: null,
    });
    return s;
  }

  it("round-trips every type exactly (scores -0, 1e-20, 5e-324, ±inf, TTLs)", async () => {
    const fs = memFs();
    const src = fullStore();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    await aof.append(cmd("SET", "garbage", "gone"));
    await aof.rewriteFrom(src);
    await aof.close();
    const dst = new Store();
    await replayAof("/db/aof-0.aof", (a) => applyCommand(dst, a), { fs });
    assert.deepEqual(dumpKeyspace(dst), dumpKeyspace(src));
    const z = dumpKeyspace(dst).find((k) => k.type === "zset")!;
    const bits = (z.value as Array<[string, string, string]>).map((r) => r[2]);
    assert.ok(bits.includes("8000000000000000")); // -0 survives
    assert.ok(bits.includes("0000000000000001")); // 5e-324 survives
  });

  it("splits collections into commands of at most 64 elements", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "no", fs });
    await aof.rewriteFrom(fullStore());
    await aof.close();
    let max = 0;
    await replayAof("/db/aof-0.aof", (a) => {
      const verb = new TextDecoder().decode(a[0]);
      const n = verb === "HSET" || verb === "ZADD" ? (a.length - 2) / 2 : a.length - 2;
      if (verb !== "PEXPIREAT") max = Math.max(max, n);
    }, { fs });
    assert.equal(max, 64);
  });

  it("frames appended after the call go to the new log, after the rewrite", async () => {
    const fs = memFs();
    const s = new Store();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    applyCommand(s, cmd("INCR", "n"));
    await aof.append(cmd("INCR", "n"));
    const rw = aof.rewriteFrom(s);
    applyCommand(s, cmd("INCR", "n"));
    const late = aof.append(cmd("INCR", "n"));
    await Promise.all([rw, late]);
    await aof.close();
    assert.deepEqual(await frames("/db/aof-0.aof", fs), ["SET n 1", "INCR n"]);
  });

  it("rewrites a store with a stream as stream commands", async () => {
    const fs = memFs();
    const s = new Store();
    s.put(streamEntry("st", 1n, 0n, 1n));
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "always", fs });
    await aof.append(cmd("SET", "k", "v"));
    await aof.rewriteFrom(s);
    assert.equal(fs.statSync("/db/aof-0.aof.rewrite"), null);
    await aof.append(cmd("SET", "k2", "v"));
    await aof.close();
    assert.deepEqual(await frames("/db/aof-0.aof", fs), ["XADD st MAXLEN 0 1-0 x x", "SET k2 v"]);
  });
});

describe("Aof everysec", () => {
  it("fdatasyncs in the background about once a second", async () => {
    const fs = memFs();
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "everysec", fs });
    fs.checkpoint();
    await aof.append(cmd("SET", "k", "v"));
    assert.deepEqual(fs.ops.map((o) => o.kind), ["write"]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(fs.ops.map((o) => o.kind), ["write", "syncData"]);
    await aof.close();
  });
});
