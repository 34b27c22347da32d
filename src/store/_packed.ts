// Private: the packed item layout of small lists and sets (the kevy snapshot
// list/set payload without its count): per item `u32le length, bytes`. The
// compact list (ListValue) and set (SetValue) encodings keep their items in
// one Uint8Array of this layout, like Redis's listpacks; these helpers scan it.
import { rd32, wr32 } from "./_listpack.ts";

/** End of the item at `p`. */
export function itemEnd(b: Uint8Array, p: number): number {
  return p + 4 + rd32(b, p);
}

/**
 * Offset of the item equal to `m`, or -1; each item is followed by `extra`
 * bytes of its own (8: a compact zset entry's score, _zset_compact.ts).
 */
export function findItem(b: Uint8Array, used: number, m: Uint8Array, extra = 0): number {
  const ml = m.length;
  const stride = 4 + extra;
  let p = 0;
  while (p < used) {
    const l = rd32(b, p);
    if (l === ml) {
      let i = 0;
      const q = p + 4;
      while (i < ml && b[q + i] === m[i]) i++;
      if (i === ml) return p;
    }
    p += stride + l;
  }
  return -1;
}

/** Offset of the item equal to the binary string `k` (one char per byte), or -1. */
export function findItemStr(b: Uint8Array, used: number, k: string): number {
  const kl = k.length;
  let p = 0;
  while (p < used) {
    const l = rd32(b, p);
    if (l === kl) {
      let i = 0;
      const q = p + 4;
      while (i < kl && b[q + i] === k.charCodeAt(i)) i++;
      if (i === kl) return p;
    }
    p += 4 + l;
  }
  return -1;
}

/** Writes one item at `p`; returns its end. */
export function putItem(b: Uint8Array, p: number, m: Uint8Array): number {
  const ml = m.length;
  wr32(b, p, ml);
  if (ml <= 32) { for (let i = 0; i < ml; i++) b[p + 4 + i] = m[i]!; }
  else b.set(m, p + 4);
  return p + 4 + ml;
}

/** Room for `n` bytes with slack: a new Uint8Array costs ~1.5 µs on Deno, so grow rarely. */
export function capacityFor(n: number): number {
  let c = 64;
  while (c < n) c *= 2;
  return c;
}

/**
 * Whether `b[start, used)` is exactly `n` well-formed items, none longer than
 * `maxLen` (the caller checks anything else).
 */
export function itemsWellFormed(
  b: Uint8Array,
  used: number,
  n: number,
  maxLen: number,
  start = 0,
): boolean {
  let p = start;
  let count = 0;
  while (p < used) {
    if (used - p < 4) return false;
    const l = rd32(b, p);
    if (l > maxLen || used - p - 4 < l) return false;
    p += 4 + l;
    count++;
  }
  return count === n;
}
