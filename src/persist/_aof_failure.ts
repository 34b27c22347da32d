// Private: the failure state of an AofWriter, as Redis keeps it. Ok; failed (a
// write or sync error: retried by itself every second until the queued bytes go
// through, then ok again); or fatal (the file state is unknown, e.g. a cut back
// that failed or a reopen after a rename: no retry, ever). Stopped (the log is
// closing): the timer does not start again.
import type { AofFailedError } from "./aof_errors.ts";
import { Ticker } from "./_ticker.ts";

/** How often a failed writer retries by itself, ms. */
export const RETRY_MS = 1000;

/** Ok, failed and retried, or failed for good; owns the retry timer. */
export class FailureState {
  #error: AofFailedError | null = null;
  #fatal = false;
  #stopped = false;
  readonly #timer: Ticker;

  /** `retry` runs every `everyMs` while failed (a timer that keeps no process alive). */
  constructor(retry: () => void, everyMs: number = RETRY_MS) {
    this.#timer = new Ticker(retry, everyMs);
  }

  /** The error of the current failure, or `null` while ok. */
  get error(): AofFailedError | null {
    return this.#error;
  }
  /** Failed for good: the file state is unknown. */
  get fatal(): boolean {
    return this.#fatal;
  }
  /** Failed, and retried. */
  get retrying(): boolean {
    return this.#error !== null && !this.#fatal;
  }
  /** The retry timer is running. */
  get ticking(): boolean {
    return this.#timer.running;
  }

  /**
   * A write or sync failed: `error` until {@link FailureState.clear}, retried by
   * the timer (unless stopped, or fatal: a fatal state stays fatal).
   */
  set(error: AofFailedError): void {
    this.#error = error;
    if (!this.#fatal && !this.#stopped) this.#timer.start();
  }

  /** Failed for good: no retry. */
  setFatal(error: AofFailedError): void {
    this.#error = error;
    this.#fatal = true;
    this.#timer.stop();
  }

  /** The queue went through: ok again. False (nothing changes) unless retrying. */
  clear(): boolean {
    if (!this.retrying) return false;
    this.#error = null;
    this.#timer.stop();
    return true;
  }

  /** The log is closing: no more retries by the timer. */
  stop(): void {
    this.#stopped = true;
    this.#timer.stop();
  }
}
