/**
 * Sorted-set algebra: ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE (and the reading
 * ZUNION, ZINTER, ZDIFF, ZINTERCARD), with WEIGHTS and AGGREGATE SUM|MIN|MAX.
 * Sets count as zsets of score 1. Scores are combined in Redis's order
 * (inputs sorted by size, smallest first, ties in argument order), so sums
 * round exactly as Redis's do; an undefined sum (inf + -inf) is 0.
 *
 * @module
 */

import {
  argF64,
  type Ctx,
  fail,
  getZset,
  type Reply,
  SYNTAX,
  upper,
  WRONGTYPE,
} from "./_apply_common.ts";
import type { CommandSpec, KeySpec } from "./_command.ts";
import { asciiBytes, formatDouble, parseI64 } from "./_num.ts";
import { fromKey } from "./_keys.ts";
import { SetValue } from "./values.ts";
import { SortedSet } from "./zset.ts";
import { logDest1, storeZset } from "./_apply_zrange.ts";

type Op = "union" | "inter" | "diff";
type Agg = "SUM" | "MIN" | "MAX";

/** One input: its members (binary strings) and scores, and its weight. */
interface Source {
  members: Map<string, number> | null;
  weight: number;
}

function sourceOf(c: Ctx, key: Uint8Array): Map<string, number> | null {
  const v = c.store.lookup(key);
  if (v === null) return null;
  if (v instanceof SortedSet) return new Map(v.rawEntries());
  if (v instanceof SetValue) return new Map([...v.rawMembers()].map((m) => [m, 1]));
  return fail(WRONGTYPE);
}

function aggregate(target: number, v: number, agg: Agg): number {
  if (agg === "SUM") {
    const r = target + v;
    return r !== r ? 0 : r;
  }
  if (agg === "MIN") return v < target ? v : target;
  return v > target ? v : target;
}

interface Parsed {
  sources: Source[];
  agg: Agg;
  withScores: boolean;
  limit: number;
}

/** `numkeys key... [WEIGHTS w...] [AGGREGATE x] [WITHSCORES] [LIMIT n]` from argv index `at`. */
function parse(
  c: Ctx,
  a: Uint8Array[],
  at: number,
  op: Op,
  name: string,
  mode: "store" | "read" | "card",
): Parsed {
  const n = parseI64(a[at]!);
  if (n === null) fail("ERR value is not an integer or out of range");
  if (n < 1) fail(`ERR at least 1 input key is needed for '${name}' command`);
  if (n > a.length - (at + 1)) fail(SYNTAX);
  const count = Number(n);
  const sources: Source[] = [];
  let j = at + 1;
  for (let i = 0; i < count; i++, j++) sources.push({ members: sourceOf(c, a[j]!), weight: 1 });
  let agg: Agg = "SUM", withScores = false, limit = 0;
  while (j < a.length) {
    const o = upper(a[j]!);
    const left = a.length - j;
    if (op !== "diff" && mode !== "card" && left >= count + 1 && o === "WEIGHTS") {
      j++;
      for (let i = 0; i < count; i++, j++) {
        sources[i]!.weight = argF64(a[j]!, "ERR weight value is not a float");
      }
    } else if (op !== "diff" && mode !== "card" && left >= 2 && o === "AGGREGATE") {
      const x = upper(a[j + 1]!);
      if (x !== "SUM" && x !== "MIN" && x !== "MAX") fail(SYNTAX);
      agg = x;
      j += 2;
    } else if (mode === "read" && o === "WITHSCORES") {
      withScores = true;
      j++;
    } else if (mode === "card" && left >= 2 && o === "LIMIT") {
      const v = parseI64(a[j + 1]!);
      if (v === null) fail("ERR value is not an integer or out of range");
      if (v < 0) fail("ERR LIMIT can't be negative");
      limit = Number(v);
      j += 2;
    } else fail(SYNTAX);
  }
  return { sources, agg, withScores, limit };
}

const sizeOf = (s: Source): number => s.members?.size ?? 0;

