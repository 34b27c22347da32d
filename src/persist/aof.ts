/**
 * The append-only log of one shard: opening (create, repair, replay), rewrite
 * and truncate. Appends, group commit, the fsync policy and the failure state
 * are the {@link AofAppender} side (aof_appender.ts), which every Aof is.
 *
 * **Open.** A new (or empty) file gets the `KEVYAOF1\n` header (synced, dir
 * synced); a legacy headerless file stays headerless. A torn tail is cut
 * before anything is appended: its bytes go to `<aof>.torn.<stamp>` (synced),
 * the log is truncated to its last complete frame and synced (kevy v1.17
 * appends after the tear and loses every later write). Mid-file corruption
 * rejects with `CorruptFileError` and changes nothing. {@link Aof.openAndReplay}
 * applies frames during that same scan, so bring-up reads the log once.
 *
 * **Rewrite and truncate** take effect at the moment of the call: frames
 * appended after it are held in memory and written to the new log once it is
 * in place (their promises wait). `rewriteFrom` copies the entry list first,
 * so the store may keep changing while the compacted log is written.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { type OpenedLog, openLog, openLogSync, type RepairedTail } from "./_aof_open.ts";
import { type AofOptions, checkPolicy, type EntrySource } from "./_aof_options.ts";
import { RewriteRule } from "./_aof_growth.ts";
import { compactLog, freezeEntries } from "./_aof_rewrite.ts";
import { AofWriter } from "./_aof_writer.ts";
import { AofAppender } from "./aof_appender.ts";
import type { ReplayStats } from "./replay.ts";
import type { ReplayApply } from "./unknown.ts";

export type { RepairedTail } from "./_aof_open.ts";

function checkFormat(f: unknown): 1 | 2 {
  if (f === undefined || f === 1) return 1;
  if (f === 2) return 2;
  throw new TypeError(`aofFormat must be 1 or 2, got ${String(f)}`);
}

function openOpts(o: AofOptions): import("./_aof_open.ts").OpenLogOptions {
  return {
    aofFormat: checkFormat(o.aofFormat),
    ...(o.onUnknown === undefined ? {} : { onUnknown: o.onUnknown }),
    ...(o.onUncommitted === undefined ? {} : { onUncommitted: o.onUncommitted }),
  };
}
export type { AofOptions, EntrySource, FsyncPolicy } from "./_aof_options.ts";
export { AofClosedError, AofFailedError, type NotOnDisk } from "./aof_errors.ts";
export { AofAppender } from "./aof_appender.ts";

/** Options of {@link Aof.withAppendsHeld}. */
export interface HeldOptions {
  /**
   * Called when writing the frames before the call fails (the log is then in the failed
   * state); true: try again in place after `retryMs`, keeping the later appends held.
   * Default: give up (the op does not run, the call rejects).
   */
  onFailure?: (error: unknown) => boolean;
  /** Pause between tries, ms (default 50). */
  retryMs?: number;
}

/**
 * An open append-only log: the appends, flush and close of {@link AofAppender}
 * plus open, replay, rewrite and truncate. See the module docs for the write,
 * failure and rewrite semantics.
 *
 * @example
 * ```ts
 * import { Aof } from "@kevy/persist/persist";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const aof = await Aof.open("data/aof-0.aof", { fsync: "always" });
 * await aof.append(["SET", "k", "v"].map((s) => new TextEncoder().encode(s)));
 * await aof.close();
 * ```
 */
export class Aof extends AofAppender {
  readonly #fs: FsAdapter;
  readonly #path: string;
  readonly #now: () => number;
  readonly #w: AofWriter;
  readonly #rule: RewriteRule;
  /** Torn tail cut when the log was opened, or `null`. */
  readonly repairedTail: RepairedTail | null;
  /** What the open-time scan saw (frames applied only via {@link Aof.openAndReplay}). */
  readonly openStats: ReplayStats;

  private constructor(path: string, opts: AofOptions, opened: OpenedLog) {
    const w = new AofWriter(path, opened, opts.fsync, checkFormat(opts.aofFormat));
    super(path, w);
    this.#w = w;
    this.#fs = opts.fs ?? defaultFs();
    this.#path = path;
    this.#now = opts.now ?? Date.now;
    this.#rule = new RewriteRule(opts, opened.size);
    this.repairedTail = opened.repaired;
    this.openStats = opened.stats;
  }

  /**
   * Opens (creating or repairing) the log at `path`. Rejects with
   * `CorruptFileError` on mid-file corruption, changing nothing.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { defaultFs } from "@kevy/persist/fs";
   * await defaultFs().mkdir("data");
   * const aof = await Aof.open("data/aof-0.aof", { fsync: "everysec" });
   * if (aof.repairedTail) console.warn("cut a torn tail", aof.repairedTail);
   * await aof.close();
   * ```
   */
  static async open(path: string, opts: AofOptions): Promise<Aof> {
    return (await Aof.openAndReplay(path, () => {}, opts)).aof;
  }

  /**
   * Blocking {@link Aof.open}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { defaultFs } from "@kevy/persist/fs";
   * defaultFs().mkdirSync("data");
   * const aof = Aof.openSync("data/aof-0.aof", { fsync: "no" });
   * aof.closeSync();
   * ```
   */
  static openSync(path: string, opts: AofOptions): Aof {
    return Aof.openAndReplaySync(path, () => {}, opts).aof;
  }

