// Private: the keyspace index behind Store. An insertion-ordered ("compact
// dict") open-addressing hash table: `slots` (power of two, linear probing,
// backward-shift deletion, load <= 0.75) holds (entry number + 1, key hash)
// pairs, so probes compare hashes before key bytes; entries are dense
// typed-array columns in insertion order (so iteration order matches a
// JS Map's). Key bytes and string values live in one append-only byte arena:
// bytes below `used` are never written again (overwrites append, compaction
// and growth copy into a fresh buffer), so a view handed out stays valid and
// unchanged forever. Collections (and strings above INLINE_MAX) are JS
// objects in `objs`. Deadlines: a Float64Array column (NaN = none) plus a
// dense list of the entries that have one, for round-robin active expiry.
//
// Entry numbers change only when holes are compacted away; each such rebuild
// starts a new Epoch whose predecessor keeps the old->new map, so cursors
// (scans, iterators) catch up by following the chain. Growth takes no stall:
// the slot table rehashes a step per write (_index_slots.ts), the columns
// and the arena fill copies twice their size a step per write
// (_index_columns.ts, _index_grow.ts); rebuilds and compaction are there too.

import {
  catchUp,
  type Cursor,
  Epoch,
  HOLE,
  MAX_ARENA,
  MIN_ARENA,
  MIN_DEAD,
  MIN_SLOTS,
  OBJ,
  STR,
  TYPE_BITS,
  type WriteHook,
} from "./_entry.ts";
import { copyBytes, hashBytes } from "./_hash.ts";
import { compactArena, makeRoom, rebuild, reserveFor } from "./_index_grow.ts";
import {
  columnLimit,
  columnsRoom,
  columnsStep,
  type Growing,
  mirrorEntry,
} from "./_index_columns.ts";
import { clearSlot, findOld, rehashStep, slotRoom } from "./_index_slots.ts";
import { Meter, type Metered, OBJ_OVERHEAD } from "./_meter.ts";
import type { Access } from "./_access.ts";
import { StreamData } from "./stream.ts";
import { streamBytes } from "./_stream_memory.ts";
import { type StoreValue, valueType } from "./_value_type.ts";

export { type Cursor, Epoch, HOLE, INLINE_MAX, MIN_DEAD, OBJ, STR } from "./_entry.ts";
export { copyBytes, hashBytes } from "./_hash.ts";

function countType(types: Int32Array, v: unknown, d: number): void {
  const b = TYPE_BITS[valueType(v as StoreValue)];
  types[b] = types[b]! + d;
}

export class KeyIndex {
  /** Pairs per slot: entry number + 1 (0 = empty), hash. */
  slots: Int32Array = new Int32Array(MIN_SLOTS * 2);
  mask = MIN_SLOTS - 1;
  /** Live entries at which the slot table is full (3/4 of its slots). */
  grow = (MIN_SLOTS * 3) >> 2;
  /** While a rehash is in progress: the old slot table; its slots below `mig` were moved. */
  old: Int32Array | null = null;
  oldMask = 0;
  mig = 0;
  /** Entries the columns hold. */
  cap = (MIN_SLOTS * 3) >> 2;
  /** Entries at which an insert takes the slow path (the columns are full, or grow; _index_columns.ts). */
  colLimit: number = columnLimit(this.cap);
  /** Columns twice the size being filled, while they grow. */
  growing: Growing | null = null;
  /** Entries used, holes included. */
  n = 0;
  live = 0;
  koff: Uint32Array = new Uint32Array(this.cap);
  klen: Uint32Array = new Uint32Array(this.cap);
  voff: Uint32Array = new Uint32Array(this.cap);
  vlen: Uint32Array = new Uint32Array(this.cap);
  kind: Uint8Array = new Uint8Array(this.cap);
  /** Told of each key removed because its deadline passed (set by its Store; kept by clear()). */
  onExpired: ((key: Uint8Array) => void) | null = null;
  objs: unknown[] | null = null;
  dl: Float64Array | null = null;
  tpos: Int32Array | null = null;
  ttl: Int32Array = new Int32Array(0);
  ttlCount = 0;
  arena: Uint8Array = new Uint8Array(MIN_ARENA);
  /** Largest arena (4 GiB - 1: offsets are u32); lowered only by tests. */
  maxArena: number = MAX_ARENA;
  used = 0;
  dead = 0;
  /**
   * Arena bytes past which a reserve takes the slow path (makeRoom in
   * _index_grow.ts): the arena's end, or the point where a growth starts;
   * -1 while a growth is in progress (each reserve copies a step).
   */
  limit: number = MIN_ARENA;
  /** The arena being filled by a growth in progress (its first `copied` bytes are the arena's). */
  next: Uint8Array | null = null;
  copied = 0;
  epoch: Epoch = new Epoch();
  /** Slot of the last successful find, or the free slot where a miss would insert. */
  lastSlot = 0;
  /** Bytes of the objects held (containers report their changes to it; see _meter.ts). */
  meter: Meter = new Meter();
  /** Per-entry access clock (LRU) or frequency (LFU) while eviction tracks it, else null. */
  acc: Uint32Array | null = null;
  /** What a lookup writes into `acc` (null: nothing tracked). */
  access: Access | null = null;
  /**
   * Captures in progress (snapshot and rewrite views, _capture.ts), told
   * before a live entry changes; while there is one, entry numbers do not
   * change (no rebuild compacts holes away).
   */
  hooks: WriteHook[] | null = null;
  /** Object values per type ({@link TYPE_BITS}): which types a capture may meet. */
  types: Int32Array = new Int32Array(6);

