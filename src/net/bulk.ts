/**
 * Bulk writes into a server or a cluster: many small jobs (each the
 * commands of one key), batched per node, pipelined under each
 * connection's bound on bytes in flight, with every redirection and
 * failure handled per job.
 *
 * A job is done when every one of its commands got a reply: `onDone` gets
 * the job and its error replies (and its replies with `keepReplies`). A
 * `MOVED` job is sent again to the new owner, an `ASK` job once to the
 * importing node with `ASKING`, a `TRYAGAIN`/`CLUSTERDOWN` job and every
 * job of a batch whose connection broke are retried with backoff after the
 * slot map is reloaded. A job whose retries run out is reported to `onFail`
 * and the writer fails: {@link BulkWriter.add} then throws, and
 * {@link BulkWriter.flush} still waits for every other job, so what is
 * reported done was acknowledged by the server and nothing else is.
 *
 * With `ordered`, a retry holds back every job added after it until it is
 * done, so two jobs for one key are applied in the order they were added
 * (needed when the same key is written again, as when following a log).
 *
 * Hot path: {@link BulkWriter.addFrames} copies a job's bytes straight into
 * its node's batch and keeps only numbers per job; the job object is made
 * (with `jobOf`) only when it is reported or retried. With `report`, jobs
 * without errors are reported only when their first reply asks for it, and
 * otherwise just counted in {@link BulkWriter.done}.
 *
 * @module
 */

import type { ByteWriter } from "../codec/bytes.ts";
import type { BatchError, BatchResult, RedisConnection } from "./connection.ts";
import { RedisClusterError } from "./errors.ts";
import type { Reply } from "./reply.ts";
import type { RedisTarget } from "./target.ts";

export type { BulkJob, BulkWriterOptions } from "./bulk_types.ts";
import type { BulkJob, BulkWriterOptions } from "./bulk_types.ts";
import {
  appendJob,
  type Batch,
  JobErrors,
  newBatch,
  originalBytes,
  Pending,
  pending,
  repliesOf,
} from "./_bulk_batch.ts";
import { RetryQueue } from "./_bulk_retry.ts";

const DEFAULT_BATCH = 256 * 1024;
/**
 * Byte writers kept for reuse: enough for the batches in flight on a few
 * nodes (4 MiB each by default, 256 KiB batches), which all come back when
 * a part is flushed and are all needed again by the next.
 */
const MAX_SPARE = 64;

/**
 * The bulk writer. Add jobs with {@link BulkWriter.add} or
 * {@link BulkWriter.addFrames} (await what they return: that is the
 * backpressure), then {@link BulkWriter.flush}.
 *
 * @example
 * ```ts no-run
 * import { BulkWriter } from "@kevy/persist/net";
 * import { connectTarget } from "@kevy/persist/net";
 * import { encodeCommand } from "@kevy/persist/codec";
 * const target = await connectTarget({ url: "redis://127.0.0.1:6379" });
 * const w = new BulkWriter(target, { onDone: (_job, errors) => console.log(errors.length) });
 * await w.add({ slot: 0, frames: encodeCommand(["SET", "k", "v"]), count: 1 });
 * await w.flush();
 * await target.close();
 * ```
 */
export class BulkWriter<J extends BulkJob = BulkJob> {
  readonly #target: RedisTarget;
  readonly #opts: BulkWriterOptions<J>;
  readonly #batchBytes: number;
  readonly #batches = new Map<string, Batch<J>>();
  /** Jobs added and not yet done or failed. */
  #open = 0;
  #done = 0;
  #doneUnits = 0;
  #idle: Array<() => void> = [];
  #failure: Error | null = null;
  readonly #retries: RetryQueue<J>;
  /** Batches sent and not settled. */
  #inFlight = new Set<Promise<void>>();
  /** Byte writers of settled batches, for the next ones (no fresh buffer per batch). */
  readonly #spare: ByteWriter[];

