// Private: how recently or how often each key was used, for the eviction policies (evict.ts).
// One u32 per entry in the index's `acc` column, written on every lookup of a live key while
// a policy needs it (no column, no cost, otherwise):
// - LRU: a logical access clock (every access ticks it), so "idle" is the number of accesses
//   since the key was last used: an exact recency order without reading the clock per access.
// - LFU: Redis's layout, the last decrement time in minutes (16 bits) and an 8-bit
//   logarithmic counter: a new key starts at 5; an access increments with probability
//   1 / ((counter - 5) * lfuLogFactor + 1) after the counter lost one per lfuDecayTime
//   minutes idle; saturates at 255.

/** The counter a new key starts with (Redis's LFU_INIT_VAL): new keys are not evicted first. */
export const LFU_INIT = 5;

/** A small seeded generator (xorshift32) in [0, 1): sampling and LFU increments. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = (seed >>> 0) || 0x9e3779b9;
  }
  next(): number {
    let s = this.#s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#s = s >>> 0;
    return this.#s / 4294967296;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** The access tracking of one index: what a lookup writes into its `acc` column. */
export class Access {
  /** The LRU clock (accesses so far, mod 2^32). */
  tick = 0;
  constructor(
    readonly lfu: boolean,
    readonly logFactor: number,
    readonly decayTime: number,
    readonly clock: () => number,
    readonly rng: Rng,
  ) {}

  /** The value a new (or newly tracked) key starts with. */
  initial(): number {
    return this.lfu ? (this.#minutes() << 8) | LFU_INIT : this.tick;
  }

  /** Entry `ei` was used. */
  touch(acc: Uint32Array, ei: number): void {
    if (!this.lfu) {
      acc[ei] = this.tick = (this.tick + 1) >>> 0;
      return;
    }
    let c = this.counter(acc[ei]!);
    if (c < 255) {
      const base = c > LFU_INIT ? c - LFU_INIT : 0;
      if (this.rng.next() < 1 / (base * this.logFactor + 1)) c++;
    }
    acc[ei] = (this.#minutes() << 8) | c;
  }

  /** The LFU counter of an `acc` value after its decay (the stored value is not changed). */
  counter(v: number): number {
    const c = v & 255;
    if (this.decayTime === 0) return c;
    const now = this.#minutes(), then = v >>> 8;
    const elapsed = now >= then ? now - then : 65535 - then + now;
    const periods = Math.floor(elapsed / this.decayTime);
    return periods >= c ? 0 : c - periods;
  }

  /** How good a victim an `acc` value is: higher is better (idle accesses, or 255 - counter). */
  score(v: number): number {
    return this.lfu ? 255 - this.counter(v) : (this.tick - v) >>> 0;
  }

  #minutes(): number {
    return Math.floor(this.clock() / 60_000) & 65535;
  }
}
