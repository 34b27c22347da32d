// Live entries of a KeyIndex in key byte order, without a JS object per key:
// an MSD radix sort over the key bytes in the arena (a shorter key before its
// extensions), insertion sort for small buckets. Time ~ total key bytes.
import { HOLE, type KeyIndex } from "./_index.ts";

const SMALL = 24;

/** Entry numbers of every non-hole entry of `ix`, sorted by key bytes. */
export function sortedEntries(ix: KeyIndex): Int32Array {
  const order = new Int32Array(ix.live);
  let n = 0;
  for (let ei = 0; ei < ix.n; ei++) if (ix.kind[ei] !== HOLE) order[n++] = ei;
  const tmp = new Int32Array(n);
  const counts = new Int32Array(258);
  const { arena, koff, klen } = ix;
  // Byte `d` of entry `ei` + 1, or 0 past its end.
  const at = (ei: number, d: number): number => (d < klen[ei]! ? arena[koff[ei]! + d]! + 1 : 0);
  // Ranges still to sort: lo, hi, depth.
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    let d = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL) {
      insertionSort(order, lo, hi, d, arena, koff, klen);
      continue;
    }
    for (;;) {
      counts.fill(0);
      for (let i = lo; i < hi; i++) counts[at(order[i]!, d) + 1]!++;
      // One bucket holds the whole range (a shared prefix): look one byte deeper.
      if (counts[at(order[lo]!, d) + 1] === hi - lo) {
        if (at(order[lo]!, d) === 0) break; // cannot happen for distinct keys
        d++;
        continue;
      }
      for (let b = 1; b < 258; b++) counts[b]! += counts[b - 1]!;
      for (let i = lo; i < hi; i++) {
        const ei = order[i]!;
        tmp[lo + counts[at(ei, d)]!++] = ei;
      }
      order.set(tmp.subarray(lo, hi), lo);
      // counts[b] is now the end of bucket b (relative to lo); bucket 0 (ended keys) is done.
      let start = counts[0]!;
      for (let b = 1; b < 257; b++) {
        const end = counts[b]!;
        if (end - start > 1) stack.push(lo + start, lo + end, d + 1);
        start = end;
      }
      break;
    }
  }
  return order;
}

function insertionSort(
  order: Int32Array,
  lo: number,
  hi: number,
  d: number,
  arena: Uint8Array,
  koff: Uint32Array,
  klen: Uint32Array,
): void {
  for (let i = lo + 1; i < hi; i++) {
    const ei = order[i]!;
    let j = i - 1;
    while (j >= lo && compareFrom(order[j]!, ei, d, arena, koff, klen) > 0) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = ei;
  }
}

function compareFrom(
  a: number,
  b: number,
  d: number,
  arena: Uint8Array,
  koff: Uint32Array,
  klen: Uint32Array,
): number {
  const la = klen[a]!, lb = klen[b]!;
  const oa = koff[a]!, ob = koff[b]!;
  const n = Math.min(la, lb);
  for (let i = d; i < n; i++) {
    const x = arena[oa + i]!, y = arena[ob + i]!;
    if (x !== y) return x - y;
  }
  return la - lb;
}
