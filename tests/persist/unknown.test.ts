import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import {
  Aof,
  DroppedTransactionError,
  replayAof,
  replayAofInto,
  replayAofIntoSync,
  replayAofSync,
  ShardFiles,
  UnknownCommandError,
  UnknownCommandGate,
} from "../../src/persist/mod.ts";
import { applyCommand, dumpKeyspace, Store } from "../../src/store/mod.ts";
import { ensureLayout, mergeSources, STANDARD_LAYOUT } from "../../src/shard/mod.ts";
import { openStore } from "../../mod.ts";
import { tempDir, utf8 } from "../_helpers.ts";

// An unknown verb in a replayed log is never passed over in silence: by
// default it stops the replay with the verb, the file and the byte offset of
// its frame; with onUnknown: "skip" it is left out and counted per verb.

const NOW = 1_700_000_000_000;
const store = () => new Store({ now: () => NOW });

/** A kevy log: SET a, NOSUCH x, SET b, NOSUCH y, FROB; with the offset of the first NOSUCH. */
function log(dir = tempDir("kevy-unknown-"), name = "aof-0.aof"): { path: string; at: number } {
  const frames = [
    AOF_MAGIC,
    encodeCommand(["SET", "a", "1"]),
    encodeCommand(["NoSuch", "x"]),
    encodeCommand(["SET", "b", "2"]),
    encodeCommand(["NOSUCH", "y"]),
    encodeCommand(["frob"]),
  ];
  const path = join(dir, name);
  writeFileSync(path, concatBytes(frames));
  return { path, at: frames[0]!.length + frames[1]!.length };
}

function refusedAt(path: string, at: number) {
  return (e: unknown) =>
    e instanceof UnknownCommandError && e.verb === "nosuch" && e.path === path &&
    e.offset === at && e.message.includes(`'nosuch' at byte ${at}`) &&
    e.message.includes(path);
}

describe("kevy AOF replay: unknown verbs are refused by default", () => {
  it("replayAof / replayAofSync: UnknownCommandError with verb, file and offset", async () => {
    const { path, at } = log();
    const s = store();
    await assert.rejects(replayAof(path, (a) => applyCommand(s, a)), refusedAt(path, at));
    assert.throws(() => replayAofSync(path, (a) => applyCommand(store(), a)), refusedAt(path, at));
    // Everything before it was applied, nothing after.
    assert.deepEqual(dumpKeyspace(s).map((k) => k.key), ["61"]);
  });

  it("replayAofInto (the fast path) refuses the same frame, in any chunk size", async () => {
    const { path, at } = log();
    for (const chunkBytes of [1, 5, 1 << 16]) {
      await assert.rejects(replayAofInto(path, store(), { chunkBytes }), refusedAt(path, at));
      assert.throws(() => replayAofIntoSync(path, store(), { chunkBytes }), refusedAt(path, at));
    }
  });

  it('onUnknown: "skip" applies the rest and counts what it left out, per verb', async () => {
    const { path } = log();
    const s = store();
    const stats = await replayAofInto(path, s, { onUnknown: "skip", chunkBytes: 3 });
    assert.deepEqual(stats.skipped, { nosuch: 2, frob: 1 });
    assert.equal(stats.frames, 5);
    assert.deepEqual(dumpKeyspace(s).map((k) => k.key), ["61", "62"]);
    const sync = replayAofSync(path, (a) => applyCommand(store(), a), { onUnknown: "skip" });
    assert.deepEqual(sync.skipped, { nosuch: 2, frob: 1 });
  });

  it("a callback that returns nothing is not inspected; a bad onUnknown is a RangeError", async () => {
    const { path } = log();
    const stats = await replayAof(path, () => {});
    assert.deepEqual(stats.skipped, {});
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      replayAof(path, () => {}, { onUnknown: "ignore" as any }),
      RangeError,
    );
  });

  it("Aof.openAndReplay refuses before opening the log, which stays byte-identical", async () => {
    const { path, at } = log();
    const before = readFileSync(path);
    await assert.rejects(
      Aof.openAndReplay(path, (a) => applyCommand(store(), a), { fsync: "no" }),
      refusedAt(path, at),
    );
    assert.deepEqual(readFileSync(path), before);
    const { aof, stats } = await Aof.openAndReplay(path, (a) => applyCommand(store(), a), {
      fsync: "no",
      onUnknown: "skip",
    });
    assert.deepEqual(stats.skipped, { nosuch: 2, frob: 1 });
    await aof.close();
  });

  it("ShardFiles.open (bring-up) refuses by default and skips on request", async () => {
    const dir = tempDir("kevy-unknown-shard-");
    const { path, at } = log(dir);
    const snapshotPath = join(dir, "dump-0.rdb");
    await assert.rejects(
      ShardFiles.open({ snapshotPath, aofPath: path, fsync: "no" }),
      refusedAt(path, at),
    );
    const sh = await ShardFiles.open({
      snapshotPath,
      aofPath: path,
      fsync: "no",
      onUnknown: "skip",
    });
    assert.deepEqual(sh.stats.aof.skipped, { nosuch: 2, frob: 1 });
    assert.equal(sh.store.dbsize(), 2);
    await sh.close();
  });
});

