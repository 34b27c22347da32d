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
 * @module
 */

import { ByteWriter } from "../codec/bytes.ts";
import { backoffMs, isTransientClusterError, parseRedirect, sleep } from "./cluster.ts";
import type { BatchError, BatchResult, RedisConnection } from "./connection.ts";
import { endpointText, RedisClusterError, type RedisReplyError } from "./errors.ts";
import type { Reply } from "./reply.ts";
import type { RedisTarget } from "./target.ts";

/** One unit of work: the encoded commands of one key. */
export interface BulkJob {
  /** The key's hash slot (any value for a single server). */
  slot: number;
  /** The RESP frames (not copied until the job is added: do not reuse the bytes before). */
  frames: Uint8Array;
  /** How many frames `frames` holds. */
  count: number;
}

/** Options of {@link BulkWriter}. */
export interface BulkWriterOptions<J extends BulkJob> {
  /** Send a node's batch once it holds this many bytes (default 256 KiB). */
  batchBytes?: number;
  /** Hand every reply to onDone, not only the errors (default false). */
  keepReplies?: boolean;
  /** Keep per-key order across retries (default false). */
  ordered?: boolean;
  /** Most MOVED/ASK redirections per job (default 16). */
  maxRedirects?: number;
  /** A job was answered; `errors` are its error replies (indexes within the job). */
  onDone(job: J, errors: BatchError[], replies: Reply[] | null): void;
  /** A job gave up (its effect on the server is unknown). */
  onFail?(job: J, error: Error): void;
}

interface Slot<J> {
  job: J;
  attempts: number;
  redirects: number;
  /** Send once to this node with ASKING. */
  ask: string | null;
  lastError: Error | null;
}

interface Batch<J> {
  /** Set once handed to #send (a batch is sent once). */
  sent: boolean;
  addr: string;
  w: ByteWriter;
  jobs: Array<Slot<J>>;
  frames: number;
}

const DEFAULT_BATCH = 256 * 1024;
const ASKING = new TextEncoder().encode("*1\r\n$6\r\nASKING\r\n");

