// KevyHash (FORMATS.md section 7) on 32-bit limbs: no BigInt on the hot path.
// A 64-bit value is a pair (hi, lo) of uint32 numbers. Functions that produce
// a 64-bit value leave it in the module-level registers H / L (sync code only,
// never re-entered), so hashing a key allocates nothing.

// S1 = 0x243f6a8885a308d3, S2 = 0x13198a2e03707344, ANTI = 0xa4093822299f31d0
const S1_HI = 0x243f6a88, S1_LO = 0x85a308d3;
const S2_HI = 0x13198a2e, S2_LO = 0x03707344;
const ANTI_HI = 0xa4093822, ANTI_LO = 0x299f31d0;
// fmix64 multipliers 0xff51afd7ed558ccd, 0xc4ceb9fe1a85ec53
const M1_HI = 0xff51afd7, M1_LO = 0xed558ccd;
const M2_HI = 0xc4ceb9fe, M2_LO = 0x1a85ec53;

/** High 32 bits of the last result. */
export let H = 0;
/** Low 32 bits of the last result. */
export let L = 0;

/** mm(a, b): full 128-bit product, low 64 XOR high 64 (16-bit partial products, exact in doubles). */
function mm(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  // Each column sum is < 4 * 2^32 + carry, far below 2^53.
  let t = a0 * b0;
  const c0 = t & 0xffff;
  t = (t - c0) / 65536 + a0 * b1 + a1 * b0;
  const c1 = t & 0xffff;
  t = (t - c1) / 65536 + a0 * b2 + a1 * b1 + a2 * b0;
  const c2 = t & 0xffff;
  t = (t - c2) / 65536 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const c3 = t & 0xffff;
  t = (t - c3) / 65536 + a1 * b3 + a2 * b2 + a3 * b1;
  const c4 = t & 0xffff;
  t = (t - c4) / 65536 + a2 * b3 + a3 * b2;
  const c5 = t & 0xffff;
  t = (t - c5) / 65536 + a3 * b3;
  const c6 = t & 0xffff;
  const c7 = (t - c6) / 65536;
  L = ((c1 << 16) | c0) ^ ((c5 << 16) | c4);
  H = ((c3 << 16) | c2) ^ ((c7 << 16) | c6);
}

/** Low 64 bits of a * b. */
function mulLo(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0;
  const mid = a0 * b1 + a1 * b0 + (p00 >>> 16);
  L = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  // Cross terms only matter mod 2^32: Math.imul gives exactly that.
  H = (a1 * b1 + Math.floor(mid / 65536) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
}

/** fmix64 of (H, L), in place. */
function fmix(): void {
  let h = H, l = L;
  l ^= h >>> 1; // h ^= h >> 33 (high word is unchanged: h >>> 33 has no high bits)
  mulLo(h, l, M1_HI, M1_LO);
  h = H;
  l = L ^ (h >>> 1);
  mulLo(h, l, M2_HI, M2_LO);
  L ^= H >>> 1;
}

function le32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/**
 * KevyHash of `b`; the 64-bit result is left in (H, L) as signed-or-unsigned
 * 32-bit words (callers apply `>>> 0`).
 */
export function kevyHashLimbs(b: Uint8Array): void {
  const len = b.length;
  let s0h = S1_HI, s0l = S1_LO, s1h = S2_HI, s1l = S2_LO;
  if (len <= 16) {
    if (len >= 8) {
      s0l ^= le32(b, 0);
      s0h ^= le32(b, 4);
      s1l ^= le32(b, len - 8);
      s1h ^= le32(b, len - 4);
    } else if (len >= 4) {
      s0l ^= le32(b, 0);
      s1l ^= le32(b, len - 4);
    } else if (len >= 1) {
      s0l ^= b[0]!;
      s1l ^= (b[len - 1]! << 8) | b[len >>> 1]!;
    }
  } else {
    const bulk = len - 1;
    for (let i = 0; i + 16 <= bulk; i += 16) {
      const xl = le32(b, i), xh = le32(b, i + 4);
      const yl = le32(b, i + 8), yh = le32(b, i + 12);
      mm(s0h ^ xh, s0l ^ xl, ANTI_HI ^ yh, ANTI_LO ^ yl);
      s0h = s1h;
      s0l = s1l;
      s1h = H;
      s1l = L;
    }
    s0l ^= le32(b, len - 16);
    s0h ^= le32(b, len - 12);
    s1l ^= le32(b, len - 8);
    s1h ^= le32(b, len - 4);
  }
  mm(s0h >>> 0, s0l >>> 0, s1h >>> 0, s1l >>> 0);
  // ^ len: len < 2^53, its high word is floor(len / 2^32).
  L = L ^ len;
  H = H ^ Math.floor(len / 4294967296);
  fmix();
}
