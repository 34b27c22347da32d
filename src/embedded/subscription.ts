/**
 * {@link Subscription}: what {@link KevyStore.keyspaceEvents},
 * {@link KevyStore.subscribe} and {@link KevyStore.psubscribe} return — an
 * async iterator over what arrives after it was made, buffered so a slow
 * reader misses nothing, bounded so a reader that stopped reading cannot
 * grow the process without limit.
 *
 * @module
 */

/**
 * Options of a {@link Subscription}.
 *
 * @example
 * ```ts
 * import type { SubscriptionOptions } from "@kevy/persist";
 * const opts: SubscriptionOptions = { bufferSize: 1000, overflow: "drop-oldest" };
 * ```
 */
export interface SubscriptionOptions {
  /** Items kept for a reader that is behind (default 10,000). */
  bufferSize?: number;
  /**
   * When the buffer is full: `"error"` (default) ends the subscription — the
   * next read rejects with {@link SubscriptionOverflowError} after the items
   * already buffered; `"drop-oldest"` drops the oldest item and counts it in
   * {@link Subscription.dropped}.
   */
  overflow?: "error" | "drop-oldest";
  /** Ends the subscription when aborted (the iterator then finishes). */
  signal?: AbortSignal;
}

/**
 * A subscription's reader fell more than `bufferSize` items behind (with
 * `overflow: "error"`): the subscription ended there, as Redis disconnects a
 * subscriber past its output buffer limit. Nothing was dropped silently: the
 * items read before this error are exactly the ones delivered.
 *
 * @example
 * ```ts
 * import { openStore, SubscriptionOverflowError } from "@kevy/persist";
 * const db = await openStore();
 * const sub = db.keyspaceEvents({ bufferSize: 1 });
 * await db.set("a", "1");
 * await db.set("b", "2"); // a second event: more than the reader kept up with
 * await sub.next(); // the first event
 * await sub.next().catch((e) => e instanceof SubscriptionOverflowError); // true
 * await db.close();
 * ```
 */
export class SubscriptionOverflowError extends Error {
  /** Always `"SubscriptionOverflowError"`. */
  override name = "SubscriptionOverflowError";
  /** The buffer size that was exceeded. */
  readonly bufferSize: number;
  /**
   * An overflowed subscription.
   * @param bufferSize the limit
   */
  constructor(bufferSize: number) {
    super(
      `subscription reader fell more than ${bufferSize} items behind; the subscription ended ` +
        '(raise bufferSize, read faster, or use overflow: "drop-oldest")',
    );
    this.bufferSize = bufferSize;
  }
}

/**
 * An async iterator of `T`s delivered after it was made (see the module docs).
 * Stop it with `close()` (or `break` out of a `for await`, or `await using`);
 * it also finishes when its store closes.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * const sub = db.subscribe("news");
 * await db.publish("news", "hello");
 * for await (const m of sub) {
 *   console.log(m.channel, m.message); // "news" "hello"
 *   break; // closes the subscription
 * }
 * await db.close();
 * ```
 */
export class Subscription<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  #ended = false;
  #error: Error | null = null;
  #dropped = 0;
  readonly #limit: number;
  readonly #dropOldest: boolean;
  readonly #onClose: () => void;
  readonly #signal: AbortSignal | null;
  readonly #onAbort = (): void => this.close();

  /** @internal Made by the store. */
  constructor(opts: SubscriptionOptions, onClose: () => void) {
    const limit = opts.bufferSize ?? 10_000;
    if (!(Number.isSafeInteger(limit) && limit >= 1)) {
      throw new RangeError(`bufferSize must be a positive integer, got ${limit}`);
    }
    const overflow = opts.overflow ?? "error";
    if (overflow !== "error" && overflow !== "drop-oldest") {
      throw new TypeError(`overflow must be "error" or "drop-oldest", got ${String(overflow)}`);
    }
    this.#limit = limit;
    this.#dropOldest = overflow === "drop-oldest";
    this.#onClose = onClose;
    this.#signal = opts.signal ?? null;
    if (this.#signal !== null) {
      if (this.#signal.aborted) queueMicrotask(this.#onAbort);
      else this.#signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Items dropped because the buffer was full (`overflow: "drop-oldest"`). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items delivered and not read yet. */
  get buffered(): number {
    return this.#items.length - this.#head;
  }

  /** Whether it still receives items. */
  get open(): boolean {
    return !this.#ended;
  }

  /** @internal Delivers one item. */
  push(item: T): void {
    if (this.#ended) return;
    const w = this.#waiting.shift();
    if (w !== undefined) {
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.buffered >= this.#limit) {
      if (!this.#dropOldest) {
        this.#error = new SubscriptionOverflowError(this.#limit);
        this.#finish();
        return;
      }
      this.#head++;
      this.#dropped++;
    }
    this.#items.push(item);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** The next item (waits for one), or `done` once closed and drained. */
  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      const e = this.#error;
      if (e !== null) {
        this.#error = null; // reported once; then the iterator is simply done
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Closes it (what `break` in a `for await` calls). */
  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops receiving; items already buffered are dropped, waiting reads finish. */
  close(): void {
    if (this.#ended && this.#items.length === 0) return;
    this.#items.length = 0;
    this.#head = 0;
    this.#error = null;
    this.#finish();
  }

  /** @internal The store closed (items already buffered can still be read). */
  end(): void {
    this.#finish();
  }

  #finish(): void {
    if (!this.#ended) {
      this.#ended = true;
      this.#signal?.removeEventListener("abort", this.#onAbort);
      this.#onClose();
    }
    const waiting = this.#waiting;
    this.#waiting = [];
    const e = this.#error;
    if (e !== null && waiting.length > 0) this.#error = null;
    for (const w of waiting) {
      if (e !== null) w.reject(e);
      else w.resolve({ value: undefined, done: true });
    }
  }

  /** The subscription itself (for `for await`). */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** `await using sub = db.subscribe(...)`: closed at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
