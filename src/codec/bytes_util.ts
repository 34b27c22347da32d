/**
 * Small free functions on `Uint8Array`s and UTF-8 text, re-exported by
 * `bytes.ts` next to `ByteWriter`.
 *
 * @module
 */

import type { ByteWriter } from "./bytes.ts";

const encoder = new TextEncoder();

/**
 * Raw access to a {@link ByteWriter}'s buffer for the encoders of this package
 * (the RESP frame encoder reserves a whole frame once, then stores by index).
 * Installed by `bytes.ts` when the class is defined; not re-exported, so not
 * part of the public API.
 */
export interface WriterInternals {
  /** Makes room for `n` more bytes, counts them as written, and returns where they start. */
  reserve(w: ByteWriter, n: number): number;
  /** The writer's buffer; valid until its next write (which may grow it). */
  buffer(w: ByteWriter): Uint8Array;
}

/** See {@link WriterInternals}; set by `bytes.ts` through {@link setWriterInternals}. */
export let writerInternals: WriterInternals;

/**
 * Installs {@link writerInternals} (called once, by `ByteWriter`'s static block).
 *
 * @example
 * ```ts
 * import { writerInternals } from "./bytes_util.ts";
 * import { ByteWriter } from "@kevy/persist/codec";
 * const w = new ByteWriter();
 * writerInternals.buffer(w)[writerInternals.reserve(w, 1)] = 0x2a; // w holds "*"
 * ```
 */
export function setWriterInternals(i: WriterInternals): void {
  writerInternals = i;
}

/**
 * Number of bytes `s` takes as UTF-8 (lone surrogates count as U+FFFD, 3 bytes,
 * matching `TextEncoder`).
 *
 * @example
 * ```ts
 * import { utf8Length } from "./bytes_util.ts";
 * utf8Length("a€😀"); // 1 + 3 + 4 = 8
 * ```
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 bytes.
        bytes += 2;
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * Concatenates byte arrays into one new array.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes_util.ts";
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [ 1, 2, 3 ]
 * ```
 */
export function concatBytes(list: ReadonlyArray<Uint8Array>): Uint8Array {
  let total = 0;
  for (const b of list) total += b.length;
  const out = new Uint8Array(total);
  let p = 0;
  for (const b of list) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/**
 * Whether two byte arrays have the same length and contents.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "./bytes_util.ts";
 * bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * UTF-8 bytes of a string (lone surrogates become U+FFFD).
 *
 * @example
 * ```ts
 * import { utf8Encode } from "./bytes_util.ts";
 * utf8Encode("é"); // Uint8Array [ 195, 169 ]
 * ```
 */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lowercase hex text of bytes.
 *
 * @example
 * ```ts
 * import { toHex } from "./bytes_util.ts";
 * toHex(new Uint8Array([0, 255])); // "00ff"
 * ```
 */
export function toHex(u8: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u8.length; i++) s += HEX[u8[i]!];
  return s;
}
