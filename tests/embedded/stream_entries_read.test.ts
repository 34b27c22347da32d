// A consumer group's entries-read (Redis 7's counter behind XINFO's lag) survives what
// rewrites the files: a save (the snapshot format has no place for it: the log after the
// snapshot carries `XGROUP SETID ... ENTRIESREAD`), an AOF rewrite, and a re-shard (each
// new shard's log carries it). A group whose counter is unknown stays unknown.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";

const dec = new TextDecoder();
const plain = (r: unknown): unknown =>
  r instanceof Uint8Array ? dec.decode(r) : Array.isArray(r) ? r.map(plain) : r;

async function groups(db: KevyStore): Promise<unknown> {
  return plain(await db.command(["XINFO", "GROUPS", "s"]));
}

async function setup(db: KevyStore): Promise<void> {
  for (let i = 1; i <= 5; i++) await db.command(["XADD", "s", `${i}-1`, "f", String(i)]);
  await db.command(["XGROUP", "CREATE", "s", "read", "0"]);
  await db.command(["XREADGROUP", "GROUP", "read", "c", "COUNT", "3", "STREAMS", "s", ">"]);
  // A counter set by hand, and one left unknown (an id set without ENTRIESREAD).
  await db.command(["XGROUP", "CREATE", "s", "set", "0"]);
  await db.command(["XGROUP", "SETID", "s", "set", "2-1", "ENTRIESREAD", "2"]);
  await db.command(["XGROUP", "CREATE", "s", "unknown", "3-1"]);
  // A stream on another key (so that a re-shard puts streams on several shards).
  await db.command(["XADD", "t", "1-1", "f", "v"]);
  await db.command(["XGROUP", "CREATE", "t", "g", "$", "ENTRIESREAD", "1"]);
}

describe("a stream group's entries-read across files", () => {
  it("survives save, rewrite and re-shards (1 -> 3 -> 2 shards); an unknown one stays unknown", async () => {
    const fs = new CrashFs();
    const open = (shards: number) =>
      openStore({ dir: "/db", fs, shards, appendfsync: "always", activeExpireIntervalMs: 0 });
    let db = await open(1);
    await setup(db);
    const want = await groups(db);
    const wantT = plain(await db.command(["XINFO", "GROUPS", "t"]));
    const lag = (want as unknown[][]).map((g) => [g[1], g[9], g[11]]);
    assert.deepEqual(lag, [["read", 3, 2], ["set", 2, 3], ["unknown", null, null]]);
    // Each step, then a reopen at the step's shard count (a re-shard when it changes).
    const steps: Array<[string, number]> = [
      ["save", 1],
      ["rewrite", 1],
      ["save", 1],
      ["re-shard", 3],
      ["save", 3],
      ["re-shard", 2],
      ["rewrite", 2],
    ];
    for (const [what, shards] of steps) {
      if (what === "save") await db.save();
      if (what === "rewrite") await db.rewriteAof();
      await db.close();
      db = await open(shards);
      assert.deepEqual(await groups(db), want, `${what} (${shards} shards)`);
      assert.deepEqual(plain(await db.command(["XINFO", "GROUPS", "t"])), wantT, what);
    }
    await db.close();
  });
});