/**
 * The bulk writer. Add jobs with {@link BulkWriter.add} (await it when it
 * returns a promise: that is the backpressure), then {@link BulkWriter.flush}.
 *
 * @example
 * ```ts ignore
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
  readonly #maxRedirects: number;
  readonly #batches = new Map<string, Batch<J>>();
  /** Jobs added and not yet done or failed. */
  #open = 0;
  #idle: Array<() => void> = [];
  #failure: Error | null = null;
  /** Jobs waiting for a retry, in the order they must be applied. */
  #retry: Array<Slot<J>> = [];
  #retryRunning: Promise<void> | null = null;
  /** Jobs held back behind a retry (ordered mode). */
  #held: Array<Slot<J>> = [];
  /** Batches sent and not settled. */
  #inFlight = new Set<Promise<void>>();

  /**
   * A writer into `target`.
   * @param target the server or cluster
   * @param opts callbacks and tuning
   */
  constructor(target: RedisTarget, opts: BulkWriterOptions<J>) {
    this.#target = target;
    this.#opts = opts;
    this.#batchBytes = opts.batchBytes ?? DEFAULT_BATCH;
    this.#maxRedirects = opts.maxRedirects ?? 16;
  }

  /** The error that stopped the writer, or null. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Jobs added and not yet done or failed. */
  get open(): number {
    return this.#open;
  }

  /**
   * Queues a job. Returns a promise only when the caller must wait (a batch
   * went out and its connection is at its bound); throws the writer's
   * failure once there is one.
   */
  add(job: J): Promise<void> | undefined {
    if (this.#failure !== null) throw this.#failure;
    this.#open++;
    const s: Slot<J> = { job, attempts: 0, redirects: 0, ask: null, lastError: null };
    if (this.#opts.ordered && (this.#retry.length > 0 || this.#retryRunning !== null)) {
      this.#held.push(s);
      return undefined;
    }
    return this.#place(s);
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

  #place(s: Slot<J>): Promise<void> | undefined {
    const addr = s.ask ?? this.#target.ownerOf(s.job.slot);
    if (addr === undefined) {
      this.#later(s, new RedisClusterError(`slot ${s.job.slot} has no master in the slot map`));
      return undefined;
    }
    let b = this.#batches.get(addr);
    if (b === undefined) {
      b = {
        sent: false,
        addr,
        w: new ByteWriter(this.#batchBytes + (this.#batchBytes >> 2)),
        jobs: [],
        frames: 0,
      };
      this.#batches.set(addr, b);
    }
    if (s.ask !== null) {
      // ASKING before each frame; the ASKING replies are dropped when settling.
      forEachFrame(s.job.frames, s.job.count, (f) => {
        b.w.writeBytes(ASKING);
        b.w.writeBytes(f);
      });
      b.frames += s.job.count * 2;
    } else {
      b.w.writeBytes(s.job.frames);
      b.frames += s.job.count;
    }
    b.jobs.push(s);
    if (b.w.length >= this.#batchBytes) return this.#send(b);
    return undefined;
  }

  async #send(b: Batch<J>): Promise<void> {
    if (b.sent) return;
    b.sent = true;
    if (this.#batches.get(b.addr) === b) this.#batches.delete(b.addr);
    if (b.jobs.length === 0) return;
    let conn: RedisConnection;
    try {
      conn = await this.#target.connection(b.addr);
    } catch (e) {
      for (const s of b.jobs) this.#later(s, e as Error);
      return;
    }
    const bytes = b.w.bytes();
    const p = conn.sendFrames(bytes, b.frames, { keepReplies: this.#opts.keepReplies === true })
      .then(
        (r) => this.#settle(b, r),
        (e: Error) => {
          for (const s of b.jobs) this.#later(s, e);
        },
      );
    const tracked = p.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    try {
      await conn.writable();
    } catch {
      // The batch's own rejection reports it.
    }
  }

  #settle(b: Batch<J>, r: BatchResult): void {
    let ei = 0;
    let base = 0;
    const errs = r.errors;
    for (const s of b.jobs) {
      const asked = s.ask !== null;
      const n = asked ? s.job.count * 2 : s.job.count;
      const mine: BatchError[] = [];
      while (ei < errs.length && errs[ei]!.index < base + n) {
        const e = errs[ei++]!;
        const local = e.index - base;
        if (asked && local % 2 === 0) continue; // an ASKING reply
        mine.push({ index: asked ? local >> 1 : local, error: e.error });
      }
      let replies: Reply[] | null = null;
      if (r.replies !== null) {
        replies = r.replies.slice(base, base + n);
        if (asked) replies = replies.filter((_, i) => i % 2 === 1);
      }
      base += n;
      this.#judge(s, mine, replies);
    }
  }

  /** Decides what an answered job needs: done, redirected, or retried. */
  #judge(s: Slot<J>, errors: BatchError[], replies: Reply[] | null): void {
    s.ask = null;
    let transient: RedisReplyError | null = null;
    for (const { error } of errors) {
      const red = parseRedirect(error.reply);
      if (red !== null) {
        if (++s.redirects > this.#maxRedirects) {
          this.#fail(s, new RedisClusterError(`too many redirections for ${error.command}`));
          return;
        }
        if (red.kind === "MOVED") {
          try {
            this.#target.moved(red.slot, red.host, red.port);
          } catch (e) {
            this.#fail(s, e as Error);
            return;
          }
          void this.#target.refresh().catch(() => {});
        } else s.ask = endpointText(red.host, red.port);
        this.#again(s);
        return;
      }
      if (isTransientClusterError(error.code)) transient = error;
    }
    if (transient !== null) {
      this.#later(s, transient);
      return;
    }
    this.#opts.onDone(s.job, errors, replies);
    this.#finished();
  }

  /** Sends a redirected job again without a pause (through the retry queue, which keeps order). */
  #again(s: Slot<J>): void {
    s.lastError = null; // a redirection is not a failed attempt
    this.#retry.push(s);
    this.#runRetries(0);
  }

  /** Retries a job after a backoff, or fails it when its attempts are spent. */
  #later(s: Slot<J>, e: Error): void {
    s.lastError = e;
    if (s.attempts >= this.#target.retry.attempts) {
      this.#fail(s, e);
      return;
    }
    this.#retry.push(s);
    this.#runRetries(backoffMs(this.#target.retry, s.attempts));
  }

  #runRetries(delay: number): void {
    if (this.#retryRunning !== null) return;
    this.#retryRunning = (async () => {
      while (this.#retry.length > 0) {
        if (delay > 0) {
          await sleep(delay);
          await this.#target.refresh(true).catch(() => {});
        }
        const round = this.#retry;
        this.#retry = [];
        for (const s of round) {
          if (s.lastError !== null) s.attempts++;
          if (this.#failure !== null) {
            this.#fail(s, this.#failure);
            continue;
          }
          const p = this.#place(s);
          if (p !== undefined) await p;
        }
        for (const b of [...this.#batches.values()]) await this.#send(b);
        // Ordered: wait until the round is answered before releasing held jobs.
        if (this.#opts.ordered) await Promise.all([...this.#inFlight]);
        delay = this.#retry.length > 0
          ? backoffMs(this.#target.retry, this.#retry[0]!.attempts)
          : 0;
      }
      this.#retryRunning = null;
      const held = this.#held;
      this.#held = [];
      for (const s of held) {
        if (this.#failure !== null) this.#fail(s, this.#failure);
        else {
          const p = this.#place(s);
          if (p !== undefined) await p;
        }
      }
      this.#wake();
    })();
  }

  #fail(s: Slot<J>, e: Error): void {
    this.#failure ??= e;
    this.#opts.onFail?.(s.job, e);
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

/** Calls `fn` with each of the `count` frames of `buf` (views). */
function forEachFrame(buf: Uint8Array, count: number, fn: (frame: Uint8Array) => void): void {
  let p = 0;
  for (let i = 0; i < count; i++) {
    const end = frameEnd(buf, p);
    fn(buf.subarray(p, end));
    p = end;
  }
}

/** End offset of the well-formed multibulk frame at `p` (our own encoding). */
function frameEnd(b: Uint8Array, p: number): number {
  let i = p + 1;
  let n = 0;
  while (b[i] !== 13) n = n * 10 + (b[i++]! - 48);
  i += 2;
  for (let k = 0; k < n; k++) {
    i++; // '$'
    let len = 0;
    while (b[i] !== 13) len = len * 10 + (b[i++]! - 48);
    i += 2 + len + 2;
  }
  return i;
}
