// Private: a byte-exact string for a byte array (one char per byte), for the
// duplicate checks of the Redis container decoders.

/** `b` as a string with one UTF-16 code unit (0-255) per byte. */
export function toKey(b: Uint8Array): string {
  const n = b.length;
  if (n <= 16) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}
