// Live entries of a KeyIndex in key byte order, without a JS object per key
// (the sort itself: codec/byte_sort.ts, over the store's key arena).
import { sortByteRanges } from "../codec/byte_sort.ts";
import { HOLE, type KeyIndex } from "./_index.ts";

/** Entry numbers of every non-hole entry of `ix`, sorted by key bytes. */
export function sortedEntries(ix: KeyIndex): Int32Array {
  const order = new Int32Array(ix.live);
  let n = 0;
  for (let ei = 0; ei < ix.n; ei++) if (ix.kind[ei] !== HOLE) order[n++] = ei;
  sortByteRanges(order, ix.arena, ix.koff, ix.klen);
  return order;
}
