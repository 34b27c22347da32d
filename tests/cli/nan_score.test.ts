// A NaN zset score, which kevy 1.17's embedded store keeps (its replay
// parses `ZADD z nan m`) and writes into snapshots: every reader agrees that
// the file is sound and loads it as kevy does; only an export to Redis, which
// refuses NaN scores, stops with a clear data error (never exit 5).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, utf8 } from "../_helpers.ts";
import { SNAPSHOT_MAGIC } from "../../src/codec/snapshot.ts";
import { openStore } from "../../src/embedded/open.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { SortedSet } from "../../src/store/store.ts";
import { cli } from "./_cli.ts";

const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)];
const NAN = [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];

/** A v4 snapshot holding zset `z` = { a: 1, m: NaN } as kevy 1.17 writes it. */
function nanSnapshot(): Uint8Array {
  return new Uint8Array([
    ...SNAPSHOT_MAGIC,
    4,
    5, // zset record
    0, // no TTL
    ...u32(1),
    0x7a, // "z"
    ...u32(2),
    ...u32(1),
    0x61,
    ...f64(1),
    ...u32(1),
    0x6d,
    ...NAN,
    0, // EOF
  ]);
}

function nanDir(): string {
  const dir = join(tempDir(), "data");
  mkdirSync(dir);
  writeFileSync(join(dir, "dump-0.rdb"), nanSnapshot());
  return dir;
}

describe("a NaN zset score from kevy 1.17", () => {
  it("check and inspect call the file sound; dump prints it; no command exits 5", async () => {
    const path = join(nanDir(), "dump-0.rdb");
    assert.equal((await cli(["check", path])).code, 0);
    assert.equal((await cli(["inspect", path])).code, 0);
    const r = await cli(["dump", path]);
    assert.equal(r.code, 0, r.err);
    const line = JSON.parse(r.out.trim()) as { value: Array<[string, string, string]> };
    assert.deepEqual(line.value.map((x) => x[1]), ["1", "NaN"]);
  });

  it("loadSnapshot and openStore load it; ZSCORE says nan; a rewrite and reopen keep it", async () => {
    const dir = nanDir();
    const s = await loadSnapshot(join(dir, "dump-0.rdb"));
    const z = s.lookup(utf8("z"));
    assert.ok(z instanceof SortedSet && Number.isNaN(z.score(utf8("m"))));
    let db = await openStore({ dir, activeExpireIntervalMs: 0 });
    const reply = await db.command(["ZSCORE", "z", "m"]);
    assert.equal(new TextDecoder().decode(reply as Uint8Array), "nan");
    assert.equal(await db.zscore("z", "m"), NaN);
    assert.deepEqual(await db.zrange("z", 0, -1), ["a", "m"]);
    await db.rewriteAof();
    await db.close();
    db = await openStore({ dir, activeExpireIntervalMs: 0 });
    assert.deepEqual(await db.zrange("z", 0, -1, { withScores: true }), [
      { member: "a", score: 1 },
      { member: "m", score: NaN },
    ]);
    // Live commands refuse NaN, as Redis does.
    await assert.rejects(db.command(["ZADD", "z", "nan", "x"]), /not a valid float/);
    await db.close();
  });

  it("an export to Redis refuses it with a data error naming the key (exit 1)", async () => {
    const r = await cli(["dump", join(nanDir(), "dump-0.rdb"), "--format", "resp"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /key 7a \(hex\): a NaN zset score cannot be exported to Redis/);
  });
});
