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
}
