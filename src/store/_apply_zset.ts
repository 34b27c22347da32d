/**
 * Sorted-set commands.
 *
 * @module
 */

import {
  argF64,
  argInt,
  type Ctx,
  fail,
  getZset,
  normRange,
  NOT_POSITIVE,
  own,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import type { Store } from "./store.ts";
import { isLoading } from "./_expiry.ts";
import { asciiBytes, formatDouble, formatScore } from "./_num.ts";
import {
  argvIfPositive,
  B,
  type CommandSpec,
  type Frame,
  KEY1,
  type LogFn,
  poppedMembers,
} from "./_command.ts";
import { type LexBound, type ScoreBound, SortedSet } from "./zset.ts";
import { scoreItem } from "./_apply_zrange.ts";

const NAN_SCORE = "ERR resulting score is not a number (NaN)";

/** A score as a bulk reply. */
function sc(x: number): Uint8Array {
  return asciiBytes(formatDouble(x));
}

function flat(items: Array<[Uint8Array, number]>, withScores: boolean): Reply[] {
  const out: Reply[] = [];
  for (const [m, s] of items) {
    out.push(m);
    if (withScores) out.push(sc(s));
  }
  return out;
}

/**
 * A ZADD score read from a file: kevy 1.17's replay accepts `nan` (its
 * snapshots and rewrites can hold a NaN score); live commands refuse it as
 * Redis does.
 */
function loadedScore(b: Uint8Array): number {
  if (b.length === 3 && upper(b) === "NAN") return NaN;
  return argF64(b);
}

/** ZADD's handler (GEOADD turns into it, as in Redis). */
export function zadd(c: Ctx, a: Uint8Array[]): Reply {
  let nx = false, xx = false, ch = false, incr = false, gt = false, lt = false;
  let i = 2;
  for (; i < a.length; i++) {
    const o = upper(a[i]!);
    if (o === "NX") nx = true;
    else if (o === "XX") xx = true;
    else if (o === "CH") ch = true;
    else if (o === "INCR") incr = true;
    else if (o === "GT") gt = true;
    else if (o === "LT") lt = true;
    else break;
  }
  const rest = a.length - i;
  if (rest === 0 || rest % 2 !== 0) fail(SYNTAX);
  if (nx && xx) fail("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && rest > 2) fail("ERR INCR option supports a single increment-element pair");
  const scores: number[] = [];
  const loading = isLoading();
  for (let j = i; j < a.length; j += 2) scores.push(loading ? loadedScore(a[j]!) : argF64(a[j]!));
  let z = getZset(c.store, a[1]!);
  if (z === null) {
    if (xx) return incr ? null : 0;
    z = getZset(c.store, a[1]!, true);
  }
  let added = 0, changed = 0;
  let last: number | null = null;
  for (let j = 0; j < scores.length; j++) {
    const m = a[i + 2 * j + 1]!;
    let s = scores[j]!;
    const cur = z.score(m);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        s = cur + s;
        if (s !== s) fail(NAN_SCORE);
      }
      if ((lt && s >= cur) || (gt && s <= cur)) continue;
      last = s;
      if (s !== cur) {
        z.add(m, s);
        changed++;
      } else if (!Object.is(s, cur)) z.add(m, s); // -0 -> 0: same score, new sign (as kevy)
    } else {
      if (xx) continue;
      z.add(own(m), s);
      added++;
      last = s;
    }
  }
  c.store.removeIfEmpty(a[1]!);
  if (incr) return last === null ? null : sc(last);
  return ch ? added + changed : added;
}

function zincrby(c: Ctx, a: Uint8Array[]): Reply {
  const by = argF64(a[2]!);
  const z = getZset(c.store, a[1]!, true);
  const cur = z.score(a[3]!);
  const s = cur === undefined ? by : cur + by;
  if (s !== s) {
    c.store.removeIfEmpty(a[1]!);
    fail(NAN_SCORE);
  }
  z.add(own(a[3]!), s);
  return sc(s);
}

function zrem(c: Ctx, a: Uint8Array[]): Reply {
  const z = getZset(c.store, a[1]!);
  if (z === null) return 0;
  let n = 0;
  for (let i = 2; i < a.length; i++) if (z.delete(a[i]!)) n++;
  c.store.removeIfEmpty(a[1]!);
  return n;
}

/** Parses `1.5`, `(1.5`, `-inf`, `+inf` (C strtod, like Redis). */
function scoreBound(b: Uint8Array): ScoreBound {
  const r = scoreItem(b);
  if (r === null) fail("ERR min or max is not a float");
  return r;
}

/** Parses `-`, `+`, `[m`, `(m`. */
function lexBound(b: Uint8Array): LexBound {
  if (b.length === 1 && b[0] === 0x2d) return "-";
  if (b.length === 1 && b[0] === 0x2b) return "+";
  if (b[0] === 0x28 || b[0] === 0x5b) return { member: b.subarray(1), ex: b[0] === 0x28 };
  return fail("ERR min or max not valid string range item");
}

function removeAll(
  c: Ctx,
  key: Uint8Array,
  z: SortedSet,
  items: Array<[Uint8Array, number]>,
): number {
  for (const [m] of items) z.delete(m);
  c.store.removeIfEmpty(key);
  return items.length;
}

function zremrange(c: Ctx, a: Uint8Array[], by: "score" | "rank" | "lex"): Reply {
  let pick: (z: SortedSet) => Array<[Uint8Array, number]>;
  if (by === "score") {
    const min = scoreBound(a[2]!), max = scoreBound(a[3]!);
    pick = (z) => z.rangeByScore(min, max);
  } else if (by === "lex") {
    const min = lexBound(a[2]!), max = lexBound(a[3]!);
    pick = (z) => z.rangeByLex(min, max);
  } else {
    const start = argInt(a[2]!), stop = argInt(a[3]!);
    pick = (z) => {
      const r = normRange(start, stop, z.size);
      return r === null ? [] : z.rangeByRank(r[0], r[1]);
    };
  }
  const z = getZset(c.store, a[1]!);
  return z === null ? 0 : removeAll(c, a[1]!, z, pick(z));
}

