// Torn tail versus mid-file corruption (issue 11, item 6): a crash leaves a prefix of the
// frame being written, never a whole frame after it. A length that runs past the end while
// well-formed frames follow is a damaged length, and nothing may be cut for it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Aof } from "../../src/persist/aof.ts";
import { replayAof, replayAofSync } from "../../src/persist/replay.ts";
import { CorruptFileError } from "../../src/codec/errors.ts";
import { encodeCommand } from "../../src/codec/resp.ts";
import { tempDir, utf8 } from "../_helpers.ts";
import { cli } from "../cli/_cli.ts";

const MAGIC = utf8("KEVYAOF1\n");

/** A v1 log of `n` INCR frames; with `damageAt`, that frame's `$1` length reads `$99999`. */
function incrLog(n: number, damageAt: number | null): Uint8Array {
  const parts: Uint8Array[] = [MAGIC];
  for (let i = 0; i < n; i++) {
    let f = encodeCommand(["INCR", "c"]);
    if (i === damageAt) {
      f = utf8(new TextDecoder().decode(f).replace("$1\r\nc", "$99999\r\nc"));
    }
    parts.push(f);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function offsetOfFrame(i: number): number {
  return MAGIC.length + i * encodeCommand(["INCR", "c"]).length;
}

function write(bytes: Uint8Array): { dir: string; path: string } {
  const dir = tempDir("kevy-tail-");
  const path = join(dir, "aof-0.aof");
  writeFileSync(path, bytes);
  return { dir, path };
}

const swallowed = (at: number) => (e: unknown) =>
  e instanceof CorruptFileError && e.offset === at &&
  /well-formed frame starts at byte/.test(e.message);

describe("a damaged length in the middle of an AOF", () => {
  it("replay refuses it at the damaged frame, for every chunk size", async () => {
    const { path } = write(incrLog(100, 9));
    for (const chunkBytes of [1, 7, 64, 4096, 1 << 20]) {
      await assert.rejects(replayAof(path, () => {}, { chunkBytes }), swallowed(offsetOfFrame(9)));
    }
    assert.throws(() => replayAofSync(path, () => {}), swallowed(offsetOfFrame(9)));
  });

  it("Aof.open refuses it and changes nothing (no cut, no quarantine file)", async () => {
    const bytes = incrLog(100, 9);
    const { dir, path } = write(bytes);
    await assert.rejects(Aof.open(path, { fsync: "always" }), swallowed(offsetOfFrame(9)));
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    assert.deepEqual(readdirSync(dir), ["aof-0.aof"]);
  });

  it("also when a zero run follows the swallowed frames", async () => {
    const bytes = incrLog(100, 50);
    const zeros = new Uint8Array(bytes.length + 200_000);
    zeros.set(bytes);
    const { path } = write(zeros);
    await assert.rejects(replayAof(path, () => {}), swallowed(offsetOfFrame(50)));
  });

  it("repair refuses it (exit 4) unless told --truncate-at-corruption", async () => {
    const bytes = incrLog(100, 9);
    const { dir, path } = write(bytes);
    const r = await cli(["repair", path]);
    assert.equal(r.code, 4, r.out + r.err);
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    assert.deepEqual(readdirSync(dir), ["aof-0.aof"]);
    assert.notEqual((await cli(["check", path])).code, 0);
    const cut = await cli(["repair", path, "--truncate-at-corruption", "--yes", "--json"]);
    assert.equal(cut.code, 0, cut.err);
    assert.equal(JSON.parse(cut.out).offset, offsetOfFrame(9));
  });
});

describe("a torn tail is still torn", () => {
  it("a damaged length in the last frame, with no frame after it, is cut and kept", async () => {
    const bytes = incrLog(100, 99);
    const { path } = write(bytes);
    const aof = await Aof.open(path, { fsync: "always", now: () => 5 });
    assert.equal(aof.repairedTail?.offset, offsetOfFrame(99));
    await aof.close();
    assert.ok(existsSync(`${path}.torn.5`));
  });

  it("every prefix of a two-frame log is clean or torn, never refused", async () => {
    const whole = incrLog(2, null);
    const frame = encodeCommand(["SET", "k", "*1\r\n$1\r\nx"]); // a value that looks like RESP
    const all = new Uint8Array(whole.length + frame.length);
    all.set(whole);
    all.set(frame, whole.length);
    for (let cut = 0; cut <= all.length; cut++) {
      const { path } = write(all.subarray(0, cut));
      const s = await replayAof(path, () => {});
      assert.equal(s.bytes + s.tornBytes, cut, `prefix ${cut}`);
    }
  });
});

describe("a torn header padded with zeros (found by tests/sim)", () => {
  it("is a torn tail at 0, cut and kept, never corruption", async () => {
    for (const cut of [1, 4, 8]) {
      const bytes = new Uint8Array(9);
      bytes.set(MAGIC.subarray(0, cut)); // "KEVY" then zeros: the header write was torn
      const { path } = write(bytes);
      const s = await replayAof(path, () => {});
      assert.deepEqual([s.frames, s.tornAt, s.tornBytes], [0, 0, 9], `cut ${cut}`);
      const aof = await Aof.open(path, { fsync: "always", now: () => 3 });
      assert.equal(aof.repairedTail?.offset, 0);
      await aof.close();
      assert.ok(existsSync(`${path}.torn.3`));
    }
  });

  it("but data after the zeros is corruption", async () => {
    const bytes = new Uint8Array(20);
    bytes.set(MAGIC.subarray(0, 4));
    bytes[19] = 0x2a;
    const { path } = write(bytes);
    await assert.rejects(replayAof(path, () => {}), CorruptFileError);
  });
});
