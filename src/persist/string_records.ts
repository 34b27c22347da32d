/**
 * A snapshot's string records kept as byte ranges of the decoder's chunks
 * (no Store, no object per key): {@link StringRecords}. For bulk exports
 * that only read each record once (a migration into Redis), this is several
 * times cheaper than building a Store's index and arena.
 *
 * Keys are unique: adding a key that is already there replaces its record
 * (a later record of a snapshot wins, as when loading).
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import { dedupeRecords, hashOf, M, sameBytes } from "./_records_dedupe.ts";
import { StringRecordCursor } from "./string_record_cursor.ts";

export { StringRecordCursor };

const INITIAL = 1024;

/**
 * String records as byte ranges: key `kbuf[koff, koff+klen)`, value
 * `vbuf[voff, voff+vlen)` (same chunk), deadline or null. The chunks must
 * never change (the snapshot decoder's private copies never do).
 *
 * @example
 * ```ts
 * import { StringRecords } from "@kevy/persist/persist";
 * const t = new TextEncoder();
 * const chunk = t.encode("k1v1k2v2");
 * const r = new StringRecords();
 * r.add(chunk, 0, 2, 2, 2, null);
 * r.add(chunk, 4, 2, 6, 2, 1_700_000_000_000);
 * r.add(chunk, 0, 2, 6, 2, null); // k1 again: replaces its value (now "v2")
 * r.size; // 2
 * const c = r.cursor();
 * while (c.next()) console.log(c.klen, c.vlen, c.deadline);
 * ```
 */
export class StringRecords {
  #chunks: Uint8Array[] = [];
  #last: Uint8Array | null = null;
  /**
   * Per record, side by side (one cache line, not five arrays: the copy
   * reads records in hash-slot order, far from file order): chunk index,
   * key offset, key length, value offset, value length.
   */
  #m = new Int32Array(INITIAL * M);
  /** 1 for a removed record (it stays in the table, so the key can come back). */
  #gone = new Uint8Array(INITIAL);
  /** Deadline, NaN for none. */
  #dl = new Float64Array(INITIAL);
  /** Record slots used (removed ones included). */
  #n = 0;
  #live = 0;
  /**
   * Open addressing, pairs per slot: record index + 1 (0 for empty) and the
   * key's hash (compared before the key's bytes). Built at the first
   * lookup (records are appended until then: one pass over the keys at a
   * known size is cheaper than growing the table while loading).
   */
  #table: Int32Array | null = null;

  /**
   * Record numbers in use (`0 .. slots-1`), removed records and earlier
   * records of a repeated key included (see {@link StringRecords.removed}).
   */
  get slots(): number {
    return this.#n;
  }

  /** Live records (a key added twice counts once). */
  get size(): number {
    this.#dedupe();
    return this.#live;
  }

