// Private: records decoded for a store that must stay untouched until the
// whole input was read (all-or-nothing loads). String records are kept as
// byte ranges of the decoder's buffers (private, never reused), other records
// as entries; `applyTo` replays them in file order with `put` semantics.
import type { Entry } from "../codec/types.ts";
import type { Store } from "./store.ts";
import { indexOf } from "./internals.ts";
import { INLINE_MAX } from "./_index.ts";

export class RecordBatch {
  #bufs: Array<Uint8Array | Entry> = [];
  #nums = new Float64Array(64);
  #n = 0;
  /** Key and string bytes, for pre-sizing the store. */
  #bytes = 0;

  /** `addEntry` bound, to hand to a decoder as its `onEntry`. */
  readonly onEntry = (e: Entry): void => this.addEntry(e);
  /** `addString` bound, to hand to a decoder as its `onString`. */
  readonly onString = (
    buf: Uint8Array,
    ko: number,
    kl: number,
    vo: number,
    vl: number,
    deadline: number | null,
  ): void => this.addString(buf, ko, kl, vo, vl, deadline);

  /** A string record (`deadline` null = none). */
  addString(
    buf: Uint8Array,
    ko: number,
    kl: number,
    vo: number,
    vl: number,
    deadline: number | null,
  ): void {
    const i = this.#n++;
    this.#bytes += kl + (vl <= INLINE_MAX ? vl : 0); // larger values stay their own arrays
    const o = i * 5;
    if (o + 5 > this.#nums.length) this.#grow();
    const m = this.#nums;
    m[o] = ko;
    m[o + 1] = kl;
    m[o + 2] = vo;
    m[o + 3] = vl;
    m[o + 4] = deadline === null ? NaN : deadline;
    this.#bufs.push(buf);
  }

  /** Any other record. */
  addEntry(e: Entry): void {
    this.#n++; // its number slots stay unused
    this.#bytes += e.key.length;
    if (this.#n * 5 > this.#nums.length) this.#grow();
    this.#bufs.push(e);
  }

  #grow(): void {
    const next = new Float64Array(this.#nums.length * 2);
    next.set(this.#nums);
    this.#nums = next;
  }

  /** Puts every record into `store`, in order. */
  applyTo(store: Store): void {
    indexOf(store).reserve(this.#n, this.#bytes);
    const m = this.#nums;
    for (let i = 0; i < this.#n; i++) {
      const b = this.#bufs[i]!;
      if (!(b instanceof Uint8Array)) {
        store.put(b);
        continue;
      }
      const o = i * 5;
      const d = m[o + 4]!;
      store.putString(b, m[o]!, m[o + 1]!, b, m[o + 2]!, m[o + 3]!, d === d ? d : null);
    }
  }
}
