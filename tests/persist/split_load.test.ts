// loadSplit: a snapshot and its log loaded for a one-pass export. Whatever
// the log does, the keys of the store plus the string records left as byte
// ranges are exactly the keyspace of a full load (snapshot, then the log
// replayed into one Store); commands that reach keys they do not name make
// it load everything into the store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import type { Entry } from "../../src/codec/types.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { replayAofInto } from "../../src/persist/replay.ts";
import { loadSplit } from "../../src/persist/split_load.ts";
import { Store } from "../../src/store/store.ts";
import { concat, hex, tempDir, utf8 } from "../_helpers.ts";

const str = (k: string, v: string, deadline: number | null = null): Entry => ({
  key: utf8(k),
  value: { type: "string", value: utf8(v) },
  deadline,
});

const SNAPSHOT: Entry[] = [
  str("a", "1"),
  str("b", "2", 4_000_000_000_000),
  str("\x00nul", "binary"),
  str("c", "3"),
  str("d", "4"),
  str("e", "5"),
  { key: utf8("list"), value: { type: "list", value: [utf8("x"), utf8("y")] }, deadline: null },
  { key: utf8("h"), value: { type: "hash", value: [[utf8("f"), utf8("v")]] }, deadline: null },
];

/** A snapshot of `entries` (written in that order, repeats included) and an AOF of `frames`. */
function files(entries: Entry[], frames: string[][]): { snap: string; aof: string } {
  const dir = tempDir("kevy-split-");
  const snap = join(dir, "dump-0.rdb"), aof = join(dir, "aof-0.aof");
  writeFileSync(snap, concat(encodeSnapshotChunks(entries, { now: 0 })));
  writeFileSync(aof, concat([AOF_MAGIC, ...frames.map((f) => encodeCommand(f))]));
  return { snap, aof };
}

/** A keyspace as sorted [hex key, JSON of the entry]. */
function view(entries: Iterable<Entry>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const e of entries) {
    out.push([hex(e.key), JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? hex(v) : v))]);
  }
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

async function full(snap: string, aof: string): Promise<Array<[string, string]>> {
  const store = new Store({ now: () => 0 });
  await loadSnapshot(snap, { store, now: 0 });
  await replayAofInto(aof, store);
  return view(store.entries());
}

async function split(snap: string, aof: string) {
  const r = await loadSplit(snap, aof, new Store({ now: () => 0 }));
  const keys: Entry[] = [...r.store.entries()];
  const c = r.strings.cursor();
  while (c.next()) keys.push(c.entry());
  // No key in both halves.
  assert.equal(new Set(keys.map((e) => hex(e.key))).size, keys.length);
  return { ...r, view: view(keys) };
}

describe("loadSplit", () => {
  it("no log: every string record stays as bytes, the others are in the store", async () => {
    const { snap } = files(SNAPSHOT, []);
    const r = await loadSplit(snap, null, new Store({ now: () => 0 }));
    assert.equal(r.strings.size, 6);
    assert.equal(r.store.dbsize(), 2);
    assert.equal(r.split, true);
  });

  it("a log writing, deleting, renaming and expiring snapshot keys: the full load's keyspace", async () => {
    const { snap, aof } = files(SNAPSHOT, [
      ["APPEND", "a", "+"],
      ["DEL", "c"],
      ["RENAME", "d", "d2"],
      ["PEXPIREAT", "e", "4100000000000"],
      ["SET", "new", "n"],
      ["RPUSH", "list", "z"],
      ["MULTI"],
      ["INCRBY", "\x00nul2", "5"],
      ["EXEC"],
    ]);
    const r = await split(snap, aof);
    assert.equal(r.split, true);
    assert.deepEqual(r.view, await full(snap, aof));
    // Only b and \x00nul were never named by the log.
    assert.equal(r.strings.size, 2);
  });

  it("a repeated key in the snapshot: the later record wins, whatever the types", async () => {
    const { snap, aof } = files([
      str("k", "first"),
      str("k", "second"),
      str("t", "a string first"),
      { key: utf8("t"), value: { type: "set", value: [utf8("m")] }, deadline: null },
      { key: utf8("u"), value: { type: "set", value: [utf8("m")] }, deadline: null },
      str("u", "a string last"),
    ], []);
    const r = await split(snap, aof);
    assert.deepEqual(r.view, await full(snap, aof));
    assert.deepEqual(r.view.map(([, e]) => JSON.parse(e).value.type), ["string", "set", "string"]);
  });

  for (
    const frame of [["FLUSHALL"], ["FLUSHDB"], ["SWAPDB", "0", "1"], [
      "SORT",
      "list",
      "BY",
      "nosuchkey*",
      "GET",
      "*",
      "STORE",
      "out",
    ]]
  ) {
    it(`${frame[0]} in the log reaches keys it does not name: everything goes into the store`, async () => {
      const { snap, aof } = files(SNAPSHOT, [["SET", "x", "1"], frame, ["SET", "y", "2"]]);
      const r = await split(snap, aof);
      assert.equal(r.split, false);
      assert.equal(r.strings.size, 0);
      assert.deepEqual(r.view, await full(snap, aof));
    });
  }

  it("an unknown verb in the log is refused as a full load refuses it", async () => {
    const { snap, aof } = files(SNAPSHOT, [["SET", "x", "1"], ["NOSUCHVERB", "a"]]);
    await assert.rejects(loadSplit(snap, aof, new Store({ now: () => 0 })), {
      name: "UnknownCommandError",
    });
    const skipped = await loadSplit(snap, aof, new Store({ now: () => 0 }), { onUnknown: "skip" });
    assert.deepEqual(skipped.replay.skipped, { nosuchverb: 1 });
  });
});
