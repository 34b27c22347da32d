/**
 * The append-only log of one shard.
 *
 * **Writes.** {@link Aof.append} encodes the frame into an in-memory buffer
 * and schedules one flush per event-loop turn (a microtask): every frame
 * appended in the same turn goes out in one `write`. With `fsync: "always"`
 * that write is followed by one `fdatasync` and only then do the appends'
 * promises resolve (group commit: frames appended while a write or sync is in
 * flight form the next group). With `"everysec"` a background `fdatasync`
 * runs once a second on an unref'd timer; with `"no"` the OS decides. For
 * those two policies the promise resolves once the frame has been written to
 * the OS (not necessarily to disk).
 *
 * **Failures are never silent.** A failed write or sync rejects the affected
 * appends with {@link AofFailedError} and leaves the log failed: every later
 * append rejects with it too, until the log is reopened (which repairs a torn
 * tail). A closed log rejects every use with {@link AofClosedError}.
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
import {
  type AofOptions,
  checkPolicy,
  type EntrySource,
  type FsyncPolicy,
} from "./_aof_options.ts";
import { RewriteRule } from "./_aof_growth.ts";
import { compactLog, freezeEntries } from "./_aof_rewrite.ts";
import { AofWriter } from "./_aof_writer.ts";
import type { AofFailedError } from "./aof_errors.ts";
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
 * An open append-only log. See the module doc for the write, failure and
 * rewrite semantics.
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
export class Aof {
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
    this.#fs = opts.fs ?? defaultFs();
    this.#path = path;
    this.#now = opts.now ?? Date.now;
    this.#rule = new RewriteRule(opts, opened.size);
    this.repairedTail = opened.repaired;
    this.openStats = opened.stats;
    this.#w = new AofWriter(path, opened, opts.fsync, checkFormat(opts.aofFormat));
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

  /** The log's path. */
  get path(): string {
    return this.#path;
  }
  /** Bytes in the log, including frames buffered but not yet written. */
  get sizeBytes(): number {
    return this.#w.size + this.#w.bufferedBytes;
  }
  /** Size right after the last rewrite (or at open). */
  get sizeAtLastRewrite(): number {
    return this.#rule.baseSize;
  }
  /** Rewrites done by this handle. */
  get rewritesTotal(): number {
    return this.#rule.rewrites;
  }
  /** The current fsync policy. */
  get fsyncPolicy(): FsyncPolicy {
    return this.#w.policy;
  }
  /**
   * After a write or sync failure: writes (and syncs) the queued bytes again now — a
   * timer also does so every second, and so does every {@link Aof.flush}. Resolves true
   * when the log is ok again (false while the disk still refuses, or for a failure that
   * cannot be retried).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("data/aof-0.aof", { fsync: "everysec" });
   * if (aof.lastWriteStatus === "failed" && await aof.retry()) console.log("disk is back");
   * ```
   */
  retry(): Promise<boolean> {
    return this.#w.retry();
  }
  /** The error of the current failure, or null while the log is ok. */
  get lastWriteError(): AofFailedError | null {
    return this.#w.failed;
  }
  /** `"ok"`, or `"failed"` after a write/sync error (see {@link AofFailedError}). */
  get lastWriteStatus(): "ok" | "failed" {
    return this.#w.failed === null ? "ok" : "failed";
  }
  /** True when the file starts with a header, `KEVYAOF1\n` or `KEVYAOF2\n` (false for legacy logs). */
  get hasHeader(): boolean {
    return this.#w.header;
  }
  /** The format of the file now: 2 = `KEVYAOF2` checksummed records. */
  get format(): 1 | 2 {
    return this.#w.format;
  }
  /** The configured `aofFormat`: what the next rewrite or truncate writes. */
  get aofFormat(): 1 | 2 {
    return this.#w.target;
  }

  /**
   * Appends commands that replay all or nothing (a `multi()` / EXEC, a
   * cross-shard write's part): in a v2 log between `\0KEVYTXNBEGIN` and
   * `\0KEVYTXNCOMMIT` records, written in one write; a crash leaves at most
   * a torn transaction, which replay drops and open cuts. A v1 log has no
   * markers (the frames are appended as they are).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always", aofFormat: 2 });
   * const t = (s: string) => new TextEncoder().encode(s);
   * await aof.appendGroup([[t("SET"), t("a"), t("1")], [t("SET"), t("b"), t("2")]]);
   * ```
   */
  appendGroup(argvs: ReadonlyArray<ReadonlyArray<Uint8Array>>): Promise<void> {
    return this.#w.appendGroup(argvs);
  }

  /**
   * Appends one command. Resolves when the frame is durable (`always`) or
   * written to the OS (`everysec`, `no`). Frames of the same turn share one
   * write (and one fdatasync).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * const t = new TextEncoder();
   * await Promise.all([aof.append([t.encode("INCR"), t.encode("n")]), aof.append([t.encode("INCR"), t.encode("n")])]);
   * ```
   */
  append(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    return this.#w.append(argv);
  }

  /**
   * Appends and writes one command blocking (and fdatasyncs it under
   * `always`), for CLIs. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = Aof.openSync("aof-0.aof", { fsync: "always" });
   * aof.appendSync([new TextEncoder().encode("PING")]);
   * aof.closeSync();
   * ```
   */
  appendSync(argv: ReadonlyArray<Uint8Array>): void {
    this.#w.appendSync(argv);
  }

  /**
   * Writes every buffered frame and fdatasyncs the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.flush(); // everything appended so far is on disk
   * ```
   */
  flush(): Promise<void> {
    return this.#w.flush();
  }

  /**
   * Changes the fsync policy. Tightening to `always` writes and syncs the
   * backlog at once (the returned promise waits for it).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.setFsync("always");
   * ```
   */
  setFsync(policy: FsyncPolicy): Promise<void> {
    return this.#w.setPolicy(policy);
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
      this.#rule.baseSize = w.size;
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
        w.target,
        libraries,
      );
      await w.reopen(this.#fs, size);
      this.#rule.rewritten(w.size);
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
    this.#rule.rewritten(this.#w.size);
  }

  /**
   * Writes, syncs and closes. Later use rejects with {@link AofClosedError}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.close();
   * ```
   */
  close(): Promise<void> {
    return this.#w.close();
  }

  /**
   * Blocking {@link Aof.close}. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * Aof.openSync("aof-0.aof", { fsync: "no" }).closeSync();
   * ```
   */
  closeSync(): void {
    this.#w.closeSync();
  }

  /**
   * For a process that ends now (`process.exit()`, no async work will run): writes what is
   * buffered with blocking writes, syncs and closes. Nothing is written when a write is in
   * flight (what reached the file is unknown then). Returns whether everything got to disk.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * void aof.append(["SET", "k", "v"].map((s) => new TextEncoder().encode(s)));
   * aof.exitSync(); // true: the SET is on disk
   * ```
   */
  exitSync(): boolean {
    return this.#w.exitSync();
  }

  /**
   * Puts the log in the failed state (pending and later appends reject with
   * {@link AofFailedError}); used when a commit that replaced the file cannot
   * finish, so that nothing is written to a file that is no longer the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * aof.markFailed(new Error("disk gone"));
   * aof.lastWriteStatus; // "failed"
   * ```
   */
  markFailed(cause: unknown): AofFailedError {
    return this.#w.fail(cause);
  }
}