  /**
   * Adds the record (key and value are ranges of `chunk`), replacing the
   * record of the same key if there is one.
   */
  add(
    chunk: Uint8Array,
    koff: number,
    klen: number,
    voff: number,
    vlen: number,
    deadline: number | null,
  ): void {
    if (chunk !== this.#last) {
      this.#chunks.push(chunk);
      this.#last = chunk;
    }
    const bi = this.#chunks.length - 1;
    if (this.#table === null) {
      if (!this.#deduped) {
        // Loading: appended; a repeated key is found by #dedupe (or when the index is built).
        if (this.#n === this.#gone.length) this.#growRecords();
        this.#set(this.#n++, bi, koff, klen, voff, vlen, deadline);
        this.#live++;
        return;
      }
      this.#index();
    }
    const h = hashOf(chunk, koff, klen);
    let i = this.#slotOf(chunk, koff, klen, h);
    const at = this.#table![2 * i]!;
    let r: number;
    if (at !== 0) {
      r = at - 1;
      if (this.#gone[r] === 1) {
        this.#gone[r] = 0;
        this.#live++;
      }
    } else {
      if ((this.#n + 1) * 4 > this.#table!.length) {
        this.#grow(this.#table!.length);
        i = this.#slotOf(chunk, koff, klen, h);
      }
      if (this.#n === this.#gone.length) this.#growRecords();
      r = this.#n++;
      this.#table![2 * i] = r + 1;
      this.#table![2 * i + 1] = h | 0;
      this.#live++;
    }
    this.#set(r, bi, koff, klen, voff, vlen, deadline);
  }

  #set(
    r: number,
    bi: number,
    koff: number,
    klen: number,
    voff: number,
    vlen: number,
    deadline: number | null,
  ): void {
    const m = this.#m, at = r * M;
    m[at] = bi;
    m[at + 1] = koff;
    m[at + 2] = klen;
    m[at + 3] = voff;
    m[at + 4] = vlen;
    this.#dl[r] = deadline === null ? NaN : deadline;
  }

  /** Set once repeated keys are resolved (without an index; see #dedupe). */
  #deduped = false;

  /**
   * Resolves repeated keys once, the later record staying, without the
   * index (a walk over the records needs none; see `dedupeRecords`).
   */
  #dedupe(): void {
    if (this.#deduped || this.#table !== null) return;
    this.#deduped = true;
    this.#live -= dedupeRecords(this.#chunks, this.#m, this.#gone, this.#n);
  }

  /** Builds the index once: of two records of one key the later stays. */
  #index(): void {
    if (this.#table !== null) return;
    let slots = INITIAL * 2;
    while (slots < this.#n * 2) slots *= 2;
    this.#grow(slots);
  }

  /** The record index of `key[off, off+len)`, or -1. */
  find(key: Uint8Array, off = 0, len: number = key.length - off): number {
    this.#index();
    const at = this.#table![2 * this.#slotOf(key, off, len, hashOf(key, off, len))]!;
    if (at === 0 || this.#gone[at - 1] === 1) return -1;
    return at - 1;
  }

  /** Removes record `i` (from {@link StringRecords.find}; -1 does nothing). */
  remove(i: number): void {
    if (!(i >= 0 && i < this.#n) || this.#gone[i] === 1) return;
    this.#gone[i] = 1;
    this.#live--;
  }

  /** Removes every record. */
  clear(): void {
    this.#gone.fill(1, 0, this.#n);
    this.#live = 0;
  }

  /** True when record `i` was removed (or replaced by a later record of its key). */
  removed(i: number): boolean {
    return this.#gone[i] === 1;
  }

  /** The chunk holding record `i`'s key and value. */
  chunkOf(i: number): Uint8Array {
    return this.#chunks[this.#m[i * M]!]!;
  }

  /** Offset of record `i`'s key in its chunk. */
  keyOffset(i: number): number {
    return this.#m[i * M + 1]!;
  }

  /** Length of record `i`'s key. */
  keyLength(i: number): number {
    return this.#m[i * M + 2]!;
  }

  /** Offset of record `i`'s value in its chunk. */
  valueOffset(i: number): number {
    return this.#m[i * M + 3]!;
  }

  /** Length of record `i`'s value. */
  valueLength(i: number): number {
    return this.#m[i * M + 4]!;
  }

  /** Record `i`'s deadline (unix ms) or null. */
  deadline(i: number): number | null {
    const d = this.#dl[i]!;
    return Number.isNaN(d) ? null : d;
  }

  /** Record `i` as an entry (key and value copied). */
  entry(i: number): Entry {
    const b = this.chunkOf(i);
    const ko = this.keyOffset(i), vo = this.valueOffset(i);
    const d = this.#dl[i]!;
    return {
      key: b.slice(ko, ko + this.keyLength(i)),
      value: { type: "string", value: b.slice(vo, vo + this.valueLength(i)) },
      deadline: Number.isNaN(d) ? null : d,
    };
  }

  /** A cursor over the live records, in the order they were first added. */
  cursor(): StringRecordCursor {
    this.#dedupe();
    return new StringRecordCursor(this, this.#n);
  }

  /** The table slot for a key: where it is, or the empty slot where it goes. */
  #slotOf(b: Uint8Array, o: number, n: number, h: number): number {
    const t = this.#table!;
    const mask = (t.length >> 1) - 1;
    const hv = h | 0;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const at = t[2 * i]!;
      if (at === 0) return i;
      const r = at - 1;
      if (t[2 * i + 1] !== hv || this.keyLength(r) !== n) continue;
      if (sameBytes(this.chunkOf(r), this.keyOffset(r), b, o, n)) return i;
    }
  }

  /** (Re)builds the table at `slots` slots; a key met twice keeps its later record. */
  #grow(slots: number): void {
    const t = new Int32Array(2 * slots);
    this.#table = t;
    const mask = slots - 1;
    const chunks = this.#chunks, m = this.#m, gone = this.#gone;
    for (let r = 0; r < this.#n; r++) {
      if (gone[r] === 1) continue;
      const c = chunks[m[r * M]!]!, o = m[r * M + 1]!, n = m[r * M + 2]!;
      const h = hashOf(c, o, n), hv = h | 0;
      for (let i = h & mask;; i = (i + 1) & mask) {
        const at = t[2 * i]!;
        if (at === 0) {
          t[2 * i] = r + 1;
          t[2 * i + 1] = hv;
          break;
        }
        const q = at - 1;
        if (
          t[2 * i + 1] === hv && m[q * M + 2] === n &&
          sameBytes(chunks[m[q * M]!]!, m[q * M + 1]!, c, o, n)
        ) {
          // The same key again (a snapshot's later record wins): the earlier one goes.
          gone[q] = 1;
          this.#live--;
          t[2 * i] = r + 1;
          break;
        }
      }
    }
  }

  /**
   * Makes room for `n` records in all (a loader that can estimate the count
   * saves the copies of growing by doubling).
   */
  reserve(n: number): void {
    if (n > this.#gone.length) this.#growRecords(n);
  }

  #growRecords(n = this.#gone.length * 2): void {
    const m = new Int32Array(n * M);
    m.set(this.#m);
    this.#m = m;
    const g = new Uint8Array(n);
    g.set(this.#gone);
    this.#gone = g;
    const d = new Float64Array(n);
    d.set(this.#dl);
    this.#dl = d;
  }
}
