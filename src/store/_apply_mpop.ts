/**
 * Multi-key and blocking pops: LMPOP, BLMPOP, BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, ZMPOP, BZMPOP, BZPOPMIN, BZPOPMAX. The applier never blocks:
 * a blocking command runs as Redis runs it inside MULTI or a script (when
 * nothing can be popped it answers nil at once; the timeout is still
 * validated). Redis logs them to the AOF as the LPOP/RPOP/LMOVE/ZPOPMIN/
 * ZPOPMAX they turned into; those replay through the ordinary rows.
 *
 * @module
 */

import {
  type Ctx,
  fail,
  getList,
  getZset,
  own,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import { B, type CommandSpec, type Frame, type KeySpec, type LogFn } from "./_command.ts";
import { asciiBytes, formatDouble, parseF64, parseI64 } from "./_num.ts";
import type { SortedSet } from "./zset.ts";
import type { ListValue } from "./values.ts";

const LPOP = B("LPOP"), RPOP = B("RPOP"), LPUSH = B("LPUSH"), RPUSH = B("RPUSH"), ZREM = B("ZREM");

/** A blocking command's timeout (seconds, may be fractional) in ms, validated. */
function timeout(b: Uint8Array): number {
  const v = parseF64(b);
  if (v === null) fail("ERR timeout is not a float or out of range");
  const ms = Math.ceil(v * 1000);
  // Out of range converts to the most negative int64 in Redis: "negative" too.
  if (!(ms >= 0) || ms >= 2 ** 63) fail("ERR timeout is negative");
  return ms;
}

/** The wait of a blocking row: the timeout at argv[i] (negative: from the end), 0 = forever. */
function waitAt(i: number): (argv: ReadonlyArray<Uint8Array>) => number {
  return (argv) => timeout(argv[i < 0 ? argv.length + i : i]!);
}

/** A count in 1..LONG_MAX, else `msg`. */
function positive(b: Uint8Array, msg: string): number {
  const v = parseI64(b);
  if (v === null || v < 1) fail(`ERR ${msg}`);
  return Number(v);
}

/**
 * `numkeys key... WHERE [COUNT n]` from argv index `at`: the keys, the side
 * word (checked against `sides` before the options, as Redis does), the count.
 */
function mpopArgs(
  a: Uint8Array[],
  at: number,
  sides: readonly string[],
): { keys: Uint8Array[]; where: string; count: number } {
  const n = positive(a[at]!, "numkeys should be greater than 0");
  const whereAt = at + n + 1;
  if (whereAt >= a.length) fail(SYNTAX);
  const where = upper(a[whereAt]!);
  if (!sides.includes(where)) fail(SYNTAX);
  let count = -1;
  for (let j = whereAt + 1; j < a.length; j++) {
    if (count === -1 && upper(a[j]!) === "COUNT" && j + 1 < a.length) {
      count = positive(a[++j]!, "count should be greater than 0");
    } else fail(SYNTAX);
  }
  return { keys: a.slice(at + 1, whereAt), where, count: count === -1 ? 1 : count };
}

function isLeftWord(w: string): boolean {
  if (w === "LEFT") return true;
  if (w === "RIGHT") return false;
  return fail(SYNTAX);
}

/** The first key holding a non-empty list (WRONGTYPE if a key before it is not a list). */
function firstList(c: Ctx, keys: Uint8Array[]): [Uint8Array, ListValue] | null {
  for (const k of keys) {
    const l = getList(c.store, k);
    if (l !== null && l.length > 0) return [k, l];
  }
  return null;
}

function popItems(c: Ctx, key: Uint8Array, l: ListValue, left: boolean, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (out.length < n && l.length > 0) out.push((left ? l.popFront() : l.popBack())!);
  c.store.removeIfEmpty(key);
  return out;
}

function lmpop(c: Ctx, a: Uint8Array[], blocking: boolean): Reply {
  const { keys, where, count } = mpopArgs(a, blocking ? 2 : 1, ["LEFT", "RIGHT"]);
  const left = where === "LEFT";
  if (blocking) timeout(a[1]!);
  const hit = firstList(c, keys);
  if (hit === null) return null;
  return [hit[0], popItems(c, hit[0], hit[1], left, count)];
}

function bpop(c: Ctx, a: Uint8Array[], left: boolean): Reply {
  timeout(a[a.length - 1]!);
  const hit = firstList(c, a.slice(1, -1));
  if (hit === null) return null;
  return [hit[0], popItems(c, hit[0], hit[1], left, 1)[0]!];
}

function blmove(
  c: Ctx,
  src: Uint8Array,
  dst: Uint8Array,
  fromLeft: boolean,
  toLeft: boolean,
): Reply {
  const s = getList(c.store, src);
  if (s === null) return null;
  getList(c.store, dst); // WRONGTYPE before anything moves
  const x = fromLeft ? s.popFront()! : s.popBack()!;
  c.store.removeIfEmpty(src);
  const d = getList(c.store, dst, true);
  if (toLeft) d.pushFront(own(x));
  else d.pushBack(own(x));
  return x;
}

/** The first key holding a non-empty zset (WRONGTYPE if a key before it is not one). */
function firstZset(c: Ctx, keys: Uint8Array[], skipEmpty: boolean): [Uint8Array, SortedSet] | null {
  for (const k of keys) {
    const z = getZset(c.store, k);
    if (z !== null && (!skipEmpty || z.size > 0)) return [k, z];
  }
  return null;
}

function zpopItems(c: Ctx, key: Uint8Array, z: SortedSet, max: boolean, n: number): Reply[] {
  const out = z.pop(n, max).map(([m, s]): Reply => [m, asciiBytes(formatDouble(s))]);
  c.store.removeIfEmpty(key);
  return out;
}

function zmpop(c: Ctx, a: Uint8Array[], blocking: boolean): Reply {
  const { keys, where, count } = mpopArgs(a, blocking ? 2 : 1, ["MIN", "MAX"]);
  if (blocking) timeout(a[1]!);
  const hit = firstZset(c, keys, true);
  if (hit === null) return null;
  return [hit[0], zpopItems(c, hit[0], hit[1], where === "MAX", count)];
}

function bzpop(c: Ctx, a: Uint8Array[], max: boolean): Reply {
  timeout(a[a.length - 1]!);
  const hit = firstZset(c, a.slice(1, -1), true);
  if (hit === null) return null;
  const [m, s] = zpopItems(c, hit[0], hit[1], max, 1)[0] as [Uint8Array, Uint8Array];
  return [hit[0], m, s];
}

/** `[key, items]` / `[key, item]` replies log the pop from that key (kevy knows LPOP/RPOP). */
function logListPop(left: boolean): LogFn {
  return (x) => {
    const r = x.reply;
    if (!Array.isArray(r) || !(r[0] instanceof Uint8Array)) return [];
    const n = Array.isArray(r[1]) ? r[1].length : 1;
    const f: Frame = [left ? LPOP : RPOP, r[0]];
    if (Array.isArray(r[1])) f.push(B(String(n)));
    return [f];
  };
}

const logLmpop: LogFn = (x) => {
  const i = x.argv.findIndex((b, j) => j > 1 && /^(LEFT|RIGHT)$/.test(upper(b)));
  return logListPop(i < 0 || upper(x.argv[i]!) === "LEFT")(x);
};

/** A move logs the pop and the push of the element that moved. */
function logMove(at: number, fixed?: [boolean, boolean]): LogFn {
  return (x) => {
    if (!(x.reply instanceof Uint8Array)) return [];
    const [fromLeft, toLeft] = fixed ??
      [upper(x.argv[at]!) === "LEFT", upper(x.argv[at + 1]!) === "LEFT"];
    return [[fromLeft ? LPOP : RPOP, x.argv[1]!], [toLeft ? LPUSH : RPUSH, x.argv[2]!, x.reply]];
  };
}

/** Zset pops log a ZREM of the members that went. */
const logZpop: LogFn = (x) => {
  const r = x.reply;
  if (!Array.isArray(r) || !(r[0] instanceof Uint8Array)) return [];
  const ms = Array.isArray(r[1])
    ? r[1].map((p) => (p as Reply[])[0] as Uint8Array)
    : [r[1] as Uint8Array];
  return [[ZREM, r[0], ...ms]];
};

const BLOCKING_KEYS: KeySpec = [{ first: 1, last: -2, step: 1 }];
const KEYS12: KeySpec = [{ first: 1, last: 2, step: 1 }];

/** Multi-key and blocking pop rows. */
export const MPOP_COMMANDS: CommandSpec[] = [
  {
    name: "lmpop",
    arity: -4,
    flags: "write",
    keys: [{ numkeys: 1 }],
    log: logLmpop,
    fn: (c, a) => lmpop(c, a, false),
  },
  {
    name: "blmpop",
    arity: -5,
    flags: "write blocking",
    keys: [{ numkeys: 2 }],
    log: logLmpop,
    blockTimeout: waitAt(1),
    fn: (c, a) => lmpop(c, a, true),
  },
  {
    name: "blpop",
    arity: -3,
    flags: "write blocking",
    keys: BLOCKING_KEYS,
    log: logListPop(true),
    blockTimeout: waitAt(-1),
    fn: (c, a) => bpop(c, a, true),
  },
  {
    name: "brpop",
    arity: -3,
    flags: "write blocking",
    keys: BLOCKING_KEYS,
    log: logListPop(false),
    blockTimeout: waitAt(-1),
    fn: (c, a) => bpop(c, a, false),
  },
  {
    name: "blmove",
    arity: 6,
    flags: "write denyoom blocking",
    keys: KEYS12,
    log: logMove(3),
    blockTimeout: waitAt(5),
    fn: (c, a) => {
      const from = isLeftWord(upper(a[3]!)), to = isLeftWord(upper(a[4]!));
      timeout(a[5]!);
      return blmove(c, a[1]!, a[2]!, from, to);
    },
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: "write denyoom blocking",
    keys: KEYS12,
    log: logMove(0, [false, true]),
    blockTimeout: waitAt(3),
    fn: (c, a) => {
      timeout(a[3]!);
      return blmove(c, a[1]!, a[2]!, false, true);
    },
  },
  {
    name: "zmpop",
    arity: -4,
    flags: "write",
    keys: [{ numkeys: 1 }],
    log: logZpop,
    fn: (c, a) => zmpop(c, a, false),
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: "write blocking",
    keys: [{ numkeys: 2 }],
    log: logZpop,
    blockTimeout: waitAt(1),
    fn: (c, a) => zmpop(c, a, true),
  },
  {
    name: "bzpopmin",
    arity: -3,
    flags: "write blocking fast",
    keys: BLOCKING_KEYS,
    log: logZpop,
    blockTimeout: waitAt(-1),
    fn: (c, a) => bzpop(c, a, false),
  },
  {
    name: "bzpopmax",
    arity: -3,
    flags: "write blocking fast",
    keys: BLOCKING_KEYS,
    log: logZpop,
    blockTimeout: waitAt(-1),
    fn: (c, a) => bzpop(c, a, true),
  },
];
