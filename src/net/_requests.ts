// The requests of one connection in send order: the bytes in flight (and who
// waits for them to drop under the bound), the no-reply timer (reset by every
// arriving byte), and who waits for the queue to empty when closing.
import { Fifo } from "./_queue.ts";
import type { Pending } from "./_pending.ts";

const NO_REPLY_CHECK = 0;

/** The queue of requests awaiting replies, with its byte count, waiters and timer. */
export class Requests {
  readonly #queue = new Fifo<Pending>();
  readonly #maxInFlightBytes: number;
  readonly #timeoutMs: number;
  readonly #isClosed: () => boolean;
  readonly #onTimeout: () => void;
  #inFlight = 0;
  #waiters: Array<() => void> = [];
  #closeWaiters: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastProgress = 0;

  /**
   * `onTimeout` runs when requests wait and nothing arrived for `timeoutMs`
   * (0: never); `isClosed` stops the timer's check once the connection is gone.
   */
  constructor(
    maxInFlightBytes: number,
    timeoutMs: number,
    isClosed: () => boolean,
    onTimeout: () => void,
  ) {
    this.#maxInFlightBytes = maxInFlightBytes;
    this.#timeoutMs = timeoutMs;
    this.#isClosed = isClosed;
    this.#onTimeout = onTimeout;
  }

  /** Bytes sent or queued whose replies have not all arrived. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting. */
  get length(): number {
    return this.#queue.length;
  }

  /** The oldest request (the one the next reply is for), or undefined. */
  oldest(): Pending | undefined {
    return this.#queue.peek();
  }

  /** Bytes arrived: the no-reply timer counts from now. */
  progress(): void {
    this.#lastProgress = performance.now();
  }

  /** Queues a request sent (or about to be). */
  add(p: Pending): void {
    this.#queue.push(p);
    this.#inFlight += p.bytes;
    if (this.#queue.length === 1) {
      this.#lastProgress = performance.now();
      this.#armTimer();
    }
  }

  /** Calls `f` once the bytes in flight drop under the bound (or the connection fails). */
  onWritable(f: () => void): void {
    this.#waiters.push(f);
  }

  /** Calls `f` once the queue empties while closing, or the connection is gone. */
  onClosed(f: () => void): void {
    this.#closeWaiters.push(f);
  }

  /** Commands without a reply (walks the queue: for errors and reports, not per command). */
  unanswered(): number {
    let n = 0;
    for (const p of this.#queue.drain()) {
      n += p.count - p.got;
      this.#queue.push(p);
    }
    return n;
  }

  /** Removes the oldest request, which has all its replies; wakes whoever waits on that. */
  settleOldest(closing: boolean): void {
    const p = this.#queue.shift()!;
    this.#inFlight -= p.bytes;
    if (this.#waiters.length > 0 && this.#inFlight < this.#maxInFlightBytes) {
      const w = this.#waiters;
      this.#waiters = [];
      for (const f of w) f();
    }
    if (this.#queue.length === 0) {
      this.stopTimer();
      if (closing) this.wakeClosed();
    }
  }

  /** Stops the no-reply timer. */
  stopTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  /** The connection failed with `e`: every request rejects with it, every waiter wakes. */
  failAll(e: Error): void {
    for (const p of this.#queue.drain()) p.reject(e);
    this.#inFlight = 0;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
    this.wakeClosed();
  }

  /** Wakes whoever waits in {@link onClosed}. */
  wakeClosed(): void {
    const w = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const f of w) f();
  }

  #armTimer(): void {
    if (this.#timeoutMs <= NO_REPLY_CHECK || this.#timer !== null) return;
    const wait = Math.max(1, this.#lastProgress + this.#timeoutMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#queue.length === 0 || this.#isClosed()) return;
      if (performance.now() - this.#lastProgress >= this.#timeoutMs) {
        this.#onTimeout();
        return;
      }
      this.#armTimer();
    }, wait);
  }
}
