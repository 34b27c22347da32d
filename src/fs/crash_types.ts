/**
 * Public types of {@link CrashFs} (see crash.ts): recorded operations, fault targets, crash variants.
 *
 * @module
 */

/** Kinds of recorded (mutating) operations. */
export type CrashOpKind =
  | "create"
  | "truncate"
  | "write"
  | "syncData"
  | "sync"
  | "rename"
  | "remove"
  | "mkdir"
  | "syncDir";

/** Kinds that fault injection can target: every recorded kind plus `open` and `read`. */
export type FaultKind = CrashOpKind | "open" | "read";

/** One recorded operation. `index` starts at 1; crash point 0 is "before anything". */
export interface CrashOp {
  /** Position in {@link CrashFs.ops}, from 1. */
  index: number;
  /** What happened. */
  kind: CrashOpKind;
  /** The path (for handle operations: the path the handle was opened with). */
  path: string;
  /** Rename target. */
  to?: string;
  /** Write offset. */
  offset?: number;
  /** Bytes written, or the new length for `truncate`. */
  length?: number;
}

/** What a fault predicate sees: the operation about to run. */
export interface FaultTarget {
  /** The operation kind. */
  kind: FaultKind;
  /** Its path (normalised, absolute). */
  path: string;
  /** Rename target. */
  to?: string;
}

/**
 * How a crash image is derived, as `entries/contents`:
 * - `lost` (a): durable entries, durable contents: every unsynced byte and entry change lost;
 * - `flushed` (d): current entries and contents: the OS flushed everything;
 * - `torn` (b): current entries; unsynced bytes half present (a prefix of the intended bytes);
 * - `torn-zeros` (c): like `torn`, then zeros up to the intended size (ext4 after a power cut);
 * - `data-lost`: current entries, durable contents (the zero-length-file-after-rename case);
 * - `dirs-lost`: durable entries, current contents;
 * - `dirs-lost-torn`: durable entries, torn contents.
 */
export type CrashVariant =
  | "lost"
  | "flushed"
  | "torn"
  | "torn-zeros"
  | "data-lost"
  | "dirs-lost"
  | "dirs-lost-torn";

/** All variants, in the order images are produced (duplicates keep the first name). */
export const CRASH_VARIANTS: readonly CrashVariant[] = [
  "lost",
  "flushed",
  "torn",
  "torn-zeros",
  "data-lost",
  "dirs-lost",
  "dirs-lost-torn",
];

/** Options for {@link CrashFs.enumerate} and {@link CrashFs.crashImages}. */
export interface CrashOptions {
  /** Restrict to these variants (default: all of {@link CRASH_VARIANTS}). */
  variants?: readonly CrashVariant[];
}

/** A crash point passed to the `verify` callback of {@link CrashFs.enumerate}. */
export interface CrashPoint {
  /** The power cut happened right after this op (0 = before the scenario's first op). */
  afterOp: number;
  /** Which variant of that crash this image is. */
  variant: CrashVariant;
}
