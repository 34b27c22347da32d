// Private: the byte helpers of StringRecords (string_records.ts) and its
// index-free resolution of repeated keys (dedupeRecords).

/** Numbers per record in a StringRecords' metadata array. */
export const M = 5;

/** FNV-1a over `b[o, o+n)`. */
export function hashOf(b: Uint8Array, o: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i]!, 0x01000193);
  return h >>> 0;
}

/** `a[ao, ao+n)` equals `b[bo, bo+n)`. */
export function sameBytes(
  a: Uint8Array,
  ao: number,
  b: Uint8Array,
  bo: number,
  n: number,
): boolean {
  for (let k = 0; k < n; k++) if (a[ao + k] !== b[bo + k]) return false;
  return true;
}

/**
 * Marks in `gone` every record of `n` (metadata `m`, `M` numbers each:
 * chunk, key offset, key length, ...) whose key comes again in a later
 * record; returns how many it marked. No index (building one costs a cache
 * miss or two per key): the keys' hashes are sorted (LSD radix, 4 passes of
 * 8 bits, stable), and only records of equal hashes compared.
 */
export function dedupeRecords(
  chunks: Uint8Array[],
  m: Int32Array,
  gone: Uint8Array,
  n: number,
): number {
  if (n < 2) return 0;
  let removed = 0;
  let h = new Uint32Array(n), idx = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    h[r] = hashOf(chunks[m[r * M]!]!, m[r * M + 1]!, m[r * M + 2]!);
    idx[r] = r;
  }
  let h2 = new Uint32Array(n), idx2 = new Int32Array(n);
  const count = new Int32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let j = 0; j < n; j++) {
      const b = (h[j]! >>> shift) & 255;
      count[b] = count[b]! + 1;
    }
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const b = (h[j]! >>> shift) & 255;
      const at = count[b]!;
      count[b] = at + 1;
      h2[at] = h[j]!;
      idx2[at] = idx[j]!;
    }
    [h, h2] = [h2, h];
    [idx, idx2] = [idx2, idx];
  }
  // Stable: within a run of equal hashes the records are in file order.
  for (let j = 0; j < n;) {
    let k = j + 1;
    while (k < n && h[k] === h[j]) k++;
    for (let a = j; a < k - 1; a++) {
      const ra = idx[a]!;
      if (gone[ra] === 1) continue;
      const c = chunks[m[ra * M]!]!, o = m[ra * M + 1]!, len = m[ra * M + 2]!;
      for (let b = a + 1; b < k; b++) {
        const rb = idx[b]!;
        if (
          gone[rb] !== 1 && m[rb * M + 2] === len &&
          sameBytes(chunks[m[rb * M]!]!, m[rb * M + 1]!, c, o, len)
        ) {
          gone[ra] = 1; // a later record of the same key
          removed++;
          break;
        }
      }
    }
    j = k;
  }
  return removed;
}
