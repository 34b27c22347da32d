// The write side of an Aof: group commit and its failure state.
//
// Appends encode into the active buffer; one microtask per turn seals it into a
// batch and drains the sealed batches to the file in order (one write each,
// then one fdatasync under "always" or when a flush waits). Exclusive ops
// (truncate, rewrite, withAppendsHeld) run on the same promise chain while
// appends made after them are held. The everysec timer queues a background
// sync. A closed writer rejects every use.
//
// Failures (as Redis does): a write or sync error puts the writer in the failed
// state at once. The bytes not yet written stay queued, in order (a short write
// is cut back to the last whole batch first); the groups waiting on them reject,
// later appends reject, and every retry (flush(), retry(), a timer each second)
// writes the queue again: when it goes through, the writer is ok again. Nothing
// is dropped. close() rejects, saying how many writes are not on disk, when the
// queue cannot be written. A failure that leaves the file state unknown (a cut
// back that fails, a reopen after a rename) is fatal: no retry.
import { ByteWriter } from "../codec/bytes.ts";
import { AOF_MAGIC, encodeCommandInto } from "../codec/resp.ts";
import { AOF2_MAGIC, encodeRecordInto } from "../codec/aof2.ts";
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import { checkPolicy, type FsyncPolicy } from "./_aof_options.ts";
import { AofClosedError, AofFailedError } from "./aof_errors.ts";
import { type Batch, Batches, type Group, group } from "./_aof_batches.ts";

/** How often a failed writer retries by itself. */
const RETRY_MS = 1000;

