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
 * **Open.** A new (or empty) file gets the `KEVYAOF1\n` header, synced, and
 * the directory synced; a legacy headerless file stays headerless. The
 * existing file is scanned (streaming): a torn tail is cut before anything is
 * appended — its bytes are copied to `<aof>.torn.<stamp>` (synced) and the log
 * is truncated to its last complete frame and synced (kevy v1.17 appends after
 * the tear, so its next replay loses every later write). Mid-file corruption
 * rejects the open with the `CorruptFileError` and changes nothing.
 * {@link Aof.openAndReplay} applies the frames during that same scan, so
 * bring-up reads the log once.
 *
 * **Rewrite and truncate** take effect at the moment of the call: frames
 * appended after it are held in memory and written to the new log once it is
 * in place (their promises wait). `rewriteFrom` copies the entry list first,
 * so the store may keep changing while the compacted log is written.
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { dirname } from "../fs/path.ts";
import { ByteWriter } from "../codec/bytes.ts";
import { AOF_MAGIC, encodeCommandInto } from "../codec/resp.ts";
import { openLog, openLogSync, type RepairedTail } from "./_aof_open.ts";
import { writeCompactLog } from "./_aof_rewrite.ts";
import type { ReplayStats } from "./replay.ts";

export type { RepairedTail } from "./_aof_open.ts";

/** When the log is fdatasynced: after every group of appends, once a second, or never explicitly. */
export type FsyncPolicy = "always" | "everysec" | "no";

/** Anything that lists entries (a `Store`). */
export interface EntrySource {
  /** Live entries with their absolute deadlines. */
  entries(): Iterable<Entry>;
}

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
}

/**
 * The log hit a write or sync error: the affected appends and every later one
 * reject with this error until the log is reopened. `cause` is the I/O error.
 *
 * @example
 * ```ts
 * import { AofFailedError } from "@kevy/persist";
 * const e = new AofFailedError("aof-0.aof", new Error("EIO"));
 * e.message; // "aof-0.aof: append-only log failed (EIO); reopen it to continue"
 * ```
 */
export class AofFailedError extends Error {
  /** Always `"AofFailedError"`. */
  override name = "AofFailedError";
  /** The log's path. */
  readonly path: string;
  /**
   * A failed log.
   * @param path the log
   * @param cause the I/O error that failed it
   */
  constructor(path: string, cause: unknown) {
    super(
      `${path}: append-only log failed (${(cause as Error)?.message ?? String(cause)}); ` +
        "reopen it to continue",
      { cause },
    );
    this.path = path;
  }
}

/**
 * The log was closed.
 *
 * @example
 * ```ts
 * import { AofClosedError } from "@kevy/persist";
 * new AofClosedError("aof-0.aof").message; // "aof-0.aof: append-only log is closed"
 * ```
 */
export class AofClosedError extends Error {
  /** Always `"AofClosedError"`. */
  override name = "AofClosedError";
  /**
   * A closed log.
   * @param path the log
   */
  constructor(path: string) {
    super(`${path}: append-only log is closed`);
  }
}

interface Group {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function group(): Group {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a group nobody awaits must not be an unhandled rejection
  return { promise, resolve, reject };
}

/** A batch of frames cut from the buffer, with the group waiting on it. */
interface Batch {
  w: ByteWriter;
  g: Group | null;
}

const MIB = 1024 * 1024;

/**
 * An open append-only log. See the module doc for the write, failure and
 * rewrite semantics.
 *
 * @example
 * ```ts
 * import { Aof } from "@kevy/persist";
 * const aof = await Aof.open("data/aof-0.aof", { fsync: "always" });
 * await aof.append(["SET", "k", "v"].map((s) => new TextEncoder().encode(s)));
 * await aof.close();
 * ```
 */
export class Aof {
  readonly #fs: FsAdapter;
  readonly #path: string;
  readonly #now: () => number;
  readonly #pct: number;
  readonly #minSize: number;
  #file: WritableFile;
  #policy: FsyncPolicy;
  #active: ByteWriter = new ByteWriter();
  #activeGroup: Group | null = null;
  #sealed: Batch[] = [];
  #syncWaiters: Group[] = [];
  #spares: ByteWriter[] = [];
  #size: number;
  #dirty = false;
  #header: boolean;
  #held = 0;
  #scheduled = false;
  #draining = false;
  #chain: Promise<void> = Promise.resolve();
  #failed: AofFailedError | null = null;
  #closed = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #baseSize: number;
  #rewrites = 0;
  /** Torn tail cut when the log was opened, or `null`. */
  readonly repairedTail: RepairedTail | null;
  /** What the open-time scan saw (frames applied only via {@link Aof.openAndReplay}). */
  readonly openStats: ReplayStats;

