// A log changes format only by a rewrite or a truncate (aofFormat differs from the file's):
// the new file is written in the configured format while later appends are held, and those
// were encoded for the old one. They must reach the new file in its format: v1 frames as v2
// records, v2 records as v1 frames (a transaction as a v1 group when the log has markers).
// Found by the simulator's large-values mode (tests/sim): a big SET started an auto-rewrite
// of a v1 log into v2 while split MSETs were appended; the next open found RESP frames in
// the KEVYAOF2 log ("corrupt ... an intact record starts at ...").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { Aof } from "../../src/persist/aof.ts";
import { Store } from "../../src/store/store.ts";
import { AOF2_MAGIC, parseRecord } from "../../src/codec/aof2.ts";
import { AOF_MAGIC, parseFrame } from "../../src/codec/resp.ts";
import { groupBegin, groupEnd } from "../../src/codec/group.ts";

const PATH = "/aof-0.aof";
const t = new TextEncoder();
const d = new TextDecoder();
const cmd = (...a: string[]) => a.map((s) => t.encode(s));
const same = (a: Uint8Array, b: Uint8Array) =>
  a.length >= b.length && b.every((x, i) => a[i] === x);

/** The file's format and its commands (each a space-joined line); throws on any damage. */
function decode(fs: CrashFs): { format: 1 | 2; lines: string[] } {
  const b = fs.readFileSync(PATH);
  const v2 = same(b, AOF2_MAGIC);
  assert.ok(v2 || same(b, AOF_MAGIC), "the log has a header");
  const lines: string[] = [];
  for (let p = (v2 ? AOF2_MAGIC : AOF_MAGIC).length; p < b.length;) {
    const r = v2 ? parseRecord(b, p) : parseFrame(b, p);
    assert.ok(r.kind === "record" || r.kind === "frame", `intact at byte ${p}: ${r.kind}`);
    lines.push(r.argv.map((x) => d.decode(x).replace(/\0/g, "\\0")).join(" "));
    p = r.end;
  }
  return { format: v2 ? 2 : 1, lines };
}

/** A log of format `from` holding one SET, then reopened with `aofFormat: to`. */
async function logIn(from: 1 | 2, to: 1 | 2): Promise<{ fs: CrashFs; aof: Aof }> {
  const fs = new CrashFs();
  const first = await Aof.open(PATH, { fsync: "always", fs, aofFormat: from });
  await first.append(cmd("SET", "old", "1"));
  await first.close();
  const aof = await Aof.open(PATH, { fsync: "always", fs, aofFormat: to });
  assert.equal(aof.format, from, "an open keeps the file's format");
  return { fs, aof };
}

/** Appends issued while `op` holds the log: a plain frame and a transaction. */
async function heldDuring(aof: Aof, op: () => Promise<void>): Promise<void> {
  const running = op();
  await Promise.all([
    running,
    aof.append(cmd("INCR", "n")),
    aof.appendGroup([cmd("SET", "k", "v"), cmd("PEXPIREAT", "k", "9999999999999")]),
    aof.append(cmd("DEL", "gone")),
  ]);
}

const store = () => {
  const s = new Store();
  s.put({ key: t.encode("old"), value: { type: "string", value: t.encode("1") }, deadline: null });
  return s;
};

describe("a log that switches format while appends are held", () => {
  for (const how of ["rewrite", "truncate"] as const) {
    const op = (aof: Aof) => () => how === "rewrite" ? aof.rewriteFrom(store()) : aof.truncate();
    const before = how === "rewrite" ? ["SET old 1"] : [];

    it(`v1 -> v2 by a ${how}: the held frames are records of the new log`, async () => {
      const { fs, aof } = await logIn(1, 2);
      await heldDuring(aof, op(aof));
      assert.equal(aof.format, 2);
      await aof.close();
      const got = decode(fs);
      assert.equal(got.format, 2);
      assert.deepEqual(got.lines, [
        ...before,
        "INCR n",
        "SET k v", // appendGroup in a v1 log: bare frames (the store uses markers there)
        "PEXPIREAT k 9999999999999",
        "DEL gone",
      ]);
    });

    it(`v2 -> v1 by a ${how}: a held transaction becomes a group of the log's markers`, async () => {
      const { fs, aof } = await logIn(2, 1);
      aof.groupMarkers = (n) => [groupBegin("g1", [0], n), groupEnd("g1")];
      await heldDuring(aof, op(aof));
      assert.equal(aof.format, 1);
      await aof.close();
      const got = decode(fs);
      assert.equal(got.format, 1);
      assert.deepEqual(got.lines, [
        ...before,
        "INCR n",
        "MULTI g1 0 2",
        "SET k v",
        "PEXPIREAT k 9999999999999",
        "EXEC g1",
        "DEL gone",
      ]);
    });
  }

  for (const [from, to] of [[1, 2], [2, 1]] as const) {
    for (const how of ["rewrite", "truncate"] as const) {
      it(`v${from} -> v${to} by a ${how}: appends at every turn of the switch reach the new file`, async () => {
        const { fs, aof } = await logIn(from, to);
        const running = how === "rewrite" ? aof.rewriteFrom(store()) : aof.truncate();
        let done = false;
        void running.finally(() => (done = true));
        const acks: Promise<void>[] = [];
        const sent: string[] = [];
        // One append per microtask turn while the op runs, and a few after it.
        for (let i = 0; i < 400 && (!done || i < sent.length + 3); i++) {
          acks.push(aof.append(cmd("INCR", `n${i}`)));
          sent.push(`INCR n${i}`);
          await Promise.resolve();
        }
        await running;
        await Promise.all(acks);
        await aof.close();
        const got = decode(fs);
        assert.equal(got.format, to);
        assert.deepEqual(got.lines.filter((l) => l.startsWith("INCR")), sent);
      });
    }
  }

  it("v2 -> v1 without markers: the transaction's frames are written bare (as appendGroup in v1)", async () => {
    const { fs, aof } = await logIn(2, 1);
    await heldDuring(aof, () => aof.truncate());
    await aof.close();
    assert.deepEqual(decode(fs).lines, [
      "INCR n",
      "SET k v",
      "PEXPIREAT k 9999999999999",
      "DEL gone",
    ]);
  });
});
