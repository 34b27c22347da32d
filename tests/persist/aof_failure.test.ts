// Issue 11, item 4, at the log: a write or sync error puts the log in the failed state at once,
// later appends are refused, the bytes not written stay queued (a short write is cut back to
// the last whole frame) and every retry writes them again; close() says what is not on disk.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Aof, AofFailedError } from "../../src/persist/aof.ts";
import { replayAof } from "../../src/persist/replay.ts";
import { CrashFs } from "../../src/fs/crash.ts";
import type { FsAdapter, WritableFile } from "../../src/fs/types.ts";
import { utf8 } from "../_helpers.ts";

const cmd = (...a: string[]) => a.map(utf8);
const P = "/db/aof-0.aof";
const enospc = (): Error =>
  Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });

function memFs(): CrashFs {
  const fs = new CrashFs();
  fs.mkdirSync("/db");
  fs.checkpoint();
  return fs;
}

async function frames(fs: FsAdapter): Promise<string[]> {
  const out: string[] = [];
  await replayAof(P, (a) => out.push(a.map((b) => new TextDecoder().decode(b)).join(" ")), { fs });
  return out;
}

/** `fs` whose append handles write `half` of the next buffer, then fail (a full disk). */
function shortWrites(fs: CrashFs): { fs: FsAdapter; full: (on: boolean) => void } {
  let full = false;
  const wrap = (f: WritableFile): WritableFile => ({
    ...f,
    write: async (d: Uint8Array) => {
      if (!full) return await f.write(d);
      await f.write(d.subarray(0, d.length >> 1));
      throw enospc();
    },
  });
  const proxy = new Proxy(fs, {
    get(t, prop, recv) {
      if (prop === "openAppend") return async (p: string) => wrap(await t.openAppend(p));
      const v = Reflect.get(t, prop, recv);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  return { fs: proxy, full: (on) => void (full = on) };
}

const turn = () => new Promise((r) => setTimeout(r, 0));

for (const fsync of ["no", "everysec", "always"] as const) {
  describe(`a write failure under ${fsync}`, () => {
    it("fails the log at once, keeps the queued bytes and writes them on the next retry", async () => {
      const fs = memFs();
      const aof = await Aof.open(P, { fsync, fs });
      await aof.append(cmd("SET", "before", "1"));
      const stop = fs.failOn((op) => op.kind === "write", enospc());
      const pending = [aof.append(cmd("SET", "a", "1")), aof.append(cmd("INCR", "n"))];
      const settled = await Promise.allSettled(pending);
      for (const r of settled) assert.equal(r.status, "rejected");
      assert.equal(aof.lastWriteStatus, "failed");
      await assert.rejects(aof.append(cmd("SET", "refused", "1")), AofFailedError);
      assert.equal(await aof.retry(), false, "the disk is still full");
      stop();
      assert.equal(await aof.retry(), true);
      assert.equal(aof.lastWriteStatus, "ok");
      await aof.append(cmd("SET", "after", "1"));
      await aof.close();
      // Nothing dropped, nothing twice, in order; the refused append never reached the log.
      assert.deepEqual(await frames(fs), ["SET before 1", "SET a 1", "INCR n", "SET after 1"]);
    });

    it("a short write is cut back to the last whole frame before the retry", async () => {
      const base = memFs();
      const { fs, full } = shortWrites(base);
      const aof = await Aof.open(P, { fsync, fs });
      await aof.append(cmd("SET", "before", "1"));
      full(true);
      await assert.rejects(aof.append(cmd("APPEND", "log", "x".repeat(100))), AofFailedError);
      full(false);
      await aof.flush();
      await aof.close();
      assert.deepEqual(await frames(base), ["SET before 1", `APPEND log ${"x".repeat(100)}`]);
    });

    it("close() on a disk still full rejects, saying how many writes are not on disk", async () => {
      const fs = memFs();
      const aof = await Aof.open(P, { fsync, fs });
      fs.failOn((op) => op.kind === "write", enospc());
      const acked = [aof.append(cmd("SET", "a", "1")), aof.append(cmd("SET", "b", "2"))];
      await Promise.allSettled(acked);
      await turn();
      await assert.rejects(aof.close(), (e: unknown) => {
        assert.ok(e instanceof AofFailedError);
        assert.equal(e.notOnDisk.frames, 2);
        assert.match(e.message, /2 write\(s\), \d+ byte\(s\), not on disk/);
        return true;
      });
    });
  });
}

describe("a sync failure", () => {
  it("fails the log; the retry syncs again and the log is ok", async () => {
    const fs = memFs();
    const aof = await Aof.open(P, { fsync: "always", fs });
    fs.failNext("syncData", Object.assign(new Error("EIO"), { code: "EIO" }));
    await assert.rejects(aof.append(cmd("SET", "a", "1")), AofFailedError);
    assert.equal(aof.lastWriteStatus, "failed");
    assert.match(aof.lastWriteError!.message, /EIO/);
    await aof.flush();
    assert.equal(aof.lastWriteStatus, "ok");
    await aof.close();
    assert.deepEqual(await frames(fs), ["SET a 1"]);
  });
});
