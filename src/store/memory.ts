/**
 * The memory account of a store's collections (see `Store.usedMemory()`).
 *
 * @module
 */

/**
 * The memory account of one store's containers (strings are counted from the arena): each
 * container held by the store adds its changes here. Seen as the `meter` field of the
 * collection classes; read the total with `Store.usedMemory()`.
 *
 * @example
 * ```ts
 * import { ListValue, Meter } from "@kevy/persist/store";
 * const m = new Meter();
 * const l = new ListValue();
 * l.meter = m; // what a store does when it takes the list
 * l.pushBack(new Uint8Array(10));
 * m.used; // 90: the item's bytes and its overhead
 * ```
 */
export class Meter {
  /** Bytes reported so far. */
  used = 0;
}
