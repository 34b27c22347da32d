// The data-directory lock, exclusive always, with a takeover that cannot let two processes in.
//
// The lock is a numbered file `<dir>/kevy.lock.<N>` holding JSON (pid, host, boot id, the
// process's start time, a nonce); the highest N present is the lock (a bare `kevy.lock` left
// by an older version counts as N = 0). Each generation is created with O_EXCL, so one racer
// wins it. To take over a stale generation N a process creates N + 1, writes itself into it,
// then checks that N is still not a live lock (a racer that looked at N before N's holder had
// written it backs off here) and that nothing above N + 1 appeared (a racer working from an
// older listing backs off there); then it removes the older generations. Release turns the
// file into a tombstone (temp + rename), never removes it: numbers only grow, so no process
// working from an old listing can land below a live holder unnoticed.
//
// Stale: same host and (another boot, or the pid is gone, or the pid now belongs to a process
// that started at another time — a restarted container is pid 1 again). Another host: its
// liveness is unknown, so the lock holds.
import type { FsAdapter } from "../fs/types.ts";
import { isAlreadyExists, isNotFound } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { bootId, hostName, isProcessAlive, processId, processStartTime } from "../fs/proc.ts";
import { StoreLockedError } from "./errors.ts";

/** The legacy (generation 0) lock file name; generations are `kevy.lock.<N>`. */
export const LOCK_FILE = "kevy.lock";
const GEN = /^kevy\.lock\.([1-9]\d{0,14})$/;

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  /** The kernel's boot id (Linux), or null. */
  bootId: string | null;
  /** The process's start time (clock ticks since boot, Linux), or null. */
  start: string | null;
  startedAt: number;
  nonce: string;
}

/** How this process tells who it is and whether a lock's holder still runs (tests replace it). */
export interface LockEnv {
  /** This process. */
  self(): Promise<Omit<LockInfo, "startedAt" | "nonce">>;
  /** "alive", "dead", or "unknown" (another host: treated as alive). */
  liveness(info: LockInfo): Promise<"alive" | "dead" | "unknown">;
  /** Waits before looking again at a lock file being written (default: a timer); tests shorten it. */
  pause?(ms: number): Promise<void>;
}

/** The real process facts. */
export const PROCESS_ENV: LockEnv = {
  async self() {
    const pid = processId();
    return { pid, host: hostName(), bootId: await bootId(), start: await processStartTime(pid) };
  },
  async liveness(info) {
    if (info.host !== hostName()) return "unknown";
    const boot = await bootId();
    if (info.bootId !== null && boot !== null && info.bootId !== boot) return "dead";
    if (!isProcessAlive(info.pid)) return "dead";
    if (info.start !== null) {
      const now = await processStartTime(info.pid);
      if (now !== null && now !== info.start) return "dead"; // the pid was reused
    }
    return "alive";
  },
};

