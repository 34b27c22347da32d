// Private home of SortedSet (re-exported by zset.ts / store.ts; see zset.ts
// for the ordering rules) and of the package-internal hooks the loader and
// the capture use to reach its compact encoding (not public API).
import { fromKey, toKey } from "./_keys.ts";
import { rd32 } from "./_listpack.ts";
import { SkipList } from "./_skiplist.ts";
import { capacityFor } from "./_packed.ts";
import { adoptBytes, charge, Charged, OBJ_OVERHEAD, viewOf, ZSET_MEMBER } from "./_meter.ts";
import type { LexBound, ScoreBound } from "./zset.ts";
import {
  zpAdoptable,
  zpFind,
  zpInsertAt,
  zpNext,
  zpOffsets,
  zpPair,
  zpPut,
  zpRangeByLex,
  zpRangeByScore,
  zpScore,
  ZSET_COMPACT_BYTES,
  ZSET_COMPACT_ENTRIES,
} from "./_zset_compact.ts";

const EMPTY = new Uint8Array(0);

/** Installed by SortedSet's static block (see {@link ZsetInternals}). */
export let zsetInternals: ZsetInternals;

/**
 * A sorted set of byte-exact members with float scores.
 *
 * @example
 * ```ts
 * import { SortedSet } from "@kevy/persist/store";
 * const z = new SortedSet();
 * z.add(new Uint8Array([97]), 2);
 * z.add(new Uint8Array([98]), -0);
 * [...z.entries()].map(([, s]) => s); // [-0, 2]
 * ```
 */
export class SortedSet extends Charged {
  /** The skip list once the set outgrew the compact encoding. */
  #big: SkipList | null = null;
  /**
   * Compact entries in `#b[0, #used)` (snapshot payload layout, sorted).
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
  #n = 0;
  /** `#b` may be seen elsewhere (a clone, a capture, a load slab): copy it before writing. */
  #shared = false;

