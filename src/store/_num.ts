/**
 * Redis-compatible number parsing/formatting over bytes: int64 (`string2ll`),
 * double (`string2d`), reply formatting of doubles.
 *
 * @module
 */

/** int64 bounds. */
export const I64_MIN = -(2n ** 63n);
/** int64 bounds. */
export const I64_MAX = 2n ** 63n - 1n;

/**
 * Parses like Redis `string2ll`: optional `-`, no `+`, no leading zeros or
 * spaces, within int64. Returns a number when safe, else a bigint; `null` if
 * invalid.
 */
export function parseI64(b: Uint8Array): number | bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  const neg = b[0] === 0x2d;
  if (neg) {
    i = 1;
    if (n === 1) return null;
  }
  if (b[i] === 0x30) return n === 1 ? 0 : null; // "0" only; "-0", "01" rejected
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = b[j]! - 0x30;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (n - i <= 15) return neg ? -v : v;
  let s = "";
  for (let j = 0; j < n; j++) s += String.fromCharCode(b[j]!);
  const big = BigInt(s);
  if (big < I64_MIN || big > I64_MAX) return null;
  return Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? Number(big) : big;
}

/** An int64 result as the smallest exact JS value (number when safe). */
export function normInt(x: bigint): number | bigint {
  return x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x;
}

/** Decimal ASCII bytes of an integer. */
export function intBytes(x: number | bigint): Uint8Array {
  return asciiBytes(String(x));
}

/** ASCII bytes of a JS string known to be ASCII. */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function ascii(b: Uint8Array): string | null {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80 || c === 0) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

const DEC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;
const HEX_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;

/**
 * Parses like Redis `string2d` (C `strtod` grammar: decimal, `inf`,
 * `infinity`, hex floats); rejects empty input, leading space, trailing
 * bytes, NaN, overflow to ±Infinity and underflow to zero. `null` if invalid.
 */
export function parseF64(b: Uint8Array): number | null {
  if (b.length === 0 || b.length > 5120) return null;
  const s = ascii(b);
  if (s === null) return null;
  if (INF_RE.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  let v: number;
  let nonZeroDigits: boolean;
  if (DEC_RE.test(s)) {
    v = Number(s);
    const mant = s.replace(/[eE].*$/, "");
    nonZeroDigits = /[1-9]/.test(mant);
  } else {
    const m = HEX_RE.exec(s);
    if (m === null) return null;
    v = parseHexFloat(m[1] === "-", m[2]!, m[3] === undefined ? 0 : Number(m[3]));
    nonZeroDigits = /[1-9a-fA-F]/.test(m[2]!);
  }
  if (!Number.isFinite(v)) return null; // ERANGE overflow
  if (v === 0 && nonZeroDigits) return null; // ERANGE underflow to zero
  return v;
}

function parseHexFloat(neg: boolean, digits: string, exp: number): number {
  const dot = digits.indexOf(".");
  const frac = dot < 0 ? 0 : digits.length - dot - 1;
  const h = digits.replace(".", "") || "0";
  let v = Number(BigInt("0x" + h)); // may round twice for > 53-bit mantissas; rare
  v *= 2 ** (exp - 4 * frac);
  return neg ? -v : v;
}

/**
 * A double as Redis 7.0 replies it (`addReplyDouble`: `%.17g`): `inf`,
 * `-inf`, `1.5`, `0.10000000000000001`, `1e+20`, `-0`.
 */
export function formatDouble(x: number): string {
  if (x !== x) return "nan"; // only a kevy file can hold one
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const e = x.toExponential(16); // 17 significant digits: "d.dddddddddddddddde+N"
  const m = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(e)!;
  const sign = m[1]!, exp = Number(m[4]);
  const digits = (m[2]! + m[3]!).replace(/0+$/, ""); // %g drops trailing zeros
  if (exp < -4 || exp >= 17) {
    const ee = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : String(Math.abs(exp));
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${ee}`;
  }
  if (exp >= digits.length - 1) return sign + digits + "0".repeat(exp - digits.length + 1);
  if (exp >= 0) return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  return sign + "0." + "0".repeat(-exp - 1) + digits;
}

/**
 * A float result as Redis INCRBYFLOAT stores it (`%.17Lf` with trailing
 * zeros removed): never exponent notation. Computed from the shortest
 * round-trip digits of the double, which is what Redis's long-double
 * arithmetic prints in the common cases (`10.5 + 0.1` -> `10.6`).
 */
export function formatHuman(x: number): string {
  if (x === 0) return "0";
  const ax = Math.abs(x);
  let s: string;
  if (ax >= 1e21) s = BigInt(x).toString();
  else if (ax < 1e-6) s = x.toFixed(17).replace(/\.?0+$/, "");
  else s = String(x);
  return s === "-0" ? "0" : s;
}

/**
 * Text of a zset score that parses back to the same f64 bits in kevy (Rust
 * `f64::from_str`) and Redis (`strtod`): shortest round-trip decimal,
 * `-0` for negative zero, `inf` / `-inf`, `nan`.
 *
 * @example
 * ```ts
 * import { formatScore } from "@kevy/persist/store";
 * formatScore(-0); // "-0"
 * formatScore(1e-20); // "1e-20"
 * formatScore(-Infinity); // "-inf"
 * ```
 */
export function formatScore(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  // "1e+300" -> "1e300": both parse, the unsigned exponent is the common form.
  return String(x).replace("e+", "e");
}
