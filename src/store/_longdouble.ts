// The x86 80-bit long double that Redis's INCRBYFLOAT / HINCRBYFLOAT compute
// in (64-bit significand, round to nearest even), kept exact as m * 2^e with
// BigInt, and its "%.17Lf, trailing zeros removed" text: the reply and the
// value stored are then the bytes Redis produces, not a double's shortest
// form.

/** A finite long double: (-1)^neg * m * 2^e, with m < 2^64 (m = 0 for zero). */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

const TWO64 = 1n << 64n, TWO63 = 1n << 63n;
/** Largest binary exponent of a finite long double's top bit. */
const MAX_EXP = 16383;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** num/den (> 0) rounded to 64 significant bits, half to even; null on overflow. */
function round64(neg: boolean, num: bigint, den: bigint): LongDouble | null {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // k so that 2^63 <= num * 2^k / den < 2^64.
  let k = 64 - (bitLength(num) - bitLength(den));
  const scaled = () =>
    (k >= 0 ? [num << BigInt(k), den] : [num, den << BigInt(-k)]) as [bigint, bigint];
  let [n, d] = scaled();
  while (n / d >= TWO64) {
    k--;
    [n, d] = scaled();
  }
  while (n / d < TWO63) {
    k++;
    [n, d] = scaled();
  }
  let m = n / d;
  const r = n - m * d;
  if (r * 2n > d || (r * 2n === d && (m & 1n) === 1n)) m++;
  if (m === TWO64) {
    m >>= 1n;
    k--;
  }
  const e = -k;
  if (e + 63 > MAX_EXP) return null;
  return { neg, m, e };
}

/**
 * Redis's string2ld: the whole argument as C `strtold` reads it (decimal,
 * hexadecimal or `inf`), refused when empty, space-led, partly numeric, NaN,
 * or out of range.
 * Returns `Infinity`/`-Infinity` for an explicit infinity.
 */
export function parseLongDouble(b: Uint8Array): LongDouble | number | null {
  if (b.length === 0 || b.length > 5120) return null;
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  const inf = /^([+-]?)inf(inity)?$/i.exec(s);
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(s);
  if (hex !== null) {
    const all = (hex[2] ?? "") + (hex[3] ?? "");
    if (all === "") return null;
    const mant = BigInt("0x" + all);
    const p2 = Number(hex[4] ?? "0") - 4 * (hex[3] ?? "").length;
    if (mant === 0n) return { neg: hex[1] === "-", m: 0n, e: 0 };
    if (p2 > 20000 || p2 < -20000) return null;
    return p2 >= 0
      ? round64(hex[1] === "-", mant << BigInt(p2), 1n)
      : round64(hex[1] === "-", mant, 1n << BigInt(-p2));
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const neg = m[1] === "-";
  const digits = (m[2] ?? "") + (m[3] ?? "");
  let exp = Number(m[4] ?? "0") - (m[3] ?? "").length;
  const mant = BigInt(digits === "" ? "0" : digits);
  if (mant === 0n) return { neg, m: 0n, e: 0 };
  if (exp > 5000) return null; // overflow (ERANGE)
  if (exp < -5000 - digits.length) return null; // underflow to zero (ERANGE)
  let num = mant, den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  exp = 0;
  return round64(neg, num, den);
}

/** a + b rounded to a long double; null when the sum overflows to infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  const e = Math.min(a.e, b.e);
  const sa = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  if (sum === 0n) return { neg: false, m: 0n, e: 0 }; // x + (-x) is +0 when rounding to nearest
  const neg = sum < 0n;
  const mag = neg ? -sum : sum;
  return e >= 0 ? round64(neg, mag << BigInt(e), 1n) : round64(neg, mag, 1n << BigInt(-e));
}

/** `%.17Lf` with trailing zeros (and a trailing dot) removed; `-0` prints `0`. */
export function formatLongDouble(x: LongDouble): string {
  let num = x.m * 10n ** 17n, den = 1n;
  if (x.e >= 0) num <<= BigInt(x.e);
  else den <<= BigInt(-x.e);
  let q = num / den;
  const r = num - q * den;
  if (r * 2n > den || (r * 2n === den && (q & 1n) === 1n)) q++;
  let s = q.toString().padStart(18, "0");
  s = s.slice(0, -17) + "." + s.slice(-17);
  s = s.replace(/0+$/, "").replace(/\.$/, "");
  if (x.neg && s !== "0") s = "-" + s;
  return s;
}
