/**
 * LZF, the compression Redis uses for RDB strings (`rdbcompression yes`).
 *
 * The stream is a sequence of control bytes: `000lllll` starts a literal run of
 * `l + 1` bytes that follow; `LLLooooo oooooooo` (with `LLL` 1–6) or
 * `111ooooo LLLLLLLL oooooooo` copies `len + 2` bytes starting `o + 1` bytes
 * back in the output (the copy may overlap what it writes). The decoder checks
 * every run and reference against both buffers, so damaged input gives an
 * {@link LzfError}, never bytes outside the output or a wrong length.
 *
 * @module
 */

/**
 * LZF data that does not decode to the expected length.
 *
 * @example
 * ```ts
 * import { lzfDecompress, LzfError } from "@kevy/persist/codec";
 * try {
 *   lzfDecompress(new Uint8Array([0x05, 0x61]), 6); // a 6-byte literal run with 1 byte present
 * } catch (e) {
 *   (e as LzfError).offset; // 0: the run that reaches past the input
 * }
 * ```
 */
export class LzfError extends Error {
  /** Always `"LzfError"`. */
  override name = "LzfError";
  /** Offset in the compressed input of the control byte that failed. */
  readonly offset: number;
  /**
   * An error at `offset` of the compressed input.
   *
   * @param offset offset in the compressed input
   * @param problem what is wrong there
   */
  constructor(offset: number, problem: string) {
    super(`LZF data corrupt at byte ${offset}: ${problem}`);
    this.offset = offset;
  }
}

/**
 * Decompresses `input[start, end)`, which must decode to exactly `outLength`
 * bytes. Throws {@link LzfError} otherwise (the output is allocated once, at
 * `outLength`: callers bound it before calling).
 *
 * @example
 * ```ts
 * import { lzfCompress, lzfDecompress } from "@kevy/persist/codec";
 * const text = new TextEncoder().encode("abcabcabcabcabcabcabcabc");
 * const packed = lzfCompress(text)!;
 * new TextDecoder().decode(lzfDecompress(packed, text.length)); // "abcabcabcabcabcabcabcabc"
 * ```
 */
export function lzfDecompress(
  input: Uint8Array,
  outLength: number,
  start = 0,
  end: number = input.length,
): Uint8Array {
  if (!Number.isSafeInteger(outLength) || outLength < 0) {
    throw new RangeError(
      `lzfDecompress: outLength must be a non-negative integer, got ${outLength}`,
    );
  }
  const out = new Uint8Array(outLength);
  lzfDecompressInto(out, input, outLength, start, end);
  return out;
}

/**
 * Internal: {@link lzfDecompress} into `out[0, outLength)` (a reused buffer of at
 * least `outLength` bytes; no allocation). Throws `LzfError` like it.
 */
export function lzfDecompressInto(
  out: Uint8Array,
  input: Uint8Array,
  outLength: number,
  start: number,
  end: number,
): void {
  let ip = start;
  let op = 0;
  while (ip < end) {
    const at = ip;
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLength) throw new LzfError(at - start, "literal run past the output length");
      if (ip + n > end) throw new LzfError(at - start, "literal run past the end of the input");
      if (n <= 16) { for (let i = 0; i < n; i++) out[op + i] = input[ip + i]!; }
      else out.set(input.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let len = ctrl >>> 5;
    if (ip >= end) throw new LzfError(at - start, "back reference cut off by the end of the input");
    if (len === 7) {
      len += input[ip++]!;
      if (ip >= end) {
        throw new LzfError(at - start, "back reference cut off by the end of the input");
      }
    }
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++]! - 1;
    len += 2;
    if (op + len > outLength) {
      throw new LzfError(at - start, "back reference past the output length");
    }
    if (ref < 0) throw new LzfError(at - start, "back reference before the start of the output");
    if (ref + len <= op) out.copyWithin(op, ref, ref + len);
    else for (let i = 0; i < len; i++) out[op + i] = out[ref + i]!;
    op += len;
  }
  if (op !== outLength) {
    throw new LzfError(end - start, `decodes to ${op} bytes, expected ${outLength}`);
  }
}

const HASH_BITS = 14;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3); // 264: longest back reference
const MAX_LIT = 1 << 5;

function hash3(b: Uint8Array, i: number): number {
  return Math.imul((b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS);
}

// One table for every call (compression is synchronous): positions + 1, 0 = empty.
const table = new Int32Array(1 << HASH_BITS);

/**
 * Compresses `input` as LZF. Returns `null` when the result would be longer
 * than `maxOutput` (default: `input.length - 1`, i.e. it must shrink), as
 * Redis's `lzf_compress` returns 0; Redis itself only keeps compressed strings
 * that save more than 4 bytes.
 *
 * @example
 * ```ts
 * import { lzfCompress } from "@kevy/persist/codec";
 * const a = new Uint8Array(100).fill(97);
 * lzfCompress(a)!.length < 10; // true
 * lzfCompress(new Uint8Array([1, 2, 3])); // null: nothing to gain
 * ```
 */
export function lzfCompress(
  input: Uint8Array,
  maxOutput: number = input.length - 1,
): Uint8Array | null {
  const n = input.length;
  if (n === 0 || maxOutput <= 0) return null;
  const out = new Uint8Array(Math.min(maxOutput, n + (n >>> 5) + 1));
  const cap = out.length;
  table.fill(0);
  let op = 1; // out[litAt] is the control byte of the literal run being built
  let litAt = 0;
  let lit = 0;
  let ip = 0;
  while (ip < n) {
    let matched = 0;
    let off = 0;
    if (ip + 2 < n) {
      const h = hash3(input, ip);
      const ref = table[h]! - 1;
      table[h] = ip + 1;
      off = ip - ref - 1;
      if (
        ref >= 0 && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] &&
        input[ref + 2] === input[ip + 2]
      ) {
        const most = Math.min(MAX_REF, n - ip);
        matched = 3;
        while (matched < most && input[ref + matched] === input[ip + matched]) matched++;
      }
    }
    if (matched === 0) {
      if (op >= cap) return null;
      out[op++] = input[ip++]!;
      if (++lit === MAX_LIT) {
        out[litAt] = lit - 1;
        lit = 0;
        litAt = op++;
      }
      continue;
    }
    // Close the literal run (or take back its unused control byte).
    if (lit > 0) {
      out[litAt] = lit - 1;
      lit = 0;
    } else op--;
    const l = matched - 2;
    if (op + 3 > cap) return null;
    if (l < 7) out[op++] = (l << 5) | (off >>> 8);
    else {
      out[op++] = (7 << 5) | (off >>> 8);
      out[op++] = l - 7;
    }
    out[op++] = off & 0xff;
    litAt = op++;
    // Index the positions inside the match so later data can refer to them.
    const stop = Math.min(ip + matched, n - 2);
    for (let p = ip + 1; p < stop; p++) {
      table[hash3(input, p)] = p + 1;
    }
    ip += matched;
  }
  if (lit > 0) out[litAt] = lit - 1;
  else op--; // drop the trailing empty run's control byte
  if (op > maxOutput) return null;
  return out.slice(0, op);
}
