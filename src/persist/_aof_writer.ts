// The write side of an Aof: group commit and its failure state.
//
// Appends encode into the active buffer; one microtask per turn seals it into a
// batch and drains the sealed batches to the file in order (one write each,
// then one fdatasync under "always" or when a flush waits). Exclusive ops
// (truncate, rewrite, withAppendsHeld) run on the same promise chain while
// appends made after them are held. The everysec timer queues a background
// sync. A closed writer rejects every use.
//
// Failures (as Redis does; the states are _aof_failure.ts): a write or sync
// error fails the writer at once. The bytes not yet written stay queued, in
// order (a short write is cut back to the last whole batch first); the groups
// waiting on them reject, later appends reject, and every retry (flush(),
// retry(), a timer each second) writes the queue again. Nothing is dropped.
// close() rejects, saying how many writes are not on disk, when the queue
// cannot be written.
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import { checkPolicy, type FsyncPolicy } from "./_aof_options.ts";
import { AofClosedError, AofFailedError } from "./aof_errors.ts";
import { type Batch, Batches, type GroupMarkers } from "./_aof_batches.ts";
import { AofFile } from "./_aof_file.ts";
import { FailureState } from "./_aof_failure.ts";
import { Ticker } from "./_ticker.ts";

/** Buffers, schedules and writes the frames of one log file. */
export class AofWriter {
  /** The log file, its size, header and format (an exclusive op may reopen it). */
  readonly log: AofFile;
  /** How a v2 transaction held over a switch to v1 is marked there (Aof.groupMarkers). */
  groupMarkers: GroupMarkers | null = null;
  readonly #path: string;
  #policy: FsyncPolicy;
  readonly #q = new Batches();
  #scheduled = false;
  #draining = false;
  #chain: Promise<void> = Promise.resolve();
  readonly #fail = new FailureState(() => void this.retry());
  #closed = false;
  /** The everysec policy's background sync. */
  readonly #everysec = new Ticker(() => this.#backgroundSync(), 1000);

  constructor(
    path: string,
    opened: { file: WritableFile; size: number; header: boolean; format: 1 | 2 },
    policy: FsyncPolicy,
    target: 1 | 2 = 1,
  ) {
    this.log = new AofFile(path, opened, target);
    // A rewrite or truncate switched the file's format: what was appended meanwhile, held
    // and encoded for the old one, is re-encoded at that moment (later appends use the new).
    this.log.onFormat = (format) => this.#q.reformat(format, this.groupMarkers);
    this.#path = path;
    this.#policy = policy;
    this.#applyTimer();
  }

  /** The current fsync policy. */
  get policy(): FsyncPolicy {
    return this.#policy;
  }
  /** The error that failed the log, or `null`. */
  get failed(): AofFailedError | null {
    return this.#fail.error;
  }
  /** Bytes appended but not yet written. */
  get bufferedBytes(): number {
    return this.#q.bufferedBytes;
  }

  /** Buffers one frame; resolves once its group is written (and synced under `always`). */
  append(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    return this.#refusal() ?? this.#queued(this.#q.add(argv, this.log.format));
  }

