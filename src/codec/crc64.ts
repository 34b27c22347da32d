/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones
 * polynomial (0xad93d23594c935a9), reflected input and output, initial value 0,
 * no final xor. `crc64("123456789")` is `0xe9c6d914c4b8d9ca`.
 *
 * The state is kept as two 32-bit halves (no bigint in the loop) and the bytes
 * are folded eight at a time through eight lookup tables.
 *
 * @module
 */

/** The Jones polynomial, bit-reversed (the reflected algorithm shifts right). */
function reflectedPoly(): [number, number] {
  let p = 0xad93d23594c935a9n;
  let r = 0n;
  for (let i = 0; i < 64; i++) {
    r = (r << 1n) | (p & 1n);
    p >>= 1n;
  }
  return [Number(r >> 32n), Number(r & 0xffffffffn)];
}

// TAB_HI/TAB_LO[k * 256 + i]: the CRC of byte i followed by k zero bytes.
const TAB_HI = new Int32Array(8 * 256);
const TAB_LO = new Int32Array(8 * 256);
{
  const [ph, pl] = reflectedPoly();
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let b = 0; b < 8; b++) {
      const odd = lo & 1;
      lo = (lo >>> 1) | ((hi & 1) << 31);
      hi = hi >>> 1;
      if (odd) {
        hi ^= ph;
        lo ^= pl;
      }
    }
    TAB_HI[i] = hi;
    TAB_LO[i] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const h = TAB_HI[(k - 1) * 256 + i]!;
      const l = TAB_LO[(k - 1) * 256 + i]!;
      const t = l & 0xff;
      TAB_HI[k * 256 + i] = (h >>> 8) ^ TAB_HI[t]!;
      TAB_LO[k * 256 + i] = ((l >>> 8) | (h << 24)) ^ TAB_LO[t]!;
    }
  }
}

/**
 * An incremental CRC-64 (Redis's): feed bytes with {@link Crc64.update}, read
 * {@link Crc64.value} at any point.
 *
 * @example
 * ```ts
 * import { Crc64 } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const c = new Crc64().update(te.encode("1234")).update(te.encode("56789"));
 * c.value.toString(16); // "e9c6d914c4b8d9ca"
 * ```
 */
export class Crc64 {
  #hi = 0;
  #lo = 0;

  /**
   * A CRC starting from `seed` (default 0, what Redis uses).
   *
   * @param seed a previous CRC value to continue from
   */
  constructor(seed: bigint = 0n) {
    if (seed < 0n || seed > 0xffffffffffffffffn) {
      throw new RangeError(`crc64 seed must fit 64 bits, got ${seed}`);
    }
    this.#hi = Number(seed >> 32n) | 0;
    this.#lo = Number(seed & 0xffffffffn) | 0;
  }

  /**
   * Folds `bytes[start, end)` into the CRC; returns this CRC.
   *
   * @example
   * ```ts
   * import { Crc64 } from "@kevy/persist/codec";
   * const b = new TextEncoder().encode("xx123456789xx");
   * new Crc64().update(b, 2, 11).value === 0xe9c6d914c4b8d9can; // true
   * ```
   */
  update(bytes: Uint8Array, start = 0, end: number = bytes.length): this {
    let hi = this.#hi;
    let lo = this.#lo;
    let i = start;
    const th = TAB_HI;
    const tl = TAB_LO;
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
        (bytes[i + 3]! << 24));
      const b = hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) |
        (bytes[i + 7]! << 24));
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      hi = th[i7]! ^ th[i6]! ^ th[i5]! ^ th[i4]! ^ th[i3]! ^ th[i2]! ^ th[i1]! ^ th[i0]!;
      lo = tl[i7]! ^ tl[i6]! ^ tl[i5]! ^ tl[i4]! ^ tl[i3]! ^ tl[i2]! ^ tl[i1]! ^ tl[i0]!;
    }
    for (; i < end; i++) {
      const t = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tl[t]!;
      hi = (hi >>> 8) ^ th[t]!;
    }
    this.#hi = hi;
    this.#lo = lo;
    return this;
  }

  /** The CRC of everything fed so far. */
  get value(): bigint {
    return (BigInt(this.#hi >>> 0) << 32n) | BigInt(this.#lo >>> 0);
  }

  /** True when the CRC equals the 8 little-endian bytes at `b[at]` (how Redis stores it). */
  equalsLE(b: Uint8Array, at: number): boolean {
    const lo = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
    const hi = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24);
    return lo === this.#lo && hi === this.#hi;
  }

  /** Writes the CRC as 8 little-endian bytes at `out[at]` (how Redis stores it). */
  writeLE(out: Uint8Array, at: number): void {
    const lo = this.#lo;
    const hi = this.#hi;
    out[at] = lo & 0xff;
    out[at + 1] = (lo >>> 8) & 0xff;
    out[at + 2] = (lo >>> 16) & 0xff;
    out[at + 3] = lo >>> 24;
    out[at + 4] = hi & 0xff;
    out[at + 5] = (hi >>> 8) & 0xff;
    out[at + 6] = (hi >>> 16) & 0xff;
    out[at + 7] = hi >>> 24;
  }
}

/**
 * The CRC-64 of `bytes` as Redis computes it (continuing from `seed`).
 *
 * @example
 * ```ts
 * import { crc64 } from "@kevy/persist/codec";
 * crc64(new TextEncoder().encode("123456789")).toString(16); // "e9c6d914c4b8d9ca"
 * ```
 */
export function crc64(bytes: Uint8Array, seed: bigint = 0n): bigint {
  return new Crc64(seed).update(bytes).value;
}
