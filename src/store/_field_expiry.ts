// Private: expiry of hash fields (Redis 7.4 HEXPIRE) for one Store. The
// hashes that may hold field deadlines are tracked by key (a value moves
// between keys on RENAME, so the key is what is remembered; a stale key is
// dropped when it is next examined). Due fields are removed lazily when the
// hash is accessed and actively in round-robin steps; a hash that empties
// is deleted, as Redis does. Nothing expires while loading.
import { fromKey, toKey } from "./_keys.ts";
import { hashBytes, type KeyIndex, OBJ } from "./_index.ts";
import type { Expiry } from "./_expiry.ts"; // (its `now()`; Expiry owns this object)
import { HashValue } from "./values.ts";

export class FieldExpiry {
  #ix: KeyIndex;
  readonly #ex: Expiry;
  /** Keys (binary strings) that may hold a hash with field deadlines. */
  #keys = new Set<string>();
  #cursor: Iterator<string> | null = null;
  /** Fields removed because they expired. */
  expired = 0;

  constructor(ix: KeyIndex, ex: Expiry) {
    this.#ix = ix;
    this.#ex = ex;
  }

  /** Whether any hash may hold field deadlines (the fast check of every lookup). */
  get active(): boolean {
    return this.#keys.size !== 0;
  }

  /** Remembers that the hash at `key` has field deadlines. */
  track(key: Uint8Array): void {
    this.#keys.add(toKey(key));
  }

  /** Removes the due fields of the hash at entry `ei`; returns `ei`, or -1 if the hash emptied. */
  sweep(ei: number): number {
    const ix = this.#ix;
    if (ix.kind[ei] !== OBJ) return ei;
    const h = ix.objs![ei];
    if (!(h instanceof HashValue) || !h.hasFieldTtls) return ei;
    ix.willChange(ei); // a capture in progress saves the hash before fields go
    const due = h.expireFields(this.#ex.now());
    if (due.length === 0) return ei;
    this.expired += due.length;
    const hook = this.#ex.hooks.onExpireField;
    const key = ix.key(ei); // a view that stays valid after removal
    if (h.size === 0) ix.remove(ei);
    if (hook !== null) { for (const f of due) hook(key, f); }
    return h.size === 0 ? -1 : ei;
  }

  /** Entry of a tracked key (dropping it when it no longer holds such a hash), or -1. */
  #entry(id: string): number {
    const ix = this.#ix;
    const b = fromKey(id);
    const ei = ix.find(b, 0, b.length, hashBytes(b, 0, b.length));
    const v = ei < 0 ? null : ix.objs?.[ei];
    if (!(v instanceof HashValue) || !v.hasFieldTtls) {
      this.#keys.delete(id);
      return -1;
    }
    return ei;
  }

  /** Sweeps every tracked hash. */
  all(): void {
    if (this.#keys.size === 0 || this.#ex.now() === -Infinity) return;
    for (const id of [...this.#keys]) {
      const ei = this.#entry(id);
      if (ei >= 0 && this.sweep(ei) < 0) this.#keys.delete(id);
    }
  }

  /** One round-robin step over at most `maxChecks` tracked hashes; returns fields removed. */
  step(maxChecks: number): number {
    if (this.#keys.size === 0 || this.#ex.now() === -Infinity) return 0;
    const before = this.expired;
    for (let i = 0; i < maxChecks && this.#keys.size > 0; i++) {
      let r = this.#cursor?.next();
      if (r === undefined || r.done) {
        this.#cursor = this.#keys.values();
        r = this.#cursor.next();
        if (r.done) break;
      }
      const ei = this.#entry(r.value);
      if (ei >= 0 && this.sweep(ei) < 0) this.#keys.delete(r.value);
    }
    return this.expired - before;
  }

  /** Exchanges the index and the tracked keys with `other` (SWAPDB). */
  swapWith(other: FieldExpiry): void {
    [this.#ix, other.#ix] = [other.#ix, this.#ix];
    [this.#keys, other.#keys] = [other.#keys, this.#keys];
    this.#cursor = other.#cursor = null;
  }

  /** Forgets every tracked key (the store was cleared). */
  reset(): void {
    this.#keys.clear();
    this.#cursor = null;
  }
}
