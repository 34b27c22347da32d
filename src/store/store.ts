/**
 * The in-memory keyspace of one database: values, absolute deadlines, lazy
 * and incremental active expiry, scan-style iteration. No I/O, no timers:
 * the clock is injected.
 *
 * Representation: one `Map` from a byte-exact binary-string key (see
 * `_keys.ts`) to the value (strings as bare `Uint8Array`, collections in
 * the containers of `values.ts` / `zset.ts`), and a separate `Map` of
 * deadlines holding only the keys that have one. Byte arrays are kept by
 * reference and never mutated in place: treat what you put and get as
 * immutable.
 *
 * @module
 */

import type { Entry, KeyValue, ValueType } from "../codec/types.ts";
import { fromKey, toKey } from "./_keys.ts";
import { globMatch } from "./_glob.ts";
import { HashValue, ListValue, SetValue, StreamBox } from "./values.ts";
import { SortedSet } from "./zset.ts";

export { HashValue, ListValue, SetValue, StreamBox } from "./values.ts";
export { SortedSet } from "./zset.ts";
export type { ValueType } from "../codec/types.ts";

/**
 * A stored value: strings are bare byte arrays, collections are containers.
 *
 * @example
 * ```ts
 * const v: StoreValue = new Uint8Array([1]);
 * ```
 */
export type StoreValue = Uint8Array | HashValue | ListValue | SetValue | SortedSet | StreamBox;

/**
 * Options of {@link Store}.
 *
 * @example
 * ```ts
 * const opts: StoreOptions = { now: () => 1_700_000_000_000 };
 * ```
 */
export interface StoreOptions {
  /** Clock in unix milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * The type name of a stored value.
 *
 * @example
 * ```ts
 * valueType(new Uint8Array(1)); // "string"
 * ```
 */
export function valueType(v: StoreValue): ValueType {
  if (v instanceof Uint8Array) return "string";
  if (v instanceof HashValue) return "hash";
  if (v instanceof ListValue) return "list";
  if (v instanceof SetValue) return "set";
  if (v instanceof SortedSet) return "zset";
  return "stream";
}

interface ScanState {
  it: Iterator<string>;
  pos: number;
}

const SCAN_TAG_BITS = 2 ** 20;
const MAX_OPEN_SCANS = 128;

/**
 * One database of the keyspace.
 *
 * @example
 * ```ts
 * let t = 1_000;
 * const s = new Store({ now: () => t });
 * const k = new TextEncoder().encode("k");
 * s.put({ key: k, value: { type: "string", value: new Uint8Array([1]) }, deadline: 2_000 });
 * s.has(k); // true
 * t = 2_000;
 * s.has(k); // false (expired lazily)
 * ```
 */
export class Store {
  readonly #data = new Map<string, StoreValue>();
  readonly #ttl = new Map<string, number>();
  readonly #clock: () => number;
  #expireIt: Iterator<[string, number]> | null = null;
  readonly #scans = new Map<number, ScanState>();
  #scanSeq = 0;

  /** A new, empty database. */
  constructor(opts: StoreOptions = {}) {
    this.#clock = opts.now ?? Date.now;
  }

  /** The injected clock, unix ms. */
  now(): number {
    return this.#clock();
  }

  /** Live value at binary-string key `k` (lazy expiry). */
  #live(k: string): StoreValue | undefined {
    const v = this.#data.get(k);
    if (v === undefined || this.#ttl.size === 0) return v;
    const d = this.#ttl.get(k);
    if (d !== undefined && d <= this.#clock()) {
      this.#data.delete(k);
      this.#ttl.delete(k);
      return undefined;
    }
    return v;
  }

  /** Number of live keys (expired keys are removed first). */
  dbsize(): number {
    if (this.#ttl.size !== 0) {
      const now = this.#clock();
      for (const [k, d] of this.#ttl) {
        if (d <= now) {
          this.#data.delete(k);
          this.#ttl.delete(k);
        }
      }
    }
    return this.#data.size;
  }

  /** Whether `key` exists (and is not expired). */
  has(key: Uint8Array): boolean {
    return this.#live(toKey(key)) !== undefined;
  }

