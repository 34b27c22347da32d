// The SIMD record check of scripts/gen_crc32c_wasm.ts: verify16(p, end), the
// same contract as the scalar verify (the offset of the first record that is
// short, has a length out of 1..2^30 or fails its CRC), but 16 records at a
// time, one per byte lane of a v128.
//
// Why lanes: a table-driven CRC over one stream is bound by its ~4 integer
// operations per byte (index, lookup, XOR) and wasm has no carry-less
// multiply. But the records of a chunk are independent CRCs. With the CRC
// state of 16 records held byte-sliced in four vectors (S0 = the low byte of
// every lane's state ... S3 the high byte), one byte step for all 16 is
//   x = data ^ S0;  S = (S >> 8) ^ T[x]
// and T[x] = T[x & 15] ^ T[x & 0xf0] (the CRC is linear), each a 16-entry
// table per output byte: eight i8x16.swizzle lookups give all 16 lanes' T[x],
// and the ">> 8" is only which vector is called S0. Bytes come 16 per lane,
// loaded from each record and transposed (4 rounds of byte interleaves).
//
// A batch is 16 whole records: the lanes run the bytes all of them have (the
// shortest record's length: whole 16-byte blocks, then a last partial one),
// then a lane with bytes left goes to the scalar crc() for them, and the
// lanes are compared in order, so the first bad record is found exactly.
// Fewer than 16 whole records left: the scalar verify finishes the walk.
import { c32, EMPTY, get, I32, load, op, set, store, uleb, V128, v128, vec } from "./_wasm_asm.ts";

/** Scratch in the first page, above the 16 KiB of scalar tables. */
export const SCRATCH = {
  /** 16 x i32: each lane's payload start. */
  ptr: 16384,
  /** 16 x i32: each lane's payload length. */
  len: 16448,
  /** 16 x i32: each lane's raw CRC state after the SIMD blocks. */
  state: 16512,
  /**
   * 8 x 16 bytes, filled by the JS side: byte k of T0[n] at 16 k + n (TL_k),
   * then byte k of T0[n << 4] at 64 + 16 k + n (TH_k), T0 the byte table.
   */
  nibbles: 16576,
};

const FD_LANES = 16;
const lo8 = Array.from({ length: 8 }, (_, i) => [i, 16 + i]).flat();
const hi8 = Array.from({ length: 8 }, (_, i) => [8 + i, 24 + i]).flat();
const lo16 = Array.from({ length: 4 }, (_, i) => [2 * i, 2 * i + 1, 16 + 2 * i, 17 + 2 * i]).flat();
const hi16 = lo16.map((x) => x + 8);

/**
 * The function body (locals included) of verify16; `crcFn` / `verifyFn` are
 * the indices of the scalar crc(c, p, n) and verify(p, end).
 */
