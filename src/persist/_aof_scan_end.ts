// Private: what an AOF scan (_aof_scan.ts) reports at its end, and the byte
// tests it uses on headers and zero runs.
import type { DiscardedTxn } from "./_aof2_walk.ts";

/** How a scan ended. */
export interface ScanEnd {
  /** Complete frames seen. */
  frames: number;
  /** Offset just past the last complete frame (header included). */
  bytes: number;
  /** True when the file starts with a header (v1 or v2). */
  header: boolean;
  /** `v2` for `KEVYAOF2\n`, `v1` for `KEVYAOF1\n`, `legacy` without a header (or no file). */
  format: "v1" | "v2" | "legacy";
  /** v2: a transaction still open at the end (cut with the torn tail, from its BEGIN), or null. */
  tornTxn: { offset: number; frames: number } | null;
  /** v2: transactions dropped by `onUncommitted: "discard"`. */
  discardedTxns: DiscardedTxn[];
  /** Offset of a torn tail, or null. */
  tornAt: number | null;
  /** Bytes from `tornAt` to the end of the file. */
  tornBytes: number;
  /** The torn bytes before any trailing zero run (kept for quarantine). */
  tornPrefix: Uint8Array;
  /** Length of the trailing zero run included in `tornBytes`. */
  tornZeros: number;
}

/** True when `b` is a prefix of `magic` (no longer than it). */
export function isPrefixOf(b: Uint8Array, magic: Uint8Array): boolean {
  if (b.length > magic.length) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}

/** True when b[from, to) holds only zero bytes. */
export function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
