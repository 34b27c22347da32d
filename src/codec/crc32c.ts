/**
 * CRC32C (Castagnoli): the checksum of kevy 5.x `KEVYAOF2` records and of the
 * snapshot checksum trailer. Reflected polynomial 0x82F63B78, initial value
 * 0xFFFFFFFF, final XOR 0xFFFFFFFF (the iSCSI / ext4 CRC). Table-driven,
 * slicing-by-16: long inputs in a small WebAssembly module of our own
 * (_crc32c_wasm.ts, ~2-3x the JS loop; the JS loop where WebAssembly is
 * unavailable), short ones (an AOF record) in JS, which costs no copy.
 *
 * @module
 */

import { jsCrcState } from "./_crc32c_js.ts";
import { useWasm, wasmCrc } from "./_crc32c_wasm.ts";

/** From this many bytes on, the wasm loop pays for copying its input into the module's memory. */
const WASM_FROM = 256;

/**
 * Continues a finished CRC32C over `bytes[from, to)`; chaining works on
 * finished values: `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 *
 * @param crc a finished CRC32C of the bytes before (0 for none)
 * @returns the finished CRC32C (u32) of everything so far
 *
 * @example
 * ```ts
 * import { crc32cUpdate } from "@kevy/persist/codec";
 * const b = new TextEncoder().encode("123456789");
 * crc32cUpdate(crc32cUpdate(0, b, 0, 4), b, 4, 9).toString(16); // "e3069283"
 * ```
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, from: number, to: number): number {
  const c = ~crc;
  if (to - from >= WASM_FROM && useWasm) return ~wasmCrc!.state(c, bytes, from, to) >>> 0;
  return ~jsCrcState(c, bytes, from, to) >>> 0;
}

/**
 * The CRC32C of `bytes` (u32), optionally continuing a finished CRC of the
 * bytes before them.
 *
 * @example
 * ```ts
 * import { crc32c } from "@kevy/persist/codec";
 * crc32c(new TextEncoder().encode("123456789")).toString(16); // "e3069283"
 * crc32c(new Uint8Array(0)); // 0
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  return crc32cUpdate(crc, bytes, 0, bytes.length);
}