export function verify16(
  crcFn: number,
  verifyFn: number,
  relaxed: boolean,
  memBytes: number,
): number[] {
  // Params p 0, end 1; i32 locals 2-12; v128 locals from 13.
  const P = 0, E = 1, Q = 2, K = 3, LEN = 4, S = 5, NB = 6, OFF = 7, MIN = 8, I = 9, PT = 10;
  const R = 11, DONE = 12;
  const V = 13;
  const S0 = V, TL = V + 4, TH = V + 8, M = V + 12, X = V + 13, LO = V + 14, HI = V + 15;
  const A = V + 16, B = V + 32;
  const swz = relaxed ? v128.relaxedSwizzle : v128.swizzle;
  const code: number[] = [];
  const emit = (...xs: number[][]) => {
    for (const x of xs) code.push(...x);
  };

  for (let k = 0; k < 4; k++) {
    emit(c32(0), v128.load(SCRATCH.nibbles + 16 * k), set(TL + k));
    emit(c32(0), v128.load(SCRATCH.nibbles + 64 + 16 * k), set(TH + k));
  }
  emit(c32(15), v128.splat8, set(M));

  emit([op.loop, EMPTY]); // $outer
  emit(get(P), set(Q), c32(0), set(K), c32(1 << 30), set(MIN));
  emit([op.block, EMPTY], [op.block, EMPTY], [op.loop, EMPTY]); // $full $fail $g
  emit(get(K), c32(FD_LANES), [op.eq, op.brIf, 2]); // 16 gathered: $full
  emit(get(E), get(Q), [op.sub], c32(8), [op.ltU, op.brIf, 1]); // no header: $fail
  emit(get(Q), load(0), [op.tee, ...uleb(LEN), op.eqz]);
  emit(get(LEN), c32(1 << 30), [op.gtU, op.or, op.brIf, 1]); // length out of range
  emit(get(Q), c32(8), [op.add], set(S));
  emit(get(LEN), get(E), get(S), [op.sub, op.gtU, op.brIf, 1]); // not complete by end
  emit(get(K), c32(2), [op.shl], get(S), store(SCRATCH.ptr));
  emit(get(K), c32(2), [op.shl], get(LEN), store(SCRATCH.len));
  emit(get(LEN), get(MIN), get(LEN), get(MIN), [op.ltU, op.select], set(MIN));
  emit(get(S), get(LEN), [op.add], set(Q), get(K), c32(1), [op.add], set(K));
  emit([op.br, 0, op.end]); // end $g
  emit([op.end]); // end $fail: fewer than 16 whole records, the scalar walk finishes
  emit(get(P), get(E), [op.call, ...uleb(verifyFn), op.ret]);
  emit([op.end]); // end $full

  // 16 records: NB = bytes every lane has in whole 16-byte blocks.
  emit(get(MIN), c32(-16), [op.and], set(NB));
  const ones = Array.from({ length: 16 }, () => 0xff);
  for (let k = 0; k < 4; k++) emit(v128.const(ones), set(S0 + k));
  emit(c32(0), set(OFF));
  /** Loads 16 bytes of each lane at its payload + OFF, transposed: returns the rows' first local. */
  const loadRows = (): number => {
    for (let i = 0; i < FD_LANES; i++) {
      emit(c32(0), load(SCRATCH.ptr + 4 * i), get(OFF), [op.add], v128.load(0), set(A + i));
    }
    // Transpose: after 4 rounds of "out[2i], out[2i+1] = interleave(in[i], in[i + 8])",
    // vector b holds byte b of every lane (lane j = record j).
    let from = A, to = B;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 8; i++) {
        emit(get(from + i), get(from + i + 8), v128.shuffle(lo8), set(to + 2 * i));
        emit(get(from + i), get(from + i + 8), v128.shuffle(hi8), set(to + 2 * i + 1));
      }
      [from, to] = [to, from];
    }
    return from;
  };
  /** One byte step of all 16 lanes over row `row`. */
  const step = (row: number) => {
    emit(get(row), get(S0), v128.xor, set(X));
    emit(get(X), get(M), v128.and, set(LO));
    emit(get(X), c32(4), v128.shrU16, get(M), v128.and, set(HI));
    for (let k = 0; k < 4; k++) {
      // New byte k = old byte k + 1 ^ both nibbles' table bytes k.
      if (k < 3) emit(get(S0 + k + 1));
      emit(get(TL + k), get(LO), swz);
      if (k < 3) emit(v128.xor);
      emit(get(TH + k), get(HI), swz, v128.xor, set(S0 + k));
    }
  };
  emit([op.block, EMPTY], get(NB), [op.eqz, op.brIf, 0], [op.loop, EMPTY]); // $none $blk
  const rows = loadRows();
  for (let b = 0; b < 16; b++) step(rows + b);
  emit(get(OFF), c32(16), [op.add], [op.tee, ...uleb(OFF)], get(NB), [op.ltU, op.brIf, 0]);
  emit([op.end, op.end]); // end $blk $none

  // The shortest record's last R (< 16) bytes, in the lanes too: one more
  // block per lane, of which only the first R byte steps run (the bytes
  // after them may belong to the next record, and are never used). So a
  // batch of equal lengths needs no scalar call at all. The loads may read up
  // to 15 bytes past the region: skipped when that would leave the memory.
  emit(get(NB), set(DONE), get(MIN), get(NB), [op.sub], set(R));
  emit([op.block, EMPTY], get(R), [op.eqz, op.brIf, 0]); // $part
  emit(c32(0), load(SCRATCH.ptr + 4 * (FD_LANES - 1)), get(NB), [op.add]);
  emit(c32(memBytes - 16), [op.gtU, op.brIf, 0]);
  emit(get(NB), set(OFF));
  const part = loadRows();
  emit([op.block, EMPTY]); // $steps
  for (let b = 0; b < 16; b++) {
    if (b > 0) emit(get(R), c32(b), [op.eq, op.brIf, 0]);
    step(part + b);
  }
  emit([op.end], get(MIN), set(DONE), [op.end]); // end $steps, end $part

  // Lane states out as 16 u32 (byte k of lane j is S_k[j]).
  emit(get(S0), get(S0 + 1), v128.shuffle(lo8), set(B));
  emit(get(S0 + 2), get(S0 + 3), v128.shuffle(lo8), set(B + 1));
  emit(get(S0), get(S0 + 1), v128.shuffle(hi8), set(B + 2));
  emit(get(S0 + 2), get(S0 + 3), v128.shuffle(hi8), set(B + 3));
  emit(c32(0), get(B), get(B + 1), v128.shuffle(lo16), v128.store(SCRATCH.state));
  emit(c32(0), get(B), get(B + 1), v128.shuffle(hi16), v128.store(SCRATCH.state + 16));
  emit(c32(0), get(B + 2), get(B + 3), v128.shuffle(lo16), v128.store(SCRATCH.state + 32));
  emit(c32(0), get(B + 2), get(B + 3), v128.shuffle(hi16), v128.store(SCRATCH.state + 48));

  // Each lane in order: its bytes after the blocks, then the stored CRC.
  emit(c32(0), set(I), [op.loop, EMPTY]); // $fin
  emit(get(I), c32(2), [op.shl], load(SCRATCH.ptr), set(PT));
  emit(get(I), c32(2), [op.shl], load(SCRATCH.state), set(LEN)); // LEN: the lane's state
  emit(get(I), c32(2), [op.shl], load(SCRATCH.len), get(DONE), [op.sub], set(R)); // bytes left
  emit(get(R), [op.if, EMPTY]);
  emit(get(LEN), get(PT), get(DONE), [op.add], get(R), [op.call, ...uleb(crcFn)], set(LEN));
  emit([op.end], get(LEN), c32(-1), [op.xor]);
  emit(get(PT), c32(4), [op.sub], load(0), [op.ne]);
  emit([op.if, EMPTY], get(PT), c32(8), [op.sub, op.ret, op.end]);
  emit(get(I), c32(1), [op.add], [op.tee, ...uleb(I)], c32(FD_LANES), [op.ltU, op.brIf, 0]);
  emit([op.end]); // end $fin
  emit(get(Q), set(P), [op.br, 0]);
  emit([op.end, op.unreachable, op.end]); // end $outer, end of function

  const locals = vec([[...uleb(11), I32], [...uleb(48), V128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}
