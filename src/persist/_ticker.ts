// Private: an interval timer that never keeps the process alive (unref'd on
// every runtime), started and stopped by its owner: the everysec sync and a
// failed log's retry.
import { unrefTimer } from "../fs/proc.ts";

/** Runs `fn` every `ms` while started. */
export class Ticker {
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #fn: () => void;
  readonly #ms: number;

  constructor(fn: () => void, ms: number) {
    this.#fn = fn;
    this.#ms = ms;
  }

  /** True between {@link Ticker.start} and {@link Ticker.stop}. */
  get running(): boolean {
    return this.#timer !== null;
  }

  /** Starts ticking (a running ticker keeps its phase). */
  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(this.#fn, this.#ms);
    unrefTimer(this.#timer);
  }

  /** Stops ticking (nothing to do when stopped). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
