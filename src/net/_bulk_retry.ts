// The bulk writer's retries: which answered jobs need another try, jobs redirected (MOVED/ASK: again at once),
// and jobs that met a transient error or a broken connection (again after
// a backoff, once the slot map is reloaded), each within its attempts. In
// ordered mode the jobs added while a retry runs are held back until the
// retried ones are answered, so two jobs for one key keep their order.
import type { BulkJob } from "./bulk_types.ts";
import { backoffMs, isTransientClusterError, parseRedirect, sleep } from "./cluster.ts";
import type { BatchError } from "./connection_types.ts";
import { endpointText, RedisClusterError, type RedisReplyError } from "./errors.ts";
import type { RedisTarget } from "./target.ts";
import type { Pending } from "./_bulk_batch.ts";

/** What the retry queue needs from its writer. */
export interface RetryHost<J extends BulkJob> {
  readonly target: RedisTarget;
  /** Most MOVED/ASK redirections per job. */
  readonly maxRedirects: number;
  /** Keep per-key order across retries. */
  readonly ordered: boolean;
  /** The error that stopped the writer, or null. */
  failure(): Error | null;
  /** Gives a job up (the writer fails). */
  fail(p: Pending<J>, e: Error): void;
  /** Puts a job into its node's batch; a promise when the caller must wait. */
  place(p: Pending<J>): Promise<void> | undefined;
  /** Sends every partial batch. */
  sendOpen(): Promise<void>;
  /** Resolves when every batch sent so far is settled. */
  settled(): Promise<unknown>;
  /** A round ended: wake whoever waits for the writer to drain. */
  wake(): void;
}

/** The jobs waiting for another try, and (ordered mode) those held behind them. */
export class RetryQueue<J extends BulkJob> {
  readonly #host: RetryHost<J>;
  /** Jobs waiting for a retry, in the order they must be applied. */
  #queue: Array<Pending<J>> = [];
  #running: Promise<void> | null = null;
  /** Jobs held back behind a retry (ordered mode). */
  #held: Array<Pending<J>> = [];

  constructor(host: RetryHost<J>) {
    this.#host = host;
  }

  /** True while jobs wait for a retry or a retry round runs. */
  get active(): boolean {
    return this.#queue.length > 0 || this.#running !== null;
  }

  /** Holds a new job back until the retries are done (ordered mode). */
  hold(p: Pending<J>): void {
    this.#held.push(p);
  }

  /**
   * Takes an answered job back when its error replies ask for another try:
   * a redirection (MOVED updates the slot map; ASK sends it once to the
   * importing node), or a transient cluster error (after a backoff). False
   * when the job is done (its other errors are its own). `pendingOf` makes
   * the job's retry state.
   */
  takeBack(errors: BatchError[], pendingOf: () => Pending<J>): boolean {
    const host = this.#host;
    let transient: RedisReplyError | null = null;
    for (const { error } of errors) {
      const red = parseRedirect(error.reply);
      if (red !== null) {
        const p = pendingOf();
        p.ask = null;
        if (++p.redirects > host.maxRedirects) {
          host.fail(p, new RedisClusterError(`too many redirections for ${error.command}`));
          return true;
        }
        if (red.kind === "MOVED") {
          try {
            host.target.moved(red.slot, red.host, red.port);
          } catch (e) {
            host.fail(p, e as Error);
            return true;
          }
          void host.target.refresh().catch(() => {});
        } else p.ask = endpointText(red.host, red.port);
        this.again(p);
        return true;
      }
      if (isTransientClusterError(error.code)) transient = error;
    }
    if (transient === null) return false;
    this.later(pendingOf(), transient);
    return true;
  }

  /** Sends a redirected job again without a pause (through the queue, which keeps order). */
  again(p: Pending<J>): void {
    p.lastError = null; // a redirection is not a failed attempt
    this.#queue.push(p);
    this.#run(0);
  }

  /** Retries a job after a backoff, or fails it when its attempts are spent. */
  later(p: Pending<J>, e: Error): void {
    p.lastError = e;
    const retry = this.#host.target.retry;
    if (p.attempts >= retry.attempts) {
      this.#host.fail(p, e);
      return;
    }
    this.#queue.push(p);
    this.#run(backoffMs(retry, p.attempts));
  }

  #run(delay: number): void {
    if (this.#running !== null) return;
    const host = this.#host;
    this.#running = (async () => {
      while (this.#queue.length > 0) {
        if (delay > 0) {
          await sleep(delay);
          await host.target.refresh(true).catch(() => {});
        }
        const round = this.#queue;
        this.#queue = [];
        for (const p of round) {
          if (p.lastError !== null) p.attempts++;
          const failure = host.failure();
          if (failure !== null) {
            host.fail(p, failure);
            continue;
          }
          const w = host.place(p);
          if (w !== undefined) await w;
        }
        await host.sendOpen();
        // Ordered: wait until the round is answered before releasing held jobs.
        if (host.ordered) await host.settled();
        delay = this.#queue.length > 0 ? backoffMs(host.target.retry, this.#queue[0]!.attempts) : 0;
      }
      this.#running = null;
      const held = this.#held;
      this.#held = [];
      for (const p of held) {
        const failure = host.failure();
        if (failure !== null) host.fail(p, failure);
        else {
          const w = host.place(p);
          if (w !== undefined) await w;
        }
      }
      host.wake();
    })();
  }
}
