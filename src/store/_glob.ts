/**
 * Redis `stringmatchlen` glob matching (`*`, `?`, `[...]` with `^` and
 * ranges, `\` escapes) over binary strings (one char per byte).
 *
 * @module
 */

/** Whether `s` matches glob `p` (both binary strings). */
export function globMatch(p: string, s: string): boolean {
  return match(p, 0, s, 0);
}

function match(p: string, pi: number, s: string, si: number): boolean {
  const pl = p.length, sl = s.length;
  while (pi < pl) {
    const c = p[pi]!;
    if (c === "*") {
      while (pi + 1 < pl && p[pi + 1] === "*") pi++;
      if (pi + 1 === pl) return true;
      for (let k = si; k <= sl; k++) if (match(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= sl) return false;
    if (c === "?") {
      si++;
      pi++;
      continue;
    }
    if (c === "[") {
      pi++;
      const not = p[pi] === "^";
      if (not) pi++;
      let ok = false;
      const ch = s.charCodeAt(si);
      for (;;) {
        if (pi >= pl) {
          pi--; // unterminated: Redis treats the end as the closing bracket
          break;
        }
        const q = p[pi]!;
        if (q === "\\" && pi + 2 < pl) {
          pi++;
          if (p.charCodeAt(pi) === ch) ok = true;
        } else if (q === "]") {
          break;
        } else if (pi + 2 < pl && p[pi + 1] === "-") {
          let a = p.charCodeAt(pi), b = p.charCodeAt(pi + 2);
          if (a > b) [a, b] = [b, a];
          pi += 2;
          if (ch >= a && ch <= b) ok = true;
        } else if (p.charCodeAt(pi) === ch) {
          ok = true;
        }
        pi++;
      }
      if (not) ok = !ok;
      if (!ok) return false;
      pi++;
      si++;
      continue;
    }
    if (c === "\\" && pi + 1 < pl) pi++;
    if (p[pi] !== s[si]) return false;
    pi++;
    si++;
  }
  return si === sl;
}
