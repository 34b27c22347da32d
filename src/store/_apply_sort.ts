/**
 * SORT and SORT_RO, as Redis 7.0 sorts: numeric by default (C `strtod` of
 * each element or of its BY key), ALPHA byte order, BY pattern with `*` and
 * `->field`, GET patterns (`#` for the element), LIMIT, ASC/DESC, STORE into
 * a list. A set sorted with a constant BY and STORE is sorted ALPHA, as Redis
 * forces for determinism. Redis logs `SORT ... STORE` to the AOF as given.
 *
 * Known difference: without STORE, a set sorted by a constant BY comes back
 * in the set's own order, which is Redis's hash-table order there.
 *
 * @module
 */

import { argI64, type Ctx, fail, type Reply, SYNTAX, upper, WRONGTYPE } from "./_apply_common.ts";
import type { CommandSpec, LogFn } from "./_command.ts";
import type { Store } from "./store.ts";
import { HashValue, ListValue, SetValue } from "./values.ts";
import { SortedSet } from "./zset.ts";

const STAR = 0x2a;

function indexOfSeq(b: Uint8Array, seq: number[], from: number): number {
  outer: for (let i = from; i + seq.length <= b.length; i++) {
    for (let j = 0; j < seq.length; j++) if (b[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

/** The value a BY/GET pattern names for `elem`: a string, a hash field, or null. */
function byPattern(store: Store, pattern: Uint8Array, elem: Uint8Array): Uint8Array | null {
  if (pattern.length === 1 && pattern[0] === 0x23) return elem; // "#"
  const star = pattern.indexOf(STAR);
  if (star < 0) return null;
  const arrow = indexOfSeq(pattern, [0x2d, 0x3e], star + 1); // "->"
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.subarray(arrow + 2) : null;
  const end = field === null ? pattern.length : arrow;
  const key = new Uint8Array(star + elem.length + (end - star - 1));
  key.set(pattern.subarray(0, star));
  key.set(elem, star);
  key.set(pattern.subarray(star + 1, end), star + elem.length);
  const v = store.lookup(key);
  if (v === null) return null;
  if (field !== null) return v instanceof HashValue ? v.get(field) ?? null : null;
  return v instanceof Uint8Array ? v : null;
}

/** C `strtod` of a whole string, as SORT reads scores; null on leftovers, NaN or ERANGE. */
function sortScore(b: Uint8Array): number | null {
  const s = new TextDecoder("latin1").decode(b);
  const t = s.replace(/^[ \t\n\v\f\r]+/, "");
  if (t === "" && s === "") return 0; // nothing parsed, nothing left over
  const m = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?)$/i.exec(t);
  if (m === null) return null;
  const v = /inf/i.test(t) ? (t[0] === "-" ? -Infinity : Infinity) : Number(t);
  // ERANGE: overflow to infinity, or a non-zero decimal that underflows to 0 or a subnormal.
  if (
    !/inf/i.test(t) &&
    (!Number.isFinite(v) ||
      (Math.abs(v) < 2.2250738585072014e-308 && /[1-9]/.test(t.replace(/[eE].*$/, ""))))
  ) return null;
  return v;
}

/** memcmp order, shorter first on a common prefix. */
function binCmp(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** strcoll in the C locale: strcmp, which stops at the first NUL byte. */
function cstrCmp(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0;; i++) {
    const a = i < x.length ? x[i]! : 0, b = i < y.length ? y[i]! : 0;
    if (a !== b) return a - b;
    if (a === 0) return 0;
  }
}

interface Item {
  elem: Uint8Array;
  score: number;
  cmp: Uint8Array | null;
}

function sort(c: Ctx, a: Uint8Array[], readOnly: boolean): Reply {
  let desc = false, alpha = false, limitStart = 0, limitCount = -1, dontSort = false;
  let by: Uint8Array | null = null, storeKey: Uint8Array | null = null;
  const gets: Uint8Array[] = [];
  for (let j = 2; j < a.length; j++) {
    const o = upper(a[j]!);
    const left = a.length - j - 1;
    if (o === "ASC") desc = false;
    else if (o === "DESC") desc = true;
    else if (o === "ALPHA") alpha = true;
    else if (o === "LIMIT" && left >= 2) {
      limitStart = Number(argI64(a[j + 1]!));
      limitCount = Number(argI64(a[j + 2]!));
      j += 2;
    } else if (!readOnly && o === "STORE" && left >= 1) storeKey = a[++j]!;
    else if (o === "BY" && left >= 1) {
      by = a[++j]!;
      dontSort = by.indexOf(STAR) < 0;
    } else if (o === "GET" && left >= 1) gets.push(a[++j]!);
    else fail(SYNTAX);
  }
  const v = c.store.lookup(a[1]!);
  if (
    v !== null && !(v instanceof ListValue) && !(v instanceof SetValue) && !(v instanceof SortedSet)
  ) {
    fail(WRONGTYPE);
  }
  if (dontSort && v instanceof SetValue && storeKey !== null) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  let elems: Uint8Array[];
  if (v === null) elems = [];
  else if (v instanceof ListValue) elems = v.slice();
  else if (v instanceof SetValue) elems = [...v.members()];
  else elems = [...v.entries()].map(([m]) => m);
  const len = elems.length;
  let start = Math.min(Math.max(limitStart, 0), len);
  const count = Math.min(Math.max(limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  let items: Item[] = elems.map((elem) => ({ elem, score: 0, cmp: null }));
  if (dontSort) {
    // Lists and zsets keep their own order (reversed by DESC); LIMIT picks from it.
    if ((v instanceof ListValue || v instanceof SortedSet) && desc) items.reverse();
  } else {
    let bad = false;
    for (const it of items) {
      const val = by === null ? it.elem : byPattern(c.store, by, it.elem);
      if (val === null) continue;
      if (alpha) {
        if (by !== null) it.cmp = val;
      } else {
        const s = sortScore(val);
        if (s === null) bad = true;
        else it.score = s;
      }
    }
    const store = storeKey !== null;
    const cmp = (x: Item, y: Item): number => {
      let r: number;
      if (!alpha) r = x.score > y.score ? 1 : x.score < y.score ? -1 : binCmp(x.elem, y.elem);
      else if (by !== null) {
        if (x.cmp === null || y.cmp === null) r = x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
        else r = store ? binCmp(x.cmp, y.cmp) : cstrCmp(x.cmp, y.cmp);
      } else r = store ? binCmp(x.elem, y.elem) : cstrCmp(x.elem, y.elem);
      return desc ? -r : r;
    };
    items = items.slice().sort(cmp); // stable, like glibc's merge sort
    if (bad) fail("ERR One or more scores can't be converted into double");
  }
  const picked = end >= start ? items.slice(start, end + 1) : [];
  const out: Array<Uint8Array | null> = [];
  for (const it of picked) {
    if (gets.length === 0) out.push(it.elem);
    for (const g of gets) out.push(byPattern(c.store, g, it.elem));
  }
  if (storeKey === null) return out;
  if (out.length === 0) {
    c.store.delete(storeKey);
    return 0;
  }
  c.store.setValue(
    storeKey,
    new ListValue(out.map((x) => x === null ? new Uint8Array(0) : x.slice())),
  );
  return out.length;
}

/** SORT ... STORE writes its destination: log its resulting state (kevy replays RPUSH). */
const logSort: LogFn = (x) => {
  for (let i = 2; i < x.argv.length - 1; i++) {
    if (upper(x.argv[i]!) === "STORE") return x.image(x.argv[i + 1]!);
  }
  return [];
};

function sortKeys(argv: ReadonlyArray<Uint8Array>): number[] {
  const out = [1];
  for (let i = 2; i < argv.length - 1; i++) if (upper(argv[i]!) === "STORE") out.push(i + 1);
  return out;
}

/** SORT rows. */
export const SORT_COMMANDS: CommandSpec[] = [
  {
    name: "sort",
    arity: -2,
    flags: "write denyoom",
    keys: [sortKeys],
    log: logSort,
    fn: (c, a) => sort(c, a, false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: "readonly",
    keys: [{ first: 1, last: 1, step: 1 }],
    fn: (c, a) => sort(c, a, true),
  },
];
