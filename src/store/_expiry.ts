// Private: when keys expire. Lazy and active expiry of a Store's KeyIndex,
// the hook that hears about every key that expired, and the loading mode in
// which nothing expires (Redis never expires keys while it loads a snapshot
// or replays a log: deadlines are judged once loading is over).
import type { KeyIndex } from "./_index.ts";
import { FieldExpiry } from "./_field_expiry.ts";
import type { ExpiryHooks } from "./_value_type.ts";

/** Depth of synchronous loading sections (see {@link whileLoading}). */
let loadingDepth = 0;

/**
 * Runs `fn` in loading mode: no key of any Store expires (lazily or
 * actively), a deadline in the past is kept as it is (PEXPIREAT, SET PXAT,
 * snapshot records) instead of deleting the key, and what is past expires
 * once loading is over. `fn` must be synchronous (an await inside it would
 * let unrelated code run in loading mode). Every loader of this package
 * (snapshots, AOF replays, Redis AOF replays, re-shard merges, bring-up)
 * runs its applies this way; use it for a loader of your own.
 *
 * @example
 * ```ts
 * import { applyCommand, Store, whileLoading } from "@kevy/persist/store";
 * const s = new Store({ now: () => 10_000 });
 * whileLoading(() => {
 *   applyCommand(s, ["SET", "k", "v"]);
 *   applyCommand(s, ["PEXPIREAT", "k", "5000"]); // in the past: kept while loading
 *   applyCommand(s, ["PERSIST", "k"]);
 * });
 * s.dbsize(); // 1: the PERSIST that followed is not lost
 * ```
 */
export function whileLoading<T>(fn: () => T): T {
  loadingDepth++;
  try {
    return fn();
  } finally {
    loadingDepth--;
  }
}

/** True inside {@link whileLoading}. */
export function isLoading(): boolean {
  return loadingDepth > 0;
}

/** The expiry side of one Store. */
export class Expiry {
  #ix: KeyIndex;
  readonly #clock: () => number;
  /** Who hears about expired keys and fields (the Store's). */
  readonly hooks: ExpiryHooks;
  /** Round-robin position of active expiry in the TTL list. */
  #pos = 0;
  /** Keys removed because they expired (lazily or actively). */
  expired = 0;

  /** The expiry of hash fields. */
  readonly fields: FieldExpiry;

  constructor(ix: KeyIndex, clock: () => number, hooks: ExpiryHooks) {
    this.#ix = ix;
    this.#clock = clock;
    this.hooks = hooks;
    this.fields = new FieldExpiry(ix, this);
  }

  /**
   * Entry `ei` (found live in the index) after lazy expiry: -1 when the key
   * expired or its hash emptied as due fields went, else `ei`.
   */
  check(ei: number): number {
    if (this.#ix.ttlCount !== 0 && this.isExpired(ei)) {
      this.expire(ei);
      return -1;
    }
    return this.fields.active ? this.fields.sweep(ei) : ei;
  }

  /** The time deadlines are judged against: the clock, or -Infinity while loading. */
  now(): number {
    return loadingDepth > 0 ? -Infinity : this.#clock();
  }

  /** Whether a deadline (unix ms) has passed. */
  past(deadline: number): boolean {
    return loadingDepth === 0 && deadline <= this.#clock();
  }

  /** Whether entry `ei` has a deadline that has passed (the clock is read only if it has one). */
  isExpired(ei: number): boolean {
    const ix = this.#ix;
    if (ix.ttlCount === 0 || loadingDepth > 0) return false;
    const d = ix.dl![ei]!;
    return d === d && d <= this.#clock();
  }

  /** Removes entry `ei` as expired: the index's `onExpired` listener, then the hook, hear of it. */
  expire(ei: number): void {
    const ix = this.#ix;
    const hook = this.hooks.onExpire;
    const key = hook === null ? null : ix.key(ei); // a view that stays valid after removal
    ix.expire(ei);
    this.expired++;
    if (key !== null) hook!(key);
  }

  /** Removes every key whose deadline has passed, and every due hash field. */
  all(): void {
    this.fields.all();
    const ix = this.#ix;
    if (ix.ttlCount === 0 || loadingDepth > 0) return;
    const now = this.#clock();
    // Downwards: a removal swaps the (already checked) last item into place.
    for (let p = ix.ttlCount - 1; p >= 0; p--) {
      if (p >= ix.ttlCount) continue;
      const ei = ix.ttl[p]!;
      if (ix.dl![ei]! <= now) this.expire(ei);
    }
  }

  /**
   * One round-robin active-expiry step of at most `maxChecks` keys (and as
   * many hashes with field deadlines); returns keys removed.
   */
  step(maxChecks: number): number {
    this.fields.step(maxChecks);
    const ix = this.#ix;
    if (ix.ttlCount === 0 || loadingDepth > 0) return 0;
    const now = this.#clock();
    let pos = this.#pos;
    let removed = 0;
    let restarted = false;
    for (let i = 0; i < maxChecks; i++) {
      if (pos >= ix.ttlCount) {
        pos = 0;
        if (restarted || ix.ttlCount === 0) break;
        restarted = true;
        i--;
        continue;
      }
      const ei = ix.ttl[pos]!;
      if (ix.dl![ei]! <= now) {
        this.expire(ei); // swaps an unchecked key into this position
        removed++;
      } else pos++;
    }
    this.#pos = pos;
    return removed;
  }

  /** Exchanges what belongs to the keys (index, positions, tracked hashes) with `other` (SWAPDB). */
  swapWith(other: Expiry): void {
    [this.#ix, other.#ix] = [other.#ix, this.#ix];
    [this.#pos, other.#pos] = [other.#pos, this.#pos];
    this.fields.swapWith(other.fields);
  }

  /** Forget the active-expiry position (the store was cleared). */
  reset(): void {
    this.#pos = 0;
    this.fields.reset();
  }
}
