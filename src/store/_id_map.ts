// Private: an ordered map of records keyed by a stream id (a pending-entries
// list). Records sit in sorted blocks of at most 256, so an insert or delete
// anywhere costs O(log n + 256) and appends (ids are delivered in order) are
// cheap; lookups and range scans are binary searches. Records are keyed by
// their own `ms`/`seq` fields, which must not change while they are in a map.
import { cmpId, type U64 } from "./_stream_id.ts";

/**
 * What an {@link IdMap} holds: a record keyed by its stream id.
 *
 * @example
 * ```ts
 * import type { Keyed } from "@kevy/persist/store";
 * const row: Keyed = { ms: 5, seq: 0 };
 * ```
 */
export interface Keyed {
  /** Id, milliseconds part. */
  readonly ms: U64;
  /** Id, sequence part. */
  readonly seq: U64;
}

const MAX_BLOCK = 256;

/**
 * An ordered map of records keyed by stream id (a pending entries list):
 * sorted blocks, so inserts and deletes anywhere are cheap and scans from an
 * id are binary searches.
 *
 * @example
 * ```ts
 * import { IdMap } from "@kevy/persist/store";
 * const m = new IdMap<{ ms: number; seq: number }>();
 * m.insert({ ms: 2, seq: 0 });
 * m.insert({ ms: 1, seq: 5 });
 * m.first(); // { ms: 1, seq: 5 }
 * m.ceil(1, 6); // { ms: 2, seq: 0 }
 * ```
 */
export class IdMap<T extends Keyed> {
  #blocks: T[][] = [];
  #size = 0;

  /** Number of records. */
  get size(): number {
    return this.#size;
  }

  /** Index of the first block whose last record is >= the id (blocks.length if none). */
  #block(ms: U64, seq: U64): number {
    const bs = this.#blocks;
    let lo = 0, hi = bs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = bs[mid]!;
      const t = b[b.length - 1]!;
      if (cmpId(t.ms, t.seq, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first record >= the id inside block `b`. */
  static #pos<T extends Keyed>(b: T[], ms: U64, seq: U64): number {
    let lo = 0, hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = b[mid]!;
      if (cmpId(t.ms, t.seq, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The record with this id. */
  get(ms: U64, seq: U64): T | undefined {
    const bi = this.#block(ms, seq);
    const b = this.#blocks[bi];
    if (b === undefined) return undefined;
    const t = b[IdMap.#pos(b, ms, seq)]!;
    return t.ms === ms && t.seq === seq ? t : undefined;
  }

  /** Inserts `t` unless its id is present; returns whether it was inserted. */
  insert(t: T): boolean {
    const bs = this.#blocks;
    const last = bs[bs.length - 1];
    if (last === undefined) {
      bs.push([t]);
      this.#size++;
      return true;
    }
    const tail = last[last.length - 1]!;
    const c = cmpId(tail.ms, tail.seq, t.ms, t.seq);
    if (c === 0) return false;
    let bi: number, b: T[], at: number;
    if (c < 0) {
      bi = bs.length - 1;
      b = last;
      at = b.length;
    } else {
      bi = this.#block(t.ms, t.seq);
      b = bs[bi]!;
      at = IdMap.#pos(b, t.ms, t.seq);
      const x = b[at]!;
      if (x.ms === t.ms && x.seq === t.seq) return false;
    }
    b.splice(at, 0, t);
    this.#size++;
    if (b.length > MAX_BLOCK) bs.splice(bi + 1, 0, b.splice(b.length >>> 1));
    return true;
  }

  /** Removes and returns the record with this id. */
  delete(ms: U64, seq: U64): T | undefined {
    const bi = this.#block(ms, seq);
    const b = this.#blocks[bi];
    if (b === undefined) return undefined;
    const at = IdMap.#pos(b, ms, seq);
    const t = b[at]!;
    if (t.ms !== ms || t.seq !== seq) return undefined;
    b.splice(at, 1);
    if (b.length === 0) this.#blocks.splice(bi, 1);
    this.#size--;
    return t;
  }

  /** The first record with id >= `(ms, seq)`. */
  ceil(ms: U64, seq: U64): T | undefined {
    const b = this.#blocks[this.#block(ms, seq)];
    return b === undefined ? undefined : b[IdMap.#pos(b, ms, seq)];
  }

  /** The first record with id > that of `t` (which need not be in the map any more). */
  after(t: Keyed): T | undefined {
    const bi = this.#block(t.ms, t.seq);
    const b = this.#blocks[bi];
    if (b === undefined) return undefined;
    let at = IdMap.#pos(b, t.ms, t.seq);
    const x = b[at];
    if (x !== undefined && x.ms === t.ms && x.seq === t.seq) at++;
    return at < b.length ? b[at] : this.#blocks[bi + 1]?.[0];
  }

  /** The smallest record. */
  first(): T | undefined {
    return this.#blocks[0]?.[0];
  }

  /** The largest record. */
  last(): T | undefined {
    const b = this.#blocks[this.#blocks.length - 1];
    return b?.[b.length - 1];
  }

  /** Records in id order. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const b of this.#blocks) yield* b;
  }
}
