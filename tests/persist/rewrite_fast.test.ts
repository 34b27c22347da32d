// The rewrite and shard fast paths: a compacted log written from a store's
// frozen records must be byte-identical to the one written entry by entry
// (entryToCommands); ShardFiles loads string records as byte ranges and saves
// from the frozen records, with the same keyspace, TTLs and binary keys.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Aof } from "../../src/persist/aof.ts";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { compactLogPieces } from "../../src/persist/_rewrite_frames.ts";
import { freezeEntries } from "../../src/codec/snapshot_writer.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { concat, hex, streamEntry, utf8 } from "../_helpers.ts";

const NOW = 1767225600000;
const FAR = NOW + 1e9;

/** Every rewritable type, TTLs, binary keys, empty and 70 kB values, holes. */
function mixedStore(clock: { t: number } = { t: NOW }): Store {
  const s = new Store({ now: () => clock.t });
  for (let i = 0; i < 400; i++) {
    s.put({
      key: utf8(`s${i}`),
      value: { type: "string", value: utf8(`v${i}`.repeat(i % 5)) },
      deadline: i % 7 === 0 ? FAR + i : null,
    });
  }
  s.put({
    key: new Uint8Array([0, 13, 10, 255]),
    value: { type: "string", value: new Uint8Array([0x80, 0]) },
    deadline: FAR + 1,
  });
  s.put({
    key: new Uint8Array(0),
    value: { type: "string", value: new Uint8Array(0) },
    deadline: null,
  });
  s.put({
    key: utf8("big"),
    value: { type: "string", value: new Uint8Array(70_000).fill(7) },
    deadline: FAR,
  });
  s.put({ key: utf8("soon"), value: { type: "string", value: utf8("x") }, deadline: NOW + 10 });
  const fields: Array<[Uint8Array, Uint8Array]> = [];
  for (let j = 0; j < 150; j++) fields.push([new Uint8Array([j, 0x80 + (j % 100)]), utf8(`f${j}`)]);
  s.put({ key: utf8("h"), value: { type: "hash", value: fields }, deadline: FAR });
  s.put({
    key: utf8("set"),
    value: { type: "set", value: [utf8("a"), new Uint8Array([0xff])] },
    deadline: null,
  });
  s.put({ key: utf8("l"), value: { type: "list", value: [utf8("a"), utf8("b")] }, deadline: null });
  s.put({
    key: utf8("z"),
    value: { type: "zset", value: [[utf8("m"), -0], [utf8("n"), 1e-20]] },
    deadline: FAR,
  });
  for (let i = 0; i < 400; i += 3) s.delete(utf8(`s${i}`));
  return s;
}

/** The keyspace as sorted comparable rows (key, value, deadline). */
function rows(s: Store): string[] {
  const out: string[] = [];
  for (const e of s.entries()) {
    const v = e.value;
    const val = v.type === "string" || v.type === "list" || v.type === "set"
      ? JSON.stringify(v.type === "string" ? hex(v.value) : v.value.map(hex))
      : v.type === "hash" || v.type === "zset"
      ? JSON.stringify(
        v.value.map((
          [a, b],
        ) => [hex(a), typeof b === "number" ? Object.is(b, -0) ? "-0" : b : hex(b)]),
      )
      : "stream";
    out.push(`${hex(e.key)} ${v.type} ${val} ${e.deadline}`);
  }
  return out.sort();
}

const viaEntries = (s: Store, now: number) =>
  concat(compactLogPieces(Array.from(s.entries()), now));

