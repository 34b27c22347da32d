/**
 * The in-memory keyspace of one database: values, absolute deadlines, lazy
 * and incremental active expiry, scan-style iteration. No I/O, no timers:
 * the clock is injected.
 *
 * Representation (`_index.ts`): an insertion-ordered open-addressing hash
 * index in typed arrays over an append-only byte arena holding the keys and
 * the string values, so loading or writing string keys creates no per-key
 * JS objects. Collections live in the containers of `values.ts` /
 * `zset.ts`. String values are copied in (strings above 64 KiB, and
 * `setValue`/`put` byte arrays above that size, are kept as their own array
 * by reference); strings handed out are views that never change (the arena
 * is only appended to; compaction copies into a fresh buffer). Treat what you
 * put and get as immutable.
 *
 * @module
 */

import type { Entry, ValueType } from "../codec/types.ts";
import { RECORD_CURSOR, type RecordCursor } from "../codec/_snapshot_writer.ts";
import { type Cursor, hashBytes, INLINE_MAX, KeyIndex, OBJ, STR } from "./_index.ts";
import { fromNeutral, toNeutral } from "./_neutral.ts";
import { expireAll, expired, expireStep, randomKey, ScanTable } from "./_scan.ts";
import { captureRecords } from "./_capture.ts";
import { setIndexOf } from "./_internals.ts";
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
 * import { StoreValue } from "@kevy/persist/store";
 * const v: StoreValue = new Uint8Array([1]);
 * ```
 */
export type StoreValue = Uint8Array | HashValue | ListValue | SetValue | SortedSet | StreamBox;

/**
 * Options of {@link Store}.
 *
 * @example
 * ```ts
 * import { KeyspaceOptions } from "@kevy/persist/store";
 * const opts: KeyspaceOptions = { now: () => 1_700_000_000_000 };
 * ```
 */
export interface KeyspaceOptions {
  /** Clock in unix milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * The type name of a stored value.
 *
 * @example
 * ```ts
 * import { valueType } from "@kevy/persist/store";
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

