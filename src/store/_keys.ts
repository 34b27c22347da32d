/**
 * The one place that knows how keys, hash fields and set/zset members are
 * represented inside the store: a byte-exact "binary string" with one UTF-16
 * code unit (0..255) per byte. JS string comparison (`<`) on such strings is
 * unsigned byte-lexicographic order, and V8/JSC keep them as compact one-byte
 * strings. `TextDecoder("latin1")` is windows-1252 (not byte-exact for
 * 0x80..0x9F), hence the hand-written conversions.
 *
 * @module
 */

const CHUNK = 8192;

/**
 * Bytes to binary string (one char per byte).
 *
 * @example
 * ```ts
 * import { toKey } from "./_keys.ts";
 * toKey(new Uint8Array([0x00, 0xff])) === "\x00\xff";
 * ```
 */
export function toKey(b: Uint8Array): string {
  const n = b.length;
  if (n <= 12) {
    // Short keys (the common case): plain concatenation stays a flat string.
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  if (n <= CHUNK) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = "";
  for (let i = 0; i < n; i += CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return s;
}

/**
 * Binary string back to bytes.
 *
 * @example
 * ```ts
 * import { fromKey } from "./_keys.ts";
 * fromKey("\x00\xff"); // Uint8Array [0, 255]
 * ```
 */
export function fromKey(s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Unsigned lexicographic comparison of two byte arrays.
 *
 * @example
 * ```ts
 * import { compareBytes } from "./_keys.ts";
 * compareBytes(new Uint8Array([1]), new Uint8Array([1, 0])); // -1
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** UTF-8 encoder shared by the store modules. */
const ENC = new TextEncoder();

/**
 * Bytes of an argument given as `Uint8Array` or string (UTF-8).
 *
 * @example
 * ```ts
 * import { asBytes } from "./_keys.ts";
 * asBytes("ab"); // Uint8Array [97, 98]
 * ```
 */
export function asBytes(x: Uint8Array | string): Uint8Array {
  return typeof x === "string" ? ENC.encode(x) : x;
}