  /**
   * Replays the log into `apply` and opens it, reading the file once. On
   * mid-file corruption it rejects with `CorruptFileError` after the frames
   * before it were applied (apply into a scratch store if that matters).
   * An unknown command (`apply` returned `{ ok: false, unknown: true }`)
   * rejects with `UnknownCommandError` unless `opts.onUnknown` is `"skip"`.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { applyCommand, Store } from "@kevy/persist/store";
   * import { defaultFs } from "@kevy/persist/fs";
   * await defaultFs().mkdir("data");
   * const store = new Store();
   * const { aof, stats } = await Aof.openAndReplay(
   *   "data/aof-0.aof", (argv) => applyCommand(store, argv), { fsync: "always" },
   * );
   * console.log(stats.frames, aof.repairedTail);
   * await aof.close();
   * ```
   */
  static async openAndReplay(
    path: string,
    apply: ReplayApply,
    opts: AofOptions,
  ): Promise<{ aof: Aof; stats: ReplayStats }> {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = await openLog(fs, path, apply, opts.now ?? Date.now, openOpts(opts));
    return { aof: new Aof(path, opts, opened), stats: opened.stats };
  }

  /**
   * Blocking {@link Aof.openAndReplay}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { applyCommand, Store } from "@kevy/persist/store";
   * const store = new Store();
   * const { aof } = Aof.openAndReplaySync("aof-0.aof", (a) => applyCommand(store, a), { fsync: "no" });
   * aof.closeSync();
   * ```
   */
  static openAndReplaySync(
    path: string,
    apply: ReplayApply,
    opts: AofOptions,
  ): { aof: Aof; stats: ReplayStats } {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = openLogSync(fs, path, apply, opts.now ?? Date.now, openOpts(opts));
    return { aof: new Aof(path, opts, opened), stats: opened.stats };
  }

  /** Size right after the last rewrite (or at open). */
  get sizeAtLastRewrite(): number {
    return this.#rule.baseSize;
  }
  /** Rewrites done by this handle. */
  get rewritesTotal(): number {
    return this.#rule.rewrites;
  }

  /**
   * Redis `auto-aof-rewrite` rule: size ≥ `autoRewriteMinSize` and growth
   * since the last rewrite ≥ `autoRewritePercentage` % (0 disables).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no", autoRewriteMinSize: 1 << 20 });
   * aof.shouldRewrite(); // false for a small log
   * ```
   */
  shouldRewrite(): boolean {
    return this.#rule.due(this.sizeBytes);
  }

  /**
   * Resets the log to its header (what SAVE does after a snapshot), synced.
   * Frames appended before the call are discarded (the snapshot covers
   * them); frames appended after it go to the emptied log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * await aof.truncate();
   * aof.sizeBytes; // 9
   * ```
   */
  truncate(): Promise<void> {
    const w = this.#w;
    return w.exclusive(async () => {
      await w.truncateToHeader(); // pre-call frames are covered by the caller's snapshot
      this.#rule.baseSize = w.log.size;
    });
  }

  /**
   * Compacts the log: writes the entries as commands to `<aof>.rewrite`
   * (~1 MiB writes), syncs it, renames it over the log, syncs the directory
   * and reopens. The entry list is copied at the call; frames appended after
   * the call go to the new log. Streams are written as XADD / XSETID /
   * XGROUP / XCLAIM frames (see `entryToCommands`).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { Store } from "@kevy/persist/store";
   * const store = new Store();
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * if (aof.shouldRewrite()) await aof.rewriteFrom(store);
   * ```
   */
  rewriteFrom(store: EntrySource): Promise<void> {
    const entries = freezeEntries(store.entries()); // now: a cheap copy for a Store
    const libraries = [...(store.libraries?.values() ?? [])]; // a Store's FUNCTION LOAD data
    const w = this.#w;
    return w.exclusive(async () => {
      await w.writeSealed();
      const size = await compactLog(
        this.#fs,
        this.#path,
        entries,
        this.#now(),
        w.log.target,
        libraries,
      );
      await w.reopen(this.#fs, size);
      this.#rule.rewritten(w.log.size);
    });
  }

  /**
   * Runs `op` with the log quiesced: frames appended before the call are
   * written and fdatasynced first; frames appended during `op` are held in
   * memory and written after it (to whatever file is then the log). The
   * building block of the crash-safe SAVE/rewrite protocol (`ShardFiles`);
   * `op` may replace the file and call {@link Aof.reopenAfterRename}. Frames
   * `op` gives to `first` are written ahead of the held ones (a split write's
   * `EXEC` marker, see codec/group.ts).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * await aof.withAppendsHeld(async () => {
   *   // the log on disk is complete and synced here, and stays unchanged
   * });
   * ```
   */
  withAppendsHeld<T>(
    op: (first: (argv: ReadonlyArray<Uint8Array>) => void) => Promise<T>,
    opts: HeldOptions = {},
  ): Promise<T> {
    const w = this.#w;
    return w.exclusive(async (first) => {
      for (;;) {
        try {
          await w.writeSealed();
          break;
        } catch (e) {
          // Retried in place: the op keeps its position ahead of every later append (a
          // split write's part must not move behind a later group's: they would wait on
          // each other).
          if (opts.onFailure === undefined || !w.retrying || !opts.onFailure(e)) throw e;
          await new Promise((r) => setTimeout(r, opts.retryMs ?? 50));
        }
      }
      return await op(first);
    });
  }

  /**
   * Reopens the live log after a rename put a new (synced) file in place;
   * only meaningful inside {@link Aof.withAppendsHeld}. Counts as a rewrite.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * await aof.withAppendsHeld(() => aof.reopenAfterRename());
   * ```
   */
  async reopenAfterRename(): Promise<void> {
    await this.#w.reopen(this.#fs);
    this.#rule.rewritten(this.#w.log.size);
  }
}
