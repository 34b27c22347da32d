import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import {
  replayAof,
  replayAofInto,
  replayAofIntoSync,
  replayAofSync,
  type ReplayStats,
} from "../../src/persist/replay.ts";
import { AofScanner } from "../../src/persist/_aof_scan.ts";
import { applyPlainSet, storeApplier } from "../../src/persist/_plain_set.ts";
import { ShardFiles } from "../../src/persist/shard_files.ts";
import { AOF_MAGIC, encodeCommand } from "../../src/codec/resp.ts";
import { concatBytes } from "../../src/codec/bytes.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { UnknownCommandError } from "../../src/persist/unknown.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { fixturePath, hex, listFixtures, rng, tempDir, utf8 } from "../_helpers.ts";

// replayAofInto(path, store) must be indistinguishable from
// replayAof(path, (argv) => applyCommand(store, argv)): same stats, same
// error (offset, expected, preview), same keyspace. Only its speed differs
// (plain SET frames skip argv).

const NOW = 1_700_000_000_000;
const newStore = () => new Store({ now: () => NOW });

type Outcome = { stats: Omit<ReplayStats, "ms"> } | {
  error: { offset: number; expected: string; preview: string; message: string };
} | { unknown: { verb: string; offset: number; message: string } };

/** A replay's error as an outcome: corruption, or a refused unknown verb. */
function failure(e: unknown): Outcome {
  if (e instanceof UnknownCommandError) {
    return { unknown: { verb: e.verb, offset: e.offset, message: e.message } };
  }
  assert.ok(e instanceof CorruptFileError, String(e));
  return {
    error: { offset: e.offset, expected: e.expected, preview: e.preview, message: e.message },
  };
}

function outcome(f: () => ReplayStats): Outcome {
  try {
    const { ms: _ms, ...stats } = f();
    return { stats };
  } catch (e) {
    return failure(e);
  }
}

async function outcomeAsync(f: () => Promise<ReplayStats>): Promise<Outcome> {
  try {
    const { ms: _ms, ...stats } = await f();
    return { stats };
  } catch (e) {
    return failure(e);
  }
}

/** Both replays of `path` (async and sync), asserted equal; returns the outcome. */
async function same(
  path: string,
  chunkBytes?: number,
  onUnknown?: "error" | "skip",
): Promise<Outcome> {
  const opts = {
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
    ...(onUnknown === undefined ? {} : { onUnknown }),
  };
  const a = newStore(), b = newStore(), c = newStore();
  const viaArgv = await outcomeAsync(() => replayAof(path, (v) => applyCommand(a, v), opts));
  const into = await outcomeAsync(() => replayAofInto(path, b, opts));
  const intoSync = outcome(() => replayAofIntoSync(path, c, opts));
  assert.deepEqual(into, viaArgv, `${path} (chunks ${chunkBytes})`);
  assert.deepEqual(intoSync, viaArgv, `${path} sync (chunks ${chunkBytes})`);
  assert.deepEqual(dumpKeyspace(b), dumpKeyspace(a), `${path} keyspace`);
  assert.deepEqual(dumpKeyspace(c), dumpKeyspace(a), `${path} sync keyspace`);
  return viaArgv;
}

function bytes(r: () => number, n: number): Uint8Array {
  return new Uint8Array(n).map(() => Math.floor(r() * 256));
}

/** A random log: plain SETs in any case, SETs with options, other verbs, over few keys. */
function randomFrames(r: () => number, n: number, big = false): Uint8Array[] {
  const keys = [utf8("a"), utf8("b"), new Uint8Array(0), Uint8Array.of(0, 13, 10, 255), utf8("h")];
  const key = () => keys[Math.floor(r() * keys.length)]!;
  const val = () => {
    const x = r();
    if (big && x < 0.03) return bytes(r, 3000 + Math.floor(r() * 70_000)); // > a piece, > 64 KiB
    return x < 0.1 ? new Uint8Array(0) : bytes(r, Math.floor(r() * 24));
  };
  const setVerbs = ["SET", "set", "SeT", "sEt"];
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    const k = key();
    let argv: Array<Uint8Array | string>;
    if (x < 0.5) argv = [setVerbs[Math.floor(r() * 4)]!, k, val()];
    else if (x < 0.6) {
      const opts = [["EX", "100"], ["PX", "5000"], ["NX"], ["XX"], ["GET"], ["KEEPTTL"], ["EX"]];
      argv = ["set", k, val(), ...opts[Math.floor(r() * opts.length)]!];
    } else if (x < 0.67) argv = ["HSET", k, "f", val()];
    else if (x < 0.74) argv = ["RPUSH", k, val(), val()];
    else if (x < 0.8) argv = ["EXPIRE", k, String(1 + Math.floor(r() * 100))];
    else if (x < 0.84) argv = ["DEL", k];
    else if (x < 0.88) argv = ["APPEND", k, val()];
    else if (x < 0.91) argv = ["SET", k]; // arity error
    else if (x < 0.94) argv = ["SETX", k, val()]; // unknown verb, SET-shaped
    else if (x < 0.97) argv = ["MULTI"];
    else argv = ["SETEX", k, "10", val()];
    out.push(encodeCommand(argv));
  }
  return out;
}

