// Generates src/codec/_crc32c_wasm_bytes.ts: a small WebAssembly module,
// assembled here byte by byte (no toolchain, no dependency), that computes
// CRC32C table-driven (slicing-by-16 over unaligned 32-bit loads, then 4-byte
// steps, then bytes) and walks KEVYAOF2 records checking each one's CRC.
//
//   npx deno run -A scripts/gen_crc32c_wasm.ts          (rewrites the file)
//   npx deno run -A scripts/gen_crc32c_wasm.ts --check  (fails if it is stale)
//
// Encoding facts from the WebAssembly core spec, binary format
// (document/core/binary/{modules,instructions,values}.rst): LEB128 integers,
// sections by id, opcodes below. The module has no imports; it defines and
// exports its memory "m": the 16 lookup tables (16 x 256 x u32, filled by
// the JS side from the one table in _crc32c_js.ts) at byte 0, the data window
// the JS side copies bytes into at 65536.
//
// Exports:
//   crc(c: i32, p: i32, n: i32) -> i32
//     continues the raw (inverted) CRC state c over memory [p, p + n).
//   verify(p: i32, end: i32) -> i32
//     walks [len u32le][crc32c u32le][payload] records from p: returns the
//     offset of the first one that is not complete by `end`, has a length out
//     of 1..2^30, or whose payload's CRC32C differs from the stored one.
//   verify16(p, end) -> i32 (the SIMD modules only; scripts/_crc32c_simd.ts)
//     the same answer, 16 records at a time in the byte lanes of a v128.
// Three modules: without SIMD (any engine), with SIMD (wasm 2.0), with relaxed
// SIMD's swizzle; the JS side (src/codec/_crc32c_wasm.ts) takes the first of
// relaxed, SIMD, base that the engine accepts.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import {
  c32,
  EMPTY,
  FUNC,
  get,
  I32,
  load,
  name,
  op,
  section,
  set,
  uleb,
  vec,
} from "./_wasm_asm.ts";
import { verify16 } from "./_crc32c_simd.ts";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const out = join(root, "src/codec/_crc32c_wasm_bytes.ts");

/** Tables: T_k[b] at byte 1024 k + 4 b (byte b followed by k zero bytes). */
const TABLE = (k: number) => k * 1024;

/** T_k[byte j of local v]: the address is the byte times 4, the table base the load's offset. */
function lookup(v: number, j: number, k: number): number[] {
  const addr = j === 0
    ? [...get(v), ...c32(2), op.shl, ...c32(0x3fc), op.and]
    : j === 3
    ? [...get(v), ...c32(24), op.shrU, ...c32(2), op.shl]
    : [...get(v), ...c32(8 * j - 2), op.shrU, ...c32(0x3fc), op.and];
  return [...addr, ...load(TABLE(k))];
}

/**
 * XOR of the lookups for words `ws` (byte j of word i uses table 4n - 1 - 4i - j: the first byte
 * the highest). Only the first word depends on the running CRC, so the other words' lookups come
 * first (a chain the CPU runs ahead of the CRC) and the first word's four are combined as a tree
 * at the end: the CRC's own dependency chain per step is then one lookup and three XORs, not
 * sixteen XORs in a row (~1.5x on V8, whose wasm compiler does not reassociate the chain).
 */
function fold(ws: number[]): number[] {
  const n = ws.length;
  const table = (i: number, j: number) => 4 * n - 1 - 4 * i - j;
  const code: number[] = [];
  for (let i = n - 1; i >= 1; i--) {
    for (let j = 0; j < 4; j++) {
      code.push(...lookup(ws[i]!, j, table(i, j)));
      if (i !== n - 1 || j !== 0) code.push(op.xor);
    }
  }
  const w = ws[0]!;
  code.push(...lookup(w, 0, table(0, 0)), ...lookup(w, 1, table(0, 1)), op.xor);
  code.push(...lookup(w, 2, table(0, 2)), ...lookup(w, 3, table(0, 3)), op.xor, op.xor);
  if (n > 1) code.push(op.xor);
  return code;
}

// crc(c, p, n): params 0..2, locals a 3, b 4, x 5, y 6.
const [C, P, N, A, B, X, Y] = [0, 1, 2, 3, 4, 5, 6];
const advance = (by: number) => [
  ...get(P),
  ...c32(by),
  op.add,
  ...set(P),
  ...get(N),
  ...c32(by),
  op.sub,
  ...set(N),
];
const crcBody = [
  // 16 bytes a step.
  op.block,
  EMPTY,
  op.loop,
  EMPTY,
  ...get(N),
  ...c32(16),
  op.ltU,
  op.brIf,
  1,
  ...get(P),
  ...load(0),
  ...get(C),
  op.xor,
  ...set(A),
  ...get(P),
  ...load(4),
  ...set(B),
  ...get(P),
  ...load(8),
  ...set(X),
  ...get(P),
  ...load(12),
  ...set(Y),
  ...fold([A, B, X, Y]),
  ...set(C),
  ...advance(16),
  op.br,
  0,
  op.end,
  op.end,
  // 4 bytes a step.
  op.block,
  EMPTY,
  op.loop,
  EMPTY,
  ...get(N),
  ...c32(4),
  op.ltU,
  op.brIf,
  1,
  ...get(P),
  ...load(0),
  ...get(C),
  op.xor,
  ...set(A),
  ...fold([A]),
  ...set(C),
  ...advance(4),
  op.br,
  0,
  op.end,
  op.end,
  // Single bytes.
  op.block,
  EMPTY,
  op.loop,
  EMPTY,
  ...get(N),
  op.eqz,
  op.brIf,
  1,
  ...get(C),
  ...get(P),
  op.load8u,
  0,
  0,
  op.xor,
  ...c32(0xff),
  op.and,
  ...c32(2),
  op.shl,
  ...load(TABLE(0)),
  ...get(C),
  ...c32(8),
  op.shrU,
  op.xor,
  ...set(C),
  ...advance(1),
  op.br,
  0,
  op.end,
  op.end,
  ...get(C),
  op.end,
];

