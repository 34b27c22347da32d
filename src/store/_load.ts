// Private: bulk-load sinks that fill a Store from a snapshot decoder and
// pre-size its index. Growing a 1M-key table by doubling rehashes every key
// about twice and copies the arena as often; here the first SAMPLE records
// give the average record size, and the rest of the input (its total size is
// known) is reserved for at once: keys capped at MAX_HINT_KEYS, arena bytes
// at MAX_HINT_BYTES and at the bytes left (string bytes cannot exceed them).
import type { StringRecordSink } from "../codec/_snapshot_types.ts";
import type { Entry } from "../codec/types.ts";
import { indexOf } from "./_internals.ts";
import { INLINE_MAX } from "./_index.ts";
import type { Store } from "./store.ts";

/** Records read before estimating. */
export const SAMPLE = 1024;
/** Most entries one hint reserves. */
export const MAX_HINT_KEYS = 1 << 22;
/** Most arena bytes one hint reserves. */
export const MAX_HINT_BYTES = 1 << 30;
/** Estimates are padded by this factor. */
const PAD = 1.05;

export class StoreLoader {
  /** Records put. */
  count = 0;
  readonly #store: Store;
  readonly #total: number;
  #first = -1;
  #bytes = 0;

  /** Loads into `store`; `totalSize` is the input's size (Infinity: no hint). */
  constructor(store: Store, totalSize: number) {
    this.#store = store;
    this.#total = totalSize;
  }

  /** A string record as byte ranges. */
  readonly onString: StringRecordSink = (b, k, kl, v, vl, d, offset) => {
    this.#store.putString(b, k, kl, b, v, vl, d);
    if (++this.count <= SAMPLE) this.#sample(offset, kl + (vl <= INLINE_MAX ? vl : 0));
  };

  /** Any other record. */
  put(e: Entry, offset: number): void {
    this.#store.put(e);
    if (++this.count <= SAMPLE) this.#sample(offset, e.key.length);
  }

  #sample(offset: number, bytes: number): void {
    if (this.#first < 0) this.#first = offset;
    if (this.count < SAMPLE) {
      this.#bytes += bytes;
      return;
    }
    // Offsets of records 1 and SAMPLE span the first SAMPLE - 1 records.
    const span = offset - this.#first;
    const left = this.#total - offset;
    if (!(span > 0 && left > 0 && Number.isFinite(left))) return;
    const keys = Math.min(MAX_HINT_KEYS, Math.ceil((left / span) * (SAMPLE - 1) * PAD));
    const arena = Math.min(left, MAX_HINT_BYTES, Math.ceil((left / span) * this.#bytes * PAD));
    indexOf(this.#store).reserve(keys, arena);
  }
}
