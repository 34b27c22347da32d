// Nothing expires while loading (Redis semantics): every loader applies the
// whole input with expiry frozen, then judges deadlines once. A key whose
// first deadline passed while later frames changed it (PERSIST, INCR, APPEND,
// RPUSH, HSET, SADD) must end as Redis would hold it, not be rebuilt from
// the frames after its PEXPIREAT.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand, CommandApplier } from "../../src/store/apply.ts";
import { type DumpedKey, dumpKeyspace } from "../../src/store/dump.ts";
import { replayAof, replayAofInto, replayAofIntoSync } from "../../src/persist/replay.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { replayRedisAof } from "../../src/redis/aof.ts";
import { encodeRedisRdbChunks } from "../../src/codec/redis_rdb_encode.ts";
import type { Entry } from "../../src/codec/types.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { encodeSnapshot } from "../../src/store/snapshot.ts";
import { cli } from "../cli/_cli.ts";
import { testClock } from "../embedded/_embedded_helpers.ts";

const T = 1_700_000_000_000;
/** When every loader runs: after each short deadline, before the long one. */
const LATER = T + 2_000;

/** The workload of the issue, acknowledged at T (+ a few ms). */
const WORKLOAD: Array<Array<string | number>> = [
  ["SET", "persisted", "v", "PX", 1500],
  ["PERSIST", "persisted"],
  ["SET", "counter", "1", "PX", 400],
  ["INCR", "counter"],
  ["INCR", "counter"],
  ["INCR", "counter"],
  ["SET", "appended", "x", "PX", 400],
  ["APPEND", "appended", "y"],
  ["RPUSH", "list", "a"],
  ["PEXPIRE", "list", 400],
  ["RPUSH", "list", "b"],
  ["HSET", "hash", "f", "v"],
  ["PEXPIRE", "hash", 400],
  ["HSET", "hash", "g", "w"],
  ["SADD", "set", "a"],
  ["PEXPIRE", "set", 400],
  ["SADD", "set", "b"],
  ["SET", "live", "v", "PX", 100_000],
];

/** What Redis holds at LATER after that workload. */
function expected(): Array<Pick<DumpedKey, "key" | "type">> {
  return [
    { key: "live", type: "string" },
    { key: "persisted", type: "string" },
  ];
}

const dec = new TextDecoder();
/** A dump's hex key as text. */
const keyText = (hex: string) =>
  dec.decode(new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16))));

/** Keys (as text) and types, sorted; `hex`: the keys are a dump's hex. */
function summary(keys: DumpedKey[], hex = true): Array<Pick<DumpedKey, "key" | "type">> {
  return keys.map((k) => ({ key: hex ? keyText(k.key) : k.key, type: k.type }))
    .sort((a, b) => a.key < b.key ? -1 : 1);
}

/** A data dir holding the workload (one shard), optionally saved after `saveAfter` commands. */
async function workloadDir(saveAfter?: number): Promise<string> {
  const dir = tempDir();
  const clock = testClock(T);
  const db = await openStore({ dir, clock: clock.now, activeExpireIntervalMs: 0 });
  for (let i = 0; i < WORKLOAD.length; i++) {
    await db.command(WORKLOAD[i]!);
    if (i + 1 === saveAfter) await db.save();
  }
  await db.close();
  return dir;
}

async function reopened(dir: string, shards = 1): Promise<DumpedKey[]> {
  const clock = testClock(LATER);
  const db = await openStore({ dir, clock: clock.now, shards, activeExpireIntervalMs: 0 });
  const out: DumpedKey[] = [];
  for (const k of ["persisted", "counter", "appended", "list", "hash", "set", "live"]) {
    const type = await db.type(k);
    if (type !== "none") out.push({ key: k, type } as DumpedKey);
  }
  assert.equal(await db.ttl("persisted"), -1, "the PERSIST that followed is kept");
  assert.equal(await db.get("persisted"), "v");
  await db.close();
  return out;
}

