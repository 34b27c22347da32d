/**
 * Eviction under a memory cap, approximated as Redis does (`maxmemory-policy`): the store's
 * used memory is compared with the cap before a command; while it is above, a victim is
 * chosen and removed. `*-lru`, `*-lfu` and `volatile-ttl` keep a pool of the 16 best
 * candidates among `samples` keys sampled from each store per round (the best one that still
 * exists goes); `*-random` takes a random key. `allkeys-*` choose among every key,
 * `volatile-*` only among keys with a TTL (a key without one is never evicted by them).
 *
 * Recency (LRU) is an access clock that ticks on every lookup of a key; frequency (LFU) is
 * Redis's 8-bit logarithmic counter with its decay (`lfuLogFactor`, `lfuDecayTime`). Both
 * are tracked only while a policy needs them.
 *
 * @module
 */
import { Access, Rng } from "./_access.ts";
import { expiryOf, indexOf } from "./internals.ts";
import { hashBytes, HOLE, type KeyIndex } from "./_index.ts";
import type { Store } from "./store.ts";

/**
 * Redis's `maxmemory-policy` names.
 *
 * @example
 * ```ts
 * import type { EvictionPolicy } from "@kevy/persist/store";
 * const p: EvictionPolicy = "allkeys-lru";
 * ```
 */
export type EvictionPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";

/** Every {@link EvictionPolicy}. */
export const EVICTION_POLICIES: ReadonlyArray<EvictionPolicy> = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
];

/**
 * Options of {@link Evictor}.
 *
 * @example
 * ```ts
 * import type { EvictorOptions } from "@kevy/persist/store";
 * const o: EvictorOptions = { policy: "allkeys-lfu", samples: 10, lfuLogFactor: 10 };
 * ```
 */
export interface EvictorOptions {
  /** The policy. */
  policy: EvictionPolicy;
  /** Keys sampled per store per round, as `maxmemory-samples` (default 5). */
  samples?: number;
  /** LFU counter growth: higher needs more hits per step, as `lfu-log-factor` (default 10). */
  lfuLogFactor?: number;
  /** Minutes idle per LFU counter decrement, 0 never, as `lfu-decay-time` (default 1). */
  lfuDecayTime?: number;
  /** Seed of the sampling and LFU randomness (default: a random one). */
  seed?: number;
  /** Clock in unix ms for the LFU decay (default `Date.now`; the stores' clock is better). */
  now?: () => number;
}

const POOL_SIZE = 16;

interface Candidate {
  score: number;
  store: number;
  key: Uint8Array;
}

/**
 * Chooses and removes victims across a set of stores (one per shard: the cap is for them
 * all, as Redis's counts the whole instance).
 *
 * @example
 * ```ts
 * import { Evictor, Store } from "@kevy/persist/store";
 * const s = new Store();
 * const ev = new Evictor([s], { policy: "allkeys-lru", seed: 1 });
 * for (let i = 0; i < 100; i++) s.setString(new TextEncoder().encode(`k${i}`), new Uint8Array(100));
 * const gone: string[] = [];
 * ev.evict(s.usedMemory() / 2, (_store, key) => gone.push(new TextDecoder().decode(key)));
 * s.usedMemory() <= ev.usedMemory(); // true: one store
 * gone.length > 0; // true
 * ```
 */
export class Evictor {
  /** The policy victims are chosen by. */
  readonly policy: EvictionPolicy;
  /** Keys sampled per store per round. */
  readonly samples: number;
  /** Keys removed so far. */
  evicted = 0;
  readonly #stores: ReadonlyArray<Store>;
  readonly #ix: () => KeyIndex[];
  readonly #rng: Rng;
  readonly #access: Access | null;
  readonly #allKeys: boolean;
  readonly #pool: Candidate[] = [];
  #nextStore = 0;

