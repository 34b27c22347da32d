/**
 * The live records of a {@link StringRecords} in key byte order:
 * {@link SortedStrings}, what a sorted dump of a split load prints
 * (`StringRows` of `dumpKeyspaceJsonl`). The keys are copied once into one
 * buffer and sorted there (a permutation of record numbers, no object per
 * key); values stay in the decoder's chunks.
 *
 * @module
 */

import { compareByteRanges, sortByteRanges } from "../codec/byte_sort.ts";
import type { StringRows } from "../store/dump_jsonl.ts";
import type { StringRecords } from "./string_records.ts";

/**
 * Rows (live records, one per key) in key byte order. Of the records of a
 * repeated key the later one is the row, as a load keeps it (whether or not
 * the records were de-duplicated before).
 *
 * @example
 * ```ts
 * import { SortedStrings, StringRecords } from "@kevy/persist/persist";
 * const chunk = new TextEncoder().encode("bxaybz");
 * const r = new StringRecords();
 * r.add(chunk, 0, 1, 1, 1, null); // b = x
 * r.add(chunk, 2, 1, 3, 1, null); // a = y
 * r.add(chunk, 4, 1, 5, 1, null); // b = z: the later record of b
 * const rows = new SortedStrings(r);
 * rows.length; // 2: a = y, b = z
 * chunk[rows.valueOffset(1)]; // 122 ("z")
 * ```
 */
export class SortedStrings implements StringRows {
  /** Every row's key, side by side (by record number: `keyStart`, `keyLen`). */
  readonly keys: Uint8Array;
  readonly #records: StringRecords;
  readonly #start: Uint32Array;
  readonly #len: Uint32Array;
  /** Row -> record number. */
  #order: Int32Array;

