// Private home of SetValue (re-exported by values.ts / store.ts) and of the
// package-internal hooks the loaders use to build one compact (not public API).
import { fromKey, toKey } from "./_keys.ts";
import { rd32 } from "./_listpack.ts";
import { capacityFor, findItem, findItemStr, itemEnd, putItem } from "./_packed.ts";
import { adoptBytes, charge, Charged, OBJ_OVERHEAD, SET_MEMBER, viewOf } from "./_meter.ts";

/** A set of integers (canonical int64 text) with more members than this is a `Set`. */
export const SET_COMPACT_INTS = 512;
/** A set with other members and more of them than this is a `Set`. */
export const SET_COMPACT_ENTRIES = 128;
/** A set with a member longer than this (bytes) is a `Set`. */
export const SET_COMPACT_BYTES = 64;

const EMPTY = new Uint8Array(0);

/** Installed by SetValue's static block (see {@link SetInternals}). */
export let setInternals: SetInternals;

/** Whether `b[p, p + l)` is an integer as Redis's intsets hold them (canonical int64 text). */
/**
 * How the `n` members of the payload `b[start, end)` fit the compact
 * encoding: true as an intset's, false as a listpack's, null not at all.
 */
function compactKind(b: Uint8Array, start: number, end: number, n: number): boolean | null {
  let ints = true, fits = n <= SET_COMPACT_INTS;
  for (let p = start; p < end && fits;) {
    const l = rd32(b, p);
    if (l > SET_COMPACT_BYTES) fits = false;
    else if (ints && !isIntText(b, p + 4, l)) {
      ints = false;
      fits = n <= SET_COMPACT_ENTRIES;
    }
    p += 4 + l;
  }
  return fits ? ints : null;
}

function isIntText(b: ArrayLike<number>, p: number, l: number): boolean {
  if (l === 0 || l > 20) return false;
  const neg = b[p] === 45;
  const d = neg ? p + 1 : p;
  const dl = l - (neg ? 1 : 0);
  if (dl === 0 || dl > 19) return false;
  if (b[d] === 48) return dl === 1 && !neg; // "0" only: no leading zero, no "-0"
  for (let i = d; i < d + dl; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return false;
  }
  if (dl < 19) return true;
  const lim = neg ? "9223372036854775808" : "9223372036854775807";
  for (let i = 0; i < 19; i++) {
    const c = b[d + i]!, m = lim.charCodeAt(i);
    if (c !== m) return c < m;
  }
  return true;
}

/**
 * A set of byte-exact members, insertion order kept.
 *
 * Two encodings, like Redis: a small set (at most 512 members that are all
 * integers, as Redis's intsets, or at most 128 members of at most 64 bytes,
 * as its listpacks) is one packed byte array scanned linearly; past a limit,
 * or when {@link SetValue.raw} is read, it becomes a `Set` for good. Members
 * handed out are copies.
 *
 * @example
 * ```ts
 * import { SetValue } from "@kevy/persist/store";
 * const s = new SetValue();
 * s.add(new Uint8Array([0])); // true
 * s.has(new Uint8Array([0])); // true
 * ```
 */
export class SetValue extends Charged {
  #set: Set<string> | null = null;
  /**
   * Compact members in `#b[0, #used)` (snapshot set payload layout, insertion order).
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
  /** Every compact member is an integer (the 512-member limit applies). */
  #ints = true;
  /** `#b` may be seen elsewhere (a clone, an iteration, a load slab): copy it before writing. */
  #shared = false;