function zpop(c: Ctx, a: Uint8Array[], max: boolean): Reply {
  if (a.length > 3) fail(SYNTAX);
  const count = a.length === 3 ? argInt(a[2]!, NOT_POSITIVE) : 1;
  if (count < 0) fail(NOT_POSITIVE);
  const z = getZset(c.store, a[1]!);
  if (z === null) return [];
  const out = z.pop(count, max);
  c.store.removeIfEmpty(a[1]!);
  return flat(out, true);
}

const ZADD = B("ZADD"), ZREM = B("ZREM");
const ZADD_FLAGS = new Set(["NX", "XX", "GT", "LT", "CH", "INCR"]);

/** Index of the first score of a ZADD (after its flags). */
function zaddPairsStart(argv: ReadonlyArray<Uint8Array>): number {
  let i = 2;
  while (i < argv.length && ZADD_FLAGS.has(upper(argv[i]!))) i++;
  return i;
}

function memberKey(m: Uint8Array): string {
  let s = "";
  for (let i = 0; i < m.length; i++) s += String.fromCharCode(m[i]!);
  return s;
}

function zsetAt(store: Store, key: Uint8Array): SortedSet | null {
  const v = store.lookup(key);
  return v instanceof SortedSet ? v : null;
}

/** Scores of the members a ZADD names, before it runs (what its log compares with). */
function zaddPre(argv: ReadonlyArray<Uint8Array>, store: Store): Map<string, number | undefined> {
  const z = zsetAt(store, argv[1]!);
  const m = new Map<string, number | undefined>();
  for (let i = zaddPairsStart(argv) + 1; i < argv.length; i += 2) {
    m.set(memberKey(argv[i]!), z?.score(argv[i]!));
  }
  return m;
}

/** ZADD with NX/XX/GT/LT/INCR/CH logs a plain ZADD of the scores that changed. */
const logZadd: LogFn = (x) => {
  const { argv } = x;
  const k = argv[1]!;
  const z = zsetAt(x.store, k);
  if (z === null) return [];
  const pre = x.pre as Map<string, number | undefined> | undefined;
  const picked: Array<[Uint8Array, Uint8Array]> = [];
  const done = new Set<string>();
  const start = zaddPairsStart(argv);
  // Last occurrence wins in Redis; walk backwards so each member is logged once.
  for (let i = argv.length - 1; i > start; i -= 2) {
    const m = argv[i]!;
    const mk = memberKey(m);
    if (done.has(mk)) continue;
    done.add(mk);
    const now = z.score(m);
    if (now === undefined) continue;
    if (pre !== undefined && pre.has(mk) && Object.is(pre.get(mk), now)) continue;
    picked.push([B(formatScore(now)), m]);
  }
  if (picked.length === 0) return [];
  const out: Frame = [ZADD, k];
  for (let j = picked.length - 1; j >= 0; j--) out.push(...picked[j]!);
  return [out];
};

/** Pops log a ZREM of the members that went. */
const logZpop: LogFn = (x) => {
  const ms = poppedMembers(x.reply, true);
  return ms.length > 0 ? [[ZREM, x.argv[1]!, ...ms]] : [];
};

/** Sorted-set command table rows. */
export const ZSET_COMMANDS: CommandSpec[] = [
  {
    name: "zadd",
    arity: -4,
    flags: "write denyoom fast",
    keys: KEY1,
    pre: zaddPre,
    log: logZadd,
    fn: zadd,
  },
  {
    name: "zincrby",
    arity: 4,
    flags: "write denyoom fast",
    keys: KEY1,
    log: (x) => {
      const s = zsetAt(x.store, x.argv[1]!)?.score(x.argv[3]!);
      return s === undefined ? [] : [[ZADD, x.argv[1]!, B(formatScore(s)), x.argv[3]!]];
    },
    fn: zincrby,
  },
  { name: "zrem", arity: -3, flags: "write fast", keys: KEY1, log: argvIfPositive, fn: zrem },
  {
    name: "zremrangebyscore",
    arity: 4,
    flags: "write",
    keys: KEY1,
    fn: (c, a) => zremrange(c, a, "score"),
  },
  {
    name: "zremrangebyrank",
    arity: 4,
    flags: "write",
    keys: KEY1,
    fn: (c, a) => zremrange(c, a, "rank"),
  },
  {
    name: "zremrangebylex",
    arity: 4,
    flags: "write",
    keys: KEY1,
    fn: (c, a) => zremrange(c, a, "lex"),
  },
  {
    name: "zpopmin",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: logZpop,
    fn: (c, a) => zpop(c, a, false),
  },
  {
    name: "zpopmax",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: logZpop,
    fn: (c, a) => zpop(c, a, true),
  },
  {
    name: "zscore",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      const s = getZset(c.store, a[1]!)?.score(a[2]!);
      return s === undefined ? null : sc(s);
    },
  },
  {
    name: "zcard",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getZset(c.store, a[1]!)?.size ?? 0,
  },
  {
    name: "zrank",
    arity: -3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      if (a.length > 4 || (a.length === 4 && upper(a[3]!) !== "WITHSCORE")) fail(SYNTAX);
      const z = getZset(c.store, a[1]!);
      const r = z?.rank(a[2]!) ?? null;
      if (r === null) return null;
      return a.length === 4 ? [r, sc(z!.score(a[2]!)!)] : r;
    },
  },
];
