// Private: CRC32C in plain JS, table-driven, and the one lookup table (the
// WebAssembly path, _crc32c_wasm.ts, copies it into its memory). Reflected
// polynomial 0x82F63B78; the state passed around is the raw (inverted) one.

const POLY = 0x82f63b78;

/** T[k * 256 + b]: the CRC contribution of byte b followed by k zero bytes. */
export const CRC32C_TABLE: Int32Array = new Int32Array(16 * 256);
const T = CRC32C_TABLE;
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[b] = c;
}
for (let b = 0; b < 256; b++) {
  let c = T[b]!;
  for (let k = 1; k < 16; k++) {
    c = T[c & 0xff]! ^ (c >>> 8);
    T[k * 256 + b] = c;
  }
}

/** Word reads need a little-endian host (every platform the runtimes ship for). */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** From this many bytes on, the word loop pays for its view. */
const WORDS_FROM = 128;

/**
 * Slicing-by-16 over bytes (then one 8-byte step and single bytes): `c` is
 * the running (inverted) state. Sixteen bytes per dependent step roughly
 * halves the cost of a short record (~44 B) against slicing-by-8.
 */
function bytes16(c: number, b: Uint8Array, p: number, to: number): number {
  const end16 = to - 15;
  while (p < end16) {
    const a = c ^ (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
    c = T[0xf00 + (a & 0xff)]! ^ T[0xe00 + ((a >>> 8) & 0xff)]! ^
      T[0xd00 + ((a >>> 16) & 0xff)]! ^ T[0xc00 + (a >>> 24)]! ^
      T[0xb00 + b[p + 4]!]! ^ T[0xa00 + b[p + 5]!]! ^ T[0x900 + b[p + 6]!]! ^
      T[0x800 + b[p + 7]!]! ^
      T[0x700 + b[p + 8]!]! ^ T[0x600 + b[p + 9]!]! ^ T[0x500 + b[p + 10]!]! ^
      T[0x400 + b[p + 11]!]! ^ T[0x300 + b[p + 12]!]! ^ T[0x200 + b[p + 13]!]! ^
      T[0x100 + b[p + 14]!]! ^ T[b[p + 15]!]!;
    p += 16;
  }
  if (to - p >= 8) {
    const lo = c ^ (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
    c = T[0x700 + (lo & 0xff)]! ^ T[0x600 + ((lo >>> 8) & 0xff)]! ^
      T[0x500 + ((lo >>> 16) & 0xff)]! ^ T[0x400 + (lo >>> 24)]! ^
      T[0x300 + b[p + 4]!]! ^ T[0x200 + b[p + 5]!]! ^ T[0x100 + b[p + 6]!]! ^ T[b[p + 7]!]!;
    p += 8;
  }
  while (p < to) c = T[(c ^ b[p++]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** Slicing-by-16 over aligned words; bytes before the first aligned one and after the last 16 go bytewise. */
function words16(c: number, b: Uint8Array, p: number, to: number): number {
  const abs = b.byteOffset;
  while (((abs + p) & 3) !== 0) c = T[(c ^ b[p++]!) & 0xff]! ^ (c >>> 8);
  const w = new Int32Array(b.buffer, abs + p, ((to - p) >>> 4) << 2);
  const n = w.length;
  for (let i = 0; i < n; i += 4) {
    const a = c ^ w[i]!, x = w[i + 1]!, y = w[i + 2]!, z = w[i + 3]!;
    c = T[0xf00 + (a & 0xff)]! ^ T[0xe00 + ((a >>> 8) & 0xff)]! ^
      T[0xd00 + ((a >>> 16) & 0xff)]! ^ T[0xc00 + (a >>> 24)]! ^
      T[0xb00 + (x & 0xff)]! ^ T[0xa00 + ((x >>> 8) & 0xff)]! ^
      T[0x900 + ((x >>> 16) & 0xff)]! ^ T[0x800 + (x >>> 24)]! ^
      T[0x700 + (y & 0xff)]! ^ T[0x600 + ((y >>> 8) & 0xff)]! ^
      T[0x500 + ((y >>> 16) & 0xff)]! ^ T[0x400 + (y >>> 24)]! ^
      T[0x300 + (z & 0xff)]! ^ T[0x200 + ((z >>> 8) & 0xff)]! ^
      T[0x100 + ((z >>> 16) & 0xff)]! ^ T[z >>> 24]!;
  }
  return bytes16(c, b, p + n * 4, to);
}

/** Continues the raw state `c` over `b[from, to)` in JS. */
export function jsCrcState(c: number, b: Uint8Array, from: number, to: number): number {
  if (to - from >= WORDS_FROM && LITTLE_ENDIAN) return words16(c, b, from, to);
  return bytes16(c, b, from, to);
}
