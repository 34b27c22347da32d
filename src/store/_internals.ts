// Private: a Store's index for the loaders of this package (installed by
// Store's static block; not re-exported, so not public API).
import type { KeyIndex } from "./_index.ts";
import type { Store } from "./store.ts";

/** The index behind `store`. */
export let indexOf: (store: Store) => KeyIndex;

/** Installs {@link indexOf} (called once, by `Store`). */
export function setIndexOf(f: (store: Store) => KeyIndex): void {
  indexOf = f;
}
