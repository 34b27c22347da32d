// Private: how much memory the keyspace holds, as the store counts it (Redis's `used_memory`
// in spirit, but from the store's own structures: no allocator, no RSS guess). A key costs
// KEY_OVERHEAD (its index columns and hash slot) plus its bytes in the arena; a string value
// its bytes; a collection its container's estimate, which the container keeps up to date on
// every change and reports to the Meter of the index that holds it. The figures are
// estimates of what the JS engine allocates (objects, Map/Set entries, array slots); what
// matters is that they grow and shrink with the data, exactly and cheaply.

/** Bytes a key costs besides its own bytes: index columns, hash slot, load-factor headroom. */
export const KEY_OVERHEAD = 64;
/** A container object, or a string over 64 KiB kept as its own array. */
export const OBJ_OVERHEAD = 64;
/** One list item (a byte array and its slot), besides its bytes. */
export const LIST_ITEM = 80;
/** One set member (a binary string and its Set entry), besides its bytes. */
export const SET_MEMBER = 48;
/** One hash field and value (two strings and a Map entry), besides their bytes. */
export const HASH_FIELD = 64;
/** A hash field's deadline. */
export const FIELD_TTL = 32;
/** One sorted-set member (skip-list node, score, Map entry), besides its bytes. */
export const ZSET_MEMBER = 128;

export { Meter } from "./memory.ts";
import type { Meter } from "./memory.ts";

/** Package-internal: adds `d` bytes to `c`'s estimate and to the Meter holding it. */
export let charge: (c: Charged, d: number) => void;

/**
 * Package-internal: `c`'s compact bytes are `src[off, end)`, without a view
 * yet (a bulk load makes hundreds of thousands of small values, and a view
 * costs more than the rest of its work on each: 0.2-0.5 µs).
 */
export let adoptBytes: (c: Charged, src: Uint8Array, off: number, end: number) => void;

/** Package-internal: the view of the bytes given to {@link adoptBytes} (made once, on first use). */
export let viewOf: (c: Charged) => Uint8Array;

/**
 * The memory estimate a collection keeps (HashValue, ListValue, SetValue and
 * SortedSet extend it), reported to the {@link Meter} of the store holding
 * it on every change. The estimate depends on the elements only (a count and
 * their byte lengths), never on the encoding: a compact value and the same
 * value in its big form count alike, so a store rebuilt from a snapshot
 * reports what the original did.
 *
 * @example
 * ```ts
 * import { SetValue } from "@kevy/persist/store";
 * const s = new SetValue();
 * const before = s.memoryBytes;
 * s.add(new Uint8Array(10));
 * s.memoryBytes - before; // 58: the member's bytes and its overhead
 * ```
 */
export class Charged {
  #bytes = OBJ_OVERHEAD;
  /** The memory account of the store holding this value (set by the store), or null. */
  meter: Meter | null = null;
  #src: Uint8Array | null = null;
  #off = 0;
  #end = 0;

  /** Estimated bytes of this value (elements, their overheads, the object). */
  get memoryBytes(): number {
    return this.#bytes;
  }

  static {
    charge = (c, d) => {
      c.#bytes += d;
      const m = c.meter;
      if (m !== null) m.used += d;
    };
    adoptBytes = (c, src, off, end) => {
      c.#src = src;
      c.#off = off;
      c.#end = end;
    };
    viewOf = (c) => {
      const v = c.#src!.subarray(c.#off, c.#end);
      c.#src = null;
      return v;
    };
  }
}

/** A container that keeps its own estimate and reports changes to the Meter holding it. */
export interface Metered {
  /** This value's estimated bytes (the key aside); absent: counted as OBJ_OVERHEAD. */
  readonly memoryBytes?: number;
  /** The Meter of the store holding it, or null. */
  meter: Meter | null;
}