/** A held lock. */
export interface DirLock {
  path: string;
  info: LockInfo;
  /**
   * How the previous holder left: released cleanly, gone without releasing (or released
   * with split writes unsettled: recovery must decide them), or no lock yet.
   */
  previous: "released" | "stale" | "none";
  /** The holder of a stale lock taken over (it did not release it: it crashed or was killed). */
  staleHolder: LockInfo | null;
  /** Releases; `unsettled`: a split write was left waiting (the next open runs recovery). */
  release(opts?: { unsettled?: boolean }): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
// A lock file is created, then written: an unparsable one may be one being written right
// now. Look again a few times (safety does not depend on this wait, only how often a racer
// backs off).
const UNPARSABLE_RETRIES = 5;
const UNPARSABLE_WAIT_MS = 20;
const ATTEMPTS = 8;

type Read = LockInfo | "released" | "unsettled" | "unparsable" | "gone";

function parseLock(bytes: Uint8Array): LockInfo | "released" | "unsettled" | null {
  try {
    const v = JSON.parse(dec.decode(bytes)) as Record<string, unknown> | null;
    if (v && v["released"] === true) return v["unsettled"] === true ? "unsettled" : "released";
    if (v && typeof v["pid"] === "number" && typeof v["host"] === "string") {
      return {
        pid: v["pid"],
        host: v["host"],
        bootId: typeof v["bootId"] === "string" ? v["bootId"] : null,
        start: typeof v["start"] === "string" ? v["start"] : null,
        startedAt: Number(v["startedAt"] ?? 0),
        nonce: typeof v["nonce"] === "string" ? v["nonce"] : "",
      };
    }
  } catch { /* fall through */ }
  return null;
}

function genName(n: number): string {
  return n === 0 ? LOCK_FILE : `${LOCK_FILE}.${n}`;
}

/** Lock generations present in `dir`, ascending. */
async function generations(fs: FsAdapter, dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await fs.readDir(dir)) {
    if (e.name === LOCK_FILE) out.push(0);
    const m = GEN.exec(e.name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

async function readLock(fs: FsAdapter, path: string, env: LockEnv): Promise<Read> {
  for (let i = 0;; i++) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (e) {
      if (isNotFound(e)) return "gone";
      throw e;
    }
    const info = parseLock(bytes);
    if (info !== null) return info;
    if (i >= UNPARSABLE_RETRIES) return "unparsable";
    await (env.pause !== undefined
      ? env.pause(UNPARSABLE_WAIT_MS)
      : new Promise((r) => setTimeout(r, UNPARSABLE_WAIT_MS)));
  }
}

async function tryCreate(fs: FsAdapter, path: string, info: LockInfo): Promise<boolean> {
  let f;
  try {
    f = await fs.openWrite(path, { exclusive: true });
  } catch (e) {
    if (isAlreadyExists(e)) return false;
    throw e;
  }
  try {
    await f.write(enc.encode(JSON.stringify(info) + "\n"));
    await f.syncData();
  } finally {
    await f.close();
  }
  return true;
}

async function removeQuiet(fs: FsAdapter, path: string): Promise<void> {
  try {
    await fs.remove(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Whether a read lock is held by a live process (or one whose liveness is unknown). */
async function isLive(env: LockEnv, r: Read): Promise<LockInfo | null> {
  return typeof r === "object" && (await env.liveness(r)) !== "dead" ? r : null;
}

/**
 * The live holder of `dir`'s lock, or null (no lock, released, or stale). For commands
 * that must not run while a store has the dir open.
 */
export async function lockHolder(
  fs: FsAdapter,
  dir: string,
  env: LockEnv = PROCESS_ENV,
): Promise<{ path: string; info: LockInfo } | null> {
  const top = (await generations(fs, dir)).at(-1);
  if (top === undefined) return null;
  const path = joinPath(dir, genName(top));
  const live = await isLive(env, await readLock(fs, path, env));
  return live === null ? null : { path, info: live };
}

/**
 * Take the lock of `dir`, or throw {@link StoreLockedError}. `warn` hears about takeovers.
 */
export async function acquireLock(
  fs: FsAdapter,
  dir: string,
  now: number,
  warn: (message: string) => void,
  env: LockEnv = PROCESS_ENV,
): Promise<DirLock> {
  const info: LockInfo = {
    ...(await env.self()),
    startedAt: now,
    nonce: Math.random().toString(36).slice(2) + Date.now().toString(36),
  };
  let blocker: { path: string; info: LockInfo } | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const top = (await generations(fs, dir)).at(-1);
    let target = 1;
    let previous: DirLock["previous"] = "none";
    let staleHolder: LockInfo | null = null;
    if (top !== undefined) {
      const topPath = joinPath(dir, genName(top));
      const cur = await readLock(fs, topPath, env);
      if (cur === "gone") continue;
      const live = await isLive(env, cur);
      if (live !== null) throw new StoreLockedError(topPath, live.pid, live.host);
      previous = cur === "released" ? "released" : "stale";
      if (cur === "unparsable") warn(`kevy: taking over unreadable lock ${topPath}`);
      else if (cur !== "released" && cur !== "unsettled") staleHolder = cur; // told by openStore
      target = top + 1;
    }
    const path = joinPath(dir, genName(target));
    if (!(await tryCreate(fs, path, info))) continue; // a racer won this generation
    // Below: the generation we judged may have been half-written when we read it.
    if (top !== undefined) {
      const again = await isLive(env, await readLock(fs, joinPath(dir, genName(top)), env));
      if (again !== null) {
        await removeQuiet(fs, path);
        blocker = { path: joinPath(dir, genName(top)), info: again };
        continue;
      }
    }
    // Above: a racer working from an older listing may hold a higher generation.
    const after = await generations(fs, dir);
    if (after.at(-1)! > target) {
      await removeQuiet(fs, path);
      continue;
    }
    for (const g of after) if (g < target) await removeQuiet(fs, joinPath(dir, genName(g)));
    return held(fs, dir, path, info, previous, staleHolder);
  }
  if (blocker !== null) {
    throw new StoreLockedError(blocker.path, blocker.info.pid, blocker.info.host);
  }
  throw new StoreLockedError(joinPath(dir, LOCK_FILE), -1, "unknown");
}

function held(
  fs: FsAdapter,
  dir: string,
  path: string,
  info: LockInfo,
  previous: DirLock["previous"],
  staleHolder: LockInfo | null,
): DirLock {
  let released = false;
  return {
    path,
    info,
    previous,
    staleHolder,
    async release(opts = {}) {
      if (released) return;
      released = true;
      // Only if the file is still ours; a tombstone, never a removal (numbers only grow).
      try {
        const cur = parseLock(await fs.readFile(path));
        if (cur === null || typeof cur === "string" || cur.nonce !== info.nonce) return;
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      const tmp = `${path}.tmp-${info.nonce}`;
      try {
        const f = await fs.openWrite(tmp);
        try {
          const tomb = opts.unsettled === true
            ? { released: true, unsettled: true, pid: info.pid }
            : { released: true, pid: info.pid };
          await f.write(enc.encode(JSON.stringify(tomb) + "\n"));
          await f.syncData();
        } finally {
          await f.close();
        }
        await fs.rename(tmp, path);
        await fs.syncDir(dir);
      } catch {
        // No room for a tombstone (a full disk): an emptied lock file is not live either
        // (unparsable, so taken over after a short wait), and emptying needs no space.
        await removeQuiet(fs, tmp).catch(() => {});
        const f = await fs.openAppend(path);
        try {
          await f.truncate(0);
          await f.syncData();
        } finally {
          await f.close();
        }
      }
    },
  };
}
