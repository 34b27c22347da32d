// Private home of HashValue (re-exported by values.ts / store.ts) and of the
// package-internal hooks the loader, the capture and the neutral conversion
// use to reach its compact encoding (not re-exported: not public API).
import { fromKey, toKey } from "./_keys.ts";
import { FieldTtls } from "./_field_ttl.ts";
import {
  adoptBytes,
  charge,
  Charged,
  FIELD_TTL,
  HASH_FIELD,
  OBJ_OVERHEAD,
  viewOf,
} from "./_meter.ts";
import {
  COMPACT_MAX_BYTES,
  COMPACT_MAX_FIELDS,
  lpFind,
  lpHasDuplicates,
  lpMerge,
  lpPairEnd,
  lpPut,
  rd32,
} from "./_listpack.ts";

const EMPTY = new Uint8Array(0);

/** Installed by HashValue's static block (see {@link HashInternals}). */
export let hashInternals: HashInternals;

/**
 * A hash: field → value, fields byte-exact, insertion order kept.
 *
 * Two encodings, like Redis: while a hash has at most 128 fields and every
 * field and value is at most 64 bytes, its pairs are kept in one byte array
 * (lookups scan it; values handed out are copies). Crossing a limit, or
 * reading {@link HashValue.map}, converts it to a `Map` for good.
 *
 * Fields may carry an absolute deadline (Redis 7.4 HEXPIRE): kept in a side
 * table that a hash without field TTLs does not have. The hash itself has no
 * clock: the Store removes due fields before it hands the hash out.
 *
 * @example
 * ```ts
 * import { HashValue } from "@kevy/persist/store";
 * const h = new HashValue();
 * h.set(new Uint8Array([102]), new Uint8Array([118])); // true (new field)
 * h.size; // 1
 * ```
 */
