// save() and rewrite() while writes go on: the file holds the keyspace as it
// was when the call was made, not what the writes made of it meanwhile
// (the view is taken in O(1) at the call; writes save what they change).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Aof } from "../../src/persist/aof.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { loadSnapshot, saveSnapshot } from "../../src/persist/snapshot_file.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import type { OpenWriteOptions, WritableFile } from "../../src/fs/types.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";
import { utf8 } from "../_helpers.ts";

const NOW = 1767225600000;

function run(s: Store, ...argv: string[]): void {
  applyCommand(s, argv.map(utf8)); // a random write may meet the wrong type: fine
}

function filled(n: number): Store {
  const s = new Store({ now: () => NOW });
  for (let i = 0; i < n; i++) {
    const k = `k${i}`;
    if (i % 5 === 0) run(s, "HSET", k, "a", `${i}`);
    else if (i % 5 === 1) run(s, "RPUSH", k, `${i}`, "x");
    else if (i % 5 === 2) run(s, "ZADD", k, `${i}`, "m");
    else run(s, "SET", k, `v${i}-`.padEnd(40 + (i % 30), "x"));
    if (i % 7 === 0) run(s, "PEXPIREAT", k, `${NOW + 1e12 + i}`);
  }
  return s;
}

/** Writes to `s` on every turn of the event loop until `done` settles; returns how many turns. */
async function writeWhile(s: Store, n: number, done: Promise<unknown>): Promise<number> {
  let over = false, turns = 0;
  void done.finally(() => over = true);
  while (!over) {
    for (let w = 0; w < 50; w++) {
      const i = (turns * 50 + w) * 7919 % n;
      const k = `k${i}`;
      switch (w % 6) {
        case 0:
          run(s, "DEL", k);
          break;
        case 1:
          run(s, "SET", k, "changed");
          break;
        case 2:
          run(s, "HSET", k, "b", "new");
          break;
        case 3:
          run(s, "LPUSH", k, "new");
          break;
        case 4:
          run(s, "PERSIST", k);
          break;
        default:
          run(s, "SET", `new${turns}:${w}`, "x");
      }
    }
    turns++;
    await tick();
  }
  return turns;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** An in-memory fs whose file writes take a turn of the event loop, as a disk's do. */
class SlowFs extends CrashFs {
  override async openWrite(path: string, options?: OpenWriteOptions): Promise<WritableFile> {
    await tick();
    const f = await super.openWrite(path, options);
    return new Proxy(f, {
      get(t, p) {
        const v = Reflect.get(t, p, t);
        if (p === "write") return async (b: Uint8Array) => (await tick(), t.write(b));
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  }
}

/** The keyspace as lines of text (a failure names the first key that differs, not a 40k-entry diff). */
function text(s: Store): string[] {
  return dumpKeyspace(s).map((k) => JSON.stringify(k));
}

function sameKeyspace(got: string[], want: string[]): void {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) assert.fail(`entry ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

function memFs(): CrashFs {
  const fs = new SlowFs();
  fs.mkdirSync("/db");
  return fs;
}

describe("a save or rewrite racing writes", () => {
  it("saveSnapshot writes the keyspace as it was at the call", async () => {
    const n = 40_000, fs = memFs();
    const s = filled(n);
    const before = text(s);
    const save = saveSnapshot(s, "/db/dump.rdb", { fs, now: NOW });
    const turns = await writeWhile(s, n, save);
    await save;
    assert.ok(turns > 1, `writes ran while the file was written (${turns} turns)`);
    const loaded = await loadSnapshot("/db/dump.rdb", { fs, now: NOW });
    sameKeyspace(text(loaded), before);
    assert.notEqual(text(s).join("\n"), before.join("\n")); // the writes did happen
  });

  it("Aof.rewriteFrom writes the keyspace as it was at the call", async () => {
    const n = 40_000, fs = memFs();
    const s = filled(n);
    const before = text(s);
    const aof = await Aof.open("/db/aof-0.aof", { fsync: "no", fs });
    const rewrite = aof.rewriteFrom(s);
    const turns = await writeWhile(s, n, rewrite);
    await rewrite;
    await aof.close();
    assert.ok(turns > 1, `writes ran while the log was rewritten (${turns} turns)`);
    const dst = new Store({ now: () => NOW });
    await replayAof("/db/aof-0.aof", (a) => applyCommand(dst, a), { fs });
    sameKeyspace(text(dst), before);
  });
});
