// Private: numbers as Redis stores them inside RDB values: integers written
// as decimal text, the strict "is this a canonical int64" test Redis uses to
// pick an integer encoding, and score text back to a double.

const DIGITS: Uint8Array[] = [];
for (let i = 0; i < 256; i++) DIGITS.push(new TextEncoder().encode(String(i)));

/** Decimal ASCII bytes of an integer (a fresh array the caller may keep). */
export function intBytes(n: number | bigint): Uint8Array {
  if (typeof n === "number" && n >= 0 && n < 256) return DIGITS[n]!.slice();
  const s = String(n);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * The integer `b[off, off + len)` spells in canonical form (Redis's
 * `string2ll` / `lpStringToInt64`: optional `-`, no leading zeros, no `+`, not
 * `-0`, within int64), or `null`. Safe integers come back as numbers, others
 * as bigints.
 */
export function canonicalInt(b: Uint8Array, off: number, len: number): number | bigint | null {
  if (len === 0 || len > 20) return null;
  let i = off;
  const end = off + len;
  const neg = b[i] === 0x2d;
  if (neg) {
    i++;
    if (i === end) return null;
  }
  const first = b[i]!;
  if (first === 0x30) return len === 1 ? 0 : null;
  if (first < 0x31 || first > 0x39) return null;
  let v = 0;
  const digits = end - i;
  if (digits <= 15) {
    for (; i < end; i++) {
      const c = b[i]! - 0x30;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  let big = 0n;
  for (; i < end; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    big = big * 10n + BigInt(c);
  }
  if (neg) big = -big;
  if (big < I64_MIN || big > I64_MAX) return null;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

const td = new TextDecoder("latin1");
/** Bytes of plain number text: digits, sign, point, exponent. */
const NUMERIC = new Uint8Array(256);
for (const c of "0123456789+-.eE") NUMERIC[c.charCodeAt(0)] = 1;

/** Exact powers of ten up to 10^15. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * `[-]digits[.digits]` of at most 15 digits as a double, else NaN (the
 * caller parses it the slow way). Exact: the digits make an integer below
 * 2^53 and 10^k is exact, so one division rounds correctly, as strtod does.
 */
function plainDecimal(b: Uint8Array, off: number, len: number): number {
  const end = off + len;
  let p = off;
  const neg = b[p] === 0x2d;
  if (neg) p++;
  let v = 0, digits = 0, frac = -1;
  for (; p < end; p++) {
    const c = b[p]!;
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 0x2e && frac < 0) frac = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const x = frac > 0 ? v / POW10[frac]! : v;
  return neg ? -x : x;
}

/**
 * A double from score text as Redis writes it (`%.17g`, `inf`, `-inf`; also
 * what `strtod` reads: `+inf`, `infinity`, surrounding blanks), or `NaN` when
 * the text is no number (callers refuse NaN scores, as Redis does).
 */
export function parseScore(b: Uint8Array, off: number, len: number): number {
  const fast = plainDecimal(b, off, len);
  if (fast === fast) return fast;
  if (len > 0 && len <= 32) {
    // What Redis writes (%.17g digits, sign, point, exponent): no decoder call.
    let s = "";
    for (let i = off; i < off + len; i++) {
      const c = b[i]!;
      if (!NUMERIC[c]) {
        s = "";
        break;
      }
      s += String.fromCharCode(c);
    }
    if (s !== "") return Number(s);
  }
  const s = td.decode(b.subarray(off, off + len)).trim().toLowerCase();
  if (s === "inf" || s === "+inf" || s === "infinity" || s === "+infinity") return Infinity;
  if (s === "-inf" || s === "-infinity") return -Infinity;
  if (s === "" || s === "nan" || s === "-nan" || s === "+nan") return NaN;
  return Number(s);
}

/**
 * A score as text Redis reads back exactly: the shortest round-trip decimal,
 * `-0` kept, `inf` / `-inf`. (NaN is refused by the callers.)
 */
export function scoreText(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/** ASCII bytes of a string of code points below 0x80. */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
