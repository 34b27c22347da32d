/**
 * The ZRANGE family on one parser, as Redis 7 does it: ZRANGE (BYSCORE,
 * BYLEX, REV, LIMIT, WITHSCORES), ZREVRANGE, ZRANGEBYSCORE,
 * ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX and ZRANGESTORE, plus
 * ZCOUNT and ZLEXCOUNT.
 *
 * @module
 */

import { argI64, type Ctx, fail, getZset, type Reply, SYNTAX, upper } from "./_apply_common.ts";
import { type CommandSpec, KEY1, type KeySpec, type LogFn } from "./_command.ts";
import { asciiBytes, formatDouble, parseF64 } from "./_num.ts";
import { type LexBound, type ScoreBound, SortedSet } from "./zset.ts";

type By = "auto" | "rank" | "score" | "lex";
type Dir = "auto" | "fwd" | "rev";

/**
 * `1.5`, `(1.5`, `-inf`, `+inf`: Redis's score range item, read with C
 * `strtod` as Redis does (so `""` is 0, `1e999` is inf; NaN is refused).
 */
export function scoreItem(b: Uint8Array): ScoreBound | null {
  const ex = b[0] === 0x28;
  const v = strtod(ex ? b.subarray(1) : b);
  return v === null ? null : { value: v, ex };
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** C `strtod` of the whole argument (no trailing bytes), without its range errors; NaN refused. */
function strtod(b: Uint8Array): number | null {
  if (b.length === 0) return 0; // no digits: 0, and nothing is left over
  let i = 0;
  while (i < b.length && SPACE.has(b[i]!)) i++;
  if (i === b.length) return null;
  const v = parseF64(b.subarray(i));
  if (v !== null) return v;
  // parseF64 refuses ERANGE results that strtod returns anyway: overflow and underflow.
  const s = new TextDecoder().decode(b.subarray(i));
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return null;
  const x = Number(s);
  return Number.isNaN(x) ? null : x;
}

/** `-`, `+`, `[m`, `(m`: Redis's lex range item. */
export function lexItem(b: Uint8Array): LexBound | null {
  if (b.length === 1 && b[0] === 0x2d) return "-";
  if (b.length === 1 && b[0] === 0x2b) return "+";
  if (b[0] === 0x28 || b[0] === 0x5b) return { member: b.subarray(1), ex: b[0] === 0x28 };
  return null;
}

function longArg(b: Uint8Array): number {
  return Number(argI64(b));
}

/** The members a range selects, with scores, in reply order. */
function select(
  c: Ctx,
  a: Uint8Array[],
  at: number,
  store: boolean,
  by0: By,
  dir0: Dir,
): { items: Array<[Uint8Array, number]> | null; withScores: boolean } {
  let by = by0, dir = dir0;
  let withScores = false, offset = 0, limit = -1;
  for (let j = at + 3; j < a.length; j++) {
    const o = upper(a[j]!);
    const left = a.length - j - 1;
    if (!store && o === "WITHSCORES") withScores = true;
    else if (o === "LIMIT" && left >= 2) {
      offset = longArg(a[j + 1]!);
      limit = longArg(a[j + 2]!);
      j += 2;
    } else if (dir === "auto" && o === "REV") dir = "rev";
    else if (by === "auto" && o === "BYLEX") by = "lex";
    else if (by === "auto" && o === "BYSCORE") by = "score";
    else fail(SYNTAX);
  }
  if (dir === "auto") dir = "fwd";
  if (by === "auto") by = "rank";
  if (limit !== -1 && by === "rank") {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && by === "lex") {
    fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const rev = dir === "rev";
  const swap = rev && by !== "rank";
  const minB = a[at + (swap ? 2 : 1)]!, maxB = a[at + (swap ? 1 : 2)]!;
  const key = a[at]!;
  if (by === "rank") {
    const start = longArg(minB), end = longArg(maxB);
    const z = getZset(c.store, key);
    if (z === null) return { items: null, withScores };
    return { items: byRank(z, start, end, rev), withScores };
  }
  if (by === "score") {
    const min = scoreItem(minB), max = scoreItem(maxB);
    if (min === null || max === null) fail("ERR min or max is not a float");
    const z = getZset(c.store, key);
    if (z === null) return { items: null, withScores };
    if (offset < 0 || (offset > 0 && offset >= z.size)) return { items: [], withScores };
    return { items: z.rangeByScore(min, max, rev, offset, limit < 0 ? -1 : limit), withScores };
  }
  const min = lexItem(minB), max = lexItem(maxB);
  if (min === null || max === null) fail("ERR min or max not valid string range item");
  const z = getZset(c.store, key);
  if (z === null) return { items: null, withScores };
  if (offset < 0 || (offset > 0 && offset >= z.size)) return { items: [], withScores };
  let items = z.rangeByLex(min, max);
  if (rev) items.reverse();
  items = items.slice(offset, limit < 0 ? undefined : offset + limit);
  return { items, withScores };
}

function byRank(
  z: SortedSet,
  start: number,
  end: number,
  rev: boolean,
): Array<[Uint8Array, number]> {
  const len = z.size;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [];
  if (end >= len) end = len - 1;
  return z.rangeByRank(start, end, rev);
}

function flat(items: Array<[Uint8Array, number]>, withScores: boolean): Reply[] {
  const out: Reply[] = [];
  for (const [m, s] of items) {
    out.push(m);
    if (withScores) out.push(asciiBytes(formatDouble(s)));
  }
  return out;
}

function range(c: Ctx, a: Uint8Array[], by: By, dir: Dir): Reply {
  const r = select(c, a, 1, false, by, dir);
  return r.items === null ? [] : flat(r.items, r.withScores);
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]. */
function rangestore(c: Ctx, a: Uint8Array[]): Reply {
  const { items } = select(c, a, 2, true, "auto", "auto");
  return storeZset(c, a[1]!, items ?? []);
}

/** Stores `items` as a new zset at `dst` (replacing any value and its TTL), or deletes `dst`. */
export function storeZset(c: Ctx, dst: Uint8Array, items: Iterable<[Uint8Array, number]>): number {
  const z = new SortedSet();
  for (const [m, s] of items) z.add(m.slice(), s);
  if (z.size === 0) {
    c.store.delete(dst);
    return 0;
  }
  c.store.setValue(dst, z);
  return z.size;
}

function zcount(c: Ctx, a: Uint8Array[]): Reply {
  const min = scoreItem(a[2]!), max = scoreItem(a[3]!);
  if (min === null || max === null) fail("ERR min or max is not a float");
  const z = getZset(c.store, a[1]!);
  return z === null ? 0 : z.rangeByScore(min, max).length;
}

function zlexcount(c: Ctx, a: Uint8Array[]): Reply {
  const min = lexItem(a[2]!), max = lexItem(a[3]!);
  if (min === null || max === null) fail("ERR min or max not valid string range item");
  const z = getZset(c.store, a[1]!);
  return z === null ? 0 : z.rangeByLex(min, max).length;
}

const read = (name: string, by: By, dir: Dir): CommandSpec => ({
  name,
  arity: -4,
  flags: "readonly",
  keys: KEY1,
  fn: (c, a) => range(c, a, by, dir),
});

const KEYS12: KeySpec = [{ first: 1, last: 2, step: 1 }];
/** A store command logs its destination's resulting state. */
export const logDest1: LogFn = (x) => x.image(x.argv[1]!);

/** ZRANGE-family rows. */
export const ZRANGE_COMMANDS: CommandSpec[] = [
  read("zrange", "auto", "auto"),
  read("zrevrange", "rank", "rev"),
  read("zrangebyscore", "score", "fwd"),
  read("zrevrangebyscore", "score", "rev"),
  read("zrangebylex", "lex", "fwd"),
  read("zrevrangebylex", "lex", "rev"),
  {
    name: "zrangestore",
    arity: -5,
    flags: "write denyoom",
    keys: KEYS12,
    log: logDest1,
    fn: rangestore,
  },
  { name: "zcount", arity: 4, flags: "readonly fast", keys: KEY1, fn: zcount },
  { name: "zlexcount", arity: 4, flags: "readonly fast", keys: KEY1, fn: zlexcount },
];
