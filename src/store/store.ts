/**
 * The in-memory keyspace of one database: values, absolute deadlines, lazy
 * and incremental active expiry, scan-style iteration. No I/O, no timers:
 * the clock is injected. Keys and string values live in one append-only
 * arena behind a typed-array hash index (`_index.ts`: no per-key JS objects);
 * collections in the containers of `values.ts` / `zset.ts`. Strings are
 * copied in (above 64 KiB kept as their own array, by reference); strings
 * handed out are views that never change. Treat what you put and get as
 * immutable.
 *
 * @module
 */

import type { Entry, ValueType } from "../codec/types.ts";
import { hashBytes, INLINE_MAX, KeyIndex, STR } from "./_index.ts";
import { fromNeutral } from "./_neutral.ts";
import { randomKey, ScanTable } from "./_scan.ts";
import { Expiry } from "./_expiry.ts";
import { KEY_OVERHEAD } from "./_meter.ts";
import { HandedStreams } from "./_handed_streams.ts";
import { dropIfPast, findLive, writeObj, writeStr } from "./_store_write.ts";
import {
  deadlineAt,
  entryAt,
  isEmptyCollection,
  liveEntries,
  liveKeys,
  valueAt,
} from "./_store_read.ts";
import { setInternals } from "./internals.ts";
import { StreamData } from "./stream.ts";
import {
  type ExpiryHooks,
  type KeyspaceOptions,
  type StoreValue,
  valueType,
} from "./_value_type.ts";

