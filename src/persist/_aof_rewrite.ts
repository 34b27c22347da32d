// Writes a compacted log (header + the keyspace as commands, see
// _rewrite_frames.ts) to a temp path in 64 KiB writes, then syncs it. The
// caller renames it into place (or `compactLog` does). On any error the temp
// file is removed. Pass `freezeEntries(store.entries())` for a store: string
// records are then written straight from its arena.
import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import { dirname } from "../fs/path.ts";
import { compactLogPieces } from "./_rewrite_frames.ts";
import { Pacer, SAVE_TURN_MS } from "./_pacer.ts";

export { REWRITE_WRITE_BYTES } from "./_rewrite_frames.ts";
export { freezeEntries } from "../codec/snapshot_writer.ts";

/** Writes and fsyncs `tmp`; returns its size. */
export async function writeCompactLog(
  fs: FsAdapter,
  tmp: string,
  entries: Iterable<Entry>,
  now: number,
  format: 1 | 2 = 1,
  libraries: Iterable<Uint8Array> = [],
): Promise<number> {
  const f = await fs.openWrite(tmp);
  let size = 0;
  try {
    const pacer = new Pacer(SAVE_TURN_MS); // a turn every few ms even if writes complete at once
    for (const piece of compactLogPieces(entries, now, format, libraries)) {
      size += piece.length;
      await f.write(piece);
      await pacer.turn();
    }
    await f.sync();
    await f.close();
  } catch (e) {
    await f.close().catch(() => {});
    await fs.remove(tmp).catch(() => {});
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
  format: 1 | 2 = 1,
  libraries: Iterable<Uint8Array> = [],
): Promise<number> {
  const tmp = `${path}.rewrite`;
  const size = await writeCompactLog(fs, tmp, entries, now, format, libraries);
  try {
    await fs.rename(tmp, path);
    await fs.syncDir(dirname(path));
  } catch (e) {
    await fs.remove(tmp).catch(() => {});
    throw e; // the old log is intact and still open
  }
  return size;
}
