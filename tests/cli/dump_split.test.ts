// A sorted jsonl dump of a kevy snapshot or one-shard data dir reads the
// snapshot's string records as byte ranges of the file (a split load) rather
// than building a Store of every key. Its output must be byte for byte the
// full load's (every record into one Store, the log on top, then the dump
// of that Store), whatever the files hold: every type, TTLs due and not,
// field TTLs, streams with groups, binary keys, repeated records, a log that
// rewrites, deletes, renames and expires snapshot keys or reaches keys it
// does not name, unknown commands, and every fixture of the suite.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { encodeSnapshotChunks } from "../../src/codec/snapshot.ts";
import type { Entry } from "../../src/codec/types.ts";
import { loadTarget } from "../../src/cli/_load.ts";
import { loadTargetSplit } from "../../src/cli/_load_split.ts";
import { resolveTarget } from "../../src/cli/_target.ts";
import { defaultFs } from "../../src/fs/detect.ts";
import { saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspaceJsonl } from "../../src/store/dump_jsonl.ts";
import { Store } from "../../src/store/store.ts";
import { cli } from "./_cli.ts";
import { concat, fixturePath, tempDir, utf8 } from "../_helpers.ts";

const NOW = 1_800_000_000_000;

/** The dump as the full load gives it (the path --unsorted and non-kevy sources take). */
async function fullDump(
  path: string,
  opts: { now?: number; includeExpired?: boolean; text?: boolean; skipUnknown?: boolean },
): Promise<string> {
  const fs = defaultFs();
  const ctx = { fs, now: () => opts.now ?? NOW, io: null as never };
  const loaded = await loadTarget(ctx as never, await resolveTarget(fs, path), {
    now: opts.now ?? NOW,
    includeExpired: opts.includeExpired === true,
    onUnknown: opts.skipUnknown ? "skip" : "error",
  });
  const text = new TextDecoder();
  let out = "";
  for (const c of dumpKeyspaceJsonl(loaded.store, { text: opts.text === true })) {
    out += text.decode(c, { stream: true });
  }
  return out;
}

const VARIANTS: Array<{ args: string[]; now?: number; includeExpired?: boolean; text?: boolean }> =
  [
    { args: [] },
    { args: ["--text"], text: true },
    { args: ["--include-expired"], includeExpired: true },
    { args: ["--text", "--include-expired"], text: true, includeExpired: true },
    { args: [], now: 1_000 }, // before every deadline
    { args: [], now: 4_200_000_000_000 }, // after every deadline
  ];

/** Asserts that `dump <path>` prints what the full load prints, for every variant. */
async function sameAsFull(
  path: string,
  extra: string[] = [],
  skipUnknown = false,
): Promise<string> {
  let first = "";
  for (const v of VARIANTS) {
    const now = v.now ?? NOW;
    const r = await cli(["dump", path, "--now", String(now), ...v.args, ...extra]);
    assert.equal(r.code, 0, r.err);
    const want = await fullDump(path, { ...v, now, skipUnknown });
    assert.equal(r.out, want, `dump ${path} ${v.args.join(" ")} --now ${now}`);
    if (first === "") first = r.out;
  }
  return first;
}