export { HashValue, ListValue, SetValue } from "./values.ts";
export { whileLoading } from "./_expiry.ts";
export { SortedSet } from "./zset.ts";
export type { ValueType } from "../codec/types.ts";
export {
  type ExpiryHooks,
  type KeyspaceOptions,
  type StoreValue,
  valueType,
} from "./_value_type.ts";

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
  readonly #ex: Expiry;
  #scans = new ScanTable();
  /** Redis 7 function libraries (name -> code) kept as data; a `CommandApplier` keeps them on db 0. */
  readonly libraries: Map<string, Uint8Array> = new Map();

  static {
    setInternals((s) => s.#ix, (s) => s.#ex); // for the bulk loaders (_load.ts)
  }

  /** A new, empty database. */
  constructor(opts: KeyspaceOptions = {}) {
    this.#clock = opts.now ?? Date.now;
    this.hooks = { onExpire: opts.onExpire ?? null, onExpireField: opts.onExpireField ?? null };
    this.#ex = new Expiry(this.#ix, this.#clock, this.hooks);
  }

  /** Who hears about expired keys and fields (settable; from {@link KeyspaceOptions}). */
  readonly hooks: ExpiryHooks;

  /** Keys and hash fields removed so far because their deadline passed. */
  get expired(): { keys: number; fields: number } {
    return { keys: this.#ex.expired, fields: this.#ex.fields.expired };
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

  #get(key: Uint8Array): number {
    return findLive(this.#ix, this.#ex, key, 0, key.length);
  }

  /**
   * Estimated bytes the keyspace holds (Redis's `used_memory` in spirit, counted from the
   * store's own structures and kept up to date as it changes, so reading it is O(1)): each
   * key's bytes and a fixed overhead for its index entry, string values' bytes, and every
   * collection's own estimate (members, entries, field deadlines). The process holds more
   * (arena growth room, the runtime): budget for about twice this.
   *
   * @example
   * ```ts
   * import { Store } from "@kevy/persist/store";
   * const s = new Store();
   * const before = s.usedMemory();
   * s.setString(new TextEncoder().encode("k"), new Uint8Array(1000));
   * s.usedMemory() - before > 1000; // true
   * ```
   */
  usedMemory(): number {
    const ix = this.#ix;
    this.#streams.remeasure(ix.meter);
    return KEY_OVERHEAD * ix.live + (ix.used - ix.dead) + ix.meter.used;
  }

  /** A random live key (RANDOMKEY), or `null` when there is none. */
  randomKey(): Uint8Array | null {
    return randomKey(this.#ix, this.#ex);
  }

  /** Number of live keys (expired keys are removed first). */
  dbsize(): number {
    this.#ex.all();
    return this.#ix.live;
  }

  /** Whether `key` exists (and is not expired). */
  has(key: Uint8Array): boolean {
    return this.#get(key) >= 0;
  }

  /** Type of the value at `key`, or `null`. */
  type(key: Uint8Array): ValueType | null {
    const ei = this.#get(key);
    return ei < 0 ? null : valueType(valueAt(this.#ix, ei));
  }

  /**
   * The live value container at `key`, or `null` (for the command applier;
   * mutate collections in place, then call {@link removeIfEmpty}). A string
   * is a view that stays valid and unchanged after later writes.
   */
  lookup(key: Uint8Array): StoreValue | null {
    const ei = this.#get(key);
    if (ei < 0) return null;
    const ix = this.#ix;
    if (ix.kind[ei] === STR) return ix.str(ei);
    ix.willChange(ei); // the caller may change it in place: a capture in progress saves it first
    const v = ix.objs![ei] as StoreValue;
    if (v instanceof StreamData) this.#streams.add(v); // measured again at the next usedMemory()
    return v;
  }

  /** Streams handed out since the last measure. */
  #streams = new HandedStreams();

  /** Stores `value` at `key` (deadline cleared unless `keepTtl`); arrays over 64 KiB by reference. */
  setValue(key: Uint8Array, value: StoreValue, keepTtl = false): void {
    if (value instanceof Uint8Array && value.length <= INLINE_MAX) {
      writeStr(this.#ix, this.#ex, key, 0, key.length, keepTtl, value, 0, value.length);
    } else writeObj(this.#ix, this.#ex, this.#streams, key, 0, key.length, keepTtl, value);
  }

  /** Stores a copy of the string `value` at `key`; clears the deadline unless `keepTtl`. */
  setString(key: Uint8Array, value: Uint8Array, keepTtl = false): void {
    writeStr(this.#ix, this.#ex, key, 0, key.length, keepTtl, value, 0, value.length);
  }

  /**
   * Bulk-load fast path of {@link put} for a string: copies `kb[ko, ko+kl)`
   * as the key, `vb[vo, vo+vl)` as the value; a deadline `<= now()` deletes
   * the key instead (outside loading mode).
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
    if (dropIfPast(this.#ix, this.#ex, kb, ko, kl, deadline)) return;
    const ei = writeStr(this.#ix, this.#ex, kb, ko, kl, false, vb, vo, vl);
    if (deadline !== null) this.#ix.setDeadline(ei, deadline);
  }

  /** Deletes `key` if it holds an empty collection; returns whether it did. */
  removeIfEmpty(key: Uint8Array): boolean {
    const ix = this.#ix;
    const ei = ix.find(key, 0, key.length, hashBytes(key, 0, key.length));
    if (ei < 0 || !isEmptyCollection(valueAt(ix, ei))) return false;
    ix.remove(ei);
    return true;
  }

  /** A neutral copy of the entry at `key` (zset ordered), or `null`. */
  getEntry(key: Uint8Array): Entry | null {
    const ei = this.#get(key);
    return ei < 0 ? null : entryAt(this.#ix, ei);
  }

  /**
   * Bulk load: replaces `entry.key`; a deadline `<= now()` deletes the key
   * (outside loading mode). Empty collections and NaN zset scores are kept,
   * as kevy does; strings copied (above 64 KiB kept by reference).
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
    if (dropIfPast(this.#ix, this.#ex, key, 0, key.length, d)) return;
    const value = kv.type === "string" ? kv.value : fromNeutral(kv);
    const ei = writeObj(this.#ix, this.#ex, this.#streams, key, 0, key.length, false, value);
    if (d !== null) this.#ix.setDeadline(ei, d);
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
    return ei < 0 ? null : deadlineAt(this.#ix, ei);
  }

  /** Sets (`number`) or removes (`null`) `key`'s deadline; `false` if no key; `<= now()` deletes. */
  setDeadline(key: Uint8Array, deadline: number | null): boolean {
    const ei = this.#get(key);
    if (ei < 0) return false;
    const ix = this.#ix;
    if (deadline === null) ix.clearDeadline(ei);
    else if (this.#ex.past(deadline)) ix.remove(ei);
    else ix.setDeadline(ei, deadline);
    return true;
  }

  /**
   * Every live entry in the neutral layout (snapshots, rewrites); keys and
   * strings are views that never change (the encoder reads records directly).
   */
  entries(): IterableIterator<Entry> {
    return liveEntries(this.#ix, this.#ex);
  }

  /** Every live key. */
  keys(): IterableIterator<Uint8Array> {
    return liveKeys(this.#ix, this.#ex);
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
    return this.#scans.scan(this.#ix, this.#ex, cursor, count, match);
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
    this.#ex.swapWith(other.#ex);
    [this.#scans, other.#scans] = [other.#scans, this.#scans];
    this.#streams.swapWith(other.#streams);
  }

  /** After `HashValue.setFieldDeadline` on the hash at `key` (loaders): expiry visits it. */
  trackFieldTtls(key: Uint8Array): void {
    this.#ex.fields.track(key);
  }

  /** Removes every key. */
  clear(): void {
    this.#ix.clear();
    this.#ex.reset();
  }

  /**
   * One incremental active-expiry step: examines up to `maxChecks` (default
   * 20) keys that have a deadline, round-robin, and deletes the expired ones
   * (as many hashes with field deadlines likewise lose their due fields).
   * Returns the number of keys removed.
   */
  activeExpire(maxChecks = 20): number {
    return this.#ex.step(maxChecks);
  }
}