/** Buffers, schedules and writes the frames of one log file. */
export class AofWriter {
  /** The open log file (an exclusive op may replace it). */
  file: WritableFile;
  /** Bytes in the file (frames written so far). */
  size: number;
  /** Written since the last fdatasync. */
  dirty = false;
  /** True when the file starts with a header (`KEVYAOF1\n` or `KEVYAOF2\n`). */
  header: boolean;
  /** The format of the file being appended to: 2 writes checksummed records. */
  format: 1 | 2;
  /** The format a rewrite or a truncate starts the next file in (`aofFormat`). */
  readonly target: 1 | 2;
  readonly #path: string;
  #policy: FsyncPolicy;
  readonly #q = new Batches();
  #syncWaiters: Group[] = [];
  #scheduled = false;
  #draining = false;
  #chain: Promise<void> = Promise.resolve();
  #failed: AofFailedError | null = null;
  /** The failure cannot be retried (file state unknown). */
  #fatal = false;
  #closed = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #retryTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    path: string,
    opened: { file: WritableFile; size: number; header: boolean; format: 1 | 2 },
    policy: FsyncPolicy,
    target: 1 | 2 = 1,
  ) {
    this.format = opened.format;
    this.target = target;
    this.#path = path;
    this.file = opened.file;
    this.size = opened.size;
    this.header = opened.header;
    this.#policy = policy;
    this.#applyTimer();
  }

  /** The current fsync policy. */
  get policy(): FsyncPolicy {
    return this.#policy;
  }
  /** The error that failed the log, or `null`. */
  get failed(): AofFailedError | null {
    return this.#failed;
  }
  /** Bytes appended but not yet written. */
  get bufferedBytes(): number {
    return this.#q.bufferedBytes;
  }

  /** Buffers one frame; resolves once its group is written (and synced under `always`). */
  append(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#failed !== null) return Promise.reject(this.#failed);
    const p = this.#q.add(argv, this.format);
    if (!this.#scheduled) this.#schedule();
    return p;
  }

  /**
   * Buffers commands that must replay all or nothing: in a v2 log between a
   * BEGIN and a COMMIT record (one write, so a crash leaves at most a torn
   * transaction, which replay drops and open cuts); a v1 log has no markers.
   */
  appendGroup(argvs: ReadonlyArray<ReadonlyArray<Uint8Array>>): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#failed !== null) return Promise.reject(this.#failed);
    const p = this.#q.addGroup(argvs, this.format);
    if (!this.#scheduled) this.#schedule();
    return p;
  }

  /** Writes one frame blocking (fdatasynced under `always`); throws if async appends are pending. */
  appendSync(argv: ReadonlyArray<Uint8Array>): void {
    this.#checkIdle("appendSync");
    const w = new ByteWriter(256);
    if (this.format === 2) encodeRecordInto(w, argv);
    else encodeCommandInto(w, argv);
    try {
      this.file.writeSync(w.bytes());
      this.size += w.length;
      this.dirty = true;
      if (this.#policy === "always") {
        this.file.syncDataSync();
        this.dirty = false;
      }
    } catch (e) {
      throw this.fail(e);
    }
  }

  /** Writes every buffered frame and fdatasyncs. */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fatal) return Promise.reject(this.#failed);
    if (this.#failed !== null) {
      return this.retry().then((ok) => ok ? undefined : Promise.reject(this.#failed));
    }
    const g = group();
    this.#syncWaiters.push(g);
    if (this.#q.held === 0) this.#q.seal();
    this.#schedule();
    return g.promise;
  }

  /** Changes the policy; tightening to `always` flushes the backlog. */
  setPolicy(policy: FsyncPolicy): Promise<void> {
    checkPolicy(policy);
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    this.#policy = policy;
    this.#applyTimer();
    return policy === "always" ? this.flush() : Promise.resolve();
  }

  /** Writes, syncs and closes the file; pending groups reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.#stopRetry();
    const run = this.#chain.then(async () => {
      this.#q.seal(); // here, not at the call: a pending rewrite must see held frames as held
      if (!this.#fatal) {
        // One last try, also for a failed log: whatever goes through is on disk.
        const batches = this.#q.takeAll();
        try {
          await this.#write(batches);
          if (this.dirty) await this.file.syncData();
          this.dirty = false;
          this.#failed = null;
          this.#q.resolve(batches);
        } catch (e) {
          await this.#requeue(batches, e);
        }
      }
      const lost = this.#notOnDisk();
      const f = this.#failed;
      for (const b of this.#q.takeAll()) b.g?.reject(f ?? new AofClosedError(this.#path));
      for (const g of this.#syncWaiters.splice(0)) g.reject(f ?? new AofClosedError(this.#path));
      await this.file.close().catch(() => {});
      if (f !== null) throw new AofFailedError(this.#path, f.cause, lost);
    });
    this.#chain = run.catch(() => {});
    await run;
  }

  /** Blocking {@link AofWriter.close}; throws if async appends are pending. */
  closeSync(): void {
    if (this.#closed) return;
    this.#checkIdle("closeSync");
    this.#closed = true;
    this.#stopTimer();
    try {
      if (this.dirty && this.#failed === null) this.file.syncDataSync();
    } finally {
      this.file.closeSync();
    }
  }

  /**
   * The process is ending now (`process.exit()`: no async work will run again). Writes what
   * is buffered with blocking writes, syncs and closes — unless a write is in flight or an
   * exclusive op holds appends (what reached the file is then unknown: nothing more is
   * written, so nothing can be written twice). Returns whether everything got to disk.
   */
  exitSync(): boolean {
    if (this.#closed) return true;
    if (this.#failed !== null || this.#draining || this.#q.held > 0) return false;
    this.#q.seal();
    const batches = this.#q.takeAll();
    try {
      for (const b of batches) {
        this.file.writeSync(b.w.bytes());
        this.size += b.w.length;
        this.dirty = true;
      }
      if (this.dirty) this.file.syncDataSync();
      this.dirty = false;
      this.#closed = true;
      this.#stopTimer();
      this.file.closeSync();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Enters the failed state for good (the file state is unknown, e.g. after a
   * committed save whose renames failed): rejects everything pending, no retry.
   */
  fail(e: unknown): AofFailedError {
    if (this.#fatal && this.#failed !== null) return this.#failed;
    const lost = this.#notOnDisk();
    const f = e instanceof AofFailedError ? e : new AofFailedError(this.#path, e, lost);
    this.#failed = f;
    this.#fatal = true;
    for (const b of this.#q.takeAll()) b.g?.reject(f);
    this.#q.dropActive(f);
    for (const g of this.#syncWaiters.splice(0)) g.reject(f);
    this.#stopTimer();
    this.#stopRetry();
    return f;
  }

  /** Whether the failure (if any) is retried. */
  get retrying(): boolean {
    return this.#failed !== null && !this.#fatal;
  }

  /**
   * Writes (and syncs) the queued bytes of a failed writer again; true when the
   * writer is ok afterwards. Runs after everything queued before it.
   */
  retry(): Promise<boolean> {
    if (this.#closed || this.#fatal) return Promise.resolve(false);
    if (this.#failed === null) return Promise.resolve(true);
    const run = this.#chain.then(async () => {
      if (this.#failed === null) return true;
      if (this.#fatal || this.#closed) return false;
      const batches = this.#q.takeReady();
      try {
        await this.#write(batches);
        if (this.dirty) {
          await this.file.syncData();
          this.dirty = false;
        }
      } catch (e) {
        await this.#requeue(batches, e);
        return false;
      }
      this.#q.resolve(batches);
      this.#failed = null;
      this.#stopRetry();
      this.#applyTimer();
      this.#kick();
      return true;
    });
    this.#chain = run.then(() => {}, () => {});
    return run;
  }

  /**
   * Resets the file to the header, synced (inside an exclusive op). The sealed
   * (pre-call) frames are dropped unwritten: their groups resolve.
   */
  async truncateToHeader(): Promise<void> {
    this.#q.resolve(this.#q.takeReady());
    const magic = this.target === 2 ? AOF2_MAGIC : AOF_MAGIC;
    try {
      if (this.header && this.format === this.target) {
        await this.file.truncate(magic.length);
      } else {
        // The next log starts in the configured format (v1 -> v2 only here and in a rewrite).
        await this.file.truncate(0);
        await this.file.write(magic);
        this.header = true;
        this.format = this.target;
      }
      await this.file.sync();
    } catch (e) {
      throw this.fail(e);
    }
    this.size = magic.length;
    this.dirty = false;
    if (this.#failed !== null && !this.#fatal) {
      this.#failed = null; // the caller's snapshot covers what was queued
      this.#stopRetry();
      this.#applyTimer();
    }
  }

  /**
   * Reopens the log after a rename put a new synced file (with header) in
   * place: of `size` bytes, or as big as `stat` says.
   */
  async reopen(fs: FsAdapter, size?: number): Promise<void> {
    try {
      await this.file.close();
      this.file = await fs.openAppend(this.#path);
      this.size = size ?? (await fs.stat(this.#path))?.size ?? AOF_MAGIC.length;
    } catch (e) {
      throw this.fail(e);
    }
    this.header = true;
    this.format = this.target; // a rewrite writes the configured format
    this.dirty = false;
  }

  /** Writes sealed batches now (inside an exclusive op) and syncs them. */
  async writeSealed(): Promise<void> {
    const batches = this.#q.takeReady();
    try {
      await this.#write(batches);
      if (this.dirty) {
        await this.file.syncData();
        this.dirty = false;
      }
    } catch (e) {
      throw await this.#requeue(batches, e);
    }
    this.#q.resolve(batches);
    if (this.#failed !== null && !this.#fatal) {
      this.#failed = null; // the queue went through: ok again
      this.#stopRetry();
      this.#applyTimer();
    }
  }

  /**
   * Runs `op` after everything queued, holding appends made after the call
   * (they are written once `op` finishes). `op` sees the pre-call frames as
   * sealed batches ({@link AofWriter.writeSealed}, {@link AofWriter.truncateToHeader}).
   */
  exclusive<T>(op: (first: (argv: ReadonlyArray<Uint8Array>) => void) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fatal) return Promise.reject(this.#failed);
    // The op's place in the log: after every frame appended before the call (and the
    // places of ops called earlier), before every frame appended after it, even when
    // another exclusive op is called meanwhile (two split writes on one shard never
    // interleave: a part without its EXEC can only be a log's tail).
    this.#q.seal();
    const place = this.#q.hold();
    const run = this.#chain.then(async () => {
      // Frames `op` puts ahead of the appends held while it ran (a group's EXEC).
      const first = (argv: ReadonlyArray<Uint8Array>): void =>
        this.#q.first(place, argv, this.format);
      try {
        if (this.#fatal) throw this.#failed;
        return await op(first);
      } finally {
        this.#q.release(place);
        if (this.#fatal) {
          for (const b of this.#q.takeAll()) b.g?.reject(this.#failed);
        }
      }
    });
    this.#chain = run.then(() => this.#kick(), () => this.#kick());
    return run;
  }

  // --- internals -----------------------------------------------------------

  #checkIdle(what: string): void {
    if (this.#closed) throw new AofClosedError(this.#path);
    if (this.#failed !== null) throw this.#failed;
    if (this.#draining || this.#scheduled || this.#q.hasFrames) {
      throw new Error(
        `${this.#path}: ${what} while async appends are pending; await flush() first`,
      );
    }
  }

  /**
   * Writes the batches' frames in order (no sync). A batch written in full is
   * emptied, so a retry after a failure writes only what is left.
   */
  async #write(batches: Batch[]): Promise<void> {
    for (const b of batches) {
      if (b.w.length > 0) {
        await this.file.write(b.w.bytes());
        this.size += b.w.length;
        this.dirty = true;
        b.w.reset();
        b.frames = 0;
      }
    }
  }

  /**
   * A write or sync failed: the failed state, at once. The unwritten batches go
   * back in front of the queue (a short write is cut back first, so the file
   * ends on a whole frame); their groups and the sync waiters reject. Returns
   * the error. A cut back that fails leaves the file state unknown: fatal.
   */
  async #requeue(batches: Batch[], e: unknown): Promise<AofFailedError> {
    const unwritten = batches.filter((b) => b.w.length > 0);
    this.#q.requeue(unwritten);
    const f = this.#failed = new AofFailedError(this.#path, e, this.#notOnDisk());
    for (const b of batches) {
      b.g?.reject(f);
      b.g = null;
    }
    for (const g of this.#syncWaiters.splice(0)) g.reject(f);
    this.#q.resolve(batches.filter((b) => b.w.length === 0));
    if (unwritten.length > 0) {
      try {
        await this.file.truncate(this.size); // drop a partial frame of the failed write
      } catch (t) {
        return this.fail(t);
      }
    }
    this.#startRetry();
    return f;
  }

  /** Writes not yet in the file, and whether written bytes await a sync. */
  #notOnDisk(): { frames: number; bytes: number; unsynced: boolean } {
    return { ...this.#q.unwritten(), unsynced: this.dirty };
  }

  #startRetry(): void {
    if (this.#retryTimer !== null || this.#closed) return;
    this.#retryTimer = setInterval(() => void this.retry(), RETRY_MS);
    (this.#retryTimer as { unref?: () => void }).unref?.();
  }

  #stopRetry(): void {
    if (this.#retryTimer !== null) clearInterval(this.#retryTimer);
    this.#retryTimer = null;
  }

  #schedule(): void {
    if (this.#scheduled || this.#draining || this.#q.held > 0) return;
    this.#scheduled = true;
    queueMicrotask(this.#onTurnEnd);
  }

  // Bound once: a closure inside #schedule would make V8 allocate a context on
  // every call, i.e. on every append while a drain is running.
  readonly #onTurnEnd = (): void => {
    const p = this.#chain.then(() => this.#drain());
    this.#chain = p.catch(() => {});
  };

  /** Writes sealed batches (and the active buffer unless held), syncing as the policy and waiters require. */
  async #drain(): Promise<void> {
    this.#scheduled = false;
    this.#draining = true;
    try {
      for (;;) {
        if (this.#failed !== null || this.#closed) return;
        if (this.#q.held === 0) this.#q.seal();
        const batches = this.#q.takeReady();
        // While an exclusive op is pending, sync requests wait for it: the
        // frames they cover are held.
        const waiters = this.#q.held === 0 ? this.#syncWaiters.splice(0) : [];
        if (batches.length === 0 && waiters.length === 0) return;
        try {
          await this.#write(batches);
          if ((this.#policy === "always" || waiters.length > 0) && this.dirty) {
            await this.file.syncData();
            this.dirty = false;
          }
        } catch (e) {
          const f = await this.#requeue(batches, e);
          for (const g of waiters) g.reject(f);
          return;
        }
        this.#q.resolve(batches);
        for (const g of waiters) g.resolve();
      }
    } finally {
      this.#draining = false;
    }
  }

  #kick(): void {
    if (
      this.#q.held === 0 && (this.#q.pending || this.#syncWaiters.length > 0)
    ) {
      this.#schedule();
    }
  }

  #applyTimer(): void {
    this.#stopTimer();
    if (this.#policy !== "everysec" || this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#closed || this.#failed !== null) return;
      if (!this.dirty && this.#q.activeBytes === 0) return;
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
