// Loading hands the event loop back: a snapshot load and a bring-up cut what
// they read into slices and let other tasks run between them, even when the
// filesystem returns the whole file as one chunk; the loaded keyspace is the
// same as an unsliced load's (records cut at slice edges included).
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { CrashFs } from "../../src/fs/crash.ts";
import type { FsAdapter } from "../../src/fs/types.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { loadSnapshot, saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { Aof } from "../../src/persist/aof.ts";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { Pacer, pacing, SLICE_BYTES, TURN_MS } from "../../src/persist/_pacer.ts";
import { utf8 } from "../_helpers.ts";

const NOW = 1767225600000;

function filled(n: number): Store {
  const s = new Store({ now: () => NOW });
  for (let i = 0; i < n; i++) {
    const k = `key:${i}`;
    if (i % 50 === 0) applyCommand(s, ["HSET", k, "a", `${i}`, "b", "x".repeat(300)].map(utf8));
    else if (i === 7) applyCommand(s, ["SET", k, "w".repeat(3 * SLICE_BYTES)].map(utf8)); // spans slices
    else applyCommand(s, ["SET", k, `value-${i}-`.padEnd(24, "v")].map(utf8));
    if (i % 9 === 0) applyCommand(s, ["PEXPIREAT", k, `${NOW + 1e12 + i}`].map(utf8));
  }
  return s;
}

/** The two keyspaces are the same (the first difference named; no diff of 40k keys). */
function sameKeyspace(got: Store, want: Store): void {
  const a = dumpKeyspace(got).map((k) => JSON.stringify(k));
  const b = dumpKeyspace(want).map((k) => JSON.stringify(k));
  const i = a.findIndex((x, j) => x !== b[j]);
  assert.equal(i, -1, `first difference at ${i}: ${a[i]?.slice(0, 120)} vs ${b[i]?.slice(0, 120)}`);
  assert.equal(a.length, b.length);
}

/** `fs` whose readChunks returns each file as one chunk, whatever size is asked for. */
function oneChunk(fs: FsAdapter): FsAdapter {
  const out = Object.create(fs) as FsAdapter;
  out.readChunks = async function* (path: string) {
    const parts: Uint8Array[] = [];
    for await (const c of fs.readChunks(path)) parts.push(c);
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    yield all;
  };
  return out;
}

/** Runs `load` while a task re-queues itself with setImmediate; returns what it saw each turn. */
async function watched<T>(load: () => Promise<T>, probe: () => number): Promise<[T, number[]]> {
  const seen: number[] = [];
  let over = false;
  const tick = (): void => {
    if (over) return;
    seen.push(probe());
    setImmediate(tick);
  };
  const p = load();
  setImmediate(tick);
  try {
    return [await p, seen];
  } finally {
    over = true;
  }
}

describe("paced loads", () => {
  beforeEach(() => pacing.turnMs = 0); // a turn after every slice: deterministic
  afterEach(() => pacing.turnMs = TURN_MS);

  it("a snapshot read as one 2 MB chunk lets other tasks run mid-load, and loads the same keyspace", async () => {
    const fs = new CrashFs();
    const src = filled(40_000);
    await saveSnapshot(src, "dump.rdb", { fs });
    const size = (await fs.stat("dump.rdb"))!.size;
    assert.ok(size > 8 * SLICE_BYTES, `snapshot of ${size} B spans many slices`);
    let store: Store | null = null;
    const [loaded, seen] = await watched(
      async () => store = await loadSnapshot("dump.rdb", { fs: oneChunk(fs), now: NOW }),
      () => store === null ? -1 : 0,
    );
    // The load's store is handed back at the end; turns happened before that.
    assert.ok(seen.length >= 8, `other tasks ran ${seen.length} times during the load`);
    sameKeyspace(loaded, src);
  });

  it("a bring-up (snapshot + log, each one chunk) lets other tasks see the store part-filled", async () => {
    const fs = new CrashFs();
    const src = filled(30_000);
    await saveSnapshot(src, "dump-0.rdb", { fs });
    // The log after the snapshot: overwrites and new keys.
    const aof = await Aof.open("aof-0.aof", { fsync: "no", fs });
    for (let i = 0; i < 20_000; i++) {
      const argv = ["SET", `key:${i * 3}`, `later-${i}`].map(utf8);
      applyCommand(src, argv);
      await aof.append(argv);
    }
    await aof.close();
    const store = new Store({ now: () => NOW });
    const [files, seen] = await watched(
      () =>
        ShardFiles.open({
          snapshotPath: "dump-0.rdb",
          aofPath: "aof-0.aof",
          fsync: "no",
          fs: oneChunk(fs),
          store,
          now: () => NOW,
        }),
      () => store.dbsize(),
    );
    try {
      const mid = seen.filter((n) => n > 0 && n < 30_000);
      assert.ok(mid.length >= 4, `tasks saw the snapshot part-loaded ${mid.length} times`);
      assert.ok(
        seen.some((n) => n === 30_000) && seen.length > seen.indexOf(30_000) + 2,
        "and ran during the log's replay too",
      );
      sameKeyspace(files.store, src);
    } finally {
      await files.close();
    }
  });

  it("a save and a rewrite hand the loop back even when every write completes at once", async () => {
    const fs = new CrashFs(); // its writes settle as microtasks: no turn of the event loop
    const src = filled(20_000);
    const expected = dumpKeyspace(src).length;
    const [, seenSave] = await watched(() => saveSnapshot(src, "dump.rdb", { fs }), () => 0);
    assert.ok(seenSave.length >= 4, `other tasks ran ${seenSave.length} times during the save`);
    const aof = await Aof.open("aof.aof", { fsync: "no", fs });
    const [, seenRewrite] = await watched(() => aof.rewriteFrom(src), () => 0);
    await aof.close();
    assert.ok(seenRewrite.length >= 4, `other tasks ran ${seenRewrite.length} times (rewrite)`);
    const back = await loadSnapshot("dump.rdb", { fs, now: NOW });
    assert.equal(dumpKeyspace(back).length, expected);
  });

  it("a pacer gives no turn while its budget lasts, and one once it is spent", async () => {
    pacing.turnMs = 60_000; // a pacer's budget is at most this
    const p = new Pacer(60_000);
    let ran = false;
    setImmediate(() => ran = true);
    await p.turn();
    assert.equal(ran, false, "within the budget: a microtask, no turn");
    assert.equal(p.turns, 0);
    const q = new Pacer(0);
    await q.turn();
    assert.equal(ran, true, "budget spent: the queued task ran first");
    assert.equal(q.turns, 1);
  });
});