/** The resulting members and scores (unordered). */
function compute(
  p: Parsed,
  op: Op,
  cardOnly: boolean,
): { result: Map<string, number>; card: number } {
  const result = new Map<string, number>();
  const srcs = op === "diff" ? p.sources : [...p.sources].sort((x, y) => sizeOf(x) - sizeOf(y));
  let card = 0;
  if (op === "inter") {
    const first = srcs[0]!;
    if (sizeOf(first) === 0) return { result, card };
    for (const [m, s0] of first.members!) {
      let score = first.weight * s0;
      if (score !== score) score = 0;
      let all = true;
      for (let j = 1; j < srcs.length; j++) {
        const v = srcs[j]!.members!.get(m);
        if (v === undefined) {
          all = false;
          break;
        }
        score = aggregate(score, v * srcs[j]!.weight, p.agg);
      }
      if (!all) continue;
      if (cardOnly) {
        card++;
        if (p.limit > 0 && card >= p.limit) break;
      } else result.set(m, score);
    }
  } else if (op === "union") {
    for (const src of srcs) {
      if (src.members === null) continue;
      for (const [m, s] of src.members) {
        let score = src.weight * s;
        if (score !== score) score = 0;
        const cur = result.get(m);
        result.set(m, cur === undefined ? score : aggregate(cur, score, p.agg));
      }
    }
  } else {
    const [first, ...rest] = srcs;
    for (const [m, s] of first!.members ?? []) {
      if (!rest.some((r) => r.members?.has(m))) result.set(m, s);
    }
  }
  return { result, card };
}

/** Redis's reply order: by score (-0 equal to 0, as C compares doubles), then member bytes. */
function sorted(result: Map<string, number>): Array<[Uint8Array, number]> {
  const all = [...result];
  all.sort((x, y) => x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
  return all.map(([m, s]) => [fromKey(m), s]);
}

function storeOp(c: Ctx, a: Uint8Array[], op: Op, name: string): Reply {
  const p = parse(c, a, 2, op, name, "store");
  const { result } = compute(p, op, false);
  return storeZset(c, a[1]!, [...result].map(([m, s]) => [fromKey(m), s]));
}

function readOp(c: Ctx, a: Uint8Array[], op: Op, name: string): Reply {
  const p = parse(c, a, 1, op, name, "read");
  const out: Reply[] = [];
  for (const [m, s] of sorted(compute(p, op, false).result)) {
    out.push(m);
    if (p.withScores) out.push(asciiBytes(formatDouble(s)));
  }
  return out;
}

function zintercard(c: Ctx, a: Uint8Array[]): Reply {
  const p = parse(c, a, 1, "inter", "zintercard", "card");
  return compute(p, "inter", true).card;
}

/** ZMSCORE key member...: each member's score or nil. */
function zmscore(c: Ctx, a: Uint8Array[]): Reply {
  const z = getZset(c.store, a[1]!);
  return a.slice(2).map((m) => {
    const s = z?.score(m);
    return s === undefined ? null : asciiBytes(formatDouble(s));
  });
}

const STORE_KEYS: KeySpec = [{ first: 1, last: 1, step: 1 }, { numkeys: 2 }];
const READ_KEYS: KeySpec = [{ numkeys: 1 }];

/** Zset algebra rows. */
export const ZSTORE_COMMANDS: CommandSpec[] = [
  ...(["union", "inter", "diff"] as const).flatMap((op): CommandSpec[] => [
    {
      name: `z${op}store`,
      arity: -4,
      flags: "write denyoom",
      keys: STORE_KEYS,
      log: logDest1,
      fn: (c, a) => storeOp(c, a, op, `z${op}store`),
    },
    {
      name: `z${op}`,
      arity: -3,
      flags: "readonly",
      keys: READ_KEYS,
      fn: (c, a) => readOp(c, a, op, `z${op}`),
    },
  ]),
  { name: "zintercard", arity: -3, flags: "readonly", keys: READ_KEYS, fn: zintercard },
  {
    name: "zmscore",
    arity: -3,
    flags: "readonly fast",
    keys: [{ first: 1, last: 1, step: 1 }],
    fn: zmscore,
  },
  {
    // Like store-core's ZRANK: Redis 7.0's form, plus 7.2's WITHSCORE.
    name: "zrevrank",
    arity: -3,
    flags: "readonly fast",
    keys: [{ first: 1, last: 1, step: 1 }],
    fn: (c, a) => {
      if (a.length > 4 || (a.length === 4 && upper(a[3]!) !== "WITHSCORE")) fail(SYNTAX);
      const z = getZset(c.store, a[1]!);
      const r = z?.rank(a[2]!, true) ?? null;
      if (r === null) return null;
      return a.length === 4 ? [r, asciiBytes(formatDouble(z!.score(a[2]!)!))] : r;
    },
  },
];
