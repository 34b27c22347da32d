// The little WebAssembly assembler scripts/gen_crc32c_wasm.ts writes its
// module with: LEB128 integers, vectors, sections, opcodes. Facts from the
// WebAssembly core spec, binary format (document/core/binary/{modules,
// instructions,values}.rst) and the SIMD proposal's binary encoding
// (proposals/simd/BinarySIMD.md: a 0xfd prefix, then the opcode as a u32 LEB128).

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const b: number[] = [];
  do {
    let x = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) x |= 0x80;
    b.push(x);
  } while (n !== 0);
  return b;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const b: number[] = [];
  for (;;) {
    const x = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (x & 0x40) === 0) || (n === -1 && (x & 0x40) !== 0);
    b.push(done ? x : x | 0x80);
    if (done) return b;
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((x) => [x]));
export const section = (
  id: number,
  body: number[],
): number[] => [id, ...uleb(body.length), ...body];

// Types and opcodes.
export const I32 = 0x7f, EMPTY = 0x40, FUNC = 0x60;
export const op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  ret: 0x0f,
  call: 0x10,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  load: 0x28,
  load8u: 0x2d,
  const: 0x41,
  eqz: 0x45,
  ne: 0x47,
  ltU: 0x49,
  ltS: 0x48,
  eq: 0x46,
  geU: 0x4f,
  select: 0x1b,
  store: 0x36,
  gtU: 0x4b,
  add: 0x6a,
  sub: 0x6b,
  and: 0x71,
  or: 0x72,
  xor: 0x73,
  shl: 0x74,
  shrU: 0x76,
};

export const get = (i: number) => [op.get, ...uleb(i)];
export const set = (i: number) => [op.set, ...uleb(i)];
export const c32 = (n: number) => [op.const, ...sleb(n | 0)];
/** i32.load with alignment 2^2 and a constant offset. */
export const load = (offset: number) => [op.load, 2, ...uleb(offset)];

/** i32.store with alignment 2^2 and a constant offset. */
export const store = (offset: number) => [op.store, 2, ...uleb(offset)];

// SIMD (fixed-width 128-bit vectors): the v128 type and the few instructions used.
export const V128 = 0x7b;
const simd = (n: number) => [0xfd, ...uleb(n)];
export const v128 = {
  /** v128.load (alignment hint 2^0: the loads are unaligned) at a constant offset. */
  load: (offset: number) => [...simd(0x00), 0, ...uleb(offset)],
  store: (offset: number) => [...simd(0x0b), 0, ...uleb(offset)],
  const: (bytes: number[]) => [...simd(0x0c), ...bytes],
  /** i8x16.shuffle of two vectors: lane i takes byte lanes[i] of a (0-15) or of b (16-31). */
  shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  /** i8x16.swizzle: lane i = table[index[i]] (0 when the index is 16 or more). */
  swizzle: simd(0x0e),
  /** i8x16.relaxed_swizzle (relaxed SIMD): the same for indices below 16. */
  relaxedSwizzle: simd(0x100),
  splat8: simd(0x0f),
  and: simd(0x4e),
  xor: simd(0x51),
  shrU16: simd(0x8d),
};