// verify(p, end): params 0..1, locals len 2, s 3.
const [VP, VE, LEN, S] = [0, 1, 2, 3];
/** `if (cond) return p`. */
const stopIf = (cond: number[]) => [...cond, op.if, EMPTY, ...get(VP), op.ret, op.end];
const verifyBody = [
  op.loop,
  EMPTY,
  // Fewer than 8 bytes left: no header.
  ...stopIf([...get(VE), ...get(VP), op.sub, ...c32(8), op.ltU]),
  // Length 0 or above 2^30.
  ...stopIf([
    ...get(VP),
    ...load(0),
    op.tee,
    ...uleb(LEN),
    op.eqz,
    ...get(LEN),
    ...c32(1 << 30),
    op.gtU,
    op.or,
  ]),
  ...get(VP),
  ...c32(8),
  op.add,
  ...set(S),
  // The payload does not end by `end`.
  ...stopIf([...get(LEN), ...get(VE), ...get(S), op.sub, op.gtU]),
  // CRC mismatch.
  ...stopIf([
    ...c32(-1),
    ...get(S),
    ...get(LEN),
    op.call,
    0,
    ...c32(-1),
    op.xor,
    ...get(VP),
    ...load(4),
    op.ne,
  ]),
  ...get(S),
  ...get(LEN),
  op.add,
  ...set(VP),
  op.br,
  0,
  op.end,
  op.unreachable,
  op.end,
];

const code = (locals: number, body: number[]) => {
  const fn = [...vec(locals > 0 ? [[...uleb(locals), I32]] : []), ...body];
  return [...uleb(fn.length), ...fn];
};

/** Pages of 64 KiB: one for the tables, 16 for the data window. */
const PAGES = 17;

/**
 * The module: crc and verify, plus verify16 when `simd` is set ("relaxed": its
 * lookups use i8x16.relaxed_swizzle, the same for indices below 16 and one x64
 * instruction instead of two; Node 20's V8 does not have relaxed SIMD yet).
 */
function module(simd: false | "simd" | "relaxed"): number[] {
  const sig2 = [FUNC, ...vec([[I32], [I32]]), ...vec([[I32]])];
  return [
    0x00,
    0x61,
    0x73,
    0x6d, // \0asm
    0x01,
    0x00,
    0x00,
    0x00, // version 1
    ...section(1, vec([[FUNC, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])], sig2])),
    ...section(3, vec(simd ? [[0], [1], [1]] : [[0], [1]])),
    ...section(5, vec([[0x01, ...uleb(PAGES), ...uleb(PAGES)]])),
    ...section(
      7,
      vec([
        [...name("m"), 0x02, 0],
        [...name("crc"), 0x00, 0],
        [...name("verify"), 0x00, 1],
        ...(simd ? [[...name("verify16"), 0x00, 2]] : []),
      ]),
    ),
    ...section(
      10,
      vec([
        code(4, crcBody),
        code(2, verifyBody),
        ...(simd ? [verify16(0, 1, simd === "relaxed", PAGES * 65536)] : []),
      ]),
    ),
  ];
}

const hexLines = (bytes: number[]): string => {
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 76) lines.push(`  "${hex.slice(i, i + 76)}"`);
  return lines.join(" +\n");
};
const base = module(false), withSimd = module("simd"), relaxed = module("relaxed");
const text = `// Generated by scripts/gen_crc32c_wasm.ts: do not edit (re-run the script).
// The CRC32C WebAssembly modules as hex; see the script for what they hold.

/** The module's bytes (${base.length}), hex-encoded: crc and verify, no SIMD. */
export const CRC32C_WASM_HEX: string =
${hexLines(base)};

/** The same module plus verify16 (wasm SIMD, 16 records at a time): ${withSimd.length} bytes. */
export const CRC32C_WASM_SIMD_HEX: string =
${hexLines(withSimd)};

/** As CRC32C_WASM_SIMD_HEX with relaxed SIMD's swizzle: ${relaxed.length} bytes. */
export const CRC32C_WASM_RELAXED_HEX: string =
${hexLines(relaxed)};

/** Pages of its memory (the tables at 0, the data window from 65536 to the end). */
export const CRC32C_WASM_PAGES = ${PAGES};
`;

if (process.argv.includes("--check")) {
  if (readFileSync(out, "utf8") !== text) {
    console.error(`${out} is stale: run scripts/gen_crc32c_wasm.ts`);
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (${base.length}, ${withSimd.length}, ${relaxed.length} bytes of wasm)`);
}