  private constructor(
    path: string,
    opts: AofOptions,
    opened: {
      file: WritableFile;
      size: number;
      header: boolean;
      repaired: RepairedTail | null;
      stats: ReplayStats;
    },
  ) {
    this.#fs = opts.fs ?? defaultFs();
    this.#path = path;
    this.#now = opts.now ?? Date.now;
    this.#pct = opts.autoRewritePercentage ?? 100;
    this.#minSize = opts.autoRewriteMinSize ?? 64 * MIB;
    this.#file = opened.file;
    this.#size = opened.size;
    this.#header = opened.header;
    this.#baseSize = opened.size;
    this.repairedTail = opened.repaired;
    this.openStats = opened.stats;
    this.#policy = opts.fsync;
    this.#applyTimer();
  }

  /**
   * Opens (creating or repairing) the log at `path`. Rejects with
   * `CorruptFileError` on mid-file corruption, changing nothing.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("data/aof-0.aof", { fsync: "everysec" });
   * if (aof.repairedTail) console.warn("cut a torn tail", aof.repairedTail);
   * ```
   */
  static async open(path: string, opts: AofOptions): Promise<Aof> {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = await openLog(fs, path, () => {}, opts.now ?? Date.now);
    return new Aof(path, opts, opened);
  }

  /**
   * Blocking {@link Aof.open}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = Aof.openSync("data/aof-0.aof", { fsync: "no" });
   * aof.closeSync();
   * ```
   */
  static openSync(path: string, opts: AofOptions): Aof {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = openLogSync(fs, path, () => {}, opts.now ?? Date.now);
    return new Aof(path, opts, opened);
  }

  /**
   * Replays the log into `apply` and opens it, reading the file once. On
   * mid-file corruption it rejects with `CorruptFileError` after the frames
   * before it were applied (apply into a scratch store if that matters).
   *
   * @example
   * ```ts
   * import { Aof, applyCommand, Store } from "@kevy/persist";
   * const store = new Store();
   * const { aof, stats } = await Aof.openAndReplay(
   *   "data/aof-0.aof", (argv) => applyCommand(store, argv), { fsync: "always" },
   * );
   * console.log(stats.frames, aof.repairedTail);
   * ```
   */
  static async openAndReplay(
    path: string,
    apply: (argv: Uint8Array[]) => void,
    opts: AofOptions,
  ): Promise<{ aof: Aof; stats: ReplayStats }> {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = await openLog(fs, path, apply, opts.now ?? Date.now);
    return { aof: new Aof(path, opts, opened), stats: opened.stats };
  }

  /**
   * Blocking {@link Aof.openAndReplay}.
   *
   * @example
   * ```ts
   * import { Aof, applyCommand, Store } from "@kevy/persist";
   * const store = new Store();
   * const { aof } = Aof.openAndReplaySync("aof-0.aof", (a) => applyCommand(store, a), { fsync: "no" });
   * aof.closeSync();
   * ```
   */
  static openAndReplaySync(
    path: string,
    apply: (argv: Uint8Array[]) => void,
    opts: AofOptions,
  ): { aof: Aof; stats: ReplayStats } {
    checkPolicy(opts.fsync);
    const fs = opts.fs ?? defaultFs();
    const opened = openLogSync(fs, path, apply, opts.now ?? Date.now);
    return { aof: new Aof(path, opts, opened), stats: opened.stats };
  }

