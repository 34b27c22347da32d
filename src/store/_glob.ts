/**
 * Redis glob matching (`stringmatchlen` of Redis 7: `*`, `?`, `[...]` with
 * `^`, ranges and `\` escapes) over binary strings (one char per byte), in
 * time bounded by pattern length × string length: the pattern is compiled
 * once into single-byte tokens and stars, and a mismatch only moves the
 * last star forward (no exponential backtracking, the class of Redis's
 * CVE-2022-36021).
 *
 * Redis's quirks are kept: an unterminated `[` runs to the end of the
 * pattern, `[a-]` is a range up to `]`, a trailing `\` is a literal
 * backslash, range ends compare as signed chars (as on x86), and a pattern
 * other than `*` never matches the empty string.
 *
 * @module
 */

const STAR = 256;
const ANY = 257;
/** Token values from CLASS on are character classes (index = token - CLASS). */
const CLASS = 258;

/** A pattern compiled by {@link compileGlob}. */
export interface CompiledGlob {
  /** Literal byte (0..255), STAR, ANY or CLASS + class index; consecutive stars merged. */
  readonly tokens: Int32Array;
  /** Per class: 256 flags, 1 = the byte is matched (negation already applied). */
  readonly classes: Uint8Array[];
  /** The pattern is exactly `*` (MATCH/KEYS treat it as "everything"). */
  readonly all: boolean;
}

const signed = (b: number): number => (b >= 128 ? b - 256 : b);

/**
 * Compiles glob `p` (a binary string), walking it as Redis does.
 *
 * @example
 * ```ts
 * import { compileGlob, matchGlob } from "./_glob.ts";
 * const g = compileGlob("user:[0-9]*");
 * matchGlob(g, "user:42"); // true
 * ```
 */
export function compileGlob(p: string): CompiledGlob {
  const tokens: number[] = [];
  const classes: Uint8Array[] = [];
  const pl = p.length;
  let i = 0;
  while (i < pl) {
    const c = p.charCodeAt(i);
    if (c === 0x2a /* * */) {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
      i++;
    } else if (c === 0x3f /* ? */) {
      tokens.push(ANY);
      i++;
    } else if (c === 0x5b /* [ */) {
      i++;
      const not = i < pl && p.charCodeAt(i) === 0x5e; /* ^ */
      if (not) i++;
      const set = new Uint8Array(256);
      for (;;) {
        if (i < pl && p.charCodeAt(i) === 0x5c /* \ */ && pl - i >= 2) {
          i++;
          set[p.charCodeAt(i)] = 1;
        } else if (i < pl && p.charCodeAt(i) === 0x5d /* ] */) {
          break;
        } else if (i >= pl) {
          i--; // unterminated: the class ends with the pattern
          break;
        } else if (pl - i >= 3 && p.charCodeAt(i + 1) === 0x2d /* - */) {
          let a = signed(p.charCodeAt(i)), b = signed(p.charCodeAt(i + 2));
          if (a > b) [a, b] = [b, a];
          for (let x = 0; x < 256; x++) if (signed(x) >= a && signed(x) <= b) set[x] = 1;
          i += 2;
        } else {
          set[p.charCodeAt(i)] = 1;
        }
        i++;
      }
      i++;
      if (not) { for (let x = 0; x < 256; x++) set[x] = set[x]! ^ 1; }
      tokens.push(CLASS + classes.length);
      classes.push(set);
    } else {
      if (c === 0x5c /* \ */ && pl - i >= 2) i++;
      tokens.push(p.charCodeAt(i) & 0xff);
      i++;
    }
  }
  return { tokens: Int32Array.from(tokens), classes, all: p === "*" };
}

/**
 * Whether binary string `s` matches the compiled pattern, as Redis's MATCH
 * (`*` alone matches everything, the empty string included). `steps`, when
 * given, counts the inner-loop iterations (tests bound it).
 *
 * @example
 * ```ts
 * import { compileGlob, matchGlob } from "./_glob.ts";
 * matchGlob(compileGlob("h?llo"), "hello"); // true
 * ```
 */
export function matchGlob(g: CompiledGlob, s: string, steps?: { n: number }): boolean {
  if (g.all) return true;
  const t = g.tokens;
  const tl = t.length, sl = s.length;
  if (sl === 0) return tl === 0;
  let ti = 0, si = 0, star = -1, starAt = 0, n = 0;
  while (si < sl) {
    n++;
    const tok = ti < tl ? t[ti]! : -1;
    if (tok === STAR) {
      star = ti++;
      starAt = si;
      continue;
    }
    if (tok !== -1) {
      const ch = s.charCodeAt(si) & 0xff;
      const ok = tok === ANY || (tok < STAR ? tok === ch : g.classes[tok - CLASS]![ch] === 1);
      if (ok) {
        ti++;
        si++;
        continue;
      }
    }
    if (star < 0) {
      if (steps) steps.n += n;
      return false;
    }
    // The last star takes one more byte; everything after it is tried again.
    ti = star + 1;
    si = ++starAt;
  }
  while (ti < tl && t[ti] === STAR) ti++;
  if (steps) steps.n += n;
  return ti === tl;
}

let lastPattern: string | null = null;
let lastCompiled: CompiledGlob | null = null;

/**
 * Whether binary string `s` matches glob `p` (both binary strings), as
 * Redis's SCAN/KEYS MATCH. The last pattern's compilation is reused.
 *
 * @example
 * ```ts
 * import { globMatch } from "@kevy/persist/store";
 * globMatch("a*b", "axxb"); // true
 * ```
 */
export function globMatch(p: string, s: string): boolean {
  if (p !== lastPattern) {
    lastCompiled = compileGlob(p);
    lastPattern = p;
  }
  return matchGlob(lastCompiled!, s);
}