describe("nothing expires while loading", () => {
  it("openStore: PERSIST after SET PX survives; INCR/APPEND/RPUSH/HSET/SADD after the TTL do not revive a key", async () => {
    assert.deepEqual(summary(await reopened(await workloadDir()), false), expected());
  });

  it("openStore: a snapshot record past its deadline, then PERSIST in the AOF", async () => {
    // SET persisted PX 1500 is in the snapshot; its PERSIST is in the AOF after it.
    assert.deepEqual(summary(await reopened(await workloadDir(1)), false), expected());
  });

  it("openStore with another shard count (re-shard merge)", async () => {
    assert.deepEqual(summary(await reopened(await workloadDir(1), 3), false), expected());
  });

  it("replayAofInto / replayAofIntoSync / replayAof with applyCommand", async () => {
    const aof = join(await workloadDir(), "aof-0.aof");
    const a = new Store({ now: () => LATER });
    await replayAofInto(aof, a);
    const b = new Store({ now: () => LATER });
    replayAofIntoSync(aof, b);
    const c = new Store({ now: () => LATER });
    await replayAof(aof, (argv) => void applyCommand(c, argv));
    for (const s of [a, b, c]) {
      assert.deepEqual(summary(dumpKeyspace(s)), expected());
      assert.equal(s.deadline(new TextEncoder().encode("persisted")), null);
    }
  });

  it("loadSnapshot with keepExpired, then a replay (what a re-shard merge does)", async () => {
    const dir = await workloadDir(1);
    const s = new Store({ now: () => LATER });
    await loadSnapshot(join(dir, "dump-0.rdb"), { store: s, keepExpired: true });
    await replayAof(join(dir, "aof-0.aof"), (argv) => void applyCommand(s, argv));
    assert.deepEqual(summary(dumpKeyspace(s)), expected());
  });

  it("a past record alone still expires once loaded (snapshot and image)", async () => {
    const src = new Store({ now: () => T });
    applyCommand(src, ["SET", "k", "v", "PX", "100"]);
    applyCommand(src, ["SET", "keep", "v"]);
    const bytes = encodeSnapshot(src);
    const path = join(tempDir(), "dump.rdb");
    writeFileSync(path, bytes);
    const loaded = await loadSnapshot(path, { store: new Store({ now: () => LATER }) });
    assert.equal(loaded.dbsize(), 1);
    assert.equal(
      (await loadSnapshot(path, { now: LATER })).has(new TextEncoder().encode("k")),
      false,
    );
  });

  it("replayRedisAof with a CommandApplier (absolute PEXPIREAT in the past, then PERSIST)", async () => {
    const dir = tempDir();
    const path = join(dir, "appendonly.aof");
    const frames = [
      ["SELECT", "0"],
      ["SET", "persisted", "v"],
      ["PEXPIREAT", "persisted", String(T + 1500)],
      ["PERSIST", "persisted"],
      ["SET", "counter", "1"],
      ["PEXPIREAT", "counter", String(T + 400)],
      ["INCRBY", "counter", "3"],
    ];
    writeFileSync(path, Buffer.concat(frames.map((f) => encodeCommand(f))));
    const s = new Store({ now: () => LATER });
    const ap = new CommandApplier(s);
    await replayRedisAof(path, (argv) => void ap.apply(argv));
    assert.deepEqual(dumpKeyspace(s).map((k) => keyText(k.key)), ["persisted"]);
  });

  it("replayRedisAof of an AOF with an RDB base: a key and a field past their deadline in the base, PERSIST / HPERSIST after it", async () => {
    const dir = tempDir();
    const path = join(dir, "appendonly.aof");
    const u = (x: string) => new TextEncoder().encode(x);
    const base = [...encodeRedisRdbChunks([{
      db: 0,
      entries: [
        { key: u("persisted"), value: { type: "string", value: u("v") }, deadline: T + 1500 },
        { key: u("counter"), value: { type: "string", value: u("1") }, deadline: T + 400 },
        {
          key: u("h"),
          value: {
            type: "hash",
            value: [[u("f"), u("1")], [u("g"), u("2")]],
            fieldDeadlines: [T + 400, T + 400],
          },
          deadline: null,
        },
      ],
    }], { rdbVersion: 12 })];
    const incr = [
      ["PERSIST", "persisted"],
      ["INCRBY", "counter", "3"],
      ["HPERSIST", "h", "FIELDS", "1", "f"],
    ];
    writeFileSync(path, Buffer.concat([...base, ...incr.map((f) => encodeCommand(f))]));
    const want = [
      { key: "counter", gone: true },
      { key: "h", value: [["f", "1"]] },
      { key: "persisted", value: "v" },
    ];
    for (const mode of ["commands", "entries"] as const) {
      const s = new Store({ now: () => LATER });
      const ap = new CommandApplier(s);
      await replayRedisAof(path, (argv) => void ap.apply(argv), {
        ...(mode === "entries" ? { onRdbEntry: (_db: number, e: Entry) => s.put(e) } : {}),
      });
      const got = dumpKeyspace(s).map((k) => ({
        key: keyText(k.key),
        value: typeof k.value === "string"
          ? keyText(k.value)
          : (k.value as string[][]).map(([f, v]) => [keyText(f!), keyText(v!)]),
      }));
      assert.deepEqual(
        got,
        want.filter((w) => !w.gone).map(({ key, value }) => ({ key, value })),
        mode,
      );
      assert.equal(dumpKeyspace(s)[0]!.field_ttls, undefined, `${mode}: f persisted, g expired`);
    }
  });

  it("the CLI's dump of a data dir", async () => {
    const dir = await workloadDir(1);
    const r = await cli(["dump", dir], { now: LATER });
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as DumpedKey);
    const keys = lines.map((k) => keyText(k.key)).sort();
    assert.deepEqual(keys, ["live", "persisted"]);
  });
});