  static {
    zsetInternals = {
      compact(z) {
        if (z.#big !== null) return null;
        z.#shared = true;
        return z.#b.length === z.#used ? z.#b : z.#b.subarray(0, z.#used);
      },
      adopt(b, n, shared, unique = false) {
        const z = new SortedSet();
        if (zpAdoptable(b, b.length, n, unique)) {
          z.#b = b;
          z.#used = b.length;
          z.#n = n;
          z.#shared = shared;
          charge(z, n * (ZSET_MEMBER - 12) + b.length);
          return z;
        }
        // Unsorted, a member twice (the last score wins) or past the limits.
        for (let p = 0; p < b.length; p = zpNext(b, p)) {
          const l = rd32(b, p);
          z.add(b.subarray(p + 4, p + 4 + l), zpScore(b, p));
        }
        return z;
      },
      adoptAt(src, off, end, n) {
        if (!zpAdoptable(src, end, n, true, off)) {
          return zsetInternals.adopt(src.subarray(off, end), n, false, true);
        }
        const z = new SortedSet();
        z.#bv = null;
        adoptBytes(z, src, off, end);
        z.#used = end - off;
        z.#n = n;
        z.#shared = true;
        charge(z, n * (ZSET_MEMBER - 12) + z.#used);
        return z;
      },
      fromPairs(pairs, alloc) {
        const n = pairs.length;
        let total = 0;
        let fits = n <= ZSET_COMPACT_ENTRIES;
        for (let i = 0; i < n && fits; i++) {
          const l = pairs[i]![0].length;
          if (l > ZSET_COMPACT_BYTES) fits = false;
          total += 12 + l;
        }
        if (fits) {
          const b = alloc(total);
          let p = 0;
          for (let i = 0; i < n; i++) p = zpPut(b, p, pairs[i]![0], pairs[i]![1]);
          if (zpAdoptable(b, total, n)) {
            const z = new SortedSet();
            z.#b = b;
            z.#used = total;
            z.#n = n;
            z.#shared = true;
            charge(z, n * (ZSET_MEMBER - 12) + total);
            return z;
          }
        }
        const z = new SortedSet();
        for (let i = 0; i < n; i++) z.add(pairs[i]![0], pairs[i]![1]);
        return z;
      },
      isCompact: (z) => z.#big === null,
    };
  }

  /** Number of members. */
  get size(): number {
    return this.#big === null ? this.#n : this.#big.size;
  }

  /** Score of a member, or `undefined`. */
  score(member: Uint8Array): number | undefined {
    if (this.#big !== null) return this.#big.score(member);
    const p = zpFind(this.#b, this.#used, member);
    return p < 0 ? undefined : zpScore(this.#b, p);
  }

  /**
   * Adds or re-scores a member; returns `true` if it is new. A NaN score is
   * kept (see the module notes); the commands never produce one.
   */
  add(member: Uint8Array, score: number): boolean {
    const fresh = this.#big !== null
      ? this.#big.add(member, score)
      : this.#addCompact(member, score);
    if (fresh) charge(this, ZSET_MEMBER + member.length);
    return fresh;
  }

  /** {@link add} with a binary-string member (internal fast path). */
  addRaw(m: string, score: number): boolean {
    const fresh = this.#big !== null
      ? this.#big.addRaw(m, score)
      : this.#addCompact(fromKey(m), score);
    if (fresh) charge(this, ZSET_MEMBER + m.length);
    return fresh;
  }

  #addCompact(m: Uint8Array, score: number): boolean {
    const p = zpFind(this.#b, this.#used, m);
    if (p >= 0) {
      if (Object.is(zpScore(this.#b, p), score)) return false;
      this.#removeAt(p);
      this.#insert(m, score);
      return false;
    }
    if (this.#n >= ZSET_COMPACT_ENTRIES || m.length > ZSET_COMPACT_BYTES) {
      return this.#toBig().add(m, score);
    }
    this.#insert(m, score);
    this.#n++;
    return true;
  }

  /** Inserts a member known to be absent, in order (the count is the caller's). */
  #insert(m: Uint8Array, score: number): void {
    const used = this.#used;
    const need = 12 + m.length;
    const q = zpInsertAt(this.#b, used, score, m);
    let b = this.#b;
    if (this.#shared || used + need > b.length) {
      const next = new Uint8Array(capacityFor(used + need));
      next.set(b.subarray(0, q));
      next.set(b.subarray(q, used), q + need);
      b = this.#b = next;
      this.#shared = false;
    } else if (q < used) b.copyWithin(q + need, q, used);
    zpPut(b, q, m, score);
    this.#used = used + need;
  }

  /** Removes the entry at `p` (the count is the caller's). */
  #removeAt(p: number): void {
    const e = zpNext(this.#b, p);
    this.#cut(p, e);
  }

  /** Removes the bytes `[p, e)` of the compact entries. */
  #cut(p: number, e: number): void {
    const used = this.#used;
    if (this.#shared) {
      const next = new Uint8Array(used - (e - p));
      next.set(this.#b.subarray(0, p));
      next.set(this.#b.subarray(e, used), p);
      this.#b = next;
      this.#shared = false;
    } else if (e < used) this.#b.copyWithin(p, e, used);
    this.#used = used - (e - p);
  }

  #toBig(): SkipList {
    const s = new SkipList();
    const b = this.#b;
    for (let p = 0; p < this.#used; p = zpNext(b, p)) {
      s.addRaw(toKey(b.subarray(p + 4, p + 4 + rd32(b, p))), zpScore(b, p));
    }
    this.#big = s;
    this.#b = EMPTY;
    this.#used = this.#n = 0;
    this.#shared = false;
    return s;
  }

  /** Removes a member; returns `true` if it existed. */
  delete(member: Uint8Array): boolean {
    if (this.#big !== null) {
      if (!this.#big.delete(member)) return false;
    } else {
      const p = zpFind(this.#b, this.#used, member);
      if (p < 0) return false;
      this.#removeAt(p);
      this.#n--;
    }
    charge(this, -(ZSET_MEMBER + member.length));
    return true;
  }

  /** {@link delete} with a binary-string member. */
  deleteRaw(m: string): boolean {
    if (this.#big === null) return this.delete(fromKey(m));
    if (!this.#big.deleteRaw(m)) return false;
    charge(this, -(ZSET_MEMBER + m.length));
    return true;
  }

  /** 0-based rank of a member (ascending, or descending if `reverse`), or `null`. */
  rank(member: Uint8Array, reverse = false): number | null {
    if (this.#big !== null) return this.#big.rank(member, reverse);
    const p = zpFind(this.#b, this.#used, member);
    if (p < 0) return null;
    let r = 0;
    for (let q = 0; q < p; q = zpNext(this.#b, q)) r++;
    return reverse ? this.#n - 1 - r : r;
  }

  /** Member/score at 0-based rank (ascending), or `null`. */
  at(rank: number): [Uint8Array, number] | null {
    if (this.#big !== null) return this.#big.at(rank);
    if (!(rank >= 0 && rank < this.#n)) return null;
    let p = 0;
    for (let i = 0; i < rank; i++) p = zpNext(this.#b, p);
    return zpPair(this.#b, p);
  }

  /**
   * Members with 0-based ranks `start..stop` inclusive (already clamped by the
   * caller or clamped here), ascending or, with `reverse`, counted from the top.
   */
  rangeByRank(start: number, stop: number, reverse = false): Array<[Uint8Array, number]> {
    if (this.#big !== null) return this.#big.rangeByRank(start, stop, reverse);
    const out: Array<[Uint8Array, number]> = [];
    const s = Math.max(0, start);
    const e = Math.min(this.#n - 1, stop);
    if (s > e) return out;
    const at = zpOffsets(this.#b, this.#n);
    for (let i = s; i <= e; i++) out.push(zpPair(this.#b, at[reverse ? this.#n - 1 - i : i]!));
    return out;
  }

  /** Members with `min <= score <= max` (bounds may be exclusive), ascending or descending. */
  rangeByScore(
    min: ScoreBound,
    max: ScoreBound,
    reverse = false,
    offset = 0,
    limit = -1,
  ): Array<[Uint8Array, number]> {
    if (this.#big !== null) return this.#big.rangeByScore(min, max, reverse, offset, limit);
    return zpRangeByScore(this.#b, this.#n, min, max, reverse, offset, limit);
  }

  /** Members within a lex range (meaningful when all scores are equal), ascending. */
  rangeByLex(min: LexBound, max: LexBound): Array<[Uint8Array, number]> {
    if (this.#big !== null) return this.#big.rangeByLex(min, max);
    return zpRangeByLex(this.#b, this.#used, min, max);
  }

  /** Removes and returns up to `count` lowest (or highest) members. */
  pop(count: number, highest = false): Array<[Uint8Array, number]> {
    const out = this.#big !== null
      ? this.#big.pop(count, highest)
      : this.#popCompact(count, highest);
    let d = 0;
    for (let i = 0; i < out.length; i++) d += ZSET_MEMBER + out[i]![0].length;
    if (d !== 0) charge(this, -d);
    return out;
  }

  #popCompact(count: number, highest: boolean): Array<[Uint8Array, number]> {
    const out: Array<[Uint8Array, number]> = [];
    const k = Math.min(Math.max(0, count), this.#n);
    if (k === 0) return out;
    const at = zpOffsets(this.#b, this.#n);
    if (highest) {
      for (let i = 0; i < k; i++) out.push(zpPair(this.#b, at[this.#n - 1 - i]!));
      this.#cut(at[this.#n - k]!, this.#used);
    } else {
      for (let i = 0; i < k; i++) out.push(zpPair(this.#b, at[i]!));
      this.#cut(0, k < this.#n ? at[k]! : this.#used);
    }
    this.#n -= k;
    return out;
  }

  /** Members and scores in order. */
  *entries(): IterableIterator<[Uint8Array, number]> {
    if (this.#big !== null) {
      yield* this.#big.entries();
      return;
    }
    // Writes during the walk copy the buffer instead of moving these bytes.
    this.#shared = true;
    const b = this.#b, used = this.#used;
    for (let p = 0; p < used; p = zpNext(b, p)) {
      yield [b.slice(p + 4, p + 4 + rd32(b, p)), zpScore(b, p)];
    }
  }

  /** Binary-string members and scores in order (internal). */
  *rawEntries(): IterableIterator<[string, number]> {
    if (this.#big !== null) {
      yield* this.#big.rawEntries();
      return;
    }
    this.#shared = true;
    const b = this.#b, used = this.#used;
    for (let p = 0; p < used; p = zpNext(b, p)) {
      yield [toKey(b.subarray(p + 4, p + 4 + rd32(b, p))), zpScore(b, p)];
    }
  }

  /** A copy. */
  clone(): SortedSet {
    const z = new SortedSet();
    if (this.#big !== null) z.#big = this.#big.clone();
    else {
      // Copy-on-write: both share the bytes until one of them writes.
      this.#shared = z.#shared = true;
      z.#b = this.#b;
      z.#used = this.#used;
      z.#n = this.#n;
    }
    charge(z, this.memoryBytes - OBJ_OVERHEAD);
    return z;
  }
}

/** Package-internal access to a sorted set's compact encoding. */
export interface ZsetInternals {
  /** The compact entries (snapshot zset payload layout, without the count), or `null` for a skip list. The bytes must not be written. */
  compact(z: SortedSet): Uint8Array | null;
  /**
   * A sorted set over the payload `b` of `n` entries: kept as is when sorted,
   * without duplicates and within the limits (`shared`: `b` is seen
   * elsewhere, copy before writing), else built entry by entry (no view of
   * `b` kept). `unique`: the caller checked that no member appears twice.
   */
  adopt(b: Uint8Array, n: number, shared: boolean, unique?: boolean): SortedSet;
  /**
   * A sorted set over the payload `src[off, end)` of `n` entries, no member
   * twice, never written: compact over those bytes when sorted and within the
   * limits, else as `adopt`.
   */
  adoptAt(src: Uint8Array, off: number, end: number, n: number): SortedSet;
  /**
   * A sorted set of `pairs` (the last score of a member twice wins): compact
   * in bytes from `alloc` (kept, never written: e.g. a view of a load slab)
   * when the pairs come sorted and within the limits.
   */
  fromPairs(
    pairs: ReadonlyArray<[Uint8Array, number]>,
    alloc: (n: number) => Uint8Array,
  ): SortedSet;
  /** Whether `z` uses the compact encoding. */
  isCompact(z: SortedSet): boolean;
}