describe("re-shard merges and the embedded store's bring-up", () => {
  it("mergeSources refuses an unknown verb in a source log", async () => {
    const dir = tempDir("kevy-unknown-merge-");
    const { path, at } = log(dir, "aof-1.aof");
    await assert.rejects(
      mergeSources(dir, 2, STANDARD_LAYOUT, store(), applyCommand),
      refusedAt(path, at),
    );
    const temp = store();
    const skipped: Record<string, number> = {};
    await mergeSources(dir, 2, STANDARD_LAYOUT, temp, applyCommand, {
      onUnknown: "skip",
      skipped,
    });
    assert.equal(temp.dbsize(), 2);
    assert.deepEqual(skipped, { nosuch: 2, frob: 1 });
  });

  it("ensureLayout refuses to re-shard it and leaves the directory as it was", async () => {
    const dir = tempDir("kevy-unknown-layout-");
    const { path, at } = log(dir, "aof-0.aof");
    log(dir, "aof-1.aof");
    const names = readdirSync(dir).sort();
    await assert.rejects(ensureLayout(dir, { n: 3, routing: "kevyhash" }), refusedAt(path, at));
    assert.deepEqual(readdirSync(dir).sort(), names);
    const r = await ensureLayout(dir, { n: 3, routing: "kevyhash" }, undefined, {
      onUnknown: "skip",
    });
    assert.equal(r.action, "resharded");
    assert.equal(r.keys, 2);
    // Both source logs' refused commands, counted.
    assert.deepEqual(r.skipped, { nosuch: 4, frob: 2 });
  });

  it("openStore re-sharding a dir with a refused command: rejects by default; skip warns with the counts", async () => {
    const dir = tempDir("kevy-unknown-open-reshard-");
    const { path, at } = log(dir, "aof-0.aof");
    log(dir, "aof-1.aof");
    await assert.rejects(openStore({ dir, shards: 3, onMetric: () => {} }), refusedAt(path, at));
    const events: Array<{ name: string; message?: unknown }> = [];
    const db = await openStore({
      dir,
      shards: 3,
      onUnknown: "skip",
      onMetric: (e) => events.push(e),
    });
    try {
      assert.equal(await db.get("a"), "1");
      const warning = events.find((e) =>
        e.name === "warning" && /re-shard/.test(String(e.message))
      );
      assert.match(
        String(warning?.message),
        /skipped unsupported AOF commands: nosuch x4, frob x2/,
      );
    } finally {
      await db.close();
    }
  });

  it('openStore rejects by default; onUnknown: "skip" opens, warns and reports the counts', async () => {
    const dir = tempDir("kevy-unknown-open-");
    const { path, at } = log(dir);
    await assert.rejects(openStore({ dir, onMetric: () => {} }), refusedAt(path, at));
    const events: Array<{ name: string; message?: unknown; skipped?: unknown }> = [];
    const db = await openStore({ dir, onUnknown: "skip", onMetric: (e) => events.push(e) });
    try {
      assert.equal(await db.get("a"), "1");
      assert.equal(await db.get("b"), "2");
      assert.deepEqual(db.info().lastReplay.skipped, { nosuch: 2, frob: 1 });
      assert.deepEqual(events.find((e) => e.name === "aof.replay")?.skipped, {
        nosuch: 2,
        frob: 1,
      });
      const warning = events.find((e) => e.name === "warning");
      assert.match(String(warning?.message), /skipped unsupported AOF commands.*nosuch x2/);
    } finally {
      await db.close();
    }
  });
});

describe("UnknownCommandGate", () => {
  const argv = [utf8("XADD"), utf8("s")];
  const unknown = { ok: false, unknown: true, error: "ERR unknown command 'XADD'" };
  it("ignores successes, ordinary errors and non-results", () => {
    const g = new UnknownCommandGate();
    g.check({ ok: true, reply: "OK" }, argv, "f", 0);
    g.check({ ok: false, error: "WRONGTYPE x" }, argv, "f", 0);
    g.check(undefined, argv, "f", 0);
    g.check(3, argv, "f", 0);
    assert.deepEqual(g.skipped, {});
  });
  it("an EXECABORT is a DroppedTransactionError in both modes", () => {
    for (const mode of ["error", "skip"] as const) {
      assert.throws(
        () =>
          new UnknownCommandGate(mode).check(
            { ok: false, error: "EXECABORT Transaction discarded because of previous errors." },
            [utf8("EXEC")],
            "f.aof",
            77,
          ),
        (e) => e instanceof DroppedTransactionError && e.offset === 77 && e.path === "f.aof",
      );
    }
  });
  it("counts a verb named like an Object property as data", () => {
    const g = new UnknownCommandGate("skip");
    g.check(unknown, [utf8("__proto__")], "f", 0);
    g.check(unknown, [utf8("constructor")], "f", 0);
    assert.equal(g.skipped["__proto__"], 1);
    assert.equal(Object.getPrototypeOf(g.skipped), Object.prototype);
    assert.equal(g.skipped.constructor, 1);
  });
});
