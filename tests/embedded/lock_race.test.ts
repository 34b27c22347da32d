// Issue 11, item 8: the dir lock is exclusive, always. Racers over a stale lock: exactly one
// wins, every time (the old takeover removed the winner's fresh lock). A stale lock is told
// by boot id and process start time, so a restarted container (pid 1 again) gets in.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { rng, tempDir } from "../_helpers.ts";
import type { FsAdapter } from "../../src/fs/types.ts";
import { defaultFs } from "../../src/fs/detect.ts";
import { acquireLock, type LockEnv, type LockInfo } from "../../src/embedded/_lock.ts";
import { StoreLockedError } from "../../src/embedded/errors.ts";
import { bootId } from "../../src/fs/proc.ts";

const fs = defaultFs();
const quiet = (): void => {};

function finishedPid(): number {
  const r = spawnSync("true");
  return typeof r.pid === "number" && r.pid > 0 ? r.pid : 999999;
}

/** A stale lock as an older version (or a killed process) leaves it. */
function staleLegacyLock(dir: string): void {
  writeFileSync(
    join(dir, "kevy.lock"),
    JSON.stringify({ pid: finishedPid(), host: hostname(), startedAt: 1 }),
  );
}

// Racers' pids lie above Linux's PID_MAX_LIMIT (2^22): the stale lock's real, finished pid can
// never be one of them (with pid_max 32768 the counter wraps often in a long suite, and a
// finished pid of 1001 made the stale lock look held by racer 1001: "race 0: 0 holders").
const LIVE = [5_000_001, 5_000_002, 5_000_003, 5_000_004];

/** Racers that look like distinct live processes (pids of LIVE) on this host and boot. */
function fakeProcess(
  pid: number,
  live: Set<number>,
  boot: string | null,
  pause?: () => Promise<void>,
): LockEnv {
  return {
    ...(pause !== undefined ? { pause } : {}),
    self: () => Promise.resolve({ pid, host: hostname(), bootId: boot, start: `t${pid}` }),
    liveness: (info: LockInfo) =>
      Promise.resolve(
        info.host !== hostname()
          ? "unknown"
          : info.bootId !== null && boot !== null && info.bootId !== boot
          ? "dead"
          : live.has(info.pid) && (info.start === null || info.start === `t${info.pid}`)
          ? "alive"
          : "dead",
      ),
  };
}

/**
 * `fs` with a seeded random pause before and after every call (on the adapter and on the files it
 * opens): a few microtask turns or a timer turn, so the racers' steps interleave in orders that
 * plain concurrency on an idle machine rarely produces.
 */
function jittery(inner: FsAdapter, seed: number): FsAdapter {
  const next = rng(seed);
  const pause = async (): Promise<void> => {
    const r = next();
    if (r < 0.2) return await new Promise<void>((res) => setTimeout(res, 0));
    for (let i = Math.floor(r * 6); i > 0; i--) await Promise.resolve();
  };
  const wrap = <T extends object>(target: T, deep: boolean): T =>
    new Proxy(target, {
      get(t, key) {
        const v = Reflect.get(t, key) as unknown;
        if (typeof v !== "function") return v;
        return async (...args: unknown[]) => {
          await pause();
          const out = await (v as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          await pause();
          return deep && String(key).startsWith("open") ? wrap(out as object, false) : out; // a file handle
        };
      },
    });
  return wrap(inner, true);
}

async function race(racers: Array<() => Promise<{ release(): Promise<void> }>>) {
  const results = await Promise.allSettled(racers.map((r) => r()));
  const won = results.filter((r) => r.status === "fulfilled");
  for (const r of results) {
    if (r.status === "rejected") assert.ok(r.reason instanceof StoreLockedError, String(r.reason));
  }
  for (const w of won) {
    await (w as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  }
  return won.length;
}

describe("the dir lock under races", () => {
  it("200 races of 4 opens in this process over a stale lock: exactly one wins each time", async () => {
    for (let i = 0; i < 200; i++) {
      const dir = tempDir("kevy-lockrace-");
      staleLegacyLock(dir);
      const n = await race(
        Array.from({ length: 4 }, () => () => acquireLock(fs, dir, i, quiet)),
      );
      assert.equal(n, 1, `race ${i}: ${n} holders`);
    }
  });

  it("200 races of 4 distinct live processes over a stale lock: exactly one wins each time", async () => {
    const boot = await bootId();
    for (let i = 0; i < 200; i++) {
      const dir = tempDir("kevy-lockrace-");
      staleLegacyLock(dir);
      const live = new Set(LIVE);
      const n = await race(
        [...live].map((pid) => () => acquireLock(fs, dir, i, quiet, fakeProcess(pid, live, boot))),
      );
      assert.equal(n, 1, `race ${i}: ${n} holders`);
    }
  });

  // The racers look again at a half-written lock file without waiting, so they meet each other's
  // fresh, still empty generations: the check of the judged generation after creating the next
  // one is what keeps the second racer out.
  it("300 races of 4 live processes with seeded pauses around every fs step: exactly one wins", async () => {
    const boot = await bootId();
    for (let i = 0; i < 300; i++) {
      const dir = tempDir("kevy-lockrace-");
      staleLegacyLock(dir);
      const live = new Set(LIVE);
      const jfs = jittery(fs, 7000 + i);
      const n = await race(
        [...live].map((pid) => () =>
          acquireLock(jfs, dir, i, quiet, fakeProcess(pid, live, boot, () => Promise.resolve()))
        ),
      );
      assert.equal(n, 1, `race ${i} (seed ${7000 + i}): ${n} holders`);
    }
  });
});

describe("stale lock detection", () => {
  const boot = "boot-a";
  function lockOf(dir: string, info: Partial<LockInfo>): void {
    writeFileSync(
      join(dir, "kevy.lock.7"),
      JSON.stringify({ host: hostname(), startedAt: 1, nonce: "x", ...info }),
    );
  }

  it("a restarted container (pid 1 again, same host and boot, a new start time) takes over", async () => {
    const dir = tempDir();
    lockOf(dir, { pid: 1, bootId: boot, start: "t-old" });
    const env = fakeProcess(1, new Set([1]), boot); // we are pid 1, started at "t1"
    const lock = await acquireLock(fs, dir, 2, quiet, env);
    assert.equal(lock.path, join(dir, "kevy.lock.8"));
    await lock.release();
  });

  it("the same pid with the same start time is the holder itself: refused", async () => {
    const dir = tempDir();
    lockOf(dir, { pid: 1, bootId: boot, start: "t1" });
    await assert.rejects(
      acquireLock(fs, dir, 2, quiet, fakeProcess(1, new Set([1]), boot)),
      (e: unknown) => e instanceof StoreLockedError && e.path === join(dir, "kevy.lock.7"),
    );
  });

  it("a lock written under another boot id is stale even if its pid runs now", async () => {
    const dir = tempDir();
    lockOf(dir, { pid: 1002, bootId: "boot-before-reboot", start: "t1002" });
    const lock = await acquireLock(
      fs,
      dir,
      2,
      quiet,
      fakeProcess(1001, new Set([1001, 1002]), boot),
    );
    await lock.release();
  });

  it("a live process on this host and boot holds the lock", async () => {
    const dir = tempDir();
    lockOf(dir, { pid: 1002, bootId: boot, start: "t1002" });
    await assert.rejects(
      acquireLock(fs, dir, 2, quiet, fakeProcess(1001, new Set([1001, 1002]), boot)),
      StoreLockedError,
    );
  });
});
