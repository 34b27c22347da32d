// Writing and re-reading KEVYAOF2 logs: aofFormat, transactions, the torn
// transaction cut at open (kevy 5.4 appends after it and loses every later
// write, SPEC-v5 §6.1), v1 -> v2 only by a rewrite, and every single-bit flip
// of a small v2 log detected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Aof } from "../../src/persist/aof.ts";
import { replayAofSync } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { AOF2_MAGIC } from "../../src/codec/aof2.ts";
import { AOF_MAGIC } from "../../src/codec/resp.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { hex, readFixture, utf8 } from "../_helpers.ts";

const P = "/db/aof-0.aof";
const cmd = (...a: string[]) => a.map(utf8);

function memFs(): CrashFs {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.checkpoint();
  return fs;
}

function replay(fs: CrashFs, opts = {}) {
  const store = new Store();
  const argv: string[][] = [];
  const stats = replayAofSync(P, (a) => {
    argv.push(a.map((x) => new TextDecoder().decode(x)));
    return applyCommand(store, a);
  }, { fs, ...opts });
  return { store, argv, stats };
}

async function v2Log(fs: CrashFs): Promise<Uint8Array> {
  const aof = await Aof.open(P, { fsync: "always", fs, aofFormat: 2 });
  await aof.append(cmd("SET", "a", "1"));
  await aof.appendGroup([cmd("SET", "b", "2"), cmd("PEXPIREAT", "b", "4102444800000")]);
  await aof.append(cmd("RPUSH", "l", "x", "y"));
  await aof.close();
  return fs.readFileSync(P);
}

describe("KEVYAOF2 writing", () => {
  it("a new log with aofFormat 2 starts KEVYAOF2 and re-reads identically", async () => {
    const fs = memFs();
    const bytes = await v2Log(fs);
    assert.equal(hex(bytes.subarray(0, 9)), hex(AOF2_MAGIC));
    const { argv, stats, store } = replay(fs);
    assert.equal(stats.format, "v2");
    assert.equal(stats.frames, 6, "records, markers included");
    assert.deepEqual(argv, [
      ["SET", "a", "1"],
      ["SET", "b", "2"],
      ["PEXPIREAT", "b", "4102444800000"],
      ["RPUSH", "l", "x", "y"],
    ]);
    assert.equal(store.deadline(utf8("b")), 4102444800000);
  });

  it("the default stays v1, and a group has no markers there", async () => {
    const fs = memFs();
    const aof = await Aof.open(P, { fsync: "always", fs });
    await aof.appendGroup([cmd("SET", "b", "2"), cmd("PEXPIREAT", "b", "4102444800000")]);
    await aof.close();
    const bytes = fs.readFileSync(P);
    assert.equal(hex(bytes.subarray(0, 9)), hex(AOF_MAGIC));
    assert.equal(replay(fs).stats.frames, 2);
  });

  it("a torn transaction at the tail is dropped on replay and cut (kept) at open", async () => {
    const fs = memFs();
    const full = await v2Log(fs);
    // Record ends: SET a, BEGIN, SET b, PEXPIREAT b, COMMIT, RPUSH.
    const ends: number[] = [];
    for (let p = 9; p < full.length;) {
      p += 8 + (full[p]! | (full[p + 1]! << 8) | (full[p + 2]! << 16));
      ends.push(p);
    }
    const begin = ends[0]!, commitEnd = ends[4]!;
    for (const cut of [begin + 1, commitEnd - 1, commitEnd - 30]) {
      fs.writeFileDurable(P, full.subarray(0, cut));
      const r = replay(fs);
      assert.deepEqual(r.argv, [["SET", "a", "1"]], `cut ${cut}: the group is not applied`);
      assert.equal(r.stats.tornAt, begin);
      const aof = await Aof.open(P, { fsync: "always", fs });
      assert.equal(aof.repairedTail?.offset, begin);
      assert.deepEqual(fs.readFileSync(aof.repairedTail!.savedTo), full.subarray(begin, cut));
      // Appends after the open are not swallowed by the dangling BEGIN (kevy 5.4 loses them).
      await aof.append(cmd("SET", "c", "3"));
      await aof.close();
      assert.deepEqual(replay(fs).argv, [["SET", "a", "1"], ["SET", "c", "3"]]);
    }
  });

  it("v1 becomes v2 only by a rewrite, never in place", async () => {
    const fs = memFs();
    fs.writeFileDurable(P, readFixture("vectors/aof/basic.aof"));
    const store = new Store();
    const { aof } = await Aof.openAndReplay(P, (a) => applyCommand(store, a), {
      fsync: "always",
      fs,
      aofFormat: 2,
    });
    assert.equal(aof.format, 1, "an existing v1 log keeps its format");
    await aof.append(cmd("SET", "x", "1"));
    assert.equal(hex(fs.readFileSync(P).subarray(0, 9)), hex(AOF_MAGIC));
    applyCommand(store, cmd("SET", "x", "1"));
    await aof.rewriteFrom(store);
    assert.equal(aof.format, 2);
    await aof.append(cmd("SET", "y", "2"));
    await aof.close();
    applyCommand(store, cmd("SET", "y", "2"));
    const r = replay(fs);
    assert.equal(r.stats.format, "v2");
    assert.deepEqual(dumpKeyspace(r.store), dumpKeyspace(store));
  });

  it("truncate (SAVE) starts the next log in the configured format", async () => {
    const fs = memFs();
    fs.writeFileDurable(P, readFixture("vectors/aof/basic.aof"));
    const aof = await Aof.open(P, { fsync: "always", fs, aofFormat: 2 });
    await aof.truncate();
    assert.equal(aof.format, 2);
    await aof.append(cmd("SET", "k", "v"));
    await aof.close();
    assert.deepEqual(replay(fs).argv, [["SET", "k", "v"]]);
  });

  it("every single-bit flip of a small v2 log is detected (corrupt, or refused as torn with nothing lost)", async () => {
    const fs = memFs();
    const file = await v2Log(fs);
    const want = replay(fs).argv;
    let corrupt = 0;
    for (let bit = 9 * 8; bit < file.length * 8; bit++) {
      const m = file.slice();
      m[bit >> 3]! ^= 1 << (bit & 7);
      fs.writeFileDurable(P, m);
      let r: ReturnType<typeof replay> | null = null;
      try {
        r = replay(fs);
      } catch (e) {
        assert.ok(e instanceof CorruptFileError, `bit ${bit}: ${String(e)}`);
        corrupt++;
        continue;
      }
      assert.fail(`bit ${bit} replayed: ${JSON.stringify(r.argv)} vs ${JSON.stringify(want)}`);
    }
    assert.equal(corrupt, (file.length - 9) * 8);
  });
});
