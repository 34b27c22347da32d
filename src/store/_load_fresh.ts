// Private: the loader's direct insert of a string record (StoreLoader.onRun).
import type { KeyIndex } from "./_index.ts";

/**
 * Inserts key `b[k, k + kl)` (hash `h`) with the value `b[v, v + vl)` and
 * deadline `d` when the key is not in the index; false (nothing changed)
 * when it is. For a plain store (no capture, no access tracking), a value
 * within the arena's inline limit and a deadline not past: what
 * `Store.putString` does for a new key, without finding it again.
 */
export function insertFresh(
  ix: KeyIndex,
  b: Uint8Array,
  k: number,
  kl: number,
  h: number,
  v: number,
  vl: number,
  d: number | null,
): boolean {
  if (ix.find(b, k, kl, h) >= 0) return false;
  const ei = ix.insert(b, k, kl, h);
  try {
    ix.setStr(ei, b, v, vl);
  } catch (e) {
    ix.remove(ei); // all or nothing, as Store.putString
    throw e;
  }
  if (d !== null) ix.setDeadline(ei, d);
  return true;
}