  static {
    setInternals = {
      fromMembers(members, alloc) {
        const s = new SetValue();
        const n = members.length;
        let total = 0, ints = true, fits = n <= SET_COMPACT_INTS;
        for (let i = 0; i < n && fits; i++) {
          const m = members[i]!;
          total += 4 + m.length;
          if (ints && !isIntText(m, 0, m.length)) ints = false;
          if (m.length > SET_COMPACT_BYTES || (!ints && n > SET_COMPACT_ENTRIES)) fits = false;
        }
        if (!fits || hasDuplicateMembers(members)) {
          for (let i = 0; i < n; i++) s.add(members[i]!);
          return s;
        }
        const b = alloc(total);
        let p = 0;
        for (let i = 0; i < n; i++) p = putItem(b, p, members[i]!);
        s.#b = b;
        s.#used = total;
        s.#n = n;
        s.#ints = ints;
        s.#shared = true;
        charge(s, n * (SET_MEMBER - 4) + total);
        return s;
      },
      adopt(b, n, alloc, unique) {
        const s = new SetValue();
        const ints = compactKind(b, 0, b.length, n);
        if (ints !== null && (unique || !payloadHasDuplicates(b, n))) {
          if (alloc === null) s.#b = b;
          else {
            s.#b = alloc(b.length);
            s.#b.set(b);
          }
          s.#used = b.length;
          s.#n = n;
          s.#ints = ints;
          s.#shared = true;
          charge(s, n * (SET_MEMBER - 4) + b.length);
          return s;
        }
        for (let p = 0; p < b.length;) {
          const e = itemEnd(b, p);
          s.add(b.subarray(p + 4, e));
          p = e;
        }
        return s;
      },
      adoptAt(src, off, end, n) {
        const ints = compactKind(src, off, end, n);
        if (ints === null) return setInternals.adopt(src.subarray(off, end), n, null, true);
        const s = new SetValue();
        s.#bv = null;
        adoptBytes(s, src, off, end);
        s.#used = end - off;
        s.#n = n;
        s.#ints = ints;
        s.#shared = true;
        charge(s, n * (SET_MEMBER - 4) + s.#used);
        return s;
      },
      compact(s) {
        if (s.#set !== null) return null;
        s.#shared = true;
        return s.#b.length === s.#used ? s.#b : s.#b.subarray(0, s.#used);
      },
      isCompact: (s) => s.#set === null,
    };
  }

  /**
   * Members as binary strings (one char per byte). Reading it converts the
   * set to the `Set` encoding for good.
   */
  get raw(): Set<string> {
    return this.#set ?? this.#toSet();
  }

  #toSet(): Set<string> {
    const out = new Set<string>();
    const b = this.#b;
    for (let p = 0; p < this.#used;) {
      const e = itemEnd(b, p);
      out.add(toKey(b.subarray(p + 4, e)));
      p = e;
    }
    this.#set = out;
    this.#b = EMPTY;
    this.#used = this.#n = 0;
    this.#shared = false;
    return out;
  }

  /** Number of members. */
  get size(): number {
    return this.#set === null ? this.#n : this.#set.size;
  }

  /** Adds a member; returns `true` if it is new. */
  add(member: Uint8Array): boolean {
    if (this.#set !== null) {
      const k = toKey(member);
      if (this.#set.has(k)) return false;
      this.#set.add(k);
      charge(this, SET_MEMBER + k.length);
      return true;
    }
    if (findItem(this.#b, this.#used, member) >= 0) return false;
    this.#append(member);
    return true;
  }

  /** {@link add} with a binary-string member (internal). */
  addRaw(k: string): boolean {
    if (this.#set !== null) {
      if (this.#set.has(k)) return false;
      this.#set.add(k);
      charge(this, SET_MEMBER + k.length);
      return true;
    }
    if (findItemStr(this.#b, this.#used, k) >= 0) return false;
    this.#append(fromKey(k));
    return true;
  }

  /** Appends a member known to be absent (converting first past a limit). */
  #append(m: Uint8Array): void {
    charge(this, SET_MEMBER + m.length);
    const ints = this.#ints && isIntText(m, 0, m.length);
    const limit = ints ? SET_COMPACT_INTS : SET_COMPACT_ENTRIES;
    if (this.#n >= limit || m.length > SET_COMPACT_BYTES) {
      this.#toSet().add(toKey(m));
      return;
    }
    const need = this.#used + 4 + m.length;
    if (this.#shared || need > this.#b.length) {
      const next = new Uint8Array(capacityFor(need));
      next.set(this.#b.subarray(0, this.#used));
      this.#b = next;
      this.#shared = false;
    }
    this.#used = putItem(this.#b, this.#used, m);
    this.#n++;
    this.#ints = ints;
  }

  /** Whether `member` exists. */
  has(member: Uint8Array): boolean {
    if (this.#set !== null) return this.#set.has(toKey(member));
    return findItem(this.#b, this.#used, member) >= 0;
  }

  /** {@link has} with a binary-string member (internal). */
  hasRaw(k: string): boolean {
    if (this.#set !== null) return this.#set.has(k);
    return findItemStr(this.#b, this.#used, k) >= 0;
  }

  /** Removes a member; returns `true` if it existed. */
  delete(member: Uint8Array): boolean {
    if (this.#set !== null) return this.#setDelete(toKey(member));
    return this.#cut(findItem(this.#b, this.#used, member));
  }

  /** {@link delete} with a binary-string member (internal). */
  deleteRaw(k: string): boolean {
    if (this.#set !== null) return this.#setDelete(k);
    return this.#cut(findItemStr(this.#b, this.#used, k));
  }

  #setDelete(k: string): boolean {
    if (!this.#set!.delete(k)) return false;
    charge(this, -(SET_MEMBER + k.length));
    return true;
  }

  /** Removes the compact member at `p` (-1: none). */
  #cut(p: number): boolean {
    if (p < 0) return false;
    const e = itemEnd(this.#b, p);
    const used = this.#used;
    charge(this, -(SET_MEMBER - 4 + e - p));
    if (this.#shared) {
      const next = new Uint8Array(used - (e - p));
      next.set(this.#b.subarray(0, p));
      next.set(this.#b.subarray(e, used), p);
      this.#b = next;
      this.#shared = false;
    } else if (e < used) this.#b.copyWithin(p, e, used);
    this.#used = used - (e - p);
    this.#n--;
    return true;
  }

  /** Members (insertion order). */
  *members(): IterableIterator<Uint8Array> {
    if (this.#set !== null) {
      for (const k of this.#set) yield fromKey(k);
      return;
    }
    // Writes during the walk copy the buffer instead of moving these bytes.
    this.#shared = true;
    const b = this.#b, used = this.#used;
    for (let p = 0; p < used;) {
      const e = itemEnd(b, p);
      yield b.slice(p + 4, e);
      p = e;
    }
  }

  /** Members as binary strings (insertion order; internal). */
  *rawMembers(): IterableIterator<string> {
    if (this.#set !== null) {
      yield* this.#set;
      return;
    }
    this.#shared = true;
    const b = this.#b, used = this.#used;
    for (let p = 0; p < used;) {
      const l = rd32(b, p);
      yield toKey(b.subarray(p + 4, p + 4 + l));
      p += 4 + l;
    }
  }

  /** A copy. */
  clone(): SetValue {
    const s = new SetValue();
    if (this.#set !== null) s.#set = new Set(this.#set);
    else {
      // Copy-on-write: both share the bytes until one of them writes.
      this.#shared = s.#shared = true;
      s.#b = this.#b;
      s.#used = this.#used;
      s.#n = this.#n;
      s.#ints = this.#ints;
    }
    charge(s, this.memoryBytes - OBJ_OVERHEAD);
    return s;
  }
}

/** Whether a member appears twice in the payload `b` of `n` members. */
function payloadHasDuplicates(b: Uint8Array, n: number): boolean {
  const ms: Uint8Array[] = [];
  for (let p = 0; p < b.length;) {
    const e = itemEnd(b, p);
    ms.push(b.subarray(p + 4, e));
    p = e;
  }
  return ms.length !== n || hasDuplicateMembers(ms);
}

/** Whether a member appears twice in `ms` (small inputs: pairwise). */
function hasDuplicateMembers(ms: ReadonlyArray<Uint8Array>): boolean {
  const n = ms.length;
  if (n > 16) return new Set(ms.map(toKey)).size !== n;
  for (let i = 0; i < n; i++) {
    const a = ms[i]!;
    for (let j = i + 1; j < n; j++) {
      const c = ms[j]!;
      if (c.length !== a.length) continue;
      let k = 0;
      while (k < a.length && a[k] === c[k]) k++;
      if (k === a.length) return true;
    }
  }
  return false;
}

/** Package-internal access to a set's compact encoding. */
export interface SetInternals {
  /** A set of `members` (a member twice counts once): compact in bytes from `alloc` (kept, never written) when small. */
  fromMembers(members: ReadonlyArray<Uint8Array>, alloc: (n: number) => Uint8Array): SetValue;
  /**
   * A set over the payload `b` of `n` members: compact in a copy from
   * `alloc` (over `b` itself when `alloc` is null: `b` is the set's to keep,
   * never written) when within the limits, else a `Set` (no view of `b`
   * kept). `unique`: the caller checked that no member appears twice.
   */
  adopt(
    b: Uint8Array,
    n: number,
    alloc: ((n: number) => Uint8Array) | null,
    unique: boolean,
  ): SetValue;
  /** The compact members (snapshot set payload layout, without the count), or `null` for a `Set`. Must not be written. */
  compact(s: SetValue): Uint8Array | null;
  /**
   * A set over the payload `src[off, end)` of `n` members, none twice, never
   * written (compact over those bytes when within the limits, else a `Set`).
   */
  adoptAt(src: Uint8Array, off: number, end: number, n: number): SetValue;
  /** Whether `s` uses the compact encoding. */
  isCompact(s: SetValue): boolean;
}
