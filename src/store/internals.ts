// Private: a Store's index for the loaders of this package (installed by
// Store's static block; not re-exported, so not public API).
import type { KeyIndex } from "./_index.ts";
import type { Expiry } from "./_expiry.ts";
import type { Store } from "./store.ts";

/** The index behind `store`. */
export let indexOf: (store: Store) => KeyIndex;
/** The expiry side of `store`. */
export let expiryOf: (store: Store) => Expiry;

/** Installs {@link indexOf} and {@link expiryOf} (called once, by `Store`). */
export function setInternals(ix: (store: Store) => KeyIndex, ex: (store: Store) => Expiry): void {
  indexOf = ix;
  expiryOf = ex;
}
