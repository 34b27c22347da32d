// The per-shard save journal `<dump>.save`: its text, its atomic commit
// (temp, fsync, rename, directory fsync) and the recovery that rolls a
// committed save/rewrite forward or discards an uncommitted one. Every
// recovery step is idempotent, so a crash during recovery is recovered by
// running it again.
import type { FsAdapter } from "../fs/types.ts";
import { isNotFound } from "../fs/types.ts";
import { basename, dirname } from "../fs/path.ts";
import { exists, removeIfExists, writeFileDurable } from "../fs/durable.ts";
import { rewriteName, tmpName } from "../codec/names.ts";

/** What a committed journal asks for. */
export type SaveOp = "save" | "rewrite";

const HEADER = "kevy-persist-save v1";

/** The paths involved in one shard's save protocol. */
export interface SavePaths {
  snapshot: string;
  aof: string;
  snapshotTmp: string;
  aofRewrite: string;
  journal: string;
  journalTmp: string;
  dir: string;
}

/** Names of every file of the protocol. */
export function savePaths(snapshot: string, aof: string): SavePaths {
  const journal = `${snapshot}.save`;
  return {
    snapshot,
    aof,
    snapshotTmp: tmpName(snapshot),
    aofRewrite: rewriteName(aof),
    journal,
    journalTmp: tmpName(journal),
    dir: dirname(snapshot),
  };
}

/** What recovery did. */
export interface RecoveryReport {
  /** The committed operation that was rolled forward, or null. */
  rolledForward: SaveOp | null;
  /** Leftover temp files removed (uncommitted save/rewrite). */
  removed: string[];
}

function journalText(op: SaveOp): Uint8Array {
  return new TextEncoder().encode(`${HEADER}\nop=${op}\n`);
}

function parseJournal(bytes: Uint8Array): SaveOp | null {
  const lines = new TextDecoder().decode(bytes).split("\n");
  if (lines[0] !== HEADER) return null;
  const op = lines.find((l) => l.startsWith("op="))?.slice(3);
  return op === "save" || op === "rewrite" ? op : null;
}

/** Commit point: the journal appears atomically and durably (temp, fsync, rename, dir fsync). */
export async function commitJournal(fs: FsAdapter, p: SavePaths, op: SaveOp): Promise<void> {
  await writeFileDurable(fs, p.dir, basename(p.journal), journalText(op));
}

/** The renames/removals a committed `op` performs (also the roll-forward). Ends with a dir sync. */
export async function applyCommitted(fs: FsAdapter, p: SavePaths, op: SaveOp): Promise<void> {
  if (op === "save") {
    if (await exists(fs, p.snapshotTmp)) await fs.rename(p.snapshotTmp, p.snapshot);
  } else {
    // The rewritten log holds the whole keyspace: a snapshot under it would be applied twice.
    await removeIfExists(fs, p.snapshotTmp);
    await removeIfExists(fs, p.snapshot);
  }
  if (await exists(fs, p.aofRewrite)) await fs.rename(p.aofRewrite, p.aof);
  await fs.syncDir(p.dir);
}

/** Removes the journal (last step of a commit and of recovery). */
export async function dropJournal(fs: FsAdapter, p: SavePaths): Promise<void> {
  await removeIfExists(fs, p.journal);
  await fs.syncDir(p.dir);
}

/**
 * Run before anything reads the shard's files: a committed journal is rolled
 * forward and removed; otherwise leftovers of an interrupted save/rewrite
 * are deleted.
 */
export async function recoverSave(fs: FsAdapter, p: SavePaths): Promise<RecoveryReport> {
  let bytes: Uint8Array | null = null;
  try {
    bytes = await fs.readFile(p.journal);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (bytes !== null) {
    const op = parseJournal(bytes);
    // Written by fsync-then-rename, so it cannot be torn; refuse to guess if it is.
    if (op === null) throw new Error(`${p.journal}: unreadable save journal; inspect it by hand`);
    await applyCommitted(fs, p, op);
    await removeIfExists(fs, p.journalTmp);
    await dropJournal(fs, p);
    return { rolledForward: op, removed: [] };
  }
  const removed: string[] = [];
  for (const path of [p.snapshotTmp, p.aofRewrite, p.journalTmp]) {
    if (await removeIfExists(fs, path)) removed.push(path);
  }
  if (removed.length > 0) await fs.syncDir(p.dir);
  return { rolledForward: null, removed };
}

/** The files a read-only reader uses to see what recovery would leave (null: no such file). */
export interface SaveView {
  /** The snapshot to load (the committed temp while its rename is pending), or null. */
  snapshot: string | null;
  /** The AOF to replay (the committed rewrite while its rename is pending), or null. */
  aof: string | null;
}

/**
 * What {@link recoverSave} would leave, without changing anything: for a committed
 * journal the temps that roll forward stand in for the files they replace (and a
 * committed rewrite has no snapshot); otherwise the files as they are.
 */
export async function saveView(fs: FsAdapter, p: SavePaths): Promise<SaveView> {
  let op: SaveOp | null = null;
  let bytes: Uint8Array | null = null;
  try {
    bytes = await fs.readFile(p.journal);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (bytes !== null) {
    op = parseJournal(bytes);
    if (op === null) throw new Error(`${p.journal}: unreadable save journal; inspect it by hand`);
  }
  const pick = async (temp: string, final: string): Promise<string | null> => {
    if (op !== null && (await exists(fs, temp))) return temp;
    return (await exists(fs, final)) ? final : null;
  };
  const snapshot = op === "rewrite" ? null : await pick(p.snapshotTmp, p.snapshot);
  return { snapshot, aof: await pick(p.aofRewrite, p.aof) };
}
