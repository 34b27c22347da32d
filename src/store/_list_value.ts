// Private home of ListValue (re-exported by values.ts / store.ts) and of the
// package-internal hooks the loaders use to build one compact (not public API).
import { rd32 } from "./_listpack.ts";
import { capacityFor, itemEnd, itemsWellFormed, putItem } from "./_packed.ts";
import { adoptBytes, charge, Charged, LIST_ITEM, OBJ_OVERHEAD, viewOf } from "./_meter.ts";

/** A list whose items take more bytes than this (packed, with a u32 length each) is a ring. */
export const LIST_COMPACT_BYTES = 8192;

const EMPTY = new Uint8Array(0);

/** Installed by ListValue's static block (see {@link ListInternals}). */
export let listInternals: ListInternals;

/**
 * A list. Two encodings, like Redis: while its items take at most 8 KiB
 * (Redis's list-max-listpack-size -2) they are packed in one byte array
 * (items handed out are copies); past that it becomes for good a ring-buffer
 * deque, O(1) push/pop at both ends and O(1) index, whose items are kept by
 * reference.
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
export class ListValue extends Charged {
  /** The ring, once the list outgrew the compact encoding. */
  #buf: Array<Uint8Array | undefined> | null = null;
  #head = 0;
  /** Number of items (both encodings). */
  #len = 0;
  /**
   * Compact items in `#b[0, #used)` (snapshot list payload layout, head first).
   * Null while adopted bytes wait for their view (see adoptBytes).
   */
  #bv: Uint8Array | null = EMPTY;
  get #b(): Uint8Array {
    return this.#bv ?? (this.#bv = viewOf(this));
  }
  set #b(v: Uint8Array) {
    this.#bv = v;
  }
  #used = 0;
  /** `#b` may be seen elsewhere (a clone, an iteration, a load slab): copy it before writing. */
  #shared = false;
  /** Where compact item `#ci` starts (a cursor: sequential `at` calls are O(1) each). */
  #ci = 0;
  #cp = 0;

  static {
    listInternals = {
      fromItems(items, alloc) {
        const l = new ListValue();
        const n = items.length;
        let total = 0;
        for (let i = 0; i < n; i++) total += 4 + items[i]!.length;
        charge(l, n * (LIST_ITEM - 4) + total);
        if (total > LIST_COMPACT_BYTES) {
          l.#ring(items);
          return l;
        }
        const b = alloc(total);
        let p = 0;
        for (let i = 0; i < n; i++) p = putItem(b, p, items[i]!);
        l.#b = b;
        l.#used = total;
        l.#len = n;
        l.#shared = true;
        return l;
      },
      adopt(b, n, shared) {
        if (!itemsWellFormed(b, b.length, n, b.length)) throw new RangeError("bad list payload");
        const l = new ListValue();
        charge(l, n * (LIST_ITEM - 4) + b.length);
        if (b.length > LIST_COMPACT_BYTES) {
          l.#used = b.length;
          l.#b = b;
          l.#len = n;
          l.#toRing();
          return l;
        }
        l.#b = b;
        l.#used = b.length;
        l.#len = n;
        l.#shared = shared;
        return l;
      },
      adoptAt(src, off, end, n) {
        const used = end - off;
        const ok = used <= LIST_COMPACT_BYTES && itemsWellFormed(src, end, n, used, off);
        if (!ok) return listInternals.adopt(src.subarray(off, end), n, true);
        const l = new ListValue();
        charge(l, n * (LIST_ITEM - 4) + used);
        l.#bv = null;
        adoptBytes(l, src, off, end);
        l.#used = used;
        l.#len = n;
        l.#shared = true;
        return l;
      },
      compact(l) {
        if (l.#buf !== null) return null;
        l.#shared = true;
        return l.#b.length === l.#used ? l.#b : l.#b.subarray(0, l.#used);
      },
      isCompact: (l) => l.#buf === null,
      toRing(l) {
        if (l.#buf === null) l.#toRing();
      },
    };
  }

  /** An empty list, or one holding `items` in order. */
  constructor(items?: Iterable<Uint8Array>) {
    super();
    if (items) { for (const x of items) this.pushBack(x); }
  }

  /** Number of items. */
  get length(): number {
    return this.#len;
  }

  /** Becomes a ring holding `items` (kept by reference). */
  #ring(items: ReadonlyArray<Uint8Array>): void {
    let cap = 4;
    while (cap < items.length) cap *= 2;
    const buf = new Array<Uint8Array | undefined>(cap);
    for (let i = 0; i < items.length; i++) buf[i] = items[i];
    this.#buf = buf;
    this.#head = 0;
    this.#len = items.length;
    this.#b = EMPTY;
    this.#used = 0;
    this.#shared = false;
  }

  /** Converts the compact items to the ring (views of the old bytes, never written again). */
  #toRing(): void {
    const b = this.#b;
    const items = new Array<Uint8Array>(this.#len);
    let p = 0;
    for (let i = 0; i < this.#len; i++) {
      const e = itemEnd(b, p);
      items[i] = b.subarray(p + 4, e);
      p = e;
    }
    this.#ring(items);
  }

  /** Room for `more` bytes at the end of a private buffer. */
  #room(more: number): Uint8Array {
    const need = this.#used + more;
    if (!this.#shared && need <= this.#b.length) return this.#b;
    const next = new Uint8Array(capacityFor(need));
    next.set(this.#b.subarray(0, this.#used));
    this.#b = next;
    this.#shared = false;
    return next;
  }

  /** Byte offset of compact item `i` (0 <= i <= length). */
  #offsetOf(i: number): number {
    let k = 0, p = 0;
    if (i >= this.#ci && this.#ci <= this.#len) {
      k = this.#ci;
      p = this.#cp;
    }
    const b = this.#b;
    for (; k < i; k++) p += 4 + rd32(b, p);
    this.#ci = i;
    this.#cp = p;
    return p;
  }

  /** Replaces the compact bytes `[p, e)` with `x` as one item (`x` null: removes them). */
  #splice(p: number, e: number, x: Uint8Array | null): void {
    const add = x === null ? 0 : 4 + x.length;
    const used = this.#used;
    const size = used - (e - p) + add;
    let b = this.#b;
    if (this.#shared || size > b.length) {
      const next = new Uint8Array(x === null ? size : capacityFor(size));
      next.set(b.subarray(0, p));
      next.set(b.subarray(e, used), p + add);
      b = this.#b = next;
      this.#shared = false;
    } else if (e !== p + add) b.copyWithin(p + add, e, used);
    if (x !== null) putItem(b, p, x);
    this.#used = size;
    this.#ci = this.#cp = 0;
  }

  #growRing(): void {
    const old = this.#buf!;
    const cap = old.length;
    const buf = new Array<Uint8Array | undefined>(cap * 2);
    for (let i = 0; i < this.#len; i++) buf[i] = old[(this.#head + i) & (cap - 1)];
    this.#buf = buf;
    this.#head = 0;
  }

  /** Appends at the tail (RPUSH). */
  pushBack(x: Uint8Array): void {
    charge(this, LIST_ITEM + x.length);
    if (this.#buf === null) {
      if (this.#used + 4 + x.length <= LIST_COMPACT_BYTES) {
        const b = this.#room(4 + x.length);
        this.#used = putItem(b, this.#used, x);
        this.#len++;
        return;
      }
      this.#toRing();
    }
    const buf = this.#buf!;
    if (this.#len === buf.length) this.#growRing();
    this.#buf![(this.#head + this.#len) & (this.#buf!.length - 1)] = x;
    this.#len++;
  }

  /** Prepends at the head (LPUSH). */
  pushFront(x: Uint8Array): void {
    charge(this, LIST_ITEM + x.length);
    if (this.#buf === null) {
      if (this.#used + 4 + x.length <= LIST_COMPACT_BYTES) {
        this.#splice(0, 0, x);
        this.#len++;
        return;
      }
      this.#toRing();
    }
    if (this.#len === this.#buf!.length) this.#growRing();
    const buf = this.#buf!;
    this.#head = (this.#head - 1) & (buf.length - 1);
    buf[this.#head] = x;
    this.#len++;
  }

  /** Removes and returns the head item. */
  popFront(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    if (this.#buf === null) {
      const b = this.#b;
      const e = itemEnd(b, 0);
      const x = b.slice(4, e);
      this.#splice(0, e, null);
      this.#len--;
      charge(this, -(LIST_ITEM + x.length));
      return x;
    }
    const buf = this.#buf;
    const x = buf[this.#head];
    buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (buf.length - 1);
    this.#len--;
    charge(this, -(LIST_ITEM + x!.length));
    return x;
  }

  /** Removes and returns the tail item. */
  popBack(): Uint8Array | undefined {
    if (this.#len === 0) return undefined;
    if (this.#buf === null) {
      const p = this.#offsetOf(this.#len - 1);
      const x = this.#b.slice(p + 4, this.#used);
      // Truncation moves no byte: a shared buffer stays as it is.
      this.#used = p;
      this.#len--;
      charge(this, -(LIST_ITEM + x.length));
      return x;
    }
    const buf = this.#buf;
    const i = (this.#head + this.#len - 1) & (buf.length - 1);
    const x = buf[i];
    buf[i] = undefined;
    this.#len--;
    charge(this, -(LIST_ITEM + x!.length));
    return x;
  }

  /** Item at index `i` (0-based, non-negative), or `undefined`. */
  at(i: number): Uint8Array | undefined {
    if (!(i >= 0 && i < this.#len)) return undefined;
    if (this.#buf === null) {
      const p = this.#offsetOf(i);
      return this.#b.slice(p + 4, itemEnd(this.#b, p));
    }
    return this.#buf[(this.#head + i) & (this.#buf.length - 1)];
  }

  /** Replaces the item at `i` (must be in range). */
  set(i: number, x: Uint8Array): void {
    if (!(i >= 0 && i < this.#len)) throw new RangeError("list index out of range");
    if (this.#buf === null) {
      const p = this.#offsetOf(i);
      const e = itemEnd(this.#b, p);
      charge(this, x.length - (e - p - 4));
      if (this.#used - (e - p) + 4 + x.length <= LIST_COMPACT_BYTES) {
        this.#splice(p, e, x);
        return;
      }
      this.#toRing();
    } else charge(this, x.length - this.#buf[(this.#head + i) & (this.#buf.length - 1)]!.length);
    this.#buf![(this.#head + i) & (this.#buf!.length - 1)] = x;
  }

  /** Items `start..end` (exclusive end, clamped) as an array. */
  slice(start: number = 0, end: number = this.#len): Uint8Array[] {
    const s = Math.max(0, start);
    const e = Math.min(this.#len, end);
    const out: Uint8Array[] = [];
    if (this.#buf === null) {
      if (s >= e) return out;
      const b = this.#b;
      let p = this.#offsetOf(s);
      for (let i = s; i < e; i++) {
        const q = itemEnd(b, p);
        out.push(b.slice(p + 4, q));
        p = q;
      }
      return out;
    }
    const buf = this.#buf;
    for (let i = s; i < e; i++) out.push(buf[(this.#head + i) & (buf.length - 1)]!);
    return out;
  }

  /** Replaces the whole content (used by O(n) edits: LINSERT, LREM). */
  replaceAll(items: Uint8Array[]): void {
    let total = 0;
    for (const x of items) total += 4 + x.length;
    charge(this, OBJ_OVERHEAD + items.length * (LIST_ITEM - 4) + total - this.memoryBytes);
    if (total > LIST_COMPACT_BYTES) {
      this.#ring(items);
      return;
    }
    const b = new Uint8Array(capacityFor(total));
    let p = 0;
    for (const x of items) p = putItem(b, p, x);
    this.#buf = null;
    this.#b = b;
    this.#used = total;
    this.#len = items.length;
    this.#shared = false;
    this.#ci = this.#cp = 0;
  }

  /** Items head to tail. */
  *[Symbol.iterator](): IterableIterator<Uint8Array> {
    if (this.#buf === null) {
      // Writes during the walk copy the buffer instead of moving these bytes.
      this.#shared = true;
      const b = this.#b, used = this.#used;
      for (let p = 0; p < used;) {
        const q = itemEnd(b, p);
        yield b.slice(p + 4, q);
        p = q;
      }
      return;
    }
    for (let i = 0; i < this.#len; i++) yield this.#buf[(this.#head + i) & (this.#buf.length - 1)]!;
  }

  /** A copy. */
  clone(): ListValue {
    if (this.#buf !== null) return new ListValue(this);
    const l = new ListValue();
    // Copy-on-write: both share the bytes until one of them writes.
    this.#shared = l.#shared = true;
    l.#b = this.#b;
    l.#used = this.#used;
    l.#len = this.#len;
    charge(l, this.memoryBytes - OBJ_OVERHEAD);
    return l;
  }
}

/** Package-internal access to a list's compact encoding. */
export interface ListInternals {
  /** A list of `items`: compact in bytes from `alloc` (kept, never written) when small, else a ring of `items` by reference. */
  fromItems(items: ReadonlyArray<Uint8Array>, alloc: (n: number) => Uint8Array): ListValue;
  /**
   * A list over the payload `b` of `n` items: compact when small (`shared`:
   * copy before writing), else a ring of views of `b` (never written).
   */
  adopt(b: Uint8Array, n: number, shared: boolean): ListValue;
  /** A list over `src[off, end)` (`n` items; never written: the list copies before its first write). */
  adoptAt(src: Uint8Array, off: number, end: number, n: number): ListValue;
  /** The compact items (snapshot list payload layout, without the count), or `null` for a ring. Must not be written. */
  compact(l: ListValue): Uint8Array | null;
  /** Whether `l` uses the compact encoding. */
  isCompact(l: ListValue): boolean;
  /** Converts `l` to the ring for good (tests compare both encodings). */
  toRing(l: ListValue): void;
}
