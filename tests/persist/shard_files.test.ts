import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { CrashFs, type CrashPoint } from "../../src/fs/crash.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { streamEntry, utf8 } from "../_helpers.ts";

const SNAP = "/db/dump-0.rdb";
const AOF = "/db/aof-0.aof";
const cmd = (...a: string[]) => a.map(utf8);

// Writes whose double application would show (INCR, APPEND, LPUSH).
const WRITES: Uint8Array[][] = [];
for (let i = 0; i < 12; i++) {
  WRITES.push(
    i % 3 === 0
      ? cmd("INCR", "n")
      : i % 3 === 1
      ? cmd("APPEND", "s", `${i}`)
      : cmd("LPUSH", "l", `${i}`),
  );
}
const STATES: string[] = [];
{
  const s = new Store();
  STATES.push(JSON.stringify(dumpKeyspace(s)));
  for (const w of WRITES) {
    applyCommand(s, w);
    STATES.push(JSON.stringify(dumpKeyspace(s)));
  }
}

function open(fs: CrashFs): Promise<ShardFiles> {
  return ShardFiles.open({ snapshotPath: SNAP, aofPath: AOF, fsync: "always", fs });
}

async function write(shard: ShardFiles, i: number): Promise<void> {
  applyCommand(shard.store, WRITES[i]!);
  await shard.aof.append(WRITES[i]!);
}

/** Durable starting point: 3 writes, a save, 2 more writes (5 acknowledged). */
async function setup(fs: CrashFs): Promise<void> {
  fs.mkdirSync("/db");
  const shard = await open(fs);
  for (let i = 0; i < 3; i++) await write(shard, i);
  await shard.save();
  for (let i = 3; i < 5; i++) await write(shard, i);
  await shard.close();
}

/** Which prefix of WRITES the recovered keyspace is, or -1. */
async function recoveredPrefix(img: CrashFs): Promise<number> {
  const shard = await open(img);
  const dump = JSON.stringify(dumpKeyspace(shard.store));
  await shard.close();
  return STATES.indexOf(dump);
}

type Op = "save" | "rewrite";

async function crashScenario(op: Op): Promise<{ images: number; nested: number; ops: number }> {
  const ackAt: number[] = []; // ackAt[k] = op count when write k was acknowledged
  let fsRef: CrashFs | null = null;
  let nested = 0;
  const images = await CrashFs.enumerate(
    setup,
    async (fs) => {
      fsRef = fs;
      const shard = await open(fs);
      const ack = async (i: number) => {
        await write(shard, i);
        ackAt[i] = fs.ops.length;
      };
      await ack(5);
      await ack(6);
      // The operation and writes racing it (held, then written to the new log).
      // (a mutation and its append happen in the same turn, here after the call)
      const committed = op === "save" ? shard.save() : shard.rewrite();
      applyCommand(shard.store, WRITES[7]!);
      const late = shard.aof.append(WRITES[7]!).then(() => (ackAt[7] = fs.ops.length));
      await Promise.all([committed, late]);
      await ack(8);
      await shard.close();
    },
    async (img: CrashFs, point: CrashPoint) => {
      let acked = 5;
      for (let k = 5; k < ackAt.length; k++) if (ackAt[k]! <= point.afterOp) acked = k + 1;
      const where = `${op}: crash after op ${point.afterOp} (${
        fsRef!.ops[point.afterOp - 1]?.kind ?? "start"
      } ${fsRef!.ops[point.afterOp - 1]?.path ?? ""}), ${point.variant}`;
      const busy = [`${SNAP}.save`, `${SNAP}.tmp`, `${AOF}.rewrite`, `${SNAP}.save.tmp`]
        .some((p) => img.statSync(p) !== null);
      if (busy) {
        // A second power cut during recovery, at every point of it.
        await CrashFs.enumerate(img, async (fs) => {
          await (await open(fs)).close();
        }, async (img2, p2) => {
          nested++;
          const k = await recoveredPrefix(img2);
          assert.ok(
            k >= acked,
            `${where}; then during recovery after op ${p2.afterOp} (${p2.variant}): got ${k}, acked ${acked}`,
          );
        });
      }
      const k = await recoveredPrefix(img);
      assert.ok(k >= acked, `${where}: recovered prefix ${k}, acknowledged ${acked}`);
    },
  );
  return { images, nested, ops: (fsRef as CrashFs | null)!.ops.length };
}

