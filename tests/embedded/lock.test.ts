// The data-directory lock: exclusive while open, released on close, stale locks taken over.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { tempDir } from "../_helpers.ts";
import { openStore } from "../../src/embedded/open.ts";
import { StoreLockedError } from "../../src/embedded/errors.ts";
import type { MetricEvent } from "../../src/embedded/options.ts";
import { bootId, processStartTime } from "../../src/fs/proc.ts";
import { defaultFs } from "../../src/fs/detect.ts";
import { lockHolder } from "../../src/embedded/_lock.ts";

function finishedPid(): number {
  const r = spawnSync("true");
  return typeof r.pid === "number" && r.pid > 0 ? r.pid : 999999;
}

describe("embedded store directory lock", () => {
  it("writes a lock generation with pid, host, boot id and process start time while open", async () => {
    const dir = tempDir();
    const db = await openStore({ dir, clock: () => 1234, activeExpireIntervalMs: 0 });
    const lock = JSON.parse(readFileSync(join(dir, "kevy.lock.1"), "utf8"));
    assert.equal(lock.pid, process.pid);
    assert.equal(lock.host, hostname());
    assert.equal(lock.startedAt, 1234);
    assert.equal(lock.bootId, await bootId());
    assert.equal(lock.start, await processStartTime(process.pid));
    await db.close();
    // Released as a tombstone (generations only grow): the next open takes generation 2.
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "kevy.lock.1"), "utf8")).released, true);
    const again = await openStore({ dir, activeExpireIntervalMs: 0 });
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith("kevy.lock")), ["kevy.lock.2"]);
    await again.close();
  });

  it("a second open fails with StoreLockedError while the first is open, and succeeds after close", async () => {
    const dir = tempDir();
    const first = await openStore({ dir, activeExpireIntervalMs: 0 });
    await first.set("k", "v");
    await assert.rejects(openStore({ dir }), (e: unknown) => {
      assert.ok(e instanceof StoreLockedError);
      assert.equal(e.name, "StoreLockedError");
      assert.equal(e.path, join(dir, "kevy.lock.1"));
      assert.equal(e.pid, process.pid);
      assert.equal(e.host, hostname());
      return true;
    });
    await first.close();
    const second = await openStore({ dir, activeExpireIntervalMs: 0 });
    assert.equal(await second.get("k"), "v");
    await second.close();
  });

  for (
    const [label, pid] of [["a finished child process", finishedPid()], [
      "pid 999999",
      999999,
    ]] as const
  ) {
    it(`takes over a stale lock left by ${label}, with a warning`, async () => {
      const dir = tempDir();
      writeFileSync(
        join(dir, "kevy.lock"),
        JSON.stringify({ pid, host: hostname(), startedAt: 1 }),
      );
      const events: MetricEvent[] = [];
      const db = await openStore({
        dir,
        onMetric: (e) => events.push(e),
        activeExpireIntervalMs: 0,
      });
      const lock = JSON.parse(readFileSync(join(dir, "kevy.lock.1"), "utf8"));
      assert.equal(lock.pid, process.pid);
      assert.equal(existsSync(join(dir, "kevy.lock")), false, "the stale legacy lock is removed");
      assert.ok(
        events.some((e) => e.name === "warning" && /stale lock/.test(String(e["message"]))),
      );
      await db.close();
    });
  }

  it("takes over an unparsable lock file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kevy.lock"), "garbage{");
    const events: MetricEvent[] = [];
    const db = await openStore({ dir, onMetric: (e) => events.push(e), activeExpireIntervalMs: 0 });
    assert.ok(
      events.some((e) => e.name === "warning" && /unreadable lock/.test(String(e["message"]))),
    );
    await db.close();
  });

  it("refuses a lock held by a process on another host (liveness unknown)", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "kevy.lock"),
      JSON.stringify({ pid: 1, host: "elsewhere.invalid", startedAt: 1 }),
    );
    await assert.rejects(openStore({ dir }), StoreLockedError);
  });

  it("releases the lock when bring-up fails", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "aof-0.aof"),
      "KEVYAOF1\n*1\r\n$4\r\nPING\r\n%%%% not a frame\r\n*1\r\n$4\r\nPING\r\n",
    );
    await assert.rejects(openStore({ dir }));
    assert.equal(await lockHolder(defaultFs(), dir), null, "the lock was released");
  });
});