  /** The log's path. */
  get path(): string {
    return this.#path;
  }
  /** Bytes in the log, including frames buffered but not yet written. */
  get sizeBytes(): number {
    let n = this.#size + this.#active.length;
    for (const b of this.#sealed) n += b.w.length;
    return n;
  }
  /** Size right after the last rewrite (or at open). */
  get sizeAtLastRewrite(): number {
    return this.#baseSize;
  }
  /** Rewrites done by this handle. */
  get rewritesTotal(): number {
    return this.#rewrites;
  }
  /** The current fsync policy. */
  get fsyncPolicy(): FsyncPolicy {
    return this.#policy;
  }
  /** `"ok"`, or `"failed"` after a write/sync error (see {@link AofFailedError}). */
  get lastWriteStatus(): "ok" | "failed" {
    return this.#failed === null ? "ok" : "failed";
  }
  /** True when the file starts with the `KEVYAOF1\n` header (false for legacy logs). */
  get hasHeader(): boolean {
    return this.#header;
  }

  /**
   * Appends one command. Resolves when the frame is durable (`always`) or
   * written to the OS (`everysec`, `no`). Frames of the same turn share one
   * write (and one fdatasync).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * const t = new TextEncoder();
   * await Promise.all([aof.append([t.encode("INCR"), t.encode("n")]), aof.append([t.encode("INCR"), t.encode("n")])]);
   * ```
   */
  append(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#failed !== null) return Promise.reject(this.#failed);
    encodeCommandInto(this.#active, argv);
    const g = this.#activeGroup ??= group();
    this.#schedule();
    return g.promise;
  }

  /**
   * Appends and writes one command blocking (and fdatasyncs it under
   * `always`), for CLIs. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = Aof.openSync("aof-0.aof", { fsync: "always" });
   * aof.appendSync([new TextEncoder().encode("PING")]);
   * aof.closeSync();
   * ```
   */
  appendSync(argv: ReadonlyArray<Uint8Array>): void {
    this.#checkIdle("appendSync");
    const w = new ByteWriter(256);
    encodeCommandInto(w, argv);
    try {
      this.#file.writeSync(w.bytes());
      this.#size += w.length;
      this.#dirty = true;
      if (this.#policy === "always") {
        this.#file.syncDataSync();
        this.#dirty = false;
      }
    } catch (e) {
      throw this.#fail(e);
    }
  }

  /**
   * Writes every buffered frame and fdatasyncs the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.flush(); // everything appended so far is on disk
   * ```
   */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#failed !== null) return Promise.reject(this.#failed);
    const g = group();
    this.#syncWaiters.push(g);
    if (this.#held === 0) this.#seal();
    this.#schedule();
    return g.promise;
  }

  /**
   * Changes the fsync policy. Tightening to `always` writes and syncs the
   * backlog at once (the returned promise waits for it).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.setFsync("always");
   * ```
   */
  setFsync(policy: FsyncPolicy): Promise<void> {
    checkPolicy(policy);
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    this.#policy = policy;
    this.#applyTimer();
    return policy === "always" ? this.flush() : Promise.resolve();
  }

  /**
   * Redis `auto-aof-rewrite` rule: size ≥ `autoRewriteMinSize` and growth
   * since the last rewrite ≥ `autoRewritePercentage` % (0 disables).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no", autoRewriteMinSize: 1 << 20 });
   * aof.shouldRewrite(); // false for a small log
   * ```
   */
  shouldRewrite(): boolean {
    if (this.#pct <= 0) return false;
    const size = this.sizeBytes;
    if (size < this.#minSize) return false;
    const base = this.#baseSize > 0 ? this.#baseSize : 1;
    return ((size - base) * 100) / base >= this.#pct;
  }

  /**
   * Resets the log to its header (what SAVE does after a snapshot), synced.
   * Frames appended before the call are discarded (the snapshot covers
   * them); frames appended after it go to the emptied log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * await aof.truncate();
   * aof.sizeBytes; // 9
   * ```
   */
  truncate(): Promise<void> {
    return this.#exclusive(async () => {
      // Pre-call frames are covered by the caller's snapshot: drop them unwritten.
      for (const b of this.#sealed.splice(0)) {
        b.g?.resolve();
        this.#recycle(b.w);
      }
      try {
        if (this.#header) {
          await this.#file.truncate(AOF_MAGIC.length);
        } else {
          await this.#file.truncate(0);
          await this.#file.write(AOF_MAGIC);
          this.#header = true;
        }
        await this.#file.sync();
      } catch (e) {
        throw this.#fail(e);
      }
      this.#size = AOF_MAGIC.length;
      this.#baseSize = this.#size;
      this.#dirty = false;
    });
  }

  /**
   * Compacts the log: writes the entries as commands to `<aof>.rewrite`
   * (~1 MiB writes), syncs it, renames it over the log, syncs the directory
   * and reopens. The entry list is copied at the call; frames appended after
   * the call go to the new log. Rejects with `StreamNotRewritableError` (log
   * untouched) if there is a stream: save a snapshot instead.
   *
   * @example
   * ```ts
   * import { Aof, Store } from "@kevy/persist";
   * const store = new Store();
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * if (aof.shouldRewrite()) await aof.rewriteFrom(store);
   * ```
   */
  rewriteFrom(store: EntrySource): Promise<void> {
    const entries = Array.from(store.entries());
    return this.#exclusive(async () => {
      await this.#writeSealed();
      const tmp = `${this.#path}.rewrite`;
      const size = await writeCompactLog(this.#fs, tmp, entries, this.#now());
      await this.#swapIn(tmp, size);
    });
  }

  /**
   * Runs `op` with the log quiesced: frames appended before the call are
   * written and fdatasynced first; frames appended during `op` are held in
   * memory and written after it (to whatever file is then the log). The
   * building block of the crash-safe SAVE/rewrite protocol (`ShardFiles`);
   * `op` may replace the file and call {@link Aof.reopenAfterRename}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * await aof.withAppendsHeld(async () => {
   *   // the log on disk is complete and synced here, and stays unchanged
   * });
   * ```
   */
  withAppendsHeld<T>(op: () => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      await this.#writeSealed();
      return await op();
    });
  }