  /** Live entry `ei` is about to change (or be handed out to be changed): captures save it first. */
  willChange(ei: number): void {
    const hs = this.hooks;
    if (hs === null) return;
    for (let i = hs.length - 1; i >= 0; i--) hs[i]!.pre(ei); // a hook may remove itself
  }

  /**
   * Entry `ei` changed while the columns grow: the copy in the new columns
   * follows, if the growth has copied it already.
   */
  mirror(ei: number): void {
    if (this.growing !== null) mirrorEntry(this, this.growing, ei);
  }

  /** Entry number of the key bytes, or -1. */
  find(b: Uint8Array, off: number, len: number, h: number): number {
    const slots = this.slots, mask = this.mask;
    let s = h & mask;
    for (;;) {
      const e = slots[2 * s]!;
      if (e === 0) {
        this.lastSlot = s;
        return this.old === null ? -1 : findOld(this, b, off, len, h);
      }
      if (slots[2 * s + 1] === h) {
        const ei = e - 1;
        if (this.klen[ei] === len && this.#keyEq(ei, b, off, len)) {
          this.lastSlot = s;
          return ei;
        }
      }
      s = (s + 1) & mask;
    }
  }

  #keyEq(ei: number, b: Uint8Array, off: number, len: number): boolean {
    const a = this.arena;
    const ko = this.koff[ei]!;
    for (let i = 0; i < len; i++) if (a[ko + i] !== b[off + i]) return false;
    return true;
  }

  /** Moves what is left of a rehash in progress (before a step that rebuilds the table). */
  finishRehash(): void {
    if (this.old !== null) rehashStep(this, this.oldMask + 1);
  }

  /** Adds a key known to be absent (right after a missing `find`); returns its entry number. */
  insert(b: Uint8Array, off: number, len: number, h: number): number {
    if (this.n >= this.colLimit && columnsRoom(this)) {
      rebuild(this, this.mask + 1); // half holes: compacted away
      this.find(b, off, len, h); // the free slot moved
    }
    if (this.live >= this.grow || this.old !== null) slotRoom(this, h);
    // Arena room first: a failure leaves no half-inserted entry behind.
    const ko = this.#reserve(len);
    const ei = this.n++;
    this.live++;
    this.slots[2 * this.lastSlot] = ei + 1;
    this.slots[2 * this.lastSlot + 1] = h;
    this.klen[ei] = len;
    this.kind[ei] = STR;
    this.vlen[ei] = 0;
    this.koff[ei] = ko;
    this.voff[ei] = ko + len;
    copyBytes(b, off, this.arena, ko, len);
    return ei;
  }

  /** A load hint: room for `keys` more entries and `bytes` more arena bytes (never shrinks). */
  reserve(keys: number, bytes: number): void {
    reserveFor(this, keys, bytes);
  }

  /**
   * Grows the arena so that `n` more bytes fit (nothing is used yet); throws
   * `RangeError` beyond {@link KeyIndex.maxArena}.
   */
  room(n: number): void {
    if (this.used + n > this.limit) makeRoom(this, n);
  }

  /** Copies live key and string bytes into a fresh arena (views handed out keep the old one). */
  compactArena(extra = 0): void {
    compactArena(this, extra);
  }

  /** Room for `n` more arena bytes; returns where they go. */
  #reserve(n: number): number {
    this.room(n);
    const at = this.used;
    this.used = at + n;
    return at;
  }

  /**
   * Replaces the value of entry `ei` by a copy of the bytes (in the arena).
   * The caller tells captures first ({@link KeyIndex.willChange}): kept out
   * of this hot method, whose size decides whether it is inlined.
   */
  setStr(ei: number, b: Uint8Array, off: number, len: number): void {
    // Arena room first: a failure leaves the old value in place.
    const at = len === 0 ? 0 : this.#reserve(len);
    const k = this.kind[ei]!;
    if (k === STR) this.dead += this.vlen[ei]!;
    else this.#dropObj(ei);
    this.kind[ei] = STR;
    this.vlen[ei] = len;
    this.voff[ei] = at;
    if (len > 0) copyBytes(b, off, this.arena, at, len);
    if (this.dead > MIN_DEAD && this.dead > this.used - this.dead) this.compactArena();
  }

  /** Replaces the value of entry `ei` by an object. */
  setObj(ei: number, v: unknown): void {
    if (this.hooks !== null) this.willChange(ei);
    if (this.kind[ei] === STR) this.dead += this.vlen[ei]!;
    else this.#dropObj(ei);
    if (v instanceof Uint8Array) this.meter.used += OBJ_OVERHEAD + v.length;
    else {
      const m = v as Metered;
      if (v instanceof StreamData) v.memoryBytes = streamBytes(v); // measured, not charged
      m.meter = this.meter;
      this.meter.used += m.memoryBytes ?? OBJ_OVERHEAD; // a value that keeps no estimate
    }
    countType(this.types, v, 1);
    this.kind[ei] = OBJ;
    this.vlen[ei] = 0;
    let objs = this.objs;
    if (objs === null) {
      objs = this.objs = new Array<unknown>(this.cap);
    }
    objs[ei] = v;
    if (this.growing !== null) this.mirror(ei);
    if (this.dead > MIN_DEAD && this.dead > this.used - this.dead) this.compactArena();
  }

  /** The object of entry `ei` leaves the index: its bytes leave the meter. */
  #dropObj(ei: number): void {
    const v = this.objs![ei];
    this.objs![ei] = undefined;
    if (v !== undefined) countType(this.types, v, -1);
    if (v instanceof Uint8Array) this.meter.used -= OBJ_OVERHEAD + v.length;
    else if (v !== undefined) {
      const m = v as Metered;
      if (m.meter === this.meter) m.meter = null;
      this.meter.used -= m.memoryBytes ?? OBJ_OVERHEAD;
    }
  }

  /** A view of the string value of entry `ei` (never changes: the arena is append-only). */
  str(ei: number): Uint8Array {
    return new Uint8Array(this.arena.buffer, this.voff[ei]!, this.vlen[ei]!);
  }

  /** A view of the key of entry `ei`. */
  key(ei: number): Uint8Array {
    return new Uint8Array(this.arena.buffer, this.koff[ei]!, this.klen[ei]!);
  }

  /** The deadline of `ei`, NaN when none. */
  deadline(ei: number): number {
    const dl = this.dl;
    return dl === null ? NaN : dl[ei]!;
  }

  setDeadline(ei: number, d: number): void {
    if (this.dl === null) {
      this.dl = new Float64Array(this.cap).fill(NaN);
      this.tpos = new Int32Array(this.cap).fill(-1);
    }
    const dl = this.dl;
    if (this.hooks !== null) this.willChange(ei);
    if (dl[ei] !== dl[ei]) {
      if (this.ttlCount === this.ttl.length) {
        const t = new Int32Array(Math.max(16, this.ttl.length * 2));
        t.set(this.ttl);
        this.ttl = t;
      }
      this.tpos![ei] = this.ttlCount;
      this.ttl[this.ttlCount++] = ei;
    }
    dl[ei] = d;
    if (this.growing !== null) this.mirror(ei);
  }

  clearDeadline(ei: number): void {
    const dl = this.dl;
    if (dl === null || dl[ei] !== dl[ei]) return;
    if (this.hooks !== null) this.willChange(ei);
    dl[ei] = NaN;
    this.#ttlRemoveAt(this.tpos![ei]!);
    this.tpos![ei] = -1;
    if (this.growing !== null) this.mirror(ei);
  }

  /** Swap-removes position p of the TTL list. */
  #ttlRemoveAt(p: number): void {
    const last = this.ttl[--this.ttlCount]!;
    if (p !== this.ttlCount) {
      this.ttl[p] = last;
      this.tpos![last] = p;
      if (this.growing !== null) this.mirror(last);
    }
  }

  /** Removes `ei` because its deadline passed: {@link KeyIndex.onExpired} hears of it first. */
  expire(ei: number): void {
    this.onExpired?.(this.key(ei));
    this.remove(ei);
  }

  /** Deletes entry `ei` (must be live). */
  remove(ei: number): void {
    if (this.hooks !== null) this.willChange(ei);
    const slots = this.slots;
    let i = this.lastSlot;
    if (slots[2 * i] !== ei + 1) {
      // Not right after a find of this entry: search by key.
      const ko = this.koff[ei]!, kl = this.klen[ei]!;
      this.find(this.arena, ko, kl, hashBytes(this.arena, ko, kl)); // moves it out of an old table
      i = this.lastSlot;
    }
    clearSlot(slots, this.mask, i);
    if (this.kind[ei] === STR) this.dead += this.klen[ei]! + this.vlen[ei]!;
    else {
      this.dead += this.klen[ei]!;
      this.#dropObj(ei);
    }
    this.kind[ei] = HOLE;
    this.clearDeadline(ei);
    this.live--;
    if (this.old !== null) rehashStep(this);
    if (this.growing !== null) {
      this.mirror(ei);
      columnsStep(this);
    }
    const holes = this.n - this.live;
    if (holes > 32 && holes > this.live && this.hooks === null) {
      let s = this.mask + 1;
      while (s > MIN_SLOTS && this.live * 4 < s) s >>= 1; // shrink after mass deletes
      rebuild(this, s);
    } else if (this.dead > MIN_DEAD && this.dead > this.used - this.dead) this.compactArena();
  }

  /** Removes every entry. */
  clear(): void {
    // Captures keep the columns dropped here (nothing writes them again).
    if (this.hooks !== null) { for (const h of this.hooks) h.detach(); }
    if (this.n !== 0) this.newEpoch(new Int32Array(this.n + 1));
    const fresh = new KeyIndex();
    fresh.epoch = this.epoch;
    fresh.onExpired = this.onExpired;
    if (this.acc !== null) fresh.acc = new Uint32Array(fresh.cap);
    fresh.access = this.access;
    Object.assign(this, fresh);
  }

  /** Supersedes the current epoch: `map` takes old entry numbers to new ones. */
  newEpoch(map: Int32Array): void {
    const e = new Epoch();
    this.epoch.map = map;
    this.epoch.next = e;
    this.epoch = e;
  }

  /** A cursor at the first entry. */
  cursor(pos = 0): Cursor {
    return { epoch: this.epoch, pos };
  }

  /** Next non-hole entry number at or after the cursor (advancing it past it), or -1. */
  advance(c: Cursor): number {
    if (c.epoch !== this.epoch) catchUp(c);
    const kind = this.kind, n = this.n;
    let p = c.pos;
    while (p < n && kind[p] === HOLE) p++;
    if (p >= n) {
      c.pos = p;
      return -1;
    }
    c.pos = p + 1;
    return p;
  }
}
