/**
 * The option and result types of `followToRedis` (kept apart from the
 * follower itself; re-exported by follow.ts).
 *
 * @module
 */
import type { KeyError, MigrateOptions, MigrateStats } from "./migrate.ts";

/** Options of `followToRedis`. */
export interface FollowOptions extends Omit<MigrateOptions, "sourceDb"> {
  /** Stops the follower (after a last round that forwards what is there). */
  signal: AbortSignal;
  /** Pause between rounds that found nothing new, ms (default 50). */
  pollMs?: number;
  /** Called once the initial copy is done. */
  onCopied?: (stats: MigrateStats) => void;
  /** Called after every round that forwarded something, and every second otherwise. */
  onLag?: (lag: FollowLag) => void;
}

/** Where one shard's log has been forwarded up to. */
export interface FollowOffset {
  /** The AOF file name. */
  file: string;
  /** Bytes forwarded and acknowledged (complete frames; a split write's part only with its EXEC). */
  offset: number;
  /** The file's size when last looked at. */
  size: number;
}

/** How far behind the target is. */
export interface FollowLag {
  /** Bytes appended to the logs and not yet forwarded. */
  bytes: number;
  /** Frames forwarded so far. */
  forwarded: number;
  /** File replacements (save, rewrite, re-shard) handled so far. */
  resyncs: number;
  /** Per shard. */
  offsets: FollowOffset[];
}

/** What `followToRedis` did. */
export interface FollowResult {
  /** The initial copy. */
  initial: MigrateStats;
  /** Frames forwarded after it. */
  forwarded: number;
  /** Keys sent again after a file replacement. */
  resent: number;
  /** File replacements handled. */
  resyncs: number;
  /** The final offsets: everything up to them is on the target. */
  offsets: FollowOffset[];
  /** Keys the target refused while following. */
  errors: KeyError[];
  /**
   * Commands left out under `onUnknown: "skip"` while loading and following,
   * by lower-case verb (a replaced log read again counts again).
   */
  skipped: Record<string, number>;
}
