// Arguments the store refuses before anything is applied or logged: values
// that are not bytes (issue 11 item 10) and arguments over 512 MiB, Redis's
// proto-max-bulk-len (item 5).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { CommandFailedError } from "../../src/embedded/errors.ts";
import { dirFrames } from "./_embedded_helpers.ts";
import { oversizedArgument } from "../../src/store/commands.ts";

const MAX = 512 * 1024 * 1024;

type Db = Awaited<ReturnType<typeof openStore>>;

async function withDir(
  fn: (db: Db) => Promise<void>,
  shards = 1,
): Promise<{ dir: string; frames: string[][] }> {
  const dir = tempDir();
  const db = await openStore({ dir, shards, activeExpireIntervalMs: 0 });
  try {
    await fn(db);
    assert.equal(await db.dbsize(), 0, "nothing was stored");
  } finally {
    await db.close();
  }
  const frames: string[][] = [];
  for (let i = 0; i < shards; i++) frames.push(...dirFrames(dir, `aof-${i}.aof`));
  assert.deepEqual(frames, [], "nothing was logged");
  return { dir, frames };
}

/** Calls the typed API the way plain JavaScript can. */
const loose = (db: Db) => db as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;

describe("arguments that are not bytes", () => {
  it("are a TypeError naming the method and the argument; nothing is stored or logged", async () => {
    await withDir(async (db) => {
      const d = loose(db);
      const cases: Array<[() => Promise<unknown>, RegExp]> = [
        [() => d.set!(null, "v"), /set\(\): key must be a string or a Uint8Array, got null/],
        [() => d.set!(undefined, "v"), /set\(\): key .* got undefined/],
        [() => d.set!({}, "v"), /set\(\): key .* got an object \(Object\)/],
        [() => d.set!("k", undefined), /set\(\): value .* got undefined/],
        [() => d.set!("k", true), /set\(\): value .* got true/],
        [() => d.set!("k", NaN), /set\(\): value .*finite.* got NaN/],
        [() => d.set!("k", Infinity), /set\(\): value .* got Infinity/],
        [() => d.set!(NaN, "v"), /set\(\): key .* got NaN/],
        [() => d.hset!("h", "f"), /hset\(\): value is missing/],
        [() => d.hset!("h", { f: null }), /hset\(\): value .* got null/],
        [() => d.mset!({ a: "1", b: undefined }), /mset\(\): value .* got undefined/],
        [() => d.rpush!("l", "a", ["b"]), /rpush\(\): value .* got an array/],
        [() => d.del!("a", null), /del\(\): key .* got null/],
        [() => d.zadd!("z", [[NaN, "m"]]), /zadd\(\): score must be a number \(not NaN\)/],
        [() => d.zadd!("z", [[1, undefined]]), /zadd\(\): member .* got undefined/],
        [() => d.sadd!("s", Symbol("x")), /sadd\(\): member .* got a symbol/],
        [() => d.command!(["SET", "k", null]), /command\(\): argument 2 .* got null/],
      ];
      for (const [call, msg] of cases) {
        await assert.rejects(call(), (e) => {
          assert.ok(e instanceof TypeError, String(e));
          assert.match(e.message, msg);
          return true;
        });
      }
    });
  });

  it("finite numbers and bigints are taken as their decimal text, as Redis clients do", async () => {
    const db = await openStore();
    const d = loose(db);
    await d.set!(1.5, 42);
    await d.set!("big", 12345678901234567890n);
    assert.equal(await db.get("1.5"), "42");
    assert.equal(await db.get("big"), "12345678901234567890");
    await db.close();
  });
});

describe("arguments over 512 MiB", () => {
  it("are refused before anything is applied or logged (set, hset, rpush, command)", async () => {
    // Zero-filled: the pages are never touched, so this costs no real memory.
    const big = new Uint8Array(MAX + 1);
    await withDir(async (db) => {
      for (
        const call of [
          () => db.set("k", big),
          () => db.hset("h", "f", big),
          () => db.rpush("l", "a", big),
          () => db.command(["SET", big, "v"]),
        ]
      ) {
        await assert.rejects(call(), (e) => {
          assert.ok(e instanceof CommandFailedError, String(e));
          assert.match(e.message, /argument \d is 536870913 bytes, over the 512 MiB limit/);
          return true;
        });
      }
    });
  });

  it("a multi-key command spanning shards is refused whole", async () => {
    const big = new Uint8Array(MAX + 1);
    await withDir(async (db) => {
      const pairs: Array<[string, string | Uint8Array]> = [];
      for (let i = 0; i < 16; i++) pairs.push([`k${i}`, "v"]);
      pairs.push(["last", big]);
      await assert.rejects(db.mset(pairs), CommandFailedError);
    }, 4);
  });

  it("exactly 512 MiB fits the limit", () => {
    assert.equal(oversizedArgument([new Uint8Array(3), new Uint8Array(MAX)]), null);
    assert.match(oversizedArgument([new Uint8Array(3), new Uint8Array(MAX + 1)])!, /argument 1/);
  });
});
