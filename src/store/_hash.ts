// Private: key hashing and short copies for the index (_index.ts).

/** 32-bit hash of key bytes (FNV-1a, then a murmur3 finalizer for the low bits). */
export function hashBytes(b: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5 ^ len;
  const end = off + len;
  for (let i = off; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Copies `len` bytes (a loop for short runs: cheaper than a subarray + set). */
export function copyBytes(
  src: Uint8Array,
  so: number,
  dst: Uint8Array,
  d: number,
  len: number,
): void {
  // Up to 256 bytes a loop beats set(subarray()) (the view costs ~0.1-0.5 us on Bun).
  if (len <= 256) { for (let i = 0; i < len; i++) dst[d + i] = src[so + i]!; }
  else dst.set(src.subarray(so, so + len), d);
}
