// Private: stream ids and u64 counters as JS values. A u64 part is a `number`
// when it is a safe integer and a `bigint` beyond 2^53 (never both for one
// value), so `===` is value equality and `<`/`>` compare across the two exactly.
// Parsing follows Redis 7 byte for byte (t_stream.c streamGenericParseIDOrReply,
// util.c string2ull): the argument is read as a C string (up to a NUL byte).

/**
 * A u64 id part or an i64 counter: a `number` when it is a safe integer, a
 * `bigint` beyond 2^53 (never both for one value, so `===` is value equality
 * and `<` / `>` compare across the two exactly).
 *
 * @example
 * ```ts
 * import type { U64 } from "@kevy/persist/store";
 * const a: U64 = 5;
 * const b: U64 = 18446744073709551615n;
 * a < b; // true
 * ```
 */
export type U64 = number | bigint;

/** 2^64 - 1. */
export const U64_MAX = 18446744073709551615n;
const SAFE = 9007199254740991;
const SAFE_N = 9007199254740991n;

/** A bigint as the canonical {@link U64} (number when safe). */
export function norm(b: bigint): U64 {
  return b <= SAFE_N && b >= -SAFE_N ? Number(b) : b;
}

/** Any integer as a bigint. */
export function big(x: U64): bigint {
  return typeof x === "bigint" ? x : BigInt(x);
}

/** `x + 1` (u64 callers check for U64_MAX first). */
export function inc(x: U64): U64 {
  return typeof x === "number" ? (x < SAFE ? x + 1 : BigInt(x) + 1n) : norm(x + 1n);
}

/** `x - 1`. */
export function dec(x: U64): U64 {
  return typeof x === "number" ? x - 1 : norm(x - 1n);
}

/** `a + b` for canonical integers. */
export function add(a: U64, b: U64): U64 {
  if (typeof a === "number" && typeof b === "number") {
    const s = a + b;
    if (s <= SAFE && s >= -SAFE) return s;
  }
  return norm(big(a) + big(b));
}

/** `a - b` for canonical integers. */
export function sub(a: U64, b: U64): U64 {
  if (typeof a === "number" && typeof b === "number") {
    const s = a - b;
    if (s <= SAFE && s >= -SAFE) return s;
  }
  return norm(big(a) - big(b));
}

/** Compares ids `(am, as)` and `(bm, bs)`: -1, 0 or 1. */
export function cmpId(am: U64, as: U64, bm: U64, bs: U64): number {
  return am < bm ? -1 : am > bm ? 1 : as < bs ? -1 : as > bs ? 1 : 0;
}

/**
 * A stream entry id `ms-seq` whose parts are {@link U64}s (numbers when
 * safe, bigints beyond 2^53).
 *
 * @example
 * ```ts
 * import type { EntryId } from "@kevy/persist/store";
 * const id: EntryId = { ms: 1700000000000, seq: 0 };
 * ```
 */
export interface EntryId {
  /** Milliseconds part. */
  ms: U64;
  /** Sequence part. */
  seq: U64;
}

/** The smallest id. */
export const MIN_ID: Readonly<EntryId> = Object.freeze({ ms: 0, seq: 0 });
/** The largest id. */
export const MAX_ID: Readonly<EntryId> = Object.freeze({ ms: U64_MAX, seq: U64_MAX });

/** The successor of an id, or `null` for the largest one (Redis streamIncrID). */
export function nextId(ms: U64, seq: U64): EntryId | null {
  if (seq === U64_MAX) return ms === U64_MAX ? null : { ms: inc(ms), seq: 0 };
  return { ms, seq: inc(seq) };
}

/** The predecessor of an id, or `null` for 0-0 (Redis streamDecrID). */
export function prevId(ms: U64, seq: U64): EntryId | null {
  if (seq === 0) return ms === 0 ? null : { ms: dec(ms), seq: U64_MAX };
  return { ms, seq: dec(seq) };
}

/** `ms-seq` text. */
export function idText(ms: U64, seq: U64): string {
  return `${ms}-${seq}`;
}

// Ids handed out in replies are views into small shared slabs: allocating a
// typed array per id costs V8 several times more than writing the digits.
const SLAB = 4096;
let slab = new Uint8Array(SLAB);
let slabAt = 0;

/** Writes the decimal digits of a safe integer at `at`; returns the end. */
function putDigits(b: Uint8Array, at: number, x: number): number {
  let d = 1;
  for (let y = x; y >= 10; y = Math.floor(y / 10)) d++;
  for (let i = at + d - 1; i >= at; i--) {
    const q = Math.floor(x / 10);
    b[i] = 48 + x - q * 10;
    x = q;
  }
  return at + d;
}

