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
  // Three bytes of each item's key (9 bits each: byte + 1, 0 past the end),
  // from the depth its range cached them at, moved along with `order`: the
  // passes read the keys' bytes once every three levels, not at every level.
  const word = new Uint32Array(n);
  const wtmp = new Uint32Array(n);
  const counts = new Int32Array(258);
  // Ranges still to sort: lo, hi, depth, depth of the cached bytes (-1: none).
  // Each range is one call (not one long loop): the engines optimise a
  // function called often better than a loop they must enter mid-way.
  const stack: number[] = [0, n, 0, -1];
  const s = { order, tmp, word, wtmp, counts, arena, koff, klen, stack };
  while (stack.length > 0) {
    const c = stack.pop()!;
    const d = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= SMALL) insertionSort(order, lo, hi, d, arena, koff, klen);
    else split(s, lo, hi, d, c);
  }
}

interface SortState {
  order: Int32Array;
  tmp: Int32Array;
  word: Uint32Array;
  wtmp: Uint32Array;
  counts: Int32Array;
  arena: Uint8Array;
  koff: Uint32Array;
  klen: Uint32Array;
  stack: number[];
}

/** Caches bytes d, d+1, d+2 of the keys of `order[lo, hi)` in `word`. */
function cache(s: SortState, lo: number, hi: number, d: number): void {
  const { order, word, arena, koff, klen } = s;
  for (let i = lo; i < hi; i++) {
    const ei = order[i]!;
    const o = koff[ei]! + d, left = klen[ei]! - d;
    const b0 = left > 0 ? arena[o]! + 1 : 0;
    const b1 = left > 1 ? arena[o + 1]! + 1 : 0;
    const b2 = left > 2 ? arena[o + 2]! + 1 : 0;
    word[i] = (b0 << 18) | (b1 << 9) | b2;
  }
}

/** Distributes `order[lo, hi)` by byte `d` (deeper while one byte is shared); pushes the buckets. */
function split(s: SortState, lo: number, hi: number, d: number, c: number): void {
  const { order, tmp, word, wtmp, counts, stack } = s;
  for (;;) {
    if (c < 0 || d - c > 2) {
      cache(s, lo, hi, d);
      c = d;
    }
    const shift = 18 - 9 * (d - c);
    counts.fill(0);
    for (let i = lo; i < hi; i++) counts[((word[i]! >>> shift) & 511) + 1]!++;
    // One bucket holds the whole range (a shared prefix): look one byte deeper.
    const first = (word[lo]! >>> shift) & 511;
    if (counts[first + 1] === hi - lo) {
      if (first === 0) return; // equal ranges: they keep their order
      d++;
      continue;
    }
    for (let b = 1; b < 258; b++) counts[b]! += counts[b - 1]!;
    for (let i = lo; i < hi; i++) {
      const w = word[i]!;
      const at = lo + counts[(w >>> shift) & 511]!++;
      tmp[at] = order[i]!;
      wtmp[at] = w;
    }
    order.set(tmp.subarray(lo, hi), lo);
    word.set(wtmp.subarray(lo, hi), lo);
    // counts[b] is now the end of bucket b (relative to lo); bucket 0 (ended) is done.
    let start = counts[0]!;
    for (let b = 1; b < 257; b++) {
      const end = counts[b]!;
      if (end - start > 1) stack.push(lo + start, lo + end, d + 1, c);
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

/**
 * Byte order of `a[ao, ao + al)` and `b[bo, bo + bl)`: negative when the
 * first range sorts first, 0 when equal, a shorter range before its
 * extensions (the order {@link sortByteRanges} gives).
 *
 * @example
 * ```ts
 * import { compareByteRanges } from "./byte_sort.ts";
 * const t = new TextEncoder().encode("abab");
 * compareByteRanges(t, 0, 2, t, 2, 2); // 0 ("ab" and "ab")
 * compareByteRanges(t, 0, 1, t, 0, 2) < 0; // true ("a" before "ab")
 * ```
 */
export function compareByteRanges(
  a: Uint8Array,
  ao: number,
  al: number,
  b: Uint8Array,
  bo: number,
  bl: number,
): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const x = a[ao + i]!, y = b[bo + i]!;
    if (x !== y) return x - y;
  }
  return al - bl;
}