function writeLog(parts: Uint8Array[]): string {
  const p = join(tempDir("kevy-into-"), "aof-0.aof");
  writeFileSync(p, concatBytes(parts));
  return p;
}

describe("replayAofInto equals replayAof + applyCommand", () => {
  it("on every AOF vector, whole and in 1- and 7-byte chunks", async () => {
    const names = listFixtures("vectors/aof").filter((n) => n.endsWith(".aof"));
    assert.ok(names.length >= 20);
    let errors = 0;
    for (const name of names) {
      const path = fixturePath(`vectors/aof/${name}`);
      const whole = await same(path);
      if ("error" in whole) errors++;
      for (const c of [1, 7]) await same(path, c);
      // Verbs we do not apply (yet) stop the replay; skipping them gives the same everywhere too.
      if ("unknown" in whole) await same(path, 7, "skip");
    }
    assert.ok(errors > 5, "the vectors include corrupt logs");
  });

  it("on random logs mixing plain SET, SET with options and other verbs", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed);
      const frames = randomFrames(r, 400, seed % 3 === 0);
      const header = seed % 2 === 0 ? [AOF_MAGIC] : [];
      const log = writeLog([...header, ...frames]);
      const loud = await same(log);
      assert.ok("unknown" in loud && loud.unknown.verb === "setx", `seed ${seed}: refused`);
      const got = await same(log, undefined, "skip");
      assert.ok("stats" in got && got.stats.frames === 400, `seed ${seed}`);
      assert.ok((got.stats.skipped.setx ?? 0) > 0, `seed ${seed}: SETX counted`);
      // Small chunks only without big values (a pending big frame is re-parsed per chunk).
      await same(log, seed % 3 === 0 ? 4096 : 7, "skip");
    }
  });

  it("a plain SET replaces a hash, a list or a key with a TTL, and clears the TTL", async () => {
    const log = writeLog([
      AOF_MAGIC,
      encodeCommand(["HSET", "h", "f", "v"]),
      encodeCommand(["RPUSH", "l", "x"]),
      encodeCommand(["SET", "t", "1", "EX", "100"]),
      encodeCommand(["set", "h", "s1"]),
      encodeCommand(["SeT", "l", ""]),
      encodeCommand(["SET", "t", "s3"]),
    ]);
    await same(log);
    const s = newStore();
    await replayAofInto(log, s);
    assert.deepEqual(dumpKeyspace(s), [
      { key: hex(utf8("h")), type: "string", ttl: null, value: hex(utf8("s1")) },
      { key: hex(utf8("l")), type: "string", ttl: null, value: "" },
      { key: hex(utf8("t")), type: "string", ttl: null, value: hex(utf8("s3")) },
    ]);
  });

  it("a missing file gives 0 frames", async () => {
    const p = join(tempDir("kevy-into-"), "none.aof");
    assert.deepEqual(await same(p), {
      stats: {
        frames: 0,
        bytes: 0,
        header: false,
        format: "legacy",
        tornTxn: null,
        discardedTxns: [],
        tornAt: null,
        tornBytes: 0,
        skipped: {},
      },
    });
    assert.equal(replayAofSync(p, () => {}).frames, 0);
  });
});

/** Scanner-level run (in memory, chunked): fast path on (storeApplier) or off. */
function scan(file: Uint8Array, chunk: number, fast: boolean): unknown {
  const store = newStore();
  const apply = fast ? storeApplier(store) : (a: Uint8Array[]) => void applyCommand(store, a);
  const s = new AofScanner("x.aof", apply, 4096);
  let end: unknown;
  try {
    for (let p = 0; p < file.length; p += chunk) s.push(file.subarray(p, p + chunk));
    const e = s.finish();
    end = { ...e, tornPrefix: hex(e.tornPrefix) };
  } catch (e) {
    assert.ok(e instanceof CorruptFileError, String(e));
    end = { offset: e.offset, expected: e.expected, preview: e.preview };
  }
  return { end, keys: dumpKeyspace(store) };
}

function checkCut(file: Uint8Array, cut: number, chunk: number): void {
  const head = file.subarray(0, cut);
  for (const tail of [new Uint8Array(0), new Uint8Array(9)]) {
    const f = concatBytes([head, tail]);
    assert.deepEqual(
      scan(f, chunk, true),
      scan(f, chunk, false),
      `cut ${cut}+${tail.length}z/${chunk}`,
    );
  }
}

