// The data-directory lock: `<dir>/kevy.lock`, created exclusively and holding
// JSON {pid, host, startedAt}. A lock naming a live process on this host (or
// any process on another host, whose liveness we cannot check) refuses the
// open; a lock whose process is gone, or that stays unparsable, is taken over.
import type { FsAdapter } from "../fs/types.ts";
import { isAlreadyExists, isNotFound } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { hostName, isProcessAlive, processId } from "../fs/proc.ts";
import { StoreLockedError } from "./errors.ts";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "kevy.lock";

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: number;
}

/** A held lock. */
export interface DirLock {
  path: string;
  info: LockInfo;
  release(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
// An unparsable lock may be one being written right now: look again a few
// times before calling it stale.
const UNPARSABLE_RETRIES = 5;
const UNPARSABLE_WAIT_MS = 20;

function parseLock(bytes: Uint8Array): LockInfo | null {
  try {
    const v = JSON.parse(dec.decode(bytes)) as Partial<LockInfo> | null;
    if (v && typeof v.pid === "number" && typeof v.host === "string") {
      return { pid: v.pid, host: v.host, startedAt: Number(v.startedAt ?? 0) };
    }
  } catch { /* fall through */ }
  return null;
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

async function readExisting(fs: FsAdapter, path: string): Promise<LockInfo | null | "gone"> {
  for (let i = 0;; i++) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path);
    } catch (e) {
      if (isNotFound(e)) return "gone";
      throw e;
    }
    const info = parseLock(bytes);
    if (info || i >= UNPARSABLE_RETRIES) return info;
    await new Promise((r) => setTimeout(r, UNPARSABLE_WAIT_MS));
  }
}

/**
 * Take the lock of `dir`, or throw {@link StoreLockedError}. `warn` hears about takeovers.
 */
export async function acquireLock(
  fs: FsAdapter,
  dir: string,
  now: number,
  warn: (message: string) => void,
): Promise<DirLock> {
  const path = joinPath(dir, LOCK_FILE);
  const info: LockInfo = { pid: processId(), host: hostName(), startedAt: now };
  for (let attempt = 0; attempt < 4; attempt++) {
    if (await tryCreate(fs, path, info)) return held(fs, path, info);
    const existing = await readExisting(fs, path);
    if (existing === "gone") continue;
    if (existing) {
      const sameHost = existing.host === info.host;
      if (!sameHost || isProcessAlive(existing.pid)) {
        throw new StoreLockedError(path, existing.pid, existing.host);
      }
      warn(
        `kevy: taking over stale lock ${path} (pid ${existing.pid} on ${existing.host} is gone)`,
      );
    } else {
      warn(`kevy: taking over unreadable lock ${path}`);
    }
    try {
      await fs.remove(path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  throw new StoreLockedError(path, -1, "unknown");
}

function held(fs: FsAdapter, path: string, info: LockInfo): DirLock {
  let released = false;
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      // Only remove the file if it is still ours (a takeover may have replaced it).
      try {
        const cur = parseLock(await fs.readFile(path));
        if (
          cur && cur.pid === info.pid && cur.host === info.host && cur.startedAt === info.startedAt
        ) {
          await fs.remove(path);
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
