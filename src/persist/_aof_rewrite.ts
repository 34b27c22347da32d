// Writes a compacted log (header + the keyspace as commands) to a temp path
// through a ByteWriter flushed every ~1 MiB, then syncs it. The caller
// renames it into place (or `compactLog` does). On any error the temp file is
// removed.
import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import { dirname } from "../fs/path.ts";
import { ByteWriter } from "../codec/bytes.ts";
import { AOF_MAGIC, encodeCommandInto } from "../codec/resp.ts";
import { entryToCommands } from "./rewrite_commands.ts";

/** Flush threshold of the rewrite writer. */
export const REWRITE_WRITE_BYTES = 1 << 20;

function live(e: Entry, now: number): boolean {
  return e.deadline === null || e.deadline > now;
}

/** Writes and fsyncs `tmp`; returns its size. */
export async function writeCompactLog(
  fs: FsAdapter,
  tmp: string,
  entries: Iterable<Entry>,
  now: number,
): Promise<number> {
  const f = await fs.openWrite(tmp);
  let size = 0;
  try {
    const w = new ByteWriter(REWRITE_WRITE_BYTES + 65536);
    w.writeBytes(AOF_MAGIC);
    for (const e of entries) {
      if (!live(e, now)) continue;
      for (const cmd of entryToCommands(e)) encodeCommandInto(w, cmd);
      if (w.length >= REWRITE_WRITE_BYTES) {
        size += w.length;
        await f.write(w.bytes());
        w.reset();
      }
    }
    size += w.length;
    if (w.length > 0) await f.write(w.bytes());
    await f.sync();
    await f.close();
  } catch (e) {
    await f.close().catch(() => {});
    await fs.remove(tmp).catch(() => {});
    throw e;
  }
  return size;
}

/** Blocking {@link writeCompactLog}. */
export function writeCompactLogSync(
  fs: FsAdapter,
  tmp: string,
  entries: Iterable<Entry>,
  now: number,
): number {
  const f = fs.openWriteSync(tmp);
  let size = 0;
  try {
    const w = new ByteWriter(REWRITE_WRITE_BYTES + 65536);
    w.writeBytes(AOF_MAGIC);
    for (const e of entries) {
      if (!live(e, now)) continue;
      for (const cmd of entryToCommands(e)) encodeCommandInto(w, cmd);
      if (w.length >= REWRITE_WRITE_BYTES) {
        size += w.length;
        f.writeSync(w.bytes());
        w.reset();
      }
    }
    size += w.length;
    if (w.length > 0) f.writeSync(w.bytes());
    f.syncSync();
    f.closeSync();
  } catch (e) {
    try {
      f.closeSync();
    } catch { /* ignore */ }
    try {
      fs.removeSync(tmp);
    } catch { /* ignore */ }
    throw e;
  }
  return size;
}

/**
 * Replaces the log at `path` with a compacted one: `<path>.rewrite` written
 * and synced, renamed over the log, directory synced. Returns its size. On
 * error the temp file is removed and the old log is intact.
 */
export async function compactLog(
  fs: FsAdapter,
  path: string,
  entries: Iterable<Entry>,
  now: number,
): Promise<number> {
  const tmp = `${path}.rewrite`;
  const size = await writeCompactLog(fs, tmp, entries, now);
  try {
    await fs.rename(tmp, path);
    await fs.syncDir(dirname(path));
  } catch (e) {
    await fs.remove(tmp).catch(() => {});
    throw e; // the old log is intact and still open
  }
  return size;
}