  /** Tracks what the policy needs (LRU clock or LFU counters) on every store from now on. */
  constructor(stores: ReadonlyArray<Store>, opts: EvictorOptions) {
    this.policy = opts.policy;
    this.samples = opts.samples ?? 5;
    if (!(Number.isSafeInteger(this.samples) && this.samples >= 1)) {
      throw new RangeError(`samples must be a positive integer, got ${this.samples}`);
    }
    const logFactor = opts.lfuLogFactor ?? 10, decay = opts.lfuDecayTime ?? 1;
    if (!(logFactor >= 0) || !(Number.isSafeInteger(decay) && decay >= 0)) {
      throw new RangeError(
        `lfuLogFactor must be >= 0 and lfuDecayTime an integer >= 0, got ${logFactor}, ${decay}`,
      );
    }
    this.#stores = stores;
    this.#ix = () => stores.map((s) => indexOf(s));
    this.#rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.#allKeys = this.policy.startsWith("allkeys");
    const lfu = this.policy.endsWith("-lfu");
    this.#access = lfu || this.policy.endsWith("-lru")
      ? new Access(lfu, logFactor, decay, opts.now ?? Date.now, this.#rng)
      : null;
    if (this.#access === null) return;
    for (const ix of this.#ix()) {
      ix.access = this.#access;
      ix.acc = new Uint32Array(ix.cap).fill(this.#access.initial());
    }
  }

  /** Sum of the stores' {@link Store.usedMemory}. */
  usedMemory(): number {
    let n = 0;
    for (const s of this.#stores) n += s.usedMemory();
    return n;
  }

  /**
   * Removes victims until {@link usedMemory} is at most `limit`. `onEvict(store, key)` hears
   * of each just before it goes (log its DEL, tell listeners; it must not touch the stores).
   * Keys met past their deadline expire instead (the stores' hooks hear of them). Returns
   * whether the stores are within the limit: false under `noeviction`, or when no key is left
   * that the policy may evict.
   */
  evict(limit: number, onEvict: (store: number, key: Uint8Array) => void): boolean {
    while (this.usedMemory() > limit) {
      if (this.policy === "noeviction") return false;
      const pick = this.policy.endsWith("-random") ? this.#random() : this.#pooled();
      if (pick === null) return false;
      const [i, ei] = pick;
      const s = this.#stores[i]!;
      if (expiryOf(s).check(ei) < 0) continue; // it expired (or its fields did): memory freed
      const ix = indexOf(s);
      onEvict(i, ix.key(ei));
      ix.remove(ei);
      this.evicted++;
    }
    return true;
  }

  /** A random key of a store (round robin over the stores, as Redis over its databases). */
  #random(): [number, number] | null {
    const ixs = this.#ix(), n = ixs.length;
    for (let t = 0; t < n; t++) {
      const i = this.#nextStore = (this.#nextStore + 1) % n;
      const ei = this.#sample(ixs[i]!);
      if (ei >= 0) return [i, ei];
    }
    return null;
  }

  /** A random entry of the policy's class in `ix`, or -1 when it has none. */
  #sample(ix: KeyIndex): number {
    if (!this.#allKeys) return ix.ttlCount === 0 ? -1 : ix.ttl[this.#rng.below(ix.ttlCount)]!;
    if (ix.live === 0) return -1;
    // Holes are at most about as many as live entries (the index compacts past that).
    for (;;) {
      const ei = this.#rng.below(ix.n);
      if (ix.kind[ei] !== HOLE) return ei;
    }
  }

  /** The best candidate of the pool that still exists, after sampling every store. */
  #pooled(): [number, number] | null {
    const ixs = this.#ix(), pool = this.#pool;
    for (;;) {
      let total = 0;
      for (let i = 0; i < ixs.length; i++) {
        const ix = ixs[i]!;
        const have = this.#allKeys ? ix.live : ix.ttlCount;
        if (have === 0) continue;
        total += have;
        for (let j = 0; j < this.samples; j++) this.#offer(i, ix, this.#sample(ix));
      }
      if (total === 0) return null;
      while (pool.length > 0) {
        const c = pool.pop()!;
        const ix = ixs[c.store]!, k = c.key;
        const ei = ix.find(k, 0, k.length, hashBytes(k, 0, k.length));
        // A ghost (deleted, or its TTL gone under a volatile policy) is dropped.
        if (ei >= 0 && (this.#allKeys || ix.deadline(ei) === ix.deadline(ei))) {
          return [c.store, ei];
        }
      }
    }
  }

  /** Puts a sampled entry into the pool (sorted by score, best last) if it is good enough. */
  #offer(store: number, ix: KeyIndex, ei: number): void {
    const score = this.#access !== null ? this.#access.score(ix.acc![ei]!) : -ix.deadline(ei);
    const pool = this.#pool;
    let k = 0;
    while (k < pool.length && pool[k]!.score < score) k++;
    if (pool.length === POOL_SIZE) {
      if (k === 0) return; // worse than the worst we hold
      pool.shift();
      k--;
    }
    pool.splice(k, 0, { score, store, key: ix.key(ei).slice() });
  }
}