describe("ShardFiles crash consistency (every op × every crash variant)", () => {
  for (const op of ["save", "rewrite"] as const) {
    it(`${op}: recovery yields exactly an acknowledged prefix, never a double application`, async () => {
      const { images, nested, ops } = await crashScenario(op);
      console.log(`${op}: ${ops} ops, ${images} crash images, ${nested} nested recovery images`);
      assert.ok(ops > 15 && images > ops, `${ops} ops, ${images} images`);
      assert.ok(nested > 0, "no image needed recovery");
    });
  }
});

describe("ShardFiles files at rest", () => {
  it("after save: a kevy v4 snapshot and a header-only AOF, no temps", async () => {
    const fs = new CrashFs();
    await setup(fs);
    const shard = await open(fs);
    await shard.save();
    await shard.close();
    const files = [...fs.snapshotFiles().keys()].sort();
    assert.deepEqual(files, [AOF, SNAP]);
    assert.equal(new TextDecoder().decode(fs.readFileSync(AOF)), "KEVYAOF1\n");
    const loaded = await loadSnapshot(SNAP, { fs });
    assert.equal(JSON.stringify(dumpKeyspace(loaded)), STATES[5]);
  });

  it("after rewrite: only the compacted AOF, which alone rebuilds the keyspace", async () => {
    const fs = new CrashFs();
    await setup(fs);
    const shard = await open(fs);
    await shard.rewrite();
    await shard.close();
    assert.deepEqual([...fs.snapshotFiles().keys()], [AOF]);
    const s = new Store();
    await replayAof(AOF, (a) => applyCommand(s, a), { fs });
    assert.equal(JSON.stringify(dumpKeyspace(s)), STATES[5]);
  });

  it("rewrite writes a stream as stream commands and replays it back", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const shard = await open(fs);
    shard.store.put(streamEntry("st", 5n, 1n, 1n, true));
    const before = dumpKeyspace(shard.store);
    await shard.rewrite();
    await shard.close();
    const again = await open(fs);
    assert.equal(again.stats.snapshot.loaded, false);
    assert.deepEqual(dumpKeyspace(again.store), before);
    await again.close();
  });

  it("bring-up stats report recovery, snapshot, replay and a cut torn tail", async () => {
    const fs = new CrashFs();
    await setup(fs);
    const f = fs.openAppendSync(AOF);
    f.writeSync(utf8("*2\r\n$4\r\nIN"));
    f.closeSync();
    fs.writeFileDurable(`${SNAP}.tmp`, utf8("partial"));
    const shard = await open(fs);
    assert.deepEqual(shard.stats.recovery, { rolledForward: null, removed: [`${SNAP}.tmp`] });
    assert.deepEqual(shard.stats.snapshot, { loaded: true, entries: 3 });
    assert.equal(shard.stats.aof.frames, 2);
    assert.equal(shard.stats.repairedTail?.bytes, 10);
    assert.equal(JSON.stringify(dumpKeyspace(shard.store)), STATES[5]);
    await shard.close();
  });

  it("a failure before the commit point keeps the old files and the log usable", async () => {
    const fs = new CrashFs();
    await setup(fs);
    const shard = await open(fs);
    fs.failNext("rename"); // the journal's rename: not committed
    await assert.rejects(shard.save());
    await write(shard, 5);
    await shard.close();
    assert.equal(await recoveredPrefix(fs), 6);
    assert.equal(fs.statSync(`${SNAP}.tmp`), null);
  });
});
