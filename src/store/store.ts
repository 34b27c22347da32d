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
import { HAS_FIELD_TTLS, RECORD_CURSOR, type RecordCursor } from "../codec/snapshot_writer.ts";
import { type Cursor, hashBytes, INLINE_MAX, KeyIndex, OBJ, STR } from "./_index.ts";
import { fromNeutral, toNeutral } from "./_neutral.ts";
import { randomKey, ScanTable } from "./_scan.ts";
import { Expiry } from "./_expiry.ts";
import { KEY_OVERHEAD } from "./_meter.ts";
import { streamBytes } from "./_stream_memory.ts";
import { captureRecords } from "./_capture.ts";
import { setInternals } from "./internals.ts";
import { HashValue, ListValue, type SetValue } from "./values.ts";
import { StreamData } from "./stream.ts";
import type { SortedSet } from "./zset.ts";
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
  #fresh = false; // the last #slot inserted its key
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

  /** Entry number of a live key (lazy expiry), or -1. */
  #find(b: Uint8Array, off: number, len: number): number {
    const ix = this.#ix;
    const ei = ix.find(b, off, len, hashBytes(b, off, len));
    if (ei < 0) return ei;
    const r = this.#ex.check(ei);
    if (ix.access !== null && r >= 0) ix.access.touch(ix.acc!, r); // eviction's LRU/LFU
    return r;
  }

  #get(key: Uint8Array): number {
    return this.#find(key, 0, key.length);
  }

  /** The entry for key bytes, inserted if missing (`#fresh`); an expired key expires first. */
  #slot(b: Uint8Array, off: number, len: number): number {
    const ix = this.#ix;
    const h = hashBytes(b, off, len);
    let ei = ix.find(b, off, len, h);
    if (ei >= 0 && this.#ex.isExpired(ei)) {
      // An expired old key expires now (its event fires) and lends nothing: TTL, position.
      this.#ex.expire(ei);
      ei = ix.find(b, off, len, h);
    }
    this.#fresh = ei < 0;
    if (ei >= 0) {
      if (ix.access !== null) ix.access.touch(ix.acc!, ei);
      return ei;
    }
    const r = ix.insert(b, off, len, h);
    if (ix.access !== null) ix.acc![r] = ix.access.initial();
    return r;
  }

  /**
   * Stores a copy of `vb[vo, vo + vl)` at the key bytes (above 64 KiB as its
   * own array). All or nothing: a failure (the arena limit) leaves the key as
   * it was, or absent.
   */
  #writeStr(
    b: Uint8Array,
    off: number,
    len: number,
    keepTtl: boolean,
    vb: Uint8Array,
    vo: number,
    vl: number,
  ): number {
    const ix = this.#ix;
    const big = vl > INLINE_MAX ? vb.slice(vo, vo + vl) : null;
    const ei = this.#slot(b, off, len);
    if (big !== null) ix.setObj(ei, big);
    else {
      try {
        ix.setStr(ei, vb, vo, vl);
      } catch (e) {
        if (this.#fresh) ix.remove(ei);
        throw e;
      }
    }
    if (!keepTtl) ix.clearDeadline(ei);
    return ei;
  }

  /** Stores a container (or a string array kept by reference) at the key bytes. */
  #writeObj(b: Uint8Array, off: number, len: number, keepTtl: boolean, v: unknown): number {
    const ei = this.#slot(b, off, len);
    this.#ix.setObj(ei, v);
    if (!keepTtl) this.#ix.clearDeadline(ei);
    if (v instanceof HashValue && v.hasFieldTtls) this.#ex.fields.track(this.#ix.key(ei));
    else if (v instanceof StreamData) (this.#streams ??= new Set()).add(v); // may change still
    return ei;
  }

  #value(ei: number): StoreValue {
    const ix = this.#ix;
    return ix.kind[ei] === STR ? ix.str(ei) : ix.objs![ei] as StoreValue;
  }

  #deadlineOf(ei: number): number | null {
    const d = this.#ix.deadline(ei);
    return d === d ? d : null;
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
    if (this.#streams !== null) this.#remeasure();
    const ix = this.#ix;
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
    return ei < 0 ? null : this.#ix.kind[ei] === STR ? "string" : valueType(this.#value(ei));
  }

  /**
   * The live value container at `key`, or `null` (for the command applier;
   * mutate collections in place, then call {@link removeIfEmpty}). A string
   * is a view that stays valid and unchanged after later writes.
   */
  lookup(key: Uint8Array): StoreValue | null {
    const ei = this.#get(key);
    if (ei < 0) return null;
    const v = this.#value(ei);
    // A stream handed out may change anywhere: it is measured again at the next usedMemory().
    if (this.#ix.kind[ei] === OBJ && v instanceof StreamData) (this.#streams ??= new Set()).add(v);
    return v;
  }

  /** Streams handed out by {@link lookup} since the last measure. */
  #streams: Set<StreamData> | null = null;

  #remeasure(): void {
    const m = this.#ix.meter;
    for (const s of this.#streams!) {
      if (s.meter !== m) continue; // gone from this store meanwhile
      const b = streamBytes(s);
      m.used += b - s.memoryBytes;
      s.memoryBytes = b;
    }
    this.#streams = null;
  }

  /** Stores `value` at `key` (deadline cleared unless `keepTtl`); arrays over 64 KiB by reference. */
  setValue(key: Uint8Array, value: StoreValue, keepTtl = false): void {
    if (value instanceof Uint8Array && value.length <= INLINE_MAX) {
      this.#writeStr(key, 0, key.length, keepTtl, value, 0, value.length);
    } else this.#writeObj(key, 0, key.length, keepTtl, value);
  }

  /** Stores a copy of the string `value` at `key`; clears the deadline unless `keepTtl`. */
  setString(key: Uint8Array, value: Uint8Array, keepTtl = false): void {
    this.#writeStr(key, 0, key.length, keepTtl, value, 0, value.length);
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
    const ix = this.#ix;
    if (deadline !== null && this.#ex.past(deadline)) {
      const ei = ix.find(kb, ko, kl, hashBytes(kb, ko, kl));
      if (ei >= 0) ix.remove(ei);
      return;
    }
    const ei = this.#writeStr(kb, ko, kl, false, vb, vo, vl);
    if (deadline !== null) ix.setDeadline(ei, deadline);
  }

  /** Deletes `key` if it holds an empty collection; returns whether it did. */
  removeIfEmpty(key: Uint8Array): boolean {
    const ix = this.#ix;
    const ei = ix.find(key, 0, key.length, hashBytes(key, 0, key.length));
    if (ei < 0 || ix.kind[ei] !== OBJ) return false;
    const v = ix.objs![ei];
    if (v instanceof Uint8Array || v instanceof StreamData) return false;
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
    const ix = this.#ix;
    if (d !== null && this.#ex.past(d)) {
      const ei = ix.find(key, 0, key.length, hashBytes(key, 0, key.length));
      if (ei >= 0) ix.remove(ei);
      return;
    }
    const value = kv.type === "string" ? kv.value : fromNeutral(kv);
    const ei = this.#writeObj(key, 0, key.length, false, value);
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

  /** Next live entry number at the cursor (lazy expiry), or -1. */
  #next(c: Cursor): number {
    const ix = this.#ix;
    for (;;) {
      const ei = ix.advance(c);
      if (ei < 0 || this.#ex.check(ei) >= 0) return ei;
    }
  }

  /**
   * Every live entry in the neutral layout (snapshots, rewrites); keys and
   * strings are views that never change (the encoder reads records directly).
   */
  entries(): IterableIterator<Entry> {
    const it = this.#entries();
    return Object.assign(it, {
      [RECORD_CURSOR]: (): RecordCursor => {
        this.#ex.all();
        return captureRecords(this.#ix);
      },
      [HAS_FIELD_TTLS]: (): boolean => {
        this.#ex.all();
        return this.#ex.fields.active;
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
    [this.#streams, other.#streams] = [other.#streams, this.#streams];
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