describe("replayAofInto: torn and zero tails at every chunk boundary", () => {
  it("small log, every cut, chunks of 1 and 7", () => {
    const file = concatBytes([AOF_MAGIC, ...randomFrames(rng(99), 14)]);
    for (let cut = 0; cut <= file.length; cut++) {
      for (const c of [1, 7]) checkCut(file, cut, c);
    }
  });

  // Seconds of work on a loaded 2-core machine: above Bun's 5 s default timeout.
  it("large log, cuts around every 4096 and 65536 boundary", { timeout: 60_000 }, () => {
    const r = rng(7);
    const big = [
      encodeCommand(["SET", "a", bytes(r, 5000)]),
      encodeCommand(["SET", "b", bytes(r, 70_000)]),
    ];
    const file = concatBytes([AOF_MAGIC, ...randomFrames(r, 900), ...big, ...randomFrames(r, 900)]);
    assert.ok(file.length > 65536 + 4096, `log of ${file.length} bytes`);
    for (const c of [4096, 65536]) {
      for (let b = c; b < file.length; b += c) {
        for (const d of [-2, -1, 0, 1, 9]) checkCut(file, b + d, c);
      }
    }
  });

  it("a corrupt byte anywhere gives the same error and keyspace", () => {
    const file = concatBytes([AOF_MAGIC, ...randomFrames(rng(5), 60)]);
    const r = rng(6);
    for (let i = 0; i < 60; i++) {
      const f = file.slice();
      const at = Math.floor(r() * f.length);
      f[at] = [0x78, 0x2a, 0x24, 0x0d, 0x0a, 0x30][i % 6]!;
      for (const c of [7, 4096]) {
        assert.deepEqual(scan(f, c, true), scan(f, c, false), `byte ${at}`);
      }
    }
  });
});

describe("applyPlainSet (the fast path itself)", () => {
  const s = newStore();
  const at = (frame: Uint8Array) => applyPlainSet(s, frame, 0, frame.length);
  it("applies a complete plain SET in any case and returns its end", () => {
    const f = encodeCommand(["sEt", "k", "v"]);
    assert.equal(at(f), f.length);
    assert.deepEqual(s.lookup(utf8("k")), utf8("v"));
    const empty = encodeCommand(["SET", "", ""]);
    assert.equal(at(empty), empty.length);
    assert.deepEqual(s.lookup(new Uint8Array(0)), new Uint8Array(0));
  });
  it("declines (-1, store unchanged) everything else", () => {
    const before = dumpKeyspace(s);
    const declined = [
      encodeCommand(["SET", "x", "v", "NX"]),
      encodeCommand(["SET", "x", "v", "EX", "10"]),
      encodeCommand(["SET", "x"]),
      encodeCommand(["SEX", "x", "v"]),
      encodeCommand(["SETNX", "x", "v"]),
      encodeCommand(["HSET", "x", "v"]),
      utf8("*3\r\n$3\r\nSET\r\n$01\r\nx\r\n$1\r\nv\r\n"), // leading zero: corrupt
      utf8("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\nvv\r\n"), // payload overrun
    ];
    for (const f of declined) assert.equal(at(f), -1, new TextDecoder().decode(f));
    const whole = encodeCommand(["SET", "x", "v"]);
    for (let n = 0; n < whole.length; n++) {
      assert.equal(applyPlainSet(s, whole, 0, n), -1, `first ${n} bytes`);
    }
    assert.deepEqual(dumpKeyspace(s), before);
  });
});

describe("ShardFiles bring-up", () => {
  it("replays through the fast path by default and calls a custom apply for every frame", async () => {
    const dir = tempDir("kevy-into-shard-");
    const aofPath = join(dir, "aof-0.aof");
    const frames = randomFrames(rng(3), 200);
    writeFileSync(aofPath, concatBytes([AOF_MAGIC, ...frames]));
    const want = newStore();
    replayAofSync(aofPath, (a) => applyCommand(want, a), { onUnknown: "skip" });
    const snapshotPath = join(dir, "dump-0.rdb");
    // The log holds an unknown verb (SETX): refused by default, before anything is opened.
    await assert.rejects(
      ShardFiles.open({ snapshotPath, aofPath, fsync: "no", store: newStore() }),
      (e) => e instanceof UnknownCommandError && e.verb === "setx" && e.path === aofPath,
    );
    const a = await ShardFiles.open({
      snapshotPath,
      aofPath,
      fsync: "no",
      store: newStore(),
      onUnknown: "skip",
    });
    assert.equal(a.stats.aof.frames, 200);
    assert.ok((a.stats.aof.skipped.setx ?? 0) > 0);
    assert.deepEqual(dumpKeyspace(a.store), dumpKeyspace(want));
    await a.close();
    let calls = 0;
    const b = await ShardFiles.open({
      snapshotPath,
      aofPath,
      fsync: "no",
      store: newStore(),
      apply: (st, argv) => {
        calls++;
        applyCommand(st, argv);
      },
    });
    assert.equal(calls, 200);
    assert.deepEqual(dumpKeyspace(b.store), dumpKeyspace(want));
    await b.close();
  });
});
