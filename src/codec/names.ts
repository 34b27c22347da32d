/**
 * File names in a kevy data directory (FORMATS.md section 1), and the shard
 * count a directory without `shards.meta` implies.
 *
 * @module
 */

function checkIndex(i: number): void {
  if (!(i >= 0 && Number.isSafeInteger(i))) {
    throw new RangeError(`shard index must be a non-negative integer, got ${i}`);
  }
}

/**
 * Snapshot file of shard `i`: `dump-{i}.rdb` (decimal, no padding).
 *
 * @example
 * ```ts
 * import { snapshotName } from "@kevy/persist/codec";
 * snapshotName(12); // "dump-12.rdb"
 * ```
 */
export function snapshotName(i: number): string {
  checkIndex(i);
  return `dump-${i}.rdb`;
}

/**
 * Append-only log of shard `i`: `aof-{i}.aof`.
 *
 * @example
 * ```ts
 * import { aofName } from "@kevy/persist/codec";
 * aofName(0); // "aof-0.aof"
 * ```
 */
export function aofName(i: number): string {
  checkIndex(i);
  return `aof-${i}.aof`;
}

/**
 * The layout record (shard count + routing).
 *
 * @example
 * ```ts
 * import { SHARDS_META } from "@kevy/persist/codec";
 * SHARDS_META; // "shards.meta"
 * ```
 */
export const SHARDS_META = "shards.meta";

/**
 * The re-shard commit record, present only mid-reshard.
 *
 * @example
 * ```ts
 * import { RESHARD_JOURNAL } from "@kevy/persist/codec";
 * RESHARD_JOURNAL; // "reshard.journal"
 * ```
 */
export const RESHARD_JOURNAL = "reshard.journal";

/**
 * A snapshot being written: the full name plus `.tmp`.
 *
 * @example
 * ```ts
 * import { tmpName } from "./names.ts";
 * tmpName("dump-0.rdb"); // "dump-0.rdb.tmp"
 * ```
 */
export function tmpName(name: string): string {
  return `${name}.tmp`;
}

/**
 * AOF rewrite output before it replaces the log: `<aof>.rewrite` (kevy uses
 * `aof.rewrite` when the path has no file name, i.e. for an empty name).
 *
 * @example
 * ```ts
 * import { rewriteName } from "./names.ts";
 * rewriteName("aof-0.aof"); // "aof-0.aof.rewrite"
 * ```
 */
export function rewriteName(name: string): string {
  return name === "" ? "aof.rewrite" : `${name}.rewrite`;
}

/**
 * New-layout snapshot written during a re-shard: `<snapshot>.reshard`.
 *
 * @example
 * ```ts
 * import { reshardName } from "./names.ts";
 * reshardName("dump-1.rdb"); // "dump-1.rdb.reshard"
 * ```
 */
export function reshardName(name: string): string {
  return `${name}.reshard`;
}

/**
 * A pre-reshard source kept as a backup: `<name>.premigration.<stamp>`, the
 * stamp being wall-clock nanoseconds since the epoch (u128, decimal).
 *
 * @example
 * ```ts
 * import { premigrationName } from "./names.ts";
 * premigrationName("aof-1.aof", 1111n); // "aof-1.aof.premigration.1111"
 * ```
 */
export function premigrationName(name: string, stamp: bigint): string {
  if (stamp < 0n) throw new RangeError(`stamp must be non-negative, got ${stamp}`);
  return `${name}.premigration.${stamp}`;
}

/** Index of `dump-<i>.rdb` / `aof-<i>.aof`, or -1. Digits only (leading zeros allowed). */
function fileIndex(name: string): number {
  let start: number, end: number;
  if (name.startsWith("dump-") && name.endsWith(".rdb")) {
    start = 5;
    end = name.length - 4;
  } else if (name.startsWith("aof-") && name.endsWith(".aof")) {
    start = 4;
    end = name.length - 4;
  } else {
    return -1;
  }
  if (end <= start) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  // index + 1 must stay exact; kevy's usize limit is larger, but such counts are absurd.
  return v < Number.MAX_SAFE_INTEGER ? v : -1;
}

/**
 * The shard count implied by a directory without `shards.meta`: max(index + 1)
 * over `dump-<i>.rdb` and `aof-<i>.aof` entries, 0 if none. Names with
 * anything after `.rdb` / `.aof` (temps, backups) never match; matching is
 * case-sensitive.
 *
 * Deliberately stricter than kevy v1.17's `infer_files_n`: only plain files
 * count (kevy also counts a *directory* named `dump-6.rdb`), and the index
 * must be decimal digits (kevy's `usize` parse also takes a leading `+`, so
 * `dump-+2.rdb` counts there). Leading zeros are accepted like kevy does
 * (`dump-01.rdb` is index 1); an index that is not a safe integer is ignored
 * (kevy ignores only indexes that overflow `usize`).
 *
 * @example
 * ```ts
 * import { inferFilesN } from "./names.ts";
 * inferFilesN([
 *   { name: "dump-0.rdb", isFile: true },
 *   { name: "aof-3.aof", isFile: true },
 *   { name: "dump-7.rdb.tmp", isFile: true },
 * ]); // 4
 * ```
 */
export function inferFilesN(entries: Array<{ name: string; isFile: boolean }>): number {
  let n = 0;
  for (const e of entries) {
    if (!e.isFile) continue;
    const i = fileIndex(e.name);
    if (i >= 0 && i + 1 > n) n = i + 1;
  }
  return n;
}
