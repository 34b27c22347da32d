// Opening a log: scan (optionally applying), create with a synced header,
// or repair a torn tail (quarantine the bytes, truncate, sync) before
// anything is appended. Sync and async twins share the plan functions.
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import type { OnUnknown, ReplayApply } from "./unknown.ts";
import { dirname } from "../fs/path.ts";
import { AOF_MAGIC } from "../codec/resp.ts";
import { AOF2_MAGIC } from "../codec/aof2.ts";
import type { ReplayStats } from "./replay.ts";
import { scanAof, scanAofSync, type ScanResult } from "./_aof_scan_file.ts";

/** A torn tail cut at open. */
export interface RepairedTail {
  /** Offset where the log was cut (the end of the last complete frame). */
  offset: number;
  /** Bytes removed from the log. */
  bytes: number;
  /** Where the removed bytes were saved (`<aof>.torn.<stamp>`). */
  savedTo: string;
}

/** What opening produced. */
export interface OpenedLog {
  file: WritableFile;
  size: number;
  header: boolean;
  /** The file's format: 2 = `KEVYAOF2` records (kept as found; a new file gets `aofFormat`). */
  format: 1 | 2;
  repaired: RepairedTail | null;
  stats: ReplayStats;
}

/** How a log is opened beyond the path. */
export interface OpenLogOptions {
  onUnknown?: OnUnknown;
  onUncommitted?: "error" | "discard";
  /** The format of a new (or empty) log: 1 (default) or 2. */
  aofFormat?: 1 | 2;
}

function scanOpts(fs: FsAdapter, o: OpenLogOptions): Parameters<typeof scanAof>[2] {
  return {
    fs,
    ...(o.onUnknown === undefined ? {} : { onUnknown: o.onUnknown }),
    ...(o.onUncommitted === undefined ? {} : { onUncommitted: o.onUncommitted }),
  };
}

const ZERO_CHUNK = 1 << 20;

function tornPieces(scan: ScanResult): Uint8Array[] {
  const out = [scan.end.tornPrefix];
  let z = scan.end.tornZeros;
  while (z > 0) {
    const n = Math.min(z, ZERO_CHUNK);
    out.push(new Uint8Array(n));
    z -= n;
  }
  return out;
}

async function freeName(fs: FsAdapter, path: string, stamp: number): Promise<string> {
  for (let i = 0;; i++) {
    const name = `${path}.torn.${stamp}${i === 0 ? "" : `-${i}`}`;
    if ((await fs.stat(name)) === null) return name;
  }
}

function freeNameSync(fs: FsAdapter, path: string, stamp: number): string {
  for (let i = 0;; i++) {
    const name = `${path}.torn.${stamp}${i === 0 ? "" : `-${i}`}`;
    if (fs.statSync(name) === null) return name;
  }
}

/** Scans (applying frames to `apply`), then opens for append, creating or repairing. */
export async function openLog(
  fs: FsAdapter,
  path: string,
  apply: ReplayApply,
  now: () => number,
  o: OpenLogOptions = {},
): Promise<OpenedLog> {
  const scan = await scanAof(path, apply, scanOpts(fs, o));
  const { end } = scan;
  let repaired: RepairedTail | null = null;
  if (end.tornAt !== null) {
    const savedTo = await freeName(fs, path, now());
    const q = await fs.openWrite(savedTo);
    try {
      for (const piece of tornPieces(scan)) if (piece.length > 0) await q.write(piece);
      await q.sync();
    } finally {
      await q.close();
    }
    await fs.syncDir(dirname(path)); // the quarantine copy exists before the log shrinks
    repaired = { offset: end.tornAt, bytes: end.tornBytes, savedTo };
  }
  const file = await fs.openAppend(path);
  try {
    let size = end.bytes;
    let header = end.header;
    let format: 1 | 2 = end.format === "v2" ? 2 : 1;
    if (end.tornAt !== null) await file.truncate(end.tornAt);
    if (size === 0) {
      // New, empty or torn-in-the-header: start a log in the configured format.
      format = o.aofFormat ?? 1;
      const magic = format === 2 ? AOF2_MAGIC : AOF_MAGIC;
      await file.write(magic);
      size = magic.length;
      header = true;
    }
    if (size !== end.bytes || end.tornAt !== null) {
      await file.sync();
      if (!scan.exists) await fs.syncDir(dirname(path));
    }
    return { file, size, header, format, repaired, stats: scan.stats };
  } catch (e) {
    await file.close().catch(() => {});
    throw e;
  }
}

/** Blocking {@link openLog}. */
export function openLogSync(
  fs: FsAdapter,
  path: string,
  apply: ReplayApply,
  now: () => number,
  o: OpenLogOptions = {},
): OpenedLog {
  const scan = scanAofSync(path, apply, scanOpts(fs, o));
  const { end } = scan;
  let repaired: RepairedTail | null = null;
  if (end.tornAt !== null) {
    const savedTo = freeNameSync(fs, path, now());
    const q = fs.openWriteSync(savedTo);
    try {
      for (const piece of tornPieces(scan)) if (piece.length > 0) q.writeSync(piece);
      q.syncSync();
    } finally {
      q.closeSync();
    }
    fs.syncDirSync(dirname(path));
    repaired = { offset: end.tornAt, bytes: end.tornBytes, savedTo };
  }
  const file = fs.openAppendSync(path);
  try {
    let size = end.bytes;
    let header = end.header;
    let format: 1 | 2 = end.format === "v2" ? 2 : 1;
    if (end.tornAt !== null) file.truncateSync(end.tornAt);
    if (size === 0) {
      format = o.aofFormat ?? 1;
      const magic = format === 2 ? AOF2_MAGIC : AOF_MAGIC;
      file.writeSync(magic);
      size = magic.length;
      header = true;
    }
    if (size !== end.bytes || end.tornAt !== null) {
      file.syncSync();
      if (!scan.exists) fs.syncDirSync(dirname(path));
    }
    return { file, size, header, format, repaired, stats: scan.stats };
  } catch (e) {
    try {
      file.closeSync();
    } catch { /* the original error matters more */ }
    throw e;
  }
}
