// Split writes issued concurrently (many callers, nobody awaiting the one before): on every
// shard's log each group's part is contiguous — `MULTI <gid> <shards> <n>`, exactly its n
// frames, `EXEC <gid>` — and no other frame or group sits inside it. Recovery relies on that
// (a part without its EXEC can only be a log's tail), and so does a follower forwarding a
// part when its EXEC arrives. Every fsync policy, both log formats; the reopened store holds
// what the writes made.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/embedded/open.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { tempDir } from "../_helpers.ts";

const td = new TextDecoder();

/** 240 commands: split MSETs and DELs, one-shard groups (SET PX), plain writes. */
function commands(): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < 240; i++) {
    const k = (j: number) => `k${(i * 7 + j * 13) % 40}`;
    switch (i % 6) {
      case 0:
      case 3:
        out.push(["MSET", k(0), `m${i}`, k(1), `m${i}`, k(2), `m${i}`, k(3), `m${i}`]);
        break;
      case 1:
        out.push(["SET", k(0), `p${i}`, "PX", "3600000"]);
        break;
      case 2:
        out.push(["INCR", `n${i % 5}`]);
        break;
      case 4:
        out.push(["DEL", k(1), k(4), k(5)]);
        break;
      default:
        out.push(["APPEND", k(2), "+"]);
    }
  }
  return out;
}

const KEYS = [...Array.from({ length: 40 }, (_, i) => `k${i}`), "n0", "n1", "n2", "n3", "n4"];

/** Every key's value and deadline. */
async function state(db: KevyStore): Promise<string> {
  const out: unknown[] = [await db.dbsize()];
  for (const k of KEYS) out.push(await db.command(["GET", k]), await db.command(["PTTL", k]));
  return JSON.stringify(out);
}

/** Checks a log's group structure; returns how many groups it holds. */
async function checkLog(path: string): Promise<number> {
  let open: { gid: string; frames: number; seen: number } | null = null;
  let groups = 0;
  await replayAof(path, (argv) => {
    if (open !== null) {
      open.seen++;
      assert.ok(
        open.seen <= open.frames,
        `${path}: ${td.decode(argv[0])} inside group ${open.gid} after its ${open.frames} frames`,
      );
    }
  }, {
    onGroupMarker: (m) => {
      if (m.kind === "begin") {
        assert.equal(open, null, `${path}: MULTI ${m.gid} inside group ${open?.gid}`);
        open = { gid: m.gid, frames: m.frames, seen: 0 };
      } else {
        assert.equal(open?.gid, m.gid, `${path}: EXEC ${m.gid} while ${open?.gid} is open`);
        assert.equal(open!.seen, open!.frames);
        open = null;
        groups++;
      }
    },
  });
  assert.equal(open, null, `${path}: a group left open after a clean close`);
  return groups;
}

describe("concurrent split writes never interleave on a log", () => {
  for (const aofFormat of [1, 2] as const) {
    for (const appendfsync of ["always", "everysec", "no"] as const) {
      it(`aofFormat ${aofFormat}, appendfsync ${appendfsync}`, { timeout: 120_000 }, async () => {
        const dir = join(tempDir("kevy-groups-"), "data");
        const clock = () => 1_700_000_000_000;
        const db = await openStore({
          dir,
          shards: 3,
          appendfsync,
          aofFormat,
          clock,
          activeExpireIntervalMs: 0,
        });
        const model = await openStore({ shards: 3, clock });
        const cmds = commands();
        // All issued in one turn: every split write overlaps the ones around it.
        await Promise.all(cmds.map((c) => db.command(c)));
        for (const c of cmds) await model.command(c);
        const want = await state(model);
        await db.close();
        let groups = 0;
        for (const name of readdirSync(dir).filter((n) => n.endsWith(".aof")).sort()) {
          groups += await checkLog(join(dir, name));
        }
        assert.ok(groups >= 80, `split writes were logged as groups (${groups})`);
        const again = await openStore({ dir, shards: 3, clock, activeExpireIntervalMs: 0 });
        const got = await state(again);
        await again.close();
        await model.close();
        assert.equal(got, want);
      });
    }
  }
});

describe("a split write waiting for a failing log, and later ones on the same shards", () => {
  it("none waits on another: once the disk is back, all are written, in order", {
    timeout: 60_000,
  }, async () => {
    const fs = new CrashFs();
    const clock = () => 1_700_000_000_000;
    const db = await openStore({
      dir: "/db",
      shards: 3,
      fs,
      clock,
      appendfsync: "always",
      activeExpireIntervalMs: 0,
    });
    const keys = Array.from({ length: 12 }, (_, i) => `key:${i}`);
    const enospc = Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });
    const stop = fs.failOn((o) => o.kind === "write" && o.path.endsWith("aof-1.aof"), enospc);
    const first = db.mset(Object.fromEntries(keys.map((k) => [k, "one"])));
    await assert.rejects(first, /ENOSPC/, "the caller hears of the failing disk at once");
    // The disk is back before the first part's next try; later split writes on the same shards
    // are issued in that window (before, the first part's retry queued behind theirs, while
    // theirs waited behind the first group's hold on another shard: none ever finished).
    stop();
    const later = (async () => {
      // Refused (MISCONF) until the log has written the first part's bytes again; the first
      // accepted one comes right then, while the first part waits for its next try.
      for (let n = 0; n < 2000; n++) {
        const r = await db.del(...keys.slice(0, 4)).then(() => "ok", (e: Error) => e.message);
        if (r === "ok") break;
        await new Promise((res) => setTimeout(res, 1));
      }
      return await Promise.all([
        db.mset(Object.fromEntries(keys.map((k) => [k, "two"]))),
        db.del(...keys.slice(0, 4)),
      ].map((p) => p.then(() => "ok", (e: Error) => e.message)));
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<string[]>((res) => {
      timer = setTimeout(() => res(["stuck", "stuck"]), 10_000);
    });
    const outcomes = await Promise.race([later, stuck]);
    clearTimeout(timer);
    assert.notDeepEqual(outcomes, ["stuck", "stuck"], "the split writes waited on each other");
    for (const o of outcomes) assert.ok(o === "ok" || /MISCONF|ENOSPC/.test(o), o);
    await db.close();
    const again = await openStore({
      dir: "/db",
      shards: 3,
      fs,
      clock,
      appendfsync: "always",
      activeExpireIntervalMs: 0,
    });
    const got = await again.mget(...keys);
    await again.close();
    // Each split write whole or not at all; the ones acknowledged are there.
    const want = outcomes[0] === "ok" ? "two" : "one";
    const values = new Set(got.slice(4));
    assert.equal(values.size, 1, `one write's value on every key: ${got}`);
    if (outcomes[0] === "ok") assert.deepEqual([...values], [want]);
    if (outcomes[1] === "ok") assert.deepEqual(got.slice(0, 4), [null, null, null, null]);
  });
});
