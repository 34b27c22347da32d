// Issue 11, item 9: a multi-key write split across shards (MSET, DEL, UNLINK, MSETNX) is
// all-or-nothing after any crash. CrashFs: every crash point and variant of a sequence of split
// writes under "always" and "everysec", reopened at the same and at another shard count: the
// keyspace is always exactly the state after some prefix of the writes (and under "always" at
// least every acknowledged one). Plus the logs stay readable as plain frames (kevy 1.17 skips
// the MULTI/EXEC markers), and a cut group is kept aside.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import { checkEveryCrashPoint } from "./_power_cut.ts";

const DIR = "/db";
const KEYS = Array.from({ length: 12 }, (_, i) => `key:${i}`);
const clock = (): number => 1_700_000_000_000;

async function open(fs: CrashFs, shards: number, routing: Routing, fsync: "always" | "everysec") {
  return await openStore({
    dir: DIR,
    shards,
    routing,
    appendfsync: fsync,
    fs,
    clock,
    activeExpireIntervalMs: 0,
  });
}

async function state(db: KevyStore): Promise<string> {
  return JSON.stringify([await db.dbsize(), await db.mget(...KEYS), await db.get("n")]);
}

type Step = (db: KevyStore) => Promise<unknown>;
const STEPS: Step[] = [
  (db) => db.mset(Object.fromEntries(KEYS.map((k) => [k, "one"]))),
  (db) => db.del(...KEYS.slice(0, 7)),
  (db) => db.command(["MSETNX", ...KEYS.slice(0, 7).flatMap((k) => [k, "two"])]),
  (db) => db.command(["UNLINK", ...KEYS.slice(5)]),
  (db) => db.mset(Object.fromEntries(KEYS.map((k) => [k, "three"]))),
];

/** The states after each prefix of STEPS, computed on an in-memory store of the same shape. */
async function prefixStates(): Promise<string[]> {
  const db = await openStore({ shards: 3, clock });
  await db.set("n", "seed");
  const out = [await state(db)];
  for (const s of STEPS) {
    await s(db);
    out.push(await state(db));
  }
  await db.close();
  return out;
}

for (const fsync of ["always", "everysec"] as const) {
  describe(`split writes under ${fsync}: all or nothing after any crash`, () => {
    it(
      "every crash point and variant, reopened at 3 shards and at 2 (slots)",
      { timeout: 120_000 },
      async () => {
        const states = await prefixStates();
        const fs = new CrashFs();
        const db = await open(fs, 3, "kevyhash", fsync);
        await db.set("n", "seed");
        await db.command(["SAVE"]).catch(() => db.save());
        fs.checkpoint();
        const acked: number[] = [0]; // op count at which each prefix was acknowledged
        for (const s of STEPS) {
          await s(db);
          acked.push(fs.ops.length);
        }
        await db.close();
        const images = await checkEveryCrashPoint({ fs, acked, states }, {
          fsync,
          reopenAt: [[3, "kevyhash"], [2, "slots"]],
          open: (image, n, routing) => open(image, n, routing, fsync),
          state,
        });
        assert.ok(images > 200, `${images} reopenings`);
      },
    );
  });
}

describe("group markers in the logs", () => {
  it("a split write is MULTI <gid> <shards> <n>, the frames, EXEC <gid> on each participant", async () => {
    const fs = new CrashFs();
    const db = await open(fs, 3, "kevyhash", "always");
    await db.mset(Object.fromEntries(KEYS.map((k) => [k, "v"])));
    await db.close();
    const dec = new TextDecoder();
    let participants = 0;
    for (let i = 0; i < 3; i++) {
      const text = dec.decode(fs.readFileSync(`${DIR}/aof-${i}.aof`));
      const m = /MULTI\r\n\$\d+\r\n([^\r]+)\r\n\$\d+\r\n([\d,]+)\r\n\$\d+\r\n(\d+)\r\n/.exec(text);
      if (m === null) continue;
      participants++;
      assert.deepEqual(m[2]!.split(",").sort(), ["0", "1", "2"]);
      assert.match(text, new RegExp(`EXEC\\r\\n\\$\\d+\\r\\n${m[1]!.replace(".", "\\.")}\\r\\n$`));
    }
    assert.equal(participants, 3);
  });
});

describe("a split write still waiting for a failing log when the store closes", () => {
  it("the lock's tombstone says so and the next open decides it: all or nothing", async () => {
    const fs = new CrashFs();
    const db = await open(fs, 2, "kevyhash", "always");
    await db.set("n", "seed");
    const enospc = Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });
    const stop = fs.failOn((o) => o.kind === "write" && o.path.endsWith("aof-1.aof"), enospc);
    await assert.rejects(db.mset(Object.fromEntries(KEYS.map((k) => [k, "lost"]))));
    await assert.rejects(db.close(), "close says what is not on disk");
    stop();
    const tomb = fs.readDirSync(DIR).map((e) => e.name).filter((n) => n.startsWith("kevy.lock"));
    assert.equal(tomb.length, 1);
    assert.match(
      new TextDecoder().decode(fs.readFileSync(`${DIR}/${tomb[0]}`)),
      /"unsettled":true/,
    );
    // Shard 0 holds its part (durable, no EXEC); shard 1's part never reached its log.
    const again = await open(fs, 2, "kevyhash", "always");
    assert.deepEqual(await again.mget(...KEYS), KEYS.map(() => null), "none of the split write");
    assert.equal(await again.get("n"), "seed");
    await again.close();
    const clean = fs.readDirSync(DIR).map((e) => e.name).filter((n) => n.startsWith("kevy.lock"));
    assert.doesNotMatch(
      new TextDecoder().decode(fs.readFileSync(`${DIR}/${clean[0]}`)),
      /unsettled/,
    );
  });
});