  /**
   * Reopens the live log after a rename put a new (synced) file in place;
   * only meaningful inside {@link Aof.withAppendsHeld}. Counts as a rewrite.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * await aof.withAppendsHeld(() => aof.reopenAfterRename());
   * ```
   */
  async reopenAfterRename(): Promise<void> {
    try {
      await this.#file.close();
      this.#file = await this.#fs.openAppend(this.#path);
      const st = await this.#fs.stat(this.#path);
      this.#size = st?.size ?? AOF_MAGIC.length;
      this.#header = true;
      this.#baseSize = this.#size;
      this.#dirty = false;
      this.#rewrites++;
    } catch (e) {
      throw this.#fail(e);
    }
  }

  async #swapIn(tmp: string, size: number): Promise<void> {
    try {
      await this.#fs.rename(tmp, this.#path);
      await this.#fs.syncDir(dirname(this.#path));
    } catch (e) {
      await this.#fs.remove(tmp).catch(() => {});
      throw e; // the old log is intact and still open
    }
    try {
      await this.#file.close();
      this.#file = await this.#fs.openAppend(this.#path);
    } catch (e) {
      throw this.#fail(e);
    }
    this.#size = size;
    this.#header = true;
    this.#baseSize = size;
    this.#dirty = false;
    this.#rewrites++;
  }

  /**
   * Writes, syncs and closes. Later use rejects with {@link AofClosedError}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    const run = this.#chain.then(async () => {
      this.#seal(); // here, not at the call: a pending rewrite must see held frames as held
      let err: unknown = null;
      if (this.#failed === null) {
        try {
          await this.#writeSealed();
          if (this.#dirty) await this.#file.syncData();
        } catch (e) {
          err = e;
        }
      }
      for (const b of this.#sealed.splice(0)) {
        b.g?.reject(this.#failed ?? new AofClosedError(this.#path));
      }
      for (const g of this.#syncWaiters.splice(0)) {
        g.reject(this.#failed ?? new AofClosedError(this.#path));
      }
      await this.#file.close().catch(() => {});
      if (err !== null) throw this.#fail(err);
    });
    this.#chain = run.catch(() => {});
    await run;
  }

  /**
   * Blocking {@link Aof.close}. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * Aof.openSync("aof-0.aof", { fsync: "no" }).closeSync();
   * ```
   */
  closeSync(): void {
    if (this.#closed) return;
    this.#checkIdle("closeSync");
    this.#closed = true;
    this.#stopTimer();
    try {
      if (this.#dirty && this.#failed === null) this.#file.syncDataSync();
    } finally {
      this.#file.closeSync();
    }
  }

  /**
   * Puts the log in the failed state (pending and later appends reject with
   * {@link AofFailedError}); used when a commit that replaced the file cannot
   * finish, so that nothing is written to a file that is no longer the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * aof.markFailed(new Error("disk gone"));
   * aof.lastWriteStatus; // "failed"
   * ```
   */
  markFailed(cause: unknown): AofFailedError {
    return this.#fail(cause);
  }

  // --- internals -----------------------------------------------------------

  #checkIdle(what: string): void {
    if (this.#closed) throw new AofClosedError(this.#path);
    if (this.#failed !== null) throw this.#failed;
    if (this.#draining || this.#scheduled || this.#active.length > 0 || this.#sealed.length > 0) {
      throw new Error(
        `${this.#path}: ${what} while async appends are pending; await flush() first`,
      );
    }
  }

  #fail(e: unknown): AofFailedError {
    if (e instanceof AofFailedError) return e;
    this.#failed ??= new AofFailedError(this.#path, e);
    const f = this.#failed;
    for (const b of this.#sealed.splice(0)) b.g?.reject(f);
    this.#activeGroup?.reject(f);
    this.#activeGroup = null;
    this.#active.reset();
    for (const g of this.#syncWaiters.splice(0)) g.reject(f);
    this.#stopTimer();
    return f;
  }

  #seal(): void {
    if (this.#active.length === 0 && this.#activeGroup === null) return;
    this.#sealed.push({ w: this.#active, g: this.#activeGroup });
    this.#active = this.#spares.pop() ?? new ByteWriter();
    this.#activeGroup = null;
  }

  #recycle(w: ByteWriter): void {
    w.reset();
    if (this.#spares.length < 2) this.#spares.push(w);
  }

  #schedule(): void {
    if (this.#scheduled || this.#draining || this.#held > 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      const p = this.#chain.then(() => this.#drain());
      this.#chain = p.catch(() => {});
    });
  }

  /** Writes sealed batches (and the active buffer unless held), syncing as the policy and waiters require. */
  async #drain(): Promise<void> {
    this.#scheduled = false;
    this.#draining = true;
    try {
      for (;;) {
        if (this.#failed !== null || this.#closed) return;
        if (this.#held === 0) this.#seal();
        const batches = this.#sealed.splice(0);
        // While an exclusive op is pending, sync requests wait for it: the
        // frames they cover are held.
        const waiters = this.#held === 0 ? this.#syncWaiters.splice(0) : [];
        if (batches.length === 0 && waiters.length === 0) return;
        try {
          for (const b of batches) {
            if (b.w.length > 0) {
              await this.#file.write(b.w.bytes());
              this.#size += b.w.length;
              this.#dirty = true;
            }
          }
          if ((this.#policy === "always" || waiters.length > 0) && this.#dirty) {
            await this.#file.syncData();
            this.#dirty = false;
          }
        } catch (e) {
          for (const b of batches) b.g?.reject(this.#fail(e));
          for (const g of waiters) g.reject(this.#fail(e));
          return;
        }
        for (const b of batches) {
          b.g?.resolve();
          this.#recycle(b.w);
        }
        for (const g of waiters) g.resolve();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Writes sealed batches now (inside an exclusive op) and syncs them. */
  async #writeSealed(): Promise<void> {
    const batches = this.#sealed.splice(0);
    try {
      for (const b of batches) {
        if (b.w.length > 0) {
          await this.#file.write(b.w.bytes());
          this.#size += b.w.length;
          this.#dirty = true;
        }
      }
      if (this.#dirty) {
        await this.#file.syncData();
        this.#dirty = false;
      }
    } catch (e) {
      const f = this.#fail(e);
      for (const b of batches) b.g?.reject(f);
      throw f;
    }
    for (const b of batches) {
      b.g?.resolve();
      this.#recycle(b.w);
    }
  }

  /**
   * Runs `op` after everything queued, holding appends made after the call
   * (they are written once `op` finishes). `op` sees the pre-call frames in
   * `#sealed`.
   */
  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#failed !== null) return Promise.reject(this.#failed);
    this.#seal();
    const mine = this.#sealed.splice(0);
    this.#held++;
    const run = this.#chain.then(async () => {
      // Batches sealed by earlier ops were drained already; ours go back in front.
      this.#sealed.unshift(...mine);
      try {
        if (this.#failed !== null) throw this.#failed;
        return await op();
      } finally {
        this.#held--;
        if (this.#failed !== null) {
          for (const b of this.#sealed.splice(0)) b.g?.reject(this.#failed);
        }
      }
    });
    this.#chain = run.then(() => this.#kick(), () => this.#kick());
    return run;
  }

  #kick(): void {
    if (
      this.#held === 0 &&
      (this.#active.length > 0 || this.#sealed.length > 0 || this.#activeGroup !== null ||
        this.#syncWaiters.length > 0)
    ) {
      this.#schedule();
    }
  }

  #applyTimer(): void {
    this.#stopTimer();
    if (this.#policy !== "everysec" || this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#closed || this.#failed !== null) return;
      if (!this.#dirty && this.#active.length === 0) return;
      const g = group(); // background: a failure puts the log in the failed state
      this.#syncWaiters.push(g);
      this.#schedule();
    }, 1000);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function checkPolicy(p: unknown): void {
  if (p !== "always" && p !== "everysec" && p !== "no") {
    throw new TypeError(`fsync must be "always", "everysec" or "no", got ${String(p)}`);
  }
}