/** A keyspace of every type, TTLs due and not, field TTLs, a stream with a group, binary keys. */
function richStore(): Store {
  const s = new Store({ now: () => 0 });
  const run = (...argv: Array<string | Uint8Array>) =>
    applyCommand(s, argv.map((a) => (typeof a === "string" ? utf8(a) : a)));
  for (let i = 0; i < 300; i++) run("SET", `key:${i}`, `value ${i}`);
  run("SET", Uint8Array.of(0, 1, 2), Uint8Array.of(0xff, 0xfe));
  run("SET", Uint8Array.of(0xff), "last byte");
  run("SET", new Uint8Array(0), "the empty key");
  run("SET", "key:", "\u00e9t\u00e9 utf-8");
  run("SET", "due", "x", "PXAT", "1500000000000"); // due at NOW
  run("SET", "later", "y", "PXAT", "4100000000000");
  run("SET", "key:7", "z", "PXAT", "1799999999999"); // due just before NOW
  run("HSET", "hash", "f1", "a", "f2", "b", "f3", "c");
  run("HPEXPIREAT", "hash", "1700000000000", "FIELDS", "1", "f1");
  run("HPEXPIREAT", "hash", "4000000000000", "FIELDS", "1", "f2");
  run("RPUSH", "list", "x", "y", "z");
  run("SADD", "set", "m2", "m1");
  run("ZADD", "zset", "1.5", "a", "-inf", "b", "3", "c");
  run("PEXPIREAT", "zset", "4000000000000");
  run("XADD", "stream", "1-1", "f", "v");
  run("XADD", "stream", "2-1", "g", Uint8Array.of(0, 0xff));
  run("XGROUP", "CREATE", "stream", "grp", "0");
  run("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">");
  run("SET", "key:8", "over written later");
  return s;
}

/** An AOF of `frames` (kevy v1 layout) at `path`. */
function writeAof(path: string, frames: Array<Array<string | Uint8Array>>): void {
  const enc = frames.map((f) => encodeCommand(f.map((a) => (typeof a === "string" ? utf8(a) : a))));
  writeFileSync(path, concat([AOF_MAGIC, ...enc]));
}

const LOG: Array<Array<string | Uint8Array>> = [
  ["SET", "key:1", "rewritten"],
  ["DEL", "key:2"],
  ["PEXPIREAT", "key:3", "1000"], // due at once
  ["PEXPIREAT", "key:4", "4100000000000"],
  ["RENAME", "key:5", "renamed"],
  ["APPEND", "key:6", "+more"],
  ["INCR", "counter"],
  ["SET", "key:7", "revived"], // its snapshot record was due
  ["HSET", "key:9", "f", "v"], // WRONGTYPE: the log's error, as in a full load
  ["PERSIST", "later"],
  ["SET", Uint8Array.of(0, 1, 2), "binary again"],
  ["MULTI"],
  ["SET", "in-tx", "1"],
  ["DEL", "key:10"],
  ["EXEC"],
  ["LPUSH", "list", "w"],
  ["COPY", "key:11", "copied"],
];

describe("dump: a kevy snapshot or one-shard dir loads split, printing what the full load prints", () => {
  it("a data dir (snapshot + log) of every type, TTLs and binary keys, in every variant", async () => {
    const dir = tempDir("kevy-dump-split-");
    await saveSnapshot(richStore(), join(dir, "dump-0.rdb"), { now: 0 });
    writeAof(join(dir, "aof-0.aof"), LOG);
    const out = await sameAsFull(dir);
    // The log was applied: its writes show, its deletes and due deadlines do not.
    assert.match(out, /"value":"7265777269747465.."/); // "rewritten"
    assert.doesNotMatch(out, /"key":"6b65793a32"/); // key:2 deleted
    assert.match(out, /"key":"72656e616d6564"/); // renamed
  });

  it("a snapshot file on its own, and a dir with no log", async () => {
    const dir = tempDir("kevy-dump-split-");
    await saveSnapshot(richStore(), join(dir, "dump-0.rdb"), { now: 0 });
    await sameAsFull(join(dir, "dump-0.rdb"));
    await sameAsFull(dir);
  });

  it("repeated records in the snapshot: the later one wins, whatever the types", async () => {
    const dir = tempDir("kevy-dump-split-");
    const str = (k: string, v: string, d: number | null = null): Entry => ({
      key: utf8(k),
      value: { type: "string", value: utf8(v) },
      deadline: d,
    });
    const set: Entry = {
      key: utf8("t"),
      value: { type: "set", value: [utf8("m")] },
      deadline: null,
    };
    for (
      const entries of [
        [str("k", "first"), str("a", "1"), str("k", "second")],
        [str("k", "live"), str("k", "due", 1000)], // the later record is due: no k
        [str("t", "a string first"), set, str("z", "z")],
        [set, str("t", "a string last")],
      ]
    ) {
      writeFileSync(join(dir, "dump-0.rdb"), concat(encodeSnapshotChunks(entries, { now: 0 })));
      await sameAsFull(dir);
      await sameAsFull(join(dir, "dump-0.rdb"));
    }
  });

  it("a log that reaches keys it does not name (FLUSHALL, SORT ... STORE) or an unknown verb under --skip-unknown", async () => {
    for (
      const frame of [
        ["FLUSHALL"],
        ["SET", "after", "flush"],
        ["SORT", "list", "BY", "nosuch*", "GET", "*", "STORE", "out"],
        ["NOSUCHVERB", "key:1"],
      ]
    ) {
      const dir = tempDir("kevy-dump-split-");
      await saveSnapshot(richStore(), join(dir, "dump-0.rdb"), { now: 0 });
      writeAof(join(dir, "aof-0.aof"), [["SET", "key:1", "x"], frame, ["DEL", "key:12"]]);
      await sameAsFull(dir, ["--skip-unknown"], true);
    }
  });

  it("an unknown verb without --skip-unknown fails as the full load does", async () => {
    const dir = tempDir("kevy-dump-split-");
    await saveSnapshot(richStore(), join(dir, "dump-0.rdb"), { now: 0 });
    writeAof(join(dir, "aof-0.aof"), [["SET", "key:1", "x"], ["NOSUCHVERB", "a"]]);
    const r = await cli(["dump", dir, "--now", String(NOW)]);
    assert.equal(r.code, 1);
    assert.match(r.err, /NOSUCHVERB/i);
    assert.equal(r.out, "");
  });

  it("takes the split load for a snapshot and a one-shard dir, the full load otherwise", async () => {
    const fs = defaultFs();
    const ctx = { fs, now: () => NOW, io: null as never } as never;
    const split = async (p: string) => loadTargetSplit(ctx, await resolveTarget(fs, p), {});
    const one = tempDir("kevy-dump-split-");
    await saveSnapshot(richStore(), join(one, "dump-0.rdb"), { now: 0 });
    writeAof(join(one, "aof-0.aof"), LOG);
    const r = await split(one);
    assert.ok(r !== null);
    // The log's keys went into the store; the other string records stayed rows.
    assert.ok(
      r.strings.length > 250 && r.store.dbsize() < 30,
      `${r.strings.length} ${r.store.dbsize()}`,
    );
    assert.ok((await split(join(one, "dump-0.rdb"))) !== null);
    writeAof(join(one, "aof-0.aof"), [["FLUSHALL"]]);
    assert.equal(await split(one), null);
    const two = tempDir("kevy-dump-split-");
    for (const i of [0, 1]) await saveSnapshot(richStore(), join(two, `dump-${i}.rdb`), { now: 0 });
    assert.equal(await split(two), null);
    assert.equal(await split(join(one, "aof-0.aof")), null);
  });

  it("every kevy snapshot and data dir among the fixtures dumps as the full load does", async () => {
    const found: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
          if (readdirSync(p).some((n) => /^(dump-\d+\.rdb|aof-\d+\.aof)$/.test(n))) found.push(p);
          walk(p);
        } else if (name.endsWith(".rdb")) {
          const head = readFileSync(p).subarray(0, 8);
          if (new TextDecoder().decode(head) === "KEVYSNAP") found.push(p);
        }
      }
    };
    walk(fixturePath("vectors"));
    walk(fixturePath("vectors-v5"));
    assert.ok(found.length > 20, `${found.length} fixtures`);
    let compared = 0, failing = 0;
    for (const p of found) {
      const want = await fullDump(p, {}).catch((e: Error) => e);
      const r = await cli(["dump", p, "--now", String(NOW)]);
      if (want instanceof Error) {
        // --unsorted always loads in full: the same exit code and message.
        const u = await cli(["dump", p, "--now", String(NOW), "--unsorted"]);
        assert.notEqual(
          r.code,
          0,
          `${p}: the full load fails (${want.message}), the dump must too`,
        );
        assert.deepEqual([r.code, r.err], [u.code, u.err], p);
        failing++;
        continue;
      }
      assert.equal(r.code, 0, `${p}: ${r.err}`);
      assert.equal(r.out, want, p);
      compared++;
    }
    assert.ok(compared > 10 && failing > 0, `${compared} compared, ${failing} failing`);
  });
});
