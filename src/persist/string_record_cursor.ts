/**
 * {@link StringRecordCursor}: a walk over the live records of a
 * {@link StringRecords} (re-exported by string_records.ts).
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import type { StringRecords } from "./string_records.ts";

/**
 * Walks the live records of a {@link StringRecords}: after each
 * `next()` that returned true, the fields describe one record.
 *
 * @example
 * ```ts
 * import { StringRecords } from "@kevy/persist/persist";
 * const r = new StringRecords();
 * r.add(new TextEncoder().encode("kv"), 0, 1, 1, 1, null);
 * const c = r.cursor();
 * c.next(); // true
 * c.kbuf[c.koff]; // 107 ("k")
 * ```
 */
export class StringRecordCursor {
  /** The chunk holding key and value. */
  kbuf: Uint8Array = new Uint8Array(0);
  /** Key offset in `kbuf`. */
  koff: number = 0;
  /** Key length. */
  klen: number = 0;
  /** Value offset in `kbuf`. */
  voff: number = 0;
  /** Value length. */
  vlen: number = 0;
  /** Deadline (unix ms) or null. */
  deadline: number | null = null;
  /** Index of the current record. */
  index: number = -1;
  readonly #owner: StringRecords;
  readonly #n: number;

  /** Made by {@link StringRecords.cursor} (records added meanwhile are not visited). */
  constructor(owner: StringRecords, n: number) {
    this.#owner = owner;
    this.#n = n;
  }

  /** Moves to the next live record; false at the end. */
  next(): boolean {
    const r = this.#owner;
    let i = this.index + 1;
    while (i < this.#n && r.removed(i)) i++;
    this.index = i;
    if (i >= this.#n) return false;
    this.kbuf = r.chunkOf(i);
    this.koff = r.keyOffset(i);
    this.klen = r.keyLength(i);
    this.voff = r.valueOffset(i);
    this.vlen = r.valueLength(i);
    this.deadline = r.deadline(i);
    return true;
  }

  /** The current record as an entry (copied). */
  entry(): Entry {
    return this.#owner.entry(this.index);
  }
}