describe("compacted log from a store's frozen records", () => {
  it("is byte-identical to the entry path (entryToCommands) for a mixed store", () => {
    const s = mixedStore();
    s.put({ key: utf8("frac"), value: { type: "string", value: utf8("f") }, deadline: FAR + 0.75 });
    const expected = viaEntries(s, NOW);
    assert.deepEqual(concat(compactLogPieces(freezeEntries(s.entries()), NOW)), expected);
    // Also across a later `now` that drops some deadlines.
    const later = NOW + 1000;
    assert.deepEqual(
      concat(compactLogPieces(freezeEntries(s.entries()), later)),
      viaEntries(s, later),
    );
  });

  it("writes SET frames (and PEXPIREAT with the truncated deadline) straight from the bytes", () => {
    const s = new Store({ now: () => NOW });
    s.put({
      key: new Uint8Array([0, 255]),
      value: { type: "string", value: utf8("v") },
      deadline: FAR + 0.5,
    });
    const got = new TextDecoder("latin1").decode(
      concat(compactLogPieces(freezeEntries(s.entries()), NOW)),
    );
    assert.equal(
      got,
      `KEVYAOF1\n*3\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n$1\r\nv\r\n` +
        `*3\r\n$9\r\nPEXPIREAT\r\n$2\r\n\x00\xff\r\n$${String(FAR).length}\r\n${FAR}\r\n`,
    );
  });

  it("splits into pieces of about 1 MiB without changing the bytes", () => {
    const s = new Store({ now: () => NOW });
    const v = new Uint8Array(1000).fill(97);
    for (let i = 0; i < 3000; i++) s.setString(utf8(`k${i}`), v);
    const pieces = [...compactLogPieces(freezeEntries(s.entries()), NOW)].map((p) => p.length);
    assert.ok(pieces.length >= 3);
    assert.deepEqual(concat(compactLogPieces(freezeEntries(s.entries()), NOW)), viaEntries(s, NOW));
  });

  it("Aof.rewriteFrom writes the store as it was at the call, and replays to the same keyspace", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const s = mixedStore();
    const expected = viaEntries(s, NOW);
    const before = rows(s);
    const aof = await Aof.open("/db/a.aof", { fsync: "always", fs, now: () => NOW });
    const done = aof.rewriteFrom(s);
    // Changes after the call are not in the compacted log.
    s.setString(utf8("s1"), utf8("changed"));
    s.delete(utf8("s2"));
    applyCommand(s, [utf8("HSET"), utf8("h"), utf8("new"), utf8("x")]);
    applyCommand(s, [utf8("SADD"), utf8("set"), utf8("new")]);
    await done;
    await aof.close();
    assert.deepEqual(fs.readFileSync("/db/a.aof"), expected);
    const back = new Store({ now: () => NOW });
    await replayAof("/db/a.aof", (a) => applyCommand(back, a), { fs });
    assert.deepEqual(rows(back), before);
  });

  it("a store with a stream is rewritten through the same bytes and replays to it", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const s = mixedStore();
    s.put(streamEntry("st", 1n, 0n, 1n, true));
    const expected = viaEntries(s, NOW);
    assert.deepEqual(concat(compactLogPieces(freezeEntries(s.entries()), NOW)), expected);
    const aof = await Aof.open("/db/a.aof", { fsync: "always", fs, now: () => NOW });
    await aof.rewriteFrom(s);
    await aof.close();
    assert.deepEqual(fs.readFileSync("/db/a.aof"), expected);
    const back = new Store({ now: () => NOW });
    await replayAof("/db/a.aof", (a) => applyCommand(back, a), { fs });
    assert.deepEqual(dumpKeyspace(back), dumpKeyspace(s));
  });
});

describe("ShardFiles load/save through the fast paths", () => {
  const SNAP = "/db/dump-0.rdb";
  const AOF = "/db/aof-0.aof";
  const open = (fs: CrashFs, clock: { t: number }, store?: Store) =>
    ShardFiles.open({
      snapshotPath: SNAP,
      aofPath: AOF,
      fsync: "always",
      fs,
      now: () => clock.t,
      store: store ?? new Store({ now: () => clock.t }),
    });

  it("save then open round-trips every key, TTL and binary key; expired ones are dropped", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const clock = { t: NOW };
    const shard = await open(fs, clock, mixedStore(clock));
    const want = rows(shard.store);
    await shard.save();
    await shard.close();
    const again = await open(fs, clock);
    assert.deepEqual(rows(again.store), want);
    assert.deepEqual(again.stats.snapshot, { loaded: true, entries: want.length });
    await again.close();
    clock.t = NOW + 10; // "soon" has expired by the next load
    const later = await open(fs, clock);
    assert.equal(later.store.has(utf8("soon")), false);
    assert.equal(later.stats.snapshot.entries, want.length - 1);
    await later.close();
  });

  it("loads enough string records to pre-size the index, with the same keyspace", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const clock = { t: NOW };
    const s = new Store({ now: () => clock.t });
    for (let i = 0; i < 5000; i++) {
      s.putString(
        utf8(`key:${i}`),
        0,
        `key:${i}`.length,
        utf8(`val${i}`),
        0,
        `val${i}`.length,
        i % 2 ? FAR : null,
      );
    }
    const shard = await open(fs, clock, s);
    await shard.save();
    await shard.close();
    const again = await open(fs, clock);
    assert.equal(again.store.dbsize(), 5000);
    assert.deepEqual(rows(again.store), rows(s));
    await again.close();
  });

  it("save captures the store at the call; later writes go to the new log", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const clock = { t: NOW };
    const shard = await open(fs, clock, mixedStore(clock));
    const want = rows(shard.store);
    const saving = shard.save();
    const w = [utf8("SET"), utf8("after"), utf8("1")];
    applyCommand(shard.store, w);
    const appended = shard.aof.append(w);
    await saving;
    await appended;
    await shard.close();
    const again = await open(fs, clock);
    assert.equal(again.stats.snapshot.entries, want.length);
    assert.equal(again.stats.aof.frames, 1);
    assert.deepEqual(
      rows(again.store),
      [...want, `${hex(utf8("after"))} string ${JSON.stringify(hex(utf8("1")))} null`].sort(),
    );
    await again.close();
  });

  it("rewrite then open rebuilds the same keyspace from the compacted log alone", async () => {
    const fs = new CrashFs();
    fs.mkdirSync("/db");
    const clock = { t: NOW };
    const shard = await open(fs, clock, mixedStore(clock));
    const want = rows(shard.store);
    const expected = viaEntries(shard.store, NOW);
    await shard.rewrite();
    await shard.close();
    assert.deepEqual([...fs.snapshotFiles().keys()], [AOF]);
    assert.deepEqual(fs.readFileSync(AOF), expected);
    const again = await open(fs, clock);
    assert.deepEqual(rows(again.store), want);
    await again.close();
  });
});