  /** Sorts the live records of `records` (which must not change while this is used). */
  constructor(records: StringRecords) {
    this.#records = records;
    const slots = records.slots;
    let live = 0, bytes = 0;
    for (let r = 0; r < slots; r++) {
      if (records.removed(r)) continue;
      live++;
      bytes += records.keyLength(r);
    }
    const keys = new Uint8Array(bytes);
    const start = new Uint32Array(slots), len = new Uint32Array(slots);
    const order = new Int32Array(live);
    let p = 0, n = 0;
    for (let r = 0; r < slots; r++) {
      if (records.removed(r)) continue;
      const c = records.chunkOf(r), o = records.keyOffset(r), l = records.keyLength(r);
      start[r] = p;
      len[r] = l;
      for (let i = 0; i < l; i++) keys[p + i] = c[o + i]!;
      p += l;
      order[n++] = r;
    }
    sortByteRanges(order, keys, start, len);
    this.keys = keys;
    this.#start = start;
    this.#len = len;
    // Stable sort: a run of one key is in record order; its last record is the row.
    let w = 0;
    for (let j = 0; j < n; j++) {
      if (j + 1 < n && this.#sameKey(order[j]!, order[j + 1]!)) continue;
      order[w++] = order[j]!;
    }
    this.#order = order.subarray(0, w);
  }

  #sameKey(a: number, b: number): boolean {
    const la = this.#len[a]!;
    if (la !== this.#len[b]) return false;
    const k = this.keys, oa = this.#start[a]!, ob = this.#start[b]!;
    for (let i = 0; i < la; i++) if (k[oa + i] !== k[ob + i]) return false;
    return true;
  }

  /** Rows. */
  get length(): number {
    return this.#order.length;
  }

  /** The record number of row `j`. */
  record(j: number): number {
    return this.#order[j]!;
  }

  /** Where row `j`'s key starts in {@link SortedStrings.keys}. */
  keyOffset(j: number): number {
    return this.#start[this.#order[j]!]!;
  }

  /** Row `j`'s key length. */
  keyLength(j: number): number {
    return this.#len[this.#order[j]!]!;
  }

  /** The chunk holding row `j`'s value. */
  valueChunk(j: number): Uint8Array {
    return this.#records.chunkOf(this.#order[j]!);
  }

  /** Where row `j`'s value starts in its chunk. */
  valueOffset(j: number): number {
    return this.#records.valueOffset(this.#order[j]!);
  }

  /** Row `j`'s value length. */
  valueLength(j: number): number {
    return this.#records.valueLength(this.#order[j]!);
  }

  /** Row `j`'s deadline (unix ms), NaN for none. */
  deadline(j: number): number {
    return this.#records.deadline(this.#order[j]!) ?? NaN;
  }

  /**
   * Takes out the rows whose key is in `names`, calling `each` with each
   * one's record number first (a split load moves them into its Store
   * before the log is replayed).
   */
  take(names: KeyList, each: (record: number) => void): void {
    const nn = names.length;
    if (nn === 0 || this.length === 0) return;
    const nk = names.bytes(), ns = names.starts(), nl = names.lengths();
    if (nn * 16 < this.length) {
      // Few names (a short log): a binary search each, then one pass to drop the hits.
      const hit = new Uint8Array(this.length);
      let hits = 0;
      for (let i = 0; i < nn; i++) {
        const j = this.#find(nk, ns[i]!, nl[i]!);
        if (j >= 0 && hit[j] === 0) {
          hit[j] = 1;
          hits++;
        }
      }
      if (hits === 0) return;
      const order = this.#order;
      let w = 0;
      for (let j = 0; j < order.length; j++) {
        if (hit[j] === 1) each(order[j]!);
        else order[w++] = order[j]!;
      }
      this.#order = order.subarray(0, w);
      return;
    }
    const no = new Int32Array(nn);
    for (let i = 0; i < nn; i++) no[i] = i;
    sortByteRanges(no, nk, ns, nl);
    const order = this.#order, keys = this.keys;
    let w = 0, i = 0;
    for (let j = 0; j < order.length; j++) {
      const r = order[j]!;
      const ko = this.#start[r]!, kl = this.#len[r]!;
      // Past the names below this key (both lists are sorted), then is it the next one?
      let c = 1;
      while (i < nn && (c = compareByteRanges(nk, ns[no[i]!]!, nl[no[i]!]!, keys, ko, kl)) < 0) i++;
      if (c === 0) each(r);
      else order[w++] = r;
    }
    this.#order = order.subarray(0, w);
  }

  /** Drops the rows whose deadline is `<= cutoff` (what a load at `cutoff` would not keep). */
  dropExpired(cutoff: number): void {
    const order = this.#order, rec = this.#records;
    let w = 0;
    for (let j = 0; j < order.length; j++) {
      const r = order[j]!;
      const d = rec.deadline(r);
      if (d === null || d > cutoff) order[w++] = r;
    }
    this.#order = order.subarray(0, w);
  }

  /** The row of `key` (binary search), or -1. */
  indexOf(key: Uint8Array): number {
    return this.#find(key, 0, key.length);
  }

  #find(key: Uint8Array, off: number, len: number): number {
    let lo = 0, hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareByteRanges(
        this.keys,
        this.keyOffset(mid),
        this.keyLength(mid),
        key,
        off,
        len,
      );
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}

/**
 * Keys copied side by side into one growing buffer (no object per key).
 *
 * @example
 * ```ts
 * import { KeyList } from "@kevy/persist/persist";
 * const names = new KeyList();
 * names.add(new TextEncoder().encode("k"));
 * names.length; // 1
 * ```
 */
export class KeyList {
  #bytes: Uint8Array = new Uint8Array(1 << 12);
  #start: Uint32Array = new Uint32Array(256);
  #len: Uint32Array = new Uint32Array(256);
  #p = 0;
  #n = 0;

  /** Keys added. */
  get length(): number {
    return this.#n;
  }

  /** Appends a copy of `key`. */
  add(key: Uint8Array): void {
    const n = this.#n, l = key.length;
    if (n === this.#start.length) {
      this.#start = grow(this.#start, n * 2);
      this.#len = grow(this.#len, n * 2);
    }
    if (this.#p + l > this.#bytes.length) {
      const b = new Uint8Array(Math.max(this.#bytes.length * 2, this.#p + l));
      b.set(this.#bytes.subarray(0, this.#p));
      this.#bytes = b;
    }
    this.#bytes.set(key, this.#p);
    this.#start[n] = this.#p;
    this.#len[n] = l;
    this.#p += l;
    this.#n = n + 1;
  }

  /** The buffer holding every key. */
  bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Where each key starts in {@link KeyList.bytes} (`length` of them). */
  starts(): Uint32Array {
    return this.#start.subarray(0, this.#n);
  }

  /** Each key's length. */
  lengths(): Uint32Array {
    return this.#len.subarray(0, this.#n);
  }
}

function grow(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