  /** Type of the value at `key`, or `null`. */
  type(key: Uint8Array): ValueType | null {
    const v = this.#live(toKey(key));
    return v === undefined ? null : valueType(v);
  }

  /**
   * The live value container at `key`, or `null` (for the command applier;
   * mutate collections in place, then call {@link removeIfEmpty}).
   */
  lookup(key: Uint8Array): StoreValue | null {
    return this.#live(toKey(key)) ?? null;
  }

  /**
   * Stores `value` at `key`. Clears the deadline unless `keepTtl`.
   */
  setValue(key: Uint8Array, value: StoreValue, keepTtl = false): void {
    const k = toKey(key);
    if (keepTtl) this.#live(k); // an expired old key must not lend its deadline
    else this.#ttl.delete(k);
    this.#data.set(k, value);
  }

  /** Deletes `key` if it holds an empty collection; returns whether it did. */
  removeIfEmpty(key: Uint8Array): boolean {
    const k = toKey(key);
    const v = this.#data.get(k);
    if (v === undefined || v instanceof Uint8Array || v instanceof StreamBox) return false;
    const n = v instanceof ListValue ? v.length : v.size;
    if (n !== 0) return false;
    this.#data.delete(k);
    this.#ttl.delete(k);
    return true;
  }

  /** A neutral copy of the entry at `key` (zset ordered), or `null`. */
  getEntry(key: Uint8Array): Entry | null {
    const k = toKey(key);
    const v = this.#live(k);
    if (v === undefined) return null;
    return { key: fromKey(k), value: toNeutral(v), deadline: this.#ttl.get(k) ?? null };
  }

  /**
   * Bulk load: replaces `entry.key`. A deadline `<= now()` deletes the key
   * instead. Empty collections are kept (kevy's loader accepts them). The
   * byte arrays are kept by reference. Throws `RangeError` for a NaN score.
   */
  put(entry: Entry): void {
    const k = toKey(entry.key);
    const d = entry.deadline;
    if (d !== null && d <= this.#clock()) {
      this.#data.delete(k);
      this.#ttl.delete(k);
      return;
    }
    const kv = entry.value;
    this.#data.set(k, kv.type === "string" ? kv.value : fromNeutral(kv));
    if (d === null) {
      if (this.#ttl.size !== 0) this.#ttl.delete(k);
    } else {
      this.#ttl.set(k, d);
    }
  }

  /** Deletes `key`; returns whether a live key was removed. */
  delete(key: Uint8Array): boolean {
    const k = toKey(key);
    const had = this.#live(k) !== undefined;
    if (had) {
      this.#data.delete(k);
      this.#ttl.delete(k);
    }
    return had;
  }

  /** Absolute deadline (unix ms) of `key`, or `null` (no key or no TTL). */
  deadline(key: Uint8Array): number | null {
    const k = toKey(key);
    if (this.#live(k) === undefined) return null;
    return this.#ttl.get(k) ?? null;
  }

  /**
   * Sets (`number`) or removes (`null`) the deadline of `key`. Returns
   * `false` if the key does not exist. A deadline `<= now()` deletes the key.
   */
  setDeadline(key: Uint8Array, deadline: number | null): boolean {
    const k = toKey(key);
    if (this.#live(k) === undefined) return false;
    if (deadline === null) this.#ttl.delete(k);
    else if (deadline <= this.#clock()) {
      this.#data.delete(k);
      this.#ttl.delete(k);
    } else this.#ttl.set(k, deadline);
    return true;
  }

  /** Every live entry in the neutral layout (for snapshots and rewrites). */
  *entries(): IterableIterator<Entry> {
    for (const k of this.#data.keys()) {
      const v = this.#live(k);
      if (v !== undefined) {
        yield { key: fromKey(k), value: toNeutral(v), deadline: this.#ttl.get(k) ?? null };
      }
    }
  }

  /** Every live key. */
  *keys(): IterableIterator<Uint8Array> {
    for (const k of this.#data.keys()) if (this.#live(k) !== undefined) yield fromKey(k);
  }

  /**
   * Scan-style iteration. Start with cursor 0, pass back the returned cursor
   * until it is 0 again. Every key that exists for the whole scan is returned
   * exactly once; keys added or removed meanwhile may or may not be. `count`
   * (default 10) is the number of keys examined per call; `match` a Redis
   * glob. Cursors are opaque; up to 128 scans may be open at once (an evicted
   * or foreign cursor resumes by position, which may then repeat or skip keys
   * deleted meanwhile).
   */
  scan(cursor: number, count = 10, match?: Uint8Array | string): [number, Uint8Array[]] {
    let st: ScanState | undefined;
    if (cursor !== 0) {
      st = this.#scans.get(cursor);
      this.#scans.delete(cursor);
    }
    if (st === undefined) {
      const it = this.#data.keys();
      const pos = cursor === 0 ? 0 : Math.floor(cursor / SCAN_TAG_BITS);
      for (let i = 0; i < pos; i++) if (it.next().done) break;
      st = { it, pos };
    }
    const pat = match === undefined
      ? null
      : toKey(typeof match === "string" ? new TextEncoder().encode(match) : match);
    const out: Uint8Array[] = [];
    const n = Math.max(1, Math.floor(count));
    for (let i = 0; i < n; i++) {
      const r = st.it.next();
      if (r.done) return [0, out];
      st.pos++;
      const k = r.value;
      if (this.#live(k) === undefined) continue;
      if (pat !== null && !globMatch(pat, k)) continue;
      out.push(fromKey(k));
    }
    this.#scanSeq = (this.#scanSeq % (SCAN_TAG_BITS - 1)) + 1;
    const next = st.pos * SCAN_TAG_BITS + this.#scanSeq;
    if (this.#scans.size >= MAX_OPEN_SCANS) {
      const oldest = this.#scans.keys().next();
      if (!oldest.done) this.#scans.delete(oldest.value);
    }
    this.#scans.set(next, st);
    return [next, out];
  }

  /** Removes every key. */
  clear(): void {
    this.#data.clear();
    this.#ttl.clear();
    this.#expireIt = null;
  }

  /**
   * One incremental active-expiry step: examines up to `maxChecks` (default
   * 20) keys that have a deadline, round-robin, and deletes the expired ones.
   * Returns the number of keys removed.
   */
  activeExpire(maxChecks = 20): number {
    if (this.#ttl.size === 0) return 0;
    const now = this.#clock();
    let removed = 0;
    let restarted = false;
    for (let i = 0; i < maxChecks; i++) {
      this.#expireIt ??= this.#ttl.entries();
      const r = this.#expireIt.next();
      if (r.done) {
        this.#expireIt = null;
        if (restarted || this.#ttl.size === 0) break;
        restarted = true;
        i--;
        continue;
      }
      const [k, d] = r.value;
      if (d <= now) {
        this.#data.delete(k);
        this.#ttl.delete(k);
        removed++;
      }
    }
    return removed;
  }
}

function toNeutral(v: StoreValue): KeyValue {
  if (v instanceof Uint8Array) return { type: "string", value: v };
  if (v instanceof HashValue) return { type: "hash", value: [...v.entries()] };
  if (v instanceof ListValue) return { type: "list", value: v.slice() };
  if (v instanceof SetValue) return { type: "set", value: [...v.members()] };
  if (v instanceof SortedSet) return { type: "zset", value: [...v.entries()] };
  return { type: "stream", value: v.value };
}

function fromNeutral(kv: KeyValue): StoreValue {
  switch (kv.type) {
    case "string":
      return kv.value;
    case "hash": {
      const h = new HashValue();
      for (const [f, x] of kv.value) h.set(f, x);
      return h;
    }
    case "list":
      return new ListValue(kv.value);
    case "set": {
      const s = new SetValue();
      for (const m of kv.value) s.add(m);
      return s;
    }
    case "zset": {
      const z = new SortedSet();
      for (const [m, sc] of kv.value) z.add(m, sc);
      return z;
    }
    case "stream":
      return new StreamBox(kv.value);
  }
}