export class HashValue extends Charged {
  #map: Map<string, Uint8Array> | null = null;
  /**
   * Compact pairs in `#b[0, #used)` (snapshot payload layout).
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
  /** `#b` may be seen elsewhere (a capture, a load slab): copy it before writing. */
  #shared = false;
  /** Per-field deadlines, or `null` while no field has one. */
  #ttl: FieldTtls | null = null;
  static {
    hashInternals = {
      compact(h) {
        if (h.#map !== null || h.#ttl !== null) return null;
        h.#shared = true;
        const b = h.#b;
        return b.length === h.#used ? b : b.subarray(0, h.#used);
      },
      adopt(b, n, shared, unique = false) {
        const h = new HashValue();
        if (n > 1 && !unique && lpHasDuplicates(b, b.length, n)) {
          [h.#b, h.#used, h.#n] = lpMerge(b, b.length);
        } else {
          h.#b = b;
          h.#used = b.length;
          h.#n = n;
          h.#shared = shared;
        }
        // Each pair is 8 length bytes, the field and the value.
        charge(h, h.#n * (HASH_FIELD - 8) + h.#used);
        return h;
      },
      adoptAt(src, off, end, n) {
        const h = new HashValue();
        h.#bv = null;
        adoptBytes(h, src, off, end);
        h.#used = end - off;
        h.#n = n;
        h.#shared = true;
        charge(h, n * (HASH_FIELD - 8) + h.#used);
        return h;
      },
      isCompact: (h) => h.#map === null,
      adoptMap(m) {
        const h = new HashValue();
        h.#map = m;
        let bytes = 0;
        for (const [k, v] of m) bytes += HASH_FIELD + k.length + v.length;
        charge(h, bytes);
        return h;
      },
    };
  }

  /**
   * Field (binary string, one char per byte) → value, to read: change the
   * hash through its methods (they keep its memory estimate). Reading it
   * converts the hash to the Map encoding for good.
   */
  get map(): Map<string, Uint8Array> {
    return this.#map ?? this.#toMap();
  }

  #toMap(): Map<string, Uint8Array> {
    const m = new Map<string, Uint8Array>();
    const b = this.#b;
    let p = 0;
    while (p < this.#used) {
      const fl = rd32(b, p);
      const v = p + 4 + fl;
      const vl = rd32(b, v);
      m.set(toKey(b.subarray(p + 4, v)), b.slice(v + 4, v + 4 + vl));
      p = v + 4 + vl;
    }
    this.#map = m;
    this.#b = EMPTY;
    this.#used = this.#n = 0;
    this.#shared = false;
    return m;
  }

  /** Number of fields. */
  get size(): number {
    return this.#map === null ? this.#n : this.#map.size;
  }

  /** Value of `field`, or `undefined`. */
  get(field: Uint8Array): Uint8Array | undefined {
    if (this.#map !== null) return this.#map.get(toKey(field));
    const b = this.#b;
    const p = lpFind(b, this.#used, field);
    if (p < 0) return undefined;
    const v = p + 4 + field.length;
    return b.slice(v + 4, v + 4 + rd32(b, v));
  }

  /**
   * Sets a field; returns `true` if the field is new. Its deadline is
   * removed (HSET), unless `keepTtl` (HINCRBY).
   */
  set(field: Uint8Array, value: Uint8Array, keepTtl = false): boolean {
    if (this.#ttl !== null && !keepTtl) this.#dropTtl(toKey(field));
    if (this.#map === null) {
      if (field.length <= COMPACT_MAX_BYTES && value.length <= COMPACT_MAX_BYTES) {
        const r = this.#setCompact(field, value);
        if (r !== null) {
          if (r) charge(this, HASH_FIELD + field.length + value.length);
          return r;
        }
      }
      this.#toMap();
    }
    const m = this.#map!;
    const k = toKey(field);
    const old = m.get(k);
    m.set(k, value);
    charge(
      this,
      old === undefined ? HASH_FIELD + k.length + value.length : value.length - old.length,
    );
    return old === undefined;
  }

  /** Compact set; `null` when the hash must become a Map (one field too many). */
  #setCompact(field: Uint8Array, value: Uint8Array): boolean | null {
    let b = this.#b;
    const used = this.#used;
    const p = lpFind(b, used, field);
    if (p < 0) {
      if (this.#n >= COMPACT_MAX_FIELDS) return null;
      const need = used + 8 + field.length + value.length;
      if (need > b.length || this.#shared) {
        const nb = new Uint8Array(Math.max(need, Math.min(2 * b.length, need + 512), 32));
        nb.set(b.subarray(0, used));
        this.#b = b = nb;
        this.#shared = false;
      }
      this.#used = lpPut(b, used, field, value);
      this.#n++;
      return true;
    }
    const v = p + 4 + field.length;
    const oldLen = rd32(b, v);
    const end = v + 4 + oldLen;
    const delta = value.length - oldLen;
    charge(this, delta);
    if (delta !== 0 || this.#shared) {
      const need = used + delta;
      if (this.#shared || need > b.length) {
        const nb = new Uint8Array(Math.max(need, b.length));
        nb.set(b.subarray(0, v));
        nb.set(b.subarray(end, used), end + delta);
        this.#b = b = nb;
        this.#shared = false;
      } else b.copyWithin(end + delta, end, used);
      this.#used = need;
    }
    lpPut(b, p, field, value);
    return false;
  }

  /** Whether `field` exists. */
  has(field: Uint8Array): boolean {
    if (this.#map !== null) return this.#map.has(toKey(field));
    return lpFind(this.#b, this.#used, field) >= 0;
  }

  /** Removes a field (and its deadline); returns `true` if it existed. */
  delete(field: Uint8Array): boolean {
    if (this.#ttl !== null) this.#dropTtl(toKey(field));
    if (this.#map !== null) {
      const k = toKey(field);
      const old = this.#map.get(k);
      if (old === undefined) return false;
      this.#map.delete(k);
      charge(this, -(HASH_FIELD + k.length + old.length));
      return true;
    }
    const b = this.#b, used = this.#used;
    const p = lpFind(b, used, field);
    if (p < 0) return false;
    const end = lpPairEnd(b, p);
    charge(this, -(HASH_FIELD - 8 + end - p));
    if (this.#shared) {
      const nb = new Uint8Array(used - (end - p));
      nb.set(b.subarray(0, p));
      nb.set(b.subarray(end, used), p);
      this.#b = nb;
      this.#shared = false;
    } else b.copyWithin(p, end, used);
    this.#used = used - (end - p);
    this.#n--;
    return true;
  }

  /** Field/value pairs in insertion order. */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    if (this.#map !== null) {
      for (const [k, v] of this.#map) yield [fromKey(k), v];
      return;
    }
    // Iterate a frozen buffer: writes meanwhile copy it first.
    const b = this.#b, used = this.#used;
    this.#shared = true;
    let p = 0;
    while (p < used) {
      const fl = rd32(b, p);
      const v = p + 4 + fl;
      const vl = rd32(b, v);
      yield [b.slice(p + 4, v), b.slice(v + 4, v + 4 + vl)];
      p = v + 4 + vl;
    }
  }

  /** Whether some field has a deadline. */
  get hasFieldTtls(): boolean {
    return this.#ttl !== null;
  }

  /** The deadline (unix ms) of `field`, or `null` (no such field, or no deadline). */
  fieldDeadline(field: Uint8Array): number | null {
    return this.#ttl?.get(toKey(field)) ?? null;
  }

  /**
   * Sets (`number`) or removes (`null`) the deadline of an existing field;
   * returns `false` when there is no such field. A deadline in the past is
   * kept as given: the Store decides when fields expire.
   */
  setFieldDeadline(field: Uint8Array, deadline: number | null): boolean {
    if (!this.has(field)) return false;
    const k = toKey(field);
    if (deadline === null) {
      if (this.#ttl !== null) this.#dropTtl(k);
      return true;
    }
    const t = this.#ttl ??= new FieldTtls();
    if (t.get(k) === undefined) charge(this, FIELD_TTL);
    t.set(k, deadline);
    return true;
  }

  /** The smallest field deadline, `Infinity` when none. */
  nextFieldDeadline(): number {
    return this.#ttl === null ? Infinity : this.#ttl.next();
  }

  /** Removes the fields whose deadline is `<= now`; returns them. */
  expireFields(now: number): Uint8Array[] {
    const t = this.#ttl;
    if (t === null || t.next() > now) return [];
    const due = t.takeDue(now);
    charge(this, -FIELD_TTL * due.length);
    if (t.size === 0) this.#ttl = null;
    const out: Uint8Array[] = [];
    for (const f of due) {
      const b = fromKey(f);
      this.delete(b);
      out.push(b);
    }
    return out;
  }

  /** Deadlines aligned with {@link entries} (`null`: none), or `undefined` when no field has one. */
  entryDeadlines(): Array<number | null> | undefined {
    const t = this.#ttl;
    if (t === null) return undefined;
    const out: Array<number | null> = [];
    for (const [f] of this.entries()) out.push(t.get(toKey(f)) ?? null);
    return out;
  }

  #dropTtl(k: string): void {
    const t = this.#ttl!;
    if (!t.delete(k)) return;
    charge(this, -FIELD_TTL);
    if (t.size === 0) this.#ttl = null;
  }

  /** A copy (values shared: they are immutable). */
  clone(): HashValue {
    const h = new HashValue();
    charge(h, this.memoryBytes - OBJ_OVERHEAD);
    if (this.#ttl !== null) h.#ttl = this.#ttl.clone();
    if (this.#map === null) {
      h.#b = this.#b.slice(0, this.#used);
      h.#used = this.#used;
      h.#n = this.#n;
    } else {
      const m = h.#map = new Map();
      for (const [k, v] of this.#map) m.set(k, v);
    }
    return h;
  }
}

/** Package-internal access to a hash's compact encoding. */
export interface HashInternals {
  /** The compact pairs (frozen: the hash copies before its next write), or `null` for a Map. */
  compact(h: HashValue): Uint8Array | null;
  /**
   * A compact hash over `b` (whole array: `n` valid pairs within the limits);
   * `shared`: `b` may not be written. Duplicate fields are merged (first
   * position, last value); `unique`: the caller checked there are none.
   */
  adopt(b: Uint8Array, n: number, shared: boolean, unique?: boolean): HashValue;
  /**
   * A compact hash over `src[off, end)`: `n` valid pairs within the limits,
   * no field twice, never written (the hash copies before its first write).
   */
  adoptAt(src: Uint8Array, off: number, end: number, n: number): HashValue;
  /** Whether `h` uses the compact encoding. */
  isCompact(h: HashValue): boolean;
  /** A Map-encoded hash over `m` (fields as binary strings; taken, not copied). */
  adoptMap(m: Map<string, Uint8Array>): HashValue;
}

/** A hash of `pairs` (as if set in order), compact when within the limits. */
export function hashFromPairs(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): HashValue {
  const n = pairs.length;
  let size = 0;
  let fits = n <= COMPACT_MAX_FIELDS;
  for (let i = 0; i < n && fits; i++) {
    const [f, v] = pairs[i]!;
    if (f.length > COMPACT_MAX_BYTES || v.length > COMPACT_MAX_BYTES) fits = false;
    size += 8 + f.length + v.length;
  }
  if (!fits) {
    const h = new HashValue();
    for (const [f, x] of pairs) h.set(f, x);
    return h;
  }
  const b = new Uint8Array(size);
  let p = 0;
  for (let i = 0; i < n; i++) p = lpPut(b, p, pairs[i]![0], pairs[i]![1]);
  return hashInternals.adopt(b, n, false);
}
