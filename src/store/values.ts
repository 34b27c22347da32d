/**
 * Mutable in-store containers for collection values (hash, list, set;
 * streams are in stream.ts). Byte arrays handed in are kept by reference and never mutated by
 * the store; treat them as immutable.
 *
 * @module
 */

import { fromKey, toKey } from "./_keys.ts";
import { LIST_ITEM, type Meter, OBJ_OVERHEAD, SET_MEMBER } from "./_meter.ts";

export { HashValue } from "./_hash_value.ts";

/**
 * A set of byte-exact members, insertion order kept.
 *
 * @example
 * ```ts
 * import { SetValue } from "@kevy/persist/store";
 * const s = new SetValue();
 * s.add(new Uint8Array([0])); // true
 * s.has(new Uint8Array([0])); // true
 * ```
 */
export class SetValue {
  /** Members as binary strings (read only: change them through the methods). */
  readonly raw: Set<string> = new Set();
  #bytes = OBJ_OVERHEAD;
  /** The memory account of the store holding this set (set by the store), or null. */
  meter: Meter | null = null;

  /** Estimated bytes of this set (members, entries, the object). */
  get memoryBytes(): number {
    return this.#bytes;
  }

  #charge(d: number): void {
    this.#bytes += d;
    const m = this.meter;
    if (m !== null) m.used += d;
  }

  /** Number of members. */
  get size(): number {
    return this.raw.size;
  }

  /** Adds a member; returns `true` if it is new. */
  add(member: Uint8Array): boolean {
    return this.addRaw(toKey(member));
  }

  /** {@link add} with a binary-string member (internal fast path). */
  addRaw(k: string): boolean {
    if (this.raw.has(k)) return false;
    this.raw.add(k);
    this.#charge(SET_MEMBER + k.length);
    return true;
  }

  /** Whether `member` exists. */
  has(member: Uint8Array): boolean {
    return this.raw.has(toKey(member));
  }

  /** Removes a member; returns `true` if it existed. */
  delete(member: Uint8Array): boolean {
    return this.deleteRaw(toKey(member));
  }

  /** {@link delete} with a binary-string member. */
  deleteRaw(k: string): boolean {
    if (!this.raw.delete(k)) return false;
    this.#charge(-(SET_MEMBER + k.length));
    return true;
  }

  /** Members (insertion order). */
  *members(): IterableIterator<Uint8Array> {
    for (const k of this.raw) yield fromKey(k);
  }

  /** A copy. */
  clone(): SetValue {
    const s = new SetValue();
    for (const k of this.raw) s.addRaw(k);
    return s;
  }
}

/**
 * A list: a ring-buffer deque, O(1) push/pop at both ends and O(1) index.
 *
 * @example
 * ```ts
 * import { ListValue } from "@kevy/persist/store";
 * const l = new ListValue();
 * l.pushBack(new Uint8Array([1]));
 * l.pushFront(new Uint8Array([0]));
 * l.at(0); // Uint8Array [0]
 * ```
 */
export class ListValue {
  #buf: Array<Uint8Array | undefined>;
  #head = 0;
  #len = 0;
  #bytes = OBJ_OVERHEAD;
  /** The memory account of the store holding this list (set by the store), or null. */
  meter: Meter | null = null;

  /** Estimated bytes of this list (items, slots, the object). */
  get memoryBytes(): number {
    return this.#bytes;
  }

  #charge(d: number): void {
    this.#bytes += d;
    const m = this.meter;
    if (m !== null) m.used += d;
  }

  /** An empty list, or one holding `items` in order. */
  constructor(items?: Iterable<Uint8Array>) {
    this.#buf = new Array<Uint8Array | undefined>(4);
    if (items) { for (const x of items) this.pushBack(x); }
  }

  /** Number of items. */
  get length(): number {
    return this.#len;
  }

  #grow(): void {
    const old = this.#buf;
    const cap = old.length;
    const buf = new Array<Uint8Array | undefined>(cap * 2);
    for (let i = 0; i < this.#len; i++) buf[i] = old[(this.#head + i) & (cap - 1)];
    this.#buf = buf;
    this.#head = 0;
  }

  /** Appends at the tail (RPUSH). */
  pushBack(x: Uint8Array): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#len) & (this.#buf.length - 1)] = x;
    this.#len++;
    this.#charge(LIST_ITEM + x.length);
  }

  /** Prepends at the head (LPUSH). */
  pushFront(x: Uint8Array): void {
    if (this.#len === this.#buf.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#buf.length - 1);
    this.#buf[this.#head] = x;
    this.#len++;
    this.#charge(LIST_ITEM + x.length);
  }

  /** Removes and returns the head item. */
  popFront(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    const x = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#len--;
    this.#charge(-(LIST_ITEM + x!.length));
    return x;
  }

  /** Removes and returns the tail item. */
  popBack(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    const i = (this.#head + this.#len - 1) & (this.#buf.length - 1);
    const x = this.#buf[i];
    this.#buf[i] = undefined;
    this.#len--;
    this.#charge(-(LIST_ITEM + x!.length));
    return x;
  }

  /** Item at index `i` (0-based, non-negative), or `undefined`. */
  at(i: number): Uint8Array | undefined {
    if (i < 0 || i >= this.#len) return undefined;
    return this.#buf[(this.#head + i) & (this.#buf.length - 1)];
  }

  /** Replaces the item at `i` (must be in range). */
  set(i: number, x: Uint8Array): void {
    if (i < 0 || i >= this.#len) throw new RangeError("list index out of range");
    const at = (this.#head + i) & (this.#buf.length - 1);
    this.#charge(x.length - this.#buf[at]!.length);
    this.#buf[at] = x;
  }

  /** Items `start..end` (exclusive end, clamped) as an array. */
  slice(start: number = 0, end: number = this.#len): Uint8Array[] {
    const s = Math.max(0, start);
    const e = Math.min(this.#len, end);
    const out: Uint8Array[] = [];
    for (let i = s; i < e; i++) out.push(this.#buf[(this.#head + i) & (this.#buf.length - 1)]!);
    return out;
  }

  /** Replaces the whole content (used by O(n) edits: LINSERT, LREM). */
  replaceAll(items: Uint8Array[]): void {
    let cap = 4;
    while (cap < items.length) cap *= 2;
    this.#buf = new Array<Uint8Array | undefined>(cap);
    let bytes = OBJ_OVERHEAD;
    for (let i = 0; i < items.length; i++) {
      this.#buf[i] = items[i];
      bytes += LIST_ITEM + items[i]!.length;
    }
    this.#head = 0;
    this.#len = items.length;
    this.#charge(bytes - this.#bytes);
  }

  /** Items head to tail. */
  *[Symbol.iterator](): IterableIterator<Uint8Array> {
    for (let i = 0; i < this.#len; i++) yield this.#buf[(this.#head + i) & (this.#buf.length - 1)]!;
  }

  /** A copy. */
  clone(): ListValue {
    return new ListValue(this);
  }
}