  /**
   * Buffers a frame nobody waits for (`Aof.appendImplicit`): while the log is failed (not
   * fatally) it is queued behind the unwritten frames for the retry, not refused.
   */
  appendImplicit(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fail.fatal) return Promise.reject(this.#fail.error);
    const p = this.#q.add(argv, this.log.format);
    if (this.#fail.error === null) return this.#queued(p);
    this.#q.seal(); // a retry writes the sealed batches
    return p;
  }

  /** Buffers commands that replay all or nothing (`Aof.appendGroup`). */
  appendGroup(argvs: ReadonlyArray<ReadonlyArray<Uint8Array>>): Promise<void> {
    return this.#refusal() ?? this.#queued(this.#q.addGroup(argvs, this.log.format));
  }

  /** Writes one frame blocking (fdatasynced under `always`); throws if async appends are pending. */
  appendSync(argv: ReadonlyArray<Uint8Array>): void {
    this.#checkIdle("appendSync");
    try {
      this.log.writeSync(this.log.encode(argv));
      if (this.#policy === "always") this.log.syncDataSync();
    } catch (e) {
      throw this.fail(e);
    }
  }

  /** Writes every buffered frame and fdatasyncs. */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fail.fatal) return Promise.reject(this.#fail.error);
    if (this.#fail.error !== null) {
      return this.retry().then((ok) => ok ? undefined : Promise.reject(this.#fail.error));
    }
    const p = this.#q.waitForSync();
    if (this.#q.held === 0) this.#q.seal();
    this.#schedule();
    return p;
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
    this.#everysec.stop();
    this.#fail.stop();
    const run = this.#chain.then(async () => {
      this.#q.seal(); // here, not at the call: a pending rewrite must see held frames as held
      if (!this.#fail.fatal) {
        // One last try, also for a failed log: whatever goes through is on disk.
        await this.#writeThrough(this.#q.takeAll()).catch(() => {});
      }
      const lost = this.#notOnDisk();
      const f = this.#fail.error;
      this.#q.rejectAll(f ?? new AofClosedError(this.#path));
      await this.log.file.close().catch(() => {});
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
    this.#everysec.stop();
    this.#fail.stop();
    this.log.closeSync(); // not failed: #checkIdle would have thrown
  }

  /**
   * `Aof.exitSync`: nothing is written while a write is in flight or an exclusive op
   * holds appends (what reached the file is unknown then: nothing may be written twice).
   */
  exitSync(): boolean {
    if (this.#closed) return true;
    if (this.#fail.error !== null || this.#draining || this.#q.held > 0) return false;
    this.#q.seal();
    const batches = this.#q.takeAll();
    try {
      for (const b of batches) this.log.writeSync(b.w.bytes());
      this.log.syncDataSync();
      this.#closed = true;
      this.#everysec.stop();
      this.log.file.closeSync();
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
    if (this.#fail.fatal && this.#fail.error !== null) return this.#fail.error;
    const lost = this.#notOnDisk();
    const f = e instanceof AofFailedError ? e : new AofFailedError(this.#path, e, lost);
    this.#fail.setFatal(f);
    this.#q.rejectAll(f);
    this.#q.dropActive(f);
    this.#everysec.stop();
    return f;
  }

  /** Whether the failure (if any) is retried. */
  get retrying(): boolean {
    return this.#fail.retrying;
  }

  /**
   * Writes (and syncs) the queued bytes of a failed writer again; true when the
   * writer is ok afterwards. Runs after everything queued before it.
   */
  retry(): Promise<boolean> {
    if (this.#closed || this.#fail.fatal) return Promise.resolve(false);
    if (this.#fail.error === null) return Promise.resolve(true);
    const run = this.#chain.then(async () => {
      if (this.#fail.error === null) return true;
      if (this.#fail.fatal || this.#closed) return false;
      try {
        await this.#writeThrough(this.#q.takeReady());
      } catch {
        return false;
      }
      if (this.#fail.error !== null) return false; // made fatal meanwhile
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
    await this.log.truncateToHeader().catch((e: unknown) => {
      throw this.fail(e);
    });
    if (this.#fail.clear()) this.#applyTimer(); // the caller's snapshot covers what was queued
  }

  /** {@link AofFile.reopen} after a rename (inside an exclusive op); a failure is fatal. */
  async reopen(fs: FsAdapter, size?: number): Promise<void> {
    await this.log.reopen(fs, size).catch((e: unknown) => {
      throw this.fail(e);
    });
  }

  /** Writes sealed batches now (inside an exclusive op) and syncs them. */
  writeSealed(): Promise<void> {
    return this.#writeThrough(this.#q.takeReady());
  }

  /**
   * Runs `op` after everything queued, holding appends made after the call
   * (they are written once `op` finishes). `op` sees the pre-call frames as
   * sealed batches ({@link AofWriter.writeSealed}, {@link AofWriter.truncateToHeader}).
   */
  exclusive<T>(op: (first: (argv: ReadonlyArray<Uint8Array>) => void) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fail.fatal) return Promise.reject(this.#fail.error);
    // The op's place in the log: after every frame appended before the call (and the
    // places of ops called earlier), before every frame appended after it, even when
    // another exclusive op is called meanwhile (two split writes on one shard never
    // interleave: a part without its EXEC can only be a log's tail).
    this.#q.seal();
    const place = this.#q.hold();
    const run = this.#chain.then(async () => {
      // Frames `op` puts ahead of the appends held while it ran (a group's EXEC).
      const first = (argv: ReadonlyArray<Uint8Array>): void =>
        this.#q.first(place, argv, this.log.format);
      try {
        if (this.#fail.fatal) throw this.#fail.error;
        return await op(first);
      } finally {
        this.#q.release(place);
        if (this.#fail.fatal) {
          for (const b of this.#q.takeAll()) b.g?.reject(this.#fail.error);
        }
      }
    });
    this.#chain = run.then(() => this.#kick(), () => this.#kick());
    return run;
  }

  // --- internals -----------------------------------------------------------

  /** The rejection of an append to a closed or failed log, or `null`. */
  #refusal(): Promise<void> | null {
    if (this.#closed) return Promise.reject(new AofClosedError(this.#path));
    if (this.#fail.error !== null) return Promise.reject(this.#fail.error);
    return null;
  }

  /** An append's promise, its turn's flush scheduled. */
  #queued(p: Promise<void>): Promise<void> {
    if (!this.#scheduled) this.#schedule();
    return p;
  }

  #checkIdle(what: string): void {
    if (this.#closed) throw new AofClosedError(this.#path);
    if (this.#fail.error !== null) throw this.#fail.error;
    if (this.#draining || this.#scheduled || this.#q.hasFrames) {
      throw new Error(
        `${this.#path}: ${what} while async appends are pending; await flush() first`,
      );
    }
  }

  /**
   * Writes and syncs `batches`, resolving their groups; a failed writer is ok
   * again then. On failure the batches are requeued (the failed state) and the
   * AofFailedError is thrown.
   */
  async #writeThrough(batches: Batch[]): Promise<void> {
    try {
      await this.log.write(batches);
      await this.log.syncData();
    } catch (e) {
      throw await this.#requeue(batches, e);
    }
    this.#q.resolve(batches);
    if (this.#fail.clear()) this.#applyTimer(); // the queue went through
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
    const f = new AofFailedError(this.#path, e, this.#notOnDisk());
    this.#fail.set(f); // retried by the timer
    this.#q.settleFailed(batches, f);
    if (unwritten.length > 0) {
      try {
        await this.log.cutBack(); // drop a partial frame of the failed write
      } catch (t) {
        return this.fail(t);
      }
    }
    return f;
  }

  /** Writes not yet in the file, and whether written bytes await a sync. */
  #notOnDisk(): { frames: number; bytes: number; unsynced: boolean } {
    return { ...this.#q.unwritten(), unsynced: this.log.dirty };
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
        if (this.#fail.error !== null || this.#closed) return;
        if (this.#q.held === 0) this.#q.seal();
        const batches = this.#q.takeReady();
        // While an exclusive op is pending, sync requests wait for it: the
        // frames they cover are held.
        const waiters = this.#q.takeSyncWaiters();
        if (batches.length === 0 && waiters.length === 0) return;
        try {
          await this.log.write(batches);
          if (this.#policy === "always" || waiters.length > 0) await this.log.syncData();
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
    if (this.#q.held === 0 && this.#q.pending) this.#schedule();
  }

  #applyTimer(): void {
    this.#everysec.stop(); // restarted: a full second from now
    if (this.#policy === "everysec" && !this.#closed) this.#everysec.start();
  }

  #backgroundSync(): void {
    if (this.#closed || this.#fail.error !== null) return;
    if (!this.log.dirty && this.#q.activeBytes === 0) return;
    void this.#q.waitForSync(); // background: a failure puts the log in the failed state
    this.#schedule();
  }
}