/**
 * One database of the keyspace.
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
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
  #ix = new KeyIndex();
  readonly #clock: () => number;
  #expirePos = 0;
  #scans = new ScanTable();
  /**
   * Redis 7 function libraries (name -> code, kept as data: FUNCTION LOAD
   * stores them, an export writes them back). Server-wide in Redis: a
   * `CommandApplier` keeps them on its database 0.
   */
  readonly libraries: Map<string, Uint8Array> = new Map();

  static {
    setIndexOf((s) => s.#ix); // for the bulk loaders (_load.ts)
  }

  /** A new, empty database. */
  constructor(opts: KeyspaceOptions = {}) {
    this.#clock = opts.now ?? Date.now;
  }

  /**
   * Called with each key removed because its deadline passed (lazily, by a sweep, or when
   * written over), before it goes: keyspace `expired` events. One listener; `null` clears it.
   *
   * @example
   * ```ts
   * import { Store } from "@kevy/persist/store";
   * let t = 0;
   * const s = new Store({ now: () => t });
   * const k = new TextEncoder().encode("k");
   * s.put({ key: k, value: { type: "string", value: k }, deadline: 10 });
   * const gone: string[] = [];
   * s.onExpired((key) => gone.push(new TextDecoder().decode(key)));
   * t = 10;
   * s.has(k); // false, and gone is ["k"]
   * ```
   */
  onExpired(f: ((key: Uint8Array) => void) | null): void {
    this.#ix.onExpired = f;
  }

  /** The injected clock, unix ms. */
  now(): number {
    return this.#clock();
  }

  /** Entry number of a live key (lazy expiry), or -1. */
  #find(b: Uint8Array, off: number, len: number): number {
    const ix = this.#ix;
    const ei = ix.find(b, off, len, hashBytes(b, off, len));
    if (ei < 0 || ix.ttlCount === 0) return ei;
    const d = ix.dl![ei]!;
    if (d === d && d <= this.#clock()) {
      ix.expire(ei);
      return -1;
    }
    return ei;
  }

  #get(key: Uint8Array): number {
    return this.#find(key, 0, key.length);
  }

  /** The entry for key bytes, inserted if missing; the deadline is cleared unless `keepTtl` (and live). */
  #slot(b: Uint8Array, off: number, len: number, keepTtl: boolean): number {
    const ix = this.#ix;
    const h = hashBytes(b, off, len);
    let ei = ix.find(b, off, len, h);
    if (ei >= 0) {
      if (this.#expired(ei)) {
        // An expired old key expires now (its event fires) and lends nothing: TTL, position.
        ix.expire(ei);
        ei = ix.find(b, off, len, h);
      } else if (!keepTtl) ix.clearDeadline(ei);
      else return ei;
      if (ei >= 0) return ei;
    }
    return ix.insert(b, off, len, h);
  }

  #expired(ei: number): boolean {
    return expired(this.#ix, ei, this.#clock);
  }

  #value(ei: number): StoreValue {
    const ix = this.#ix;
    return ix.kind[ei] === STR ? ix.str(ei) : ix.objs![ei] as StoreValue;
  }

  #deadlineOf(ei: number): number | null {
    const d = this.#ix.deadline(ei);
    return d === d ? d : null;
  }

  /** A random live key (RANDOMKEY), or `null` when there is none. */
  randomKey(): Uint8Array | null {
    return randomKey(this.#ix, this.#clock);
  }

  /** Number of live keys (expired keys are removed first). */
  dbsize(): number {
    expireAll(this.#ix, this.#clock);
    return this.#ix.live;
  }

  /** Whether `key` exists (and is not expired). */
  has(key: Uint8Array): boolean {
    return this.#get(key) >= 0;
  }

  /** Type of the value at `key`, or `null`. */
  type(key: Uint8Array): ValueType | null {
    const ei = this.#get(key);
    return ei < 0 ? null : this.#ix.kind[ei] === STR ? "string" : valueType(this.#value(ei));
  }

  /**
   * The live value container at `key`, or `null` (for the command applier;
   * mutate collections in place, then call {@link removeIfEmpty}). A string
   * is a view that stays valid and unchanged after later writes.
   */
  lookup(key: Uint8Array): StoreValue | null {
    const ei = this.#get(key);
    return ei < 0 ? null : this.#value(ei);
  }

  /**
   * Stores `value` at `key`. Clears the deadline unless `keepTtl`. Byte
   * arrays up to 64 KiB are copied into the store, larger ones kept by
   * reference (never mutate them afterwards).
   */
  setValue(key: Uint8Array, value: StoreValue, keepTtl = false): void {
    const ei = this.#slot(key, 0, key.length, keepTtl);
    if (value instanceof Uint8Array && value.length <= INLINE_MAX) {
      this.#ix.setStr(ei, value, 0, value.length);
    } else this.#ix.setObj(ei, value);
  }

  /**
   * Stores a copy of the string `value` at `key` (the caller may reuse its
   * buffer). Clears the deadline unless `keepTtl`.
   *
   * @example
   * ```ts
   * import { Store } from "@kevy/persist/store";
   * const s = new Store();
   * s.setString(new Uint8Array([107]), new Uint8Array([118]));
   * s.type(new Uint8Array([107])); // "string"
   * ```
   */
  setString(key: Uint8Array, value: Uint8Array, keepTtl = false): void {
    const ei = this.#slot(key, 0, key.length, keepTtl);
    if (value.length <= INLINE_MAX) this.#ix.setStr(ei, value, 0, value.length);
    else this.#ix.setObj(ei, value.slice());
  }

  /**
   * Bulk-load fast path of {@link put} for a string: copies `kb[ko, ko+kl)`
   * as the key and `vb[vo, vo+vl)` as the value, with an absolute deadline
   * or `null`. A deadline `<= now()` deletes the key instead.
   *
   * @example
   * ```ts
   * import { Store } from "@kevy/persist/store";
   * const s = new Store();
   * const buf = new TextEncoder().encode("keyvalue");
   * s.putString(buf, 0, 3, buf, 3, 5, null);
   * s.lookup(buf.subarray(0, 3)); // the bytes of "value"
   * ```
   */
  putString(
    kb: Uint8Array,
    ko: number,
    kl: number,
    vb: Uint8Array,
    vo: number,
    vl: number,
    deadline: number | null,
  ): void {
    const ix = this.#ix;
    if (deadline !== null && deadline <= this.#clock()) {
      const ei = ix.find(kb, ko, kl, hashBytes(kb, ko, kl));
      if (ei >= 0) ix.remove(ei);
      return;
    }
    const ei = this.#slot(kb, ko, kl, false);
    if (vl <= INLINE_MAX) ix.setStr(ei, vb, vo, vl);
    else ix.setObj(ei, vb.slice(vo, vo + vl));
    if (deadline !== null) ix.setDeadline(ei, deadline);
  }

  /** Deletes `key` if it holds an empty collection; returns whether it did. */
  removeIfEmpty(key: Uint8Array): boolean {
    const ix = this.#ix;
    const ei = ix.find(key, 0, key.length, hashBytes(key, 0, key.length));
    if (ei < 0 || ix.kind[ei] !== OBJ) return false;
    const v = ix.objs![ei];
    if (v instanceof Uint8Array || v instanceof StreamBox) return false;
    const n = v instanceof ListValue ? v.length : (v as HashValue | SetValue | SortedSet).size;
    if (n !== 0) return false;
    ix.remove(ei);
    return true;
  }

  /** A neutral copy of the entry at `key` (zset ordered), or `null`. */
  getEntry(key: Uint8Array): Entry | null {
    const ei = this.#get(key);
    return ei < 0 ? null : this.#entry(ei);
  }

  #entry(ei: number): Entry {
    const ix = this.#ix;
    return {
      key: ix.key(ei),
      value: ix.kind[ei] === STR ? { type: "string", value: ix.str(ei) } : toNeutral(ix.objs![ei]),
      deadline: this.#deadlineOf(ei),
    };
  }

  /**
   * Bulk load: replaces `entry.key`. A deadline `<= now()` deletes the key
   * instead. Empty collections are kept (kevy's loader accepts them). String
   * bytes are copied (above 64 KiB kept by reference). Throws `RangeError`
   * for a NaN score.
   */
  put(entry: Entry): void {
    const kv = entry.value;
    const key = entry.key;
    if (kv.type === "string" && kv.value.length <= INLINE_MAX) {
      const v = kv.value;
      this.putString(key, 0, key.length, v, 0, v.length, entry.deadline);
      return;
    }
    const d = entry.deadline;
    const ix = this.#ix;
    if (d !== null && d <= this.#clock()) {
      const ei = ix.find(key, 0, key.length, hashBytes(key, 0, key.length));
      if (ei >= 0) ix.remove(ei);
      return;
    }
    const value = kv.type === "string" ? kv.value : fromNeutral(kv);
    const ei = this.#slot(key, 0, key.length, false);
    ix.setObj(ei, value);
    if (d !== null) ix.setDeadline(ei, d);
  }

  /** Deletes `key`; returns whether a live key was removed. */
  delete(key: Uint8Array): boolean {
    const ei = this.#get(key);
    if (ei < 0) return false;
    this.#ix.remove(ei);
    return true;
  }

  /** Absolute deadline (unix ms) of `key`, or `null` (no key or no TTL). */
  deadline(key: Uint8Array): number | null {
    const ei = this.#get(key);
    return ei < 0 ? null : this.#deadlineOf(ei);
  }

  /**
   * Sets (`number`) or removes (`null`) the deadline of `key`. Returns
   * `false` if the key does not exist. A deadline `<= now()` deletes the key.
   */
  setDeadline(key: Uint8Array, deadline: number | null): boolean {
    const ei = this.#get(key);
    if (ei < 0) return false;
    const ix = this.#ix;
    if (deadline === null) ix.clearDeadline(ei);
    else if (deadline <= this.#clock()) ix.remove(ei);
    else ix.setDeadline(ei, deadline);
    return true;
  }

  /** Next live entry number at the cursor (lazy expiry), or -1. */
  #next(c: Cursor): number {
    const ix = this.#ix;
    for (;;) {
      const ei = ix.advance(c);
      if (ei < 0 || ix.ttlCount === 0) return ei;
      if (!this.#expired(ei)) return ei;
      ix.expire(ei);
    }
  }

  /**
   * Every live entry in the neutral layout (for snapshots and rewrites). Keys
   * and string values are views that never change. The snapshot encoder reads
   * string records straight from the store through this iterator.
   */
  entries(): IterableIterator<Entry> {
    const it = this.#entries();
    return Object.assign(it, {
      [RECORD_CURSOR]: (): RecordCursor => {
        expireAll(this.#ix, this.#clock);
        return captureRecords(this.#ix);
      },
    });
  }

  *#entries(): Generator<Entry, undefined, undefined> {
    const c = this.#ix.cursor();
    for (let ei = this.#next(c); ei >= 0; ei = this.#next(c)) yield this.#entry(ei);
    return undefined;
  }

  /** Every live key. */
  *keys(): IterableIterator<Uint8Array> {
    const c = this.#ix.cursor();
    for (let ei = this.#next(c); ei >= 0; ei = this.#next(c)) yield this.#ix.key(ei);
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
    return this.#scans.scan(this.#ix, this.#clock, cursor, count, match);
  }

  /**
   * Exchanges the whole content of two databases (SWAPDB): keys, values and
   * deadlines; each keeps its own clock and function libraries.
   *
   * @example
   * ```ts
   * import { Store } from "@kevy/persist/store";
   * const a = new Store(), b = new Store();
   * a.setString(new Uint8Array([107]), new Uint8Array([49]));
   * a.swapWith(b);
   * [a.dbsize(), b.dbsize()]; // [0, 1]
   * ```
   */
  swapWith(other: Store): void {
    [this.#ix, other.#ix] = [other.#ix, this.#ix];
    [this.#ix.onExpired, other.#ix.onExpired] = [other.#ix.onExpired, this.#ix.onExpired];
    [this.#expirePos, other.#expirePos] = [other.#expirePos, this.#expirePos];
    [this.#scans, other.#scans] = [other.#scans, this.#scans];
  }

  /** Removes every key. */
  clear(): void {
    this.#ix.clear();
    this.#expirePos = 0;
  }

  /**
   * One incremental active-expiry step: examines up to `maxChecks` (default
   * 20) keys that have a deadline, round-robin, and deletes the expired ones.
   * Returns the number of keys removed.
   */
  activeExpire(maxChecks = 20): number {
    const ix = this.#ix;
    if (ix.ttlCount === 0) return 0;
    const [removed, pos] = expireStep(ix, this.#expirePos, this.#clock(), maxChecks);
    this.#expirePos = pos;
    return removed;
  }
}
