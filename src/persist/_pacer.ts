// Private: long CPU work on the event loop in bounded steps. The async
// loaders cut their input into slices, the async save and rewrite write
// pieces; after each step they ask the pacer for a turn: once a time budget
// is spent since the last one, it hands the loop back (a macrotask, so
// timers and I/O callbacks run) before the next step.
// setImmediate, not setTimeout(0): no timer clamp (browsers and Deno clamp
// nested timeouts to 4 ms), and it is the same call on Deno, Bun and Node.
import { setImmediate } from "node:timers";

/** Bytes fed to a decoder in one synchronous step (then the pacer decides). */
export const SLICE_BYTES = 1 << 16;

/** Default budget of one turn, ms: the longest a paced loader holds the loop between two slices. */
export const TURN_MS = 4;

/**
 * Budget of a save's or rewrite's pacer, ms: their target is no stall above
 * 5 ms, and a turn may come one encoded piece (64 KiB) after the budget.
 */
export const SAVE_TURN_MS = 3;

/** The budget new pacers take (tests set 0: a turn after every slice). */
export const pacing: { turnMs: number } = { turnMs: TURN_MS };

const RESOLVED: Promise<void> = Promise.resolve();

/** Hands the event loop back once `budget` ms of work have passed since the last turn. */
export class Pacer {
  readonly #budget: number;
  #since: number;
  /** Turns handed back (tests check that a long load yields). */
  turns = 0;

  constructor(budget: number = pacing.turnMs) {
    this.#budget = Math.min(budget, pacing.turnMs);
    this.#since = performance.now();
  }

  /**
   * A promise to await between two slices: resolved already while the
   * budget lasts (a microtask, no turn), else settled by a macrotask.
   */
  turn(): Promise<void> {
    if (performance.now() - this.#since < this.#budget) return RESOLVED;
    this.turns++;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#since = performance.now();
        resolve();
      })
    );
  }

  /** The loop ran anyway (an awaited read): the budget starts again. */
  ran(): void {
    this.#since = performance.now();
  }
}

/**
 * Feeds `chunk` to `push` in slices of at most {@link SLICE_BYTES}, awaiting
 * a turn of `pacer` after each.
 */
export async function pushPaced(
  chunk: Uint8Array,
  push: (slice: Uint8Array) => void,
  pacer: Pacer,
): Promise<void> {
  for (let off = 0; off < chunk.length; off += SLICE_BYTES) {
    push(off === 0 && chunk.length <= SLICE_BYTES ? chunk : chunk.subarray(off, off + SLICE_BYTES));
    await pacer.turn();
  }
}
