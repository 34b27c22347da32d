// Recovery of multi-key writes split across shards (codec/group.ts): after a crash each
// group is applied on every participant or on none.
//
// Why only log tails matter: a participant accepts no further appends until the group's part
// is durable on every participant, and then appends `EXEC <gid>` first. So a part without its
// EXEC can only be the last thing in a log, and a group whose part is missing somewhere was
// never acknowledged under `always`. A part followed by anything is committed. Save and
// rewrite of a shard wait until its groups' EXECs are durable everywhere, so no participant's
// evidence disappears while another still needs it.
//
// The rule for a group G open at a log's tail (its part there has no EXEC): committed iff every
// participant's log holds G's part complete (all its frames) or `EXEC G`. Committed: `EXEC G`
// is appended (durably) where missing, so that replay needs no decision. Not committed: G's
// part is cut from every log whose tail it is, the cut bytes kept as `<aof>.torn.<stamp>-group`.
import type { FsAdapter } from "../fs/types.ts";
import { dirname } from "../fs/path.ts";
import { AOF2_MAGIC, encodeRecord } from "../codec/aof2.ts";
import { encodeCommand } from "../codec/resp.ts";
import { groupEnd } from "../codec/group.ts";
import { replayAofFrames } from "../persist/replay_frames.ts";

/** What one log says about groups. */
interface LogGroups {
  path: string;
  /** The last part, if it has no EXEC after it (an open tail). */
  open: { gid: string; shards: number[]; frames: number; seen: number; offset: number } | null;
  /** Gids whose part here is complete, or whose EXEC is here (filled for the open gids only). */
  done: Set<string>;
  /** Where a torn tail starts, or null. */
  tornAt: number | null;
}

/** One pass over a log: its open tail part, and which of the `want` gids it completed. */
async function scanGroups(fs: FsAdapter, path: string, want: Set<string>): Promise<LogGroups> {
  const out: LogGroups = { path, open: null, done: new Set(), tornAt: null };
  let cur: { gid: string; shards: number[]; frames: number; seen: number; offset: number } | null =
    null;
  const settle = () => {
    if (cur !== null && cur.seen >= cur.frames && want.has(cur.gid)) {
      out.done.add(cur.gid);
    }
  };
  // Parse-only: the frames are only counted, so none is made into an argv.
  const stats = await replayAofFrames(path, () => {
    if (cur !== null) cur.seen++;
  }, {
    fs,
    onGroupMarker: (m, offset) => {
      if (m.kind === "begin") {
        settle();
        cur = { gid: m.gid, shards: m.shards, frames: m.frames, seen: 0, offset };
      } else {
        if (want.has(m.gid)) out.done.add(m.gid);
        if (cur !== null && cur.gid === m.gid) cur = null;
      }
    },
  });
  settle();
  out.open = cur;
  out.tornAt = stats.tornAt;
  return out;
}

/** What {@link recoverGroups} did. */
export interface GroupRecovery {
  /** Groups found open at a log's tail and completed (EXEC appended). */
  committed: string[];
  /** Groups cut from every log whose tail they were (never acknowledged). */
  cut: string[];
}

/**
 * Decides every group left open at a log tail of the `aofs` (index = shard of the layout that
 * wrote them) and makes the logs say so. Idempotent; a crash during it is recovered by the next.
 */
export async function recoverGroups(
  fs: FsAdapter,
  aofs: string[],
  now: () => number,
): Promise<GroupRecovery> {
  let logs: LogGroups[] = [];
  for (const p of aofs) logs.push(await scanGroups(fs, p, new Set()));
  const open = new Map<string, { shards: number[] }>();
  for (const l of logs) if (l.open !== null) open.set(l.open.gid, { shards: l.open.shards });
  const result: GroupRecovery = { committed: [], cut: [] };
  if (open.size === 0) return result;
  // Rare (a crash with a split write in flight): a second pass learns where those gids completed.
  const want = new Set(open.keys());
  logs = [];
  for (const p of aofs) logs.push(await scanGroups(fs, p, want));
  for (const [gid, g] of open) {
    const committed = g.shards.every((s) => {
      const l = logs[s];
      if (l === undefined) return false;
      if (l.open !== null && l.open.gid === gid) return l.open.seen >= l.open.frames;
      return l.done.has(gid);
    });
    for (const s of g.shards) {
      const l = logs[s];
      if (l === undefined || l.open === null || l.open.gid !== gid) continue;
      if (committed) {
        // A torn frame after the part (a half-written EXEC) goes first, kept aside.
        if (l.tornAt !== null) await cutTail(fs, l.path, l.tornAt, now());
        const v2 = await isV2(fs, l.path);
        await appendDurably(fs, l.path, (v2 ? encodeRecord : encodeCommand)(groupEnd(gid)));
      } else await cutTail(fs, l.path, l.open.offset, now());
    }
    (committed ? result.committed : result.cut).push(gid);
  }
  return result;
}

/** True when the log at `path` is a KEVYAOF2 log (its records are checksummed). */
async function isV2(fs: FsAdapter, path: string): Promise<boolean> {
  const n = AOF2_MAGIC.length;
  const head = new Uint8Array(n);
  let got = 0;
  for await (const c of fs.readChunks(path, n)) {
    const take = c.subarray(0, n - got);
    head.set(take, got);
    got += take.length;
    if (got === n) break;
  }
  return got === n && head.every((b, i) => b === AOF2_MAGIC[i]);
}

async function appendDurably(fs: FsAdapter, path: string, bytes: Uint8Array): Promise<void> {
  const f = await fs.openAppend(path);
  try {
    await f.write(bytes);
    await f.syncData();
  } finally {
    await f.close();
  }
}

/** Keeps `path`'s bytes from `offset` in a quarantine file (synced), then cuts them. */
async function cutTail(fs: FsAdapter, path: string, offset: number, stamp: number): Promise<void> {
  const size = (await fs.stat(path))?.size ?? 0;
  if (offset >= size) return;
  let name = `${path}.torn.${stamp}-group`;
  for (let i = 1; (await fs.stat(name)) !== null; i++) name = `${path}.torn.${stamp}-group-${i}`;
  const q = await fs.openWrite(name);
  try {
    let at = 0;
    for await (const c of fs.readChunks(path, 1 << 20)) {
      const from = Math.max(0, offset - at);
      if (from < c.length) await q.write(c.subarray(from));
      at += c.length;
    }
    await q.sync();
  } finally {
    await q.close();
  }
  await fs.syncDir(dirname(path)); // the copy exists before the log shrinks
  const f = await fs.openAppend(path);
  try {
    await f.truncate(offset);
    await f.sync();
  } finally {
    await f.close();
  }
}
