// The options of an Aof (re-exported by aof.ts): the fsync policy, its
// validation (options come from untyped callers too), and the option bag.
import type { Entry } from "../codec/types.ts";
import type { OnUnknown } from "./unknown.ts";
import type { FsAdapter } from "../fs/types.ts";

/** When the log is fdatasynced: after every group of appends, once a second, or never explicitly. */
export type FsyncPolicy = "always" | "everysec" | "no";

/** Options of {@link Aof.open}. */
export interface AofOptions {
  /** The fsync policy. */
  fsync: FsyncPolicy;
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Growth since the last rewrite, in percent, that makes {@link Aof.shouldRewrite} true (default 100; 0 disables). */
  autoRewritePercentage?: number;
  /** Smallest log size for an automatic rewrite (default 64 MiB). */
  autoRewriteMinSize?: number;
  /** Wall clock in unix ms (default `Date.now`): rewrite deadlines filter and torn-file stamps. */
  now?: () => number;
  /**
   * {@link Aof.openAndReplay}: what to do with a command `apply` reports as
   * unknown (`"error"`, the default, rejects with `UnknownCommandError`;
   * `"skip"` counts it in `stats.skipped`).
   */
  onUnknown?: OnUnknown;
  /**
   * The log format: `1` (default, `KEVYAOF1`: read by kevy 1.x and 5.x) or
   * `2` (`KEVYAOF2`: every record checksummed with CRC32C, transactions
   * logged between BEGIN/COMMIT records; read by kevy 5.x and this library,
   * not by kevy 1.x). It applies to a new or empty log, to what a rewrite or
   * a truncate (SAVE) writes; an existing log keeps its format until then,
   * so v1 becomes v2 only by a rewrite, never in place.
   */
  aofFormat?: 1 | 2;
  /**
   * {@link Aof.openAndReplay} of a v2 log: a BEGIN inside a transaction that
   * never committed (`"error"`, the default, or `"discard"` it as kevy 5.4 does).
   */
  onUncommitted?: "error" | "discard";
}

/** Throws `TypeError` unless `p` is a {@link FsyncPolicy}. */
export function checkPolicy(p: unknown): void {
  if (p !== "always" && p !== "everysec" && p !== "no") {
    throw new TypeError(`fsync must be "always", "everysec" or "no", got ${String(p)}`);
  }
}

/** Anything that lists entries (a `Store`). */
export interface EntrySource {
  /** Live entries with their absolute deadlines. */
  entries(): Iterable<Entry>;
  /** Function libraries (a Store's FUNCTION LOAD data), written first by a rewrite. */
  readonly libraries?: ReadonlyMap<string, Uint8Array>;
}
