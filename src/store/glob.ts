/**
 * Redis glob matching (`KEYS`, `SCAN MATCH`, `PSUBSCRIBE` patterns) for
 * callers outside the store: `*`, `?`, `[...]` with `^` and ranges, `\`
 * escapes, over binary strings (one char per byte, as {@link latin1} gives).
 *
 * @module
 */
import { globMatch as match } from "./_glob.ts";

/**
 * Whether `subject` matches the glob `pattern`; both are binary strings (one
 * char per byte) or byte arrays.
 *
 * @example
 * ```ts
 * import { globMatch } from "@kevy/persist/store";
 * globMatch("user:*", "user:42"); // true
 * globMatch("h?llo", "hallo"); // true
 * globMatch("[^a]*", "abc"); // false
 * ```
 */
export function globMatch(pattern: string | Uint8Array, subject: string | Uint8Array): boolean {
  return match(latin1(pattern), latin1(subject));
}

/**
 * Bytes as a binary string (one char per byte; a string is returned as is).
 *
 * @example
 * ```ts
 * import { latin1 } from "@kevy/persist/store";
 * latin1(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export function latin1(b: string | Uint8Array): string {
  if (typeof b === "string") return b;
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}
