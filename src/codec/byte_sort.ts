/**
 * Sorting byte strings that live side by side in one buffer, without a JS
 * object per string: {@link sortByteRanges}. The keyspace dumps sort their
 * keys with it (a Store's key arena, a snapshot's string records). Internal:
 * not in `@kevy/persist/codec`.
 *
 * @module
 */

const SMALL = 24;

/**
 * Sorts `order` (numbers of byte ranges: range `i` is
 * `arena[koff[i], koff[i] + klen[i])`) by the bytes of the ranges, a
 * shorter one before its extensions; stable (equal ranges keep their
 * order). An MSD radix sort, insertion sort for small buckets: time ~ the
 * bytes that tell the ranges apart.
 *
 * @example
 * ```ts
 * import { sortByteRanges } from "./byte_sort.ts";
 * const arena = new TextEncoder().encode("bab");
 * const order = Int32Array.of(0, 1, 2); // "b", "a", "b"
 * sortByteRanges(order, arena, Uint32Array.of(0, 1, 2), Uint32Array.of(1, 1, 1));
 * order; // Int32Array [1, 0, 2]
 * ```
 */
export function sortByteRanges(
  order: Int32Array,
  arena: Uint8Array,
  koff: Uint32Array,
  klen: Uint32Array,
): void {
  const n = order.length;
  const tmp = new Int32Array(n);
  // The current byte (+1, 0 past the end) of each item of the range being split.
  const digit = new Uint16Array(n);
  const counts = new Int32Array(258);
  // Ranges still to sort: lo, hi, depth. Each range is one call (not one long
  // loop): the engines optimise a function called often better than a loop
  // they must enter mid-way (V8 left its on-stack-replaced code at every range).
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL) insertionSort(order, lo, hi, d, arena, koff, klen);
    else split(order, tmp, digit, counts, lo, hi, d, arena, koff, klen, stack);
  }
}

/** Distributes `order[lo, hi)` by byte `d` (deeper while one byte is shared); pushes the buckets. */
function split(
  order: Int32Array,
  tmp: Int32Array,
  digit: Uint16Array,
  counts: Int32Array,
  lo: number,
  hi: number,
  d: number,
  arena: Uint8Array,
  koff: Uint32Array,
  klen: Uint32Array,
  stack: number[],
): void {
  for (;;) {
    counts.fill(0);
    for (let i = lo; i < hi; i++) {
      const ei = order[i]!;
      const b = d < klen[ei]! ? arena[koff[ei]! + d]! + 1 : 0;
      digit[i] = b;
      counts[b + 1]!++;
    }
    // One bucket holds the whole range (a shared prefix): look one byte deeper.
    const first = digit[lo]!;
    if (counts[first + 1] === hi - lo) {
      if (first === 0) return; // equal ranges: they keep their order
      d++;
      continue;
    }
    for (let b = 1; b < 258; b++) counts[b]! += counts[b - 1]!;
    for (let i = lo; i < hi; i++) tmp[lo + counts[digit[i]!]!++] = order[i]!;
    order.set(tmp.subarray(lo, hi), lo);
    // counts[b] is now the end of bucket b (relative to lo); bucket 0 (ended) is done.
    let start = counts[0]!;
    for (let b = 1; b < 257; b++) {
      const end = counts[b]!;
      if (end - start > 1) stack.push(lo + start, lo + end, d + 1);
      start = end;
    }
    return;
  }
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