  /**
   * A writer into `target`.
   * @param target the server or cluster
   * @param opts callbacks and tuning
   */
  constructor(target: RedisTarget, opts: BulkWriterOptions<J>) {
    this.#target = target;
    this.#opts = opts;
    this.#batchBytes = opts.batchBytes ?? DEFAULT_BATCH;
    this.#spare = opts.spare ?? [];
    this.#retries = new RetryQueue<J>({
      target,
      maxRedirects: opts.maxRedirects ?? 16,
      ordered: opts.ordered === true,
      failure: () => this.#failure,
      fail: (p, e) => this.#fail(p, e),
      place: (p) => {
        const f = p.job.frames;
        return this.#place(p.job.slot, f, 0, f.length, p.job.count, p, p.job.units ?? 1);
      },
      sendOpen: async () => {
        for (const b of [...this.#batches.values()]) await this.#send(b);
      },
      settled: () => Promise.all([...this.#inFlight]),
      wake: () => this.#wake(),
    });
  }

  /** The error that stopped the writer, or null. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Jobs added and not yet done or failed. */
  get open(): number {
    return this.#open;
  }

  /** Jobs answered so far (reported or not). */
  get done(): number {
    return this.#done;
  }

  /** The units (keys) of the jobs answered so far: {@link BulkWriter.done} weighted by each job's `units`. */
  get doneUnits(): number {
    return this.#doneUnits;
  }

  /**
   * Queues a job. Returns a promise only when the caller must wait (a batch
   * went out and its connection is at its bound); throws the writer's
   * failure once there is one.
   */
  add(job: J): Promise<void> | undefined {
    if (this.#failure !== null) throw this.#failure;
    this.#open++;
    if (this.#opts.ordered && this.#retrying()) {
      this.#retries.hold(pending(job));
      return undefined;
    }
    return this.#place(job.slot, job.frames, 0, job.frames.length, job.count, job, job.units ?? 1);
  }

  /**
   * Queues a job given as bytes `buf[start, end)` holding `count` frames
   * (copied at once: the buffer may be reused). See {@link BulkWriter.add}.
   */
  addFrames(
    slot: number,
    buf: Uint8Array,
    start: number,
    end: number,
    count: number,
    units = 1,
  ): Promise<void> | undefined {
    if (this.#failure !== null) throw this.#failure;
    this.#open++;
    if (this.#opts.ordered && this.#retrying()) {
      this.#retries.hold(pending(this.#jobOf(buf.slice(start, end), slot, count, units)));
      return undefined;
    }
    return this.#place(slot, buf, start, end, count, undefined, units);
  }

  /**
   * The hottest path: the byte writer of the batch `slot` goes to, for the
   * caller to append one job's frames to, then {@link BulkWriter.commit}.
   * Null when the job must go through {@link BulkWriter.addFrames} instead
   * (no owner for the slot, a retry holding jobs back in ordered mode).
   * Throws the writer's failure once there is one.
   */
  direct(slot: number): ByteWriter | null {
    if (this.#failure !== null) throw this.#failure;
    if (this.#opts.ordered && this.#retrying()) return null;
    const addr = this.#target.ownerOf(slot);
    if (addr === undefined) return null;
    const b = this.#batchFor(addr);
    this.#direct = b;
    this.#directSlot = slot;
    this.#directStart = b.w.length;
    return b.w;
  }

  /**
   * Ends the job begun with {@link BulkWriter.direct}: `count` frames were
   * written; the job counts `units` in {@link BulkWriter.doneUnits}.
   */
  commit(count: number, units = 1): Promise<void> | undefined {
    const b = this.#direct;
    if (b === null) throw new Error("BulkWriter.commit without direct()");
    this.#direct = null;
    this.#open++;
    b.starts.push(this.#directStart);
    b.counts.push(count);
    b.slots.push(this.#directSlot);
    b.units.push(units);
    b.frames += count;
    if (b.w.length >= this.#batchBytes) return this.#send(b);
    return undefined;
  }

  /** Sends every partial batch and waits until every job is done or failed; throws the failure. */
  async flush(): Promise<void> {
    for (const b of [...this.#batches.values()]) await this.#send(b);
    while (this.#open > 0) {
      await new Promise<void>((res) => this.#idle.push(res));
      for (const b of [...this.#batches.values()]) await this.#send(b);
    }
    if (this.#failure !== null) throw this.#failure;
  }

  #direct: Batch<J> | null = null;
  #directSlot = 0;
  #directStart = 0;

  /** The open batch for a node (created when there is none). */
  #batchFor(addr: string): Batch<J> {
    let b = this.#batches.get(addr);
    if (b === undefined) {
      b = newBatch<J>(addr, this.#batchBytes + (this.#batchBytes >> 2), this.#spare.pop());
      this.#batches.set(addr, b);
    }
    return b;
  }

  #retrying(): boolean {
    return this.#retries.active;
  }

  #jobOf(frames: Uint8Array, slot: number, count: number, units: number): J {
    const job = this.#opts.jobOf?.(frames, slot, count) ?? ({ slot, frames, count } as J);
    if (units !== 1) job.units = units;
    return job;
  }

  /** Appends a job to its node's batch; `held` is its object or retry state, if it has one. */
  #place(
    slot: number,
    buf: Uint8Array,
    start: number,
    end: number,
    count: number,
    held: J | Pending<J> | undefined,
    units: number,
  ): Promise<void> | undefined {
    const ask = held instanceof Pending ? held.ask : null;
    const addr = ask ?? this.#target.ownerOf(slot);
    if (addr === undefined) {
      const p = held instanceof Pending
        ? held
        : pending(held ?? this.#jobOf(buf.slice(start, end), slot, count, units));
      this.#retries.later(p, new RedisClusterError(`slot ${slot} has no master in the slot map`));
      return undefined;
    }
    const b = this.#batchFor(addr);
    appendJob(b, slot, buf, start, end, count, held, ask !== null, units);
    if (b.w.length >= this.#batchBytes) return this.#send(b);
    return undefined;
  }

  async #send(b: Batch<J>): Promise<void> {
    if (b.sent) return;
    b.sent = true;
    if (this.#batches.get(b.addr) === b) this.#batches.delete(b.addr);
    if (b.starts.length === 0) return;
    let conn: RedisConnection;
    try {
      conn = await this.#target.connection(b.addr);
    } catch (e) {
      this.#broken(b, e as Error);
      return;
    }
    const p = conn.sendFrames(b.w.bytes(), b.frames, {
      keepReplies: this.#opts.keepReplies === true,
    })
      .then((r) => this.#settle(b, r), (e: Error) => this.#broken(b, e));
    const tracked = p.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    try {
      await conn.writable();
    } catch {
      // The batch's own rejection reports it.
    }
  }

  /** The job object (or retry state) of job `i` of a batch, made if it has none. */
  #pendingOf(b: Batch<J>, i: number): Pending<J> {
    const h = b.held?.[i];
    if (h instanceof Pending) return h;
    if (h !== undefined) return pending(h);
    return pending(this.#jobOf(originalBytes(b, i), b.slots[i]!, b.counts[i]!, b.units[i]!));
  }

  #jobAt(b: Batch<J>, i: number): J {
    const h = b.held?.[i];
    if (h !== undefined) return h instanceof Pending ? h.job : h;
    return this.#jobOf(originalBytes(b, i), b.slots[i]!, b.counts[i]!, b.units[i]!);
  }

  #broken(b: Batch<J>, e: Error): void {
    for (let i = 0; i < b.starts.length; i++) this.#retries.later(this.#pendingOf(b, i), e);
    this.#recycle(b);
  }

  /**
   * A batch is settled: every job that needs its bytes later has copied
   * them (and the server answered them all, so they were written), so its
   * writer serves a later batch.
   */
  #recycle(b: Batch<J>): void {
    if (this.#spare.length >= MAX_SPARE) return;
    b.w.reset();
    this.#spare.push(b.w);
  }

  #settle(b: Batch<J>, r: BatchResult): void {
    const errs = new JobErrors(r.errors);
    let base = 0;
    const report = this.#opts.report;
    const replies = r.replies;
    const n = b.starts.length;
    for (let i = 0; i < n; i++) {
      const asked = b.asked?.has(i) === true;
      const count = b.counts[i]!;
      const len = asked ? count * 2 : count;
      const mine = errs.take(base, len, asked);
      // Jobs added with an object (add(), retries) are always reported.
      if (mine === null && report !== undefined && b.held?.[i] === undefined) {
        // The common case: no error, nothing to report.
        if (!report(replies?.[base])) {
          base += len;
          this.#done++;
          this.#doneUnits += b.units[i]!;
          this.#finished();
          continue;
        }
      }
      const jobReplies = replies === null ? null : repliesOf(replies, base, len, asked);
      base += len;
      this.#judge(b, i, mine ?? [], jobReplies);
    }
    this.#recycle(b);
  }

  /** Decides what an answered job needs: done, or (redirected, transient error) another try. */
  #judge(b: Batch<J>, i: number, errors: BatchError[], replies: Reply[] | null): void {
    if (this.#retries.takeBack(errors, () => this.#pendingOf(b, i))) return;
    this.#done++;
    this.#doneUnits += b.units[i]!;
    this.#opts.onDone(this.#jobAt(b, i), errors, replies);
    this.#finished();
  }

  #fail(p: Pending<J>, e: Error): void {
    this.#failure ??= e;
    this.#opts.onFail?.(p.job, e);
    this.#finished();
  }

  #finished(): void {
    this.#open--;
    if (this.#open === 0) this.#wake();
  }

  #wake(): void {
    const w = this.#idle;
    this.#idle = [];
    for (const f of w) f();
  }
}