/** `ms-seq` as ASCII bytes (a bulk reply or a frame argument; a view: do not mutate). */
export function idBytes(ms: U64, seq: U64): Uint8Array {
  if (typeof ms !== "number" || typeof seq !== "number") {
    const s = `${ms}-${seq}`;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  if (slabAt + 34 > SLAB) {
    slab = new Uint8Array(SLAB);
    slabAt = 0;
  }
  const start = slabAt;
  let at = putDigits(slab, start, ms);
  slab[at++] = 45;
  slabAt = putDigits(slab, at, seq);
  return slab.subarray(start, slabAt);
}

/** A parsed id argument; `seqGiven` is false for the `ms-*` form. */
export interface ParsedId extends EntryId {
  seqGiven: boolean;
}

/** Length of `b` as a C string (up to its first NUL byte). */
function cLen(b: Uint8Array): number {
  const z = b.indexOf(0);
  return z < 0 ? b.length : z;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Strict `string2ll` over `b[from, to)`: the value as bigint, or null. */
function strictInt(b: Uint8Array, from: number, to: number): bigint | null {
  const n = to - from;
  if (n <= 0 || n >= 21) return null;
  let i = from;
  const neg = b[i] === 0x2d;
  if (neg && ++i === to) return null;
  if (b[i] === 0x30) return n === 1 ? 0n : null;
  let v = 0n;
  for (; i < to; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    v = v * 10n + BigInt(c);
  }
  if (neg) v = -v;
  return v < -(2n ** 63n) || v > 2n ** 63n - 1n ? null : v;
}

/**
 * Redis `string2ull` over the C string `b[from, to)`: first strictly as an
 * int64 (negative is invalid), else as C `strtoull` (leading spaces, a sign,
 * leading zeros; a negative value wraps modulo 2^64).
 */
export function string2ull(b: Uint8Array, from: number, to: number): U64 | null {
  // Fast path: plain decimal digits that fit a safe integer.
  const n = to - from;
  if (n > 0 && n <= 15 && (b[from] !== 0x30 || n === 1)) {
    let v = 0;
    let i = from;
    for (; i < to; i++) {
      const c = b[i]! - 0x30;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === to) return v;
  }
  const strict = strictInt(b, from, to);
  if (strict !== null) return strict < 0n ? null : norm(strict);
  let i = from;
  while (i < to && isSpace(b[i]!)) i++;
  let neg = false;
  if (i < to && (b[i] === 0x2b || b[i] === 0x2d)) neg = b[i++] === 0x2d;
  if (i >= to) return null;
  let v = 0n;
  for (; i < to; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    v = v * 10n + BigInt(c);
    if (v > U64_MAX) return null; // ERANGE
  }
  if (neg && v !== 0n) v = (1n << 64n) - v;
  return norm(v);
}

/**
 * Parses a stream id argument like Redis: `ms-seq`, `ms` (seq = `missingSeq`),
 * `-` / `+` (min / max; rejected when `strict`), and `ms-*` when `seqStar`
 * (then `seqGiven` is false). `null` when invalid ("ERR Invalid stream ID
 * specified as stream command argument").
 */
export function parseId(
  arg: Uint8Array,
  missingSeq: U64,
  strict: boolean,
  seqStar = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  const len = cLen(arg);
  if (len === 1 && (arg[0] === 0x2d || arg[0] === 0x2b)) {
    if (strict) return null;
    return arg[0] === 0x2d
      ? { ms: 0, seq: 0, seqGiven: true }
      : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  }
  let dash = -1;
  for (let i = 0; i < len; i++) {
    if (arg[i] === 0x2d) {
      dash = i;
      break;
    }
  }
  const ms = string2ull(arg, 0, dash < 0 ? len : dash);
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  if (seqStar && len - dash - 1 === 1 && arg[dash + 1] === 0x2a) {
    return { ms, seq: 0, seqGiven: false };
  }
  const seq = string2ull(arg, dash + 1, len);
  if (seq === null) return null;
  return { ms, seq, seqGiven: true };
}

/** Whether `b` is exactly the C string `s` (one byte per char, then end or NUL). */
export function cIs(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return b.length === s.length || b[s.length] === 0;
}

/** ASCII case-insensitive C-string compare (`strcasecmp(arg, s) == 0`, `s` upper-case). */
export function cOpt(b: Uint8Array, s: string): boolean {
  if (b.length < s.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = b[i]!;
    if ((c >= 0x61 && c <= 0x7a ? c - 32 : c) !== s.charCodeAt(i)) return false;
  }
  return b.length === s.length || b[s.length] === 0;
}
