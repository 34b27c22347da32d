/**
 * List commands.
 *
 * @module
 */

import {
  argInt,
  type Ctx,
  fail,
  getList,
  normRange,
  NOT_POSITIVE,
  own,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import type { ListValue } from "./values.ts";
import { argvIfPositive, B, type CommandSpec, KEY1, KEY12, type LogFn } from "./_command.ts";

const LPUSH = B("LPUSH"), RPUSH = B("RPUSH"), LPOP = B("LPOP"), RPOP = B("RPOP");

function push(c: Ctx, a: Uint8Array[], left: boolean, onlyExisting: boolean): Reply {
  const existing = getList(c.store, a[1]!);
  if (existing === null && onlyExisting) return 0;
  const l = existing ?? getList(c.store, a[1]!, true);
  for (let i = 2; i < a.length; i++) {
    if (left) l.pushFront(own(a[i]!));
    else l.pushBack(own(a[i]!));
  }
  return l.length;
}

function pop(c: Ctx, a: Uint8Array[], left: boolean): Reply {
  if (a.length > 3) fail(SYNTAX);
  const hasCount = a.length === 3;
  const count = hasCount ? argInt(a[2]!, NOT_POSITIVE) : 1;
  if (count < 0) fail(NOT_POSITIVE);
  const l = getList(c.store, a[1]!);
  if (l === null) return null;
  if (!hasCount) {
    const x = left ? l.popFront() : l.popBack();
    c.store.removeIfEmpty(a[1]!);
    return x ?? null;
  }
  const out: Uint8Array[] = [];
  while (out.length < count && l.length > 0) out.push((left ? l.popFront() : l.popBack())!);
  c.store.removeIfEmpty(a[1]!);
  return out;
}

function lset(c: Ctx, a: Uint8Array[]): Reply {
  const l = getList(c.store, a[1]!);
  if (l === null) fail("ERR no such key");
  let i = argInt(a[2]!);
  if (i < 0) i += l.length;
  if (i < 0 || i >= l.length) fail("ERR index out of range");
  l.set(i, own(a[3]!));
  return "OK";
}

function eq(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function linsert(c: Ctx, a: Uint8Array[]): Reply {
  const where = upper(a[2]!);
  if (where !== "BEFORE" && where !== "AFTER") fail(SYNTAX);
  const l = getList(c.store, a[1]!);
  if (l === null) return 0;
  const items = l.slice();
  const at = items.findIndex((x) => eq(x, a[3]!));
  if (at < 0) return -1;
  items.splice(where === "BEFORE" ? at : at + 1, 0, own(a[4]!));
  l.replaceAll(items);
  return l.length;
}

function lrem(c: Ctx, a: Uint8Array[]): Reply {
  const count = argInt(a[2]!);
  const l = getList(c.store, a[1]!);
  if (l === null) return 0;
  const items = l.slice();
  const el = a[3]!;
  let removed = 0;
  const limit = count === 0 ? Infinity : Math.abs(count);
  const keep = new Array<boolean>(items.length).fill(true);
  if (count >= 0) {
    for (let i = 0; i < items.length && removed < limit; i++) {
      if (eq(items[i]!, el)) {
        keep[i] = false;
        removed++;
      }
    }
  } else {
    for (let i = items.length - 1; i >= 0 && removed < limit; i--) {
      if (eq(items[i]!, el)) {
        keep[i] = false;
        removed++;
      }
    }
  }
  if (removed > 0) l.replaceAll(items.filter((_, i) => keep[i]));
  c.store.removeIfEmpty(a[1]!);
  return removed;
}

function ltrim(c: Ctx, a: Uint8Array[]): Reply {
  const start = argInt(a[2]!), stop = argInt(a[3]!);
  const l = getList(c.store, a[1]!);
  if (l === null) return "OK";
  const r = normRange(start, stop, l.length);
  if (r === null) {
    c.store.delete(a[1]!);
    return "OK";
  }
  const tail = l.length - 1 - r[1];
  for (let i = 0; i < r[0]; i++) l.popFront();
  for (let i = 0; i < tail; i++) l.popBack();
  c.store.removeIfEmpty(a[1]!);
  return "OK";
}

function move(c: Ctx, src: Uint8Array, dst: Uint8Array, fromLeft: boolean, toLeft: boolean): Reply {
  const s = getList(c.store, src);
  if (s === null) return null;
  getList(c.store, dst); // WRONGTYPE check before popping
  const x = fromLeft ? s.popFront()! : s.popBack()!;
  c.store.removeIfEmpty(src);
  const d: ListValue = getList(c.store, dst, true);
  if (toLeft) d.pushFront(x);
  else d.pushBack(x);
  return x;
}

function side(b: Uint8Array): boolean {
  const s = upper(b);
  if (s === "LEFT") return true;
  if (s === "RIGHT") return false;
  return fail(SYNTAX);
}

/** LPUSHX/RPUSHX log as LPUSH/RPUSH when they pushed (kevy's replay knows no *X forms). */
function logPushx(verb: Uint8Array): LogFn {
  return (x) => (typeof x.reply === "number" && x.reply > 0 ? [[verb, ...x.argv.slice(1)]] : []);
}

/** A pop that popped nothing logs nothing. */
const logPop: LogFn = (x) =>
  x.reply === null || (Array.isArray(x.reply) && x.reply.length === 0) ? [] : [x.argv];

/** A move logs the pop and the push of the element that moved. */
function logMove(x: Parameters<LogFn>[0], fromLeft: boolean, toLeft: boolean): ReturnType<LogFn> {
  if (!(x.reply instanceof Uint8Array)) return [];
  return [[fromLeft ? LPOP : RPOP, x.argv[1]!], [toLeft ? LPUSH : RPUSH, x.argv[2]!, x.reply]];
}

function isLeft(b: Uint8Array | undefined): boolean {
  return b !== undefined && upper(b) === "LEFT";
}

/** List command table rows. */
export const LIST_COMMANDS: CommandSpec[] = [
  {
    name: "lpush",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => push(c, a, true, false),
  },
  {
    name: "rpush",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => push(c, a, false, false),
  },
  {
    name: "lpushx",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: logPushx(LPUSH),
    fn: (c, a) => push(c, a, true, true),
  },
  {
    name: "rpushx",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: logPushx(RPUSH),
    fn: (c, a) => push(c, a, false, true),
  },
  {
    name: "lpop",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: logPop,
    fn: (c, a) => pop(c, a, true),
  },
  {
    name: "rpop",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: logPop,
    fn: (c, a) => pop(c, a, false),
  },
  { name: "lset", arity: 4, flags: "write denyoom", keys: KEY1, log: "argv", fn: lset },
  { name: "linsert", arity: 5, flags: "write denyoom", keys: KEY1, fn: linsert },
  { name: "lrem", arity: 4, flags: "write", keys: KEY1, log: argvIfPositive, fn: lrem },
  { name: "ltrim", arity: 4, flags: "write", keys: KEY1, log: "argv", fn: ltrim },
  {
    name: "lmove",
    arity: 5,
    flags: "write denyoom",
    keys: KEY12,
    log: (x) => logMove(x, isLeft(x.argv[3]), isLeft(x.argv[4])),
    fn: (c, a) => move(c, a[1]!, a[2]!, side(a[3]!), side(a[4]!)),
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: "write denyoom",
    keys: KEY12,
    log: (x) => logMove(x, false, true),
    fn: (c, a) => move(c, a[1]!, a[2]!, false, true),
  },
  {
    name: "lrange",
    arity: 4,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => {
      const start = argInt(a[2]!), stop = argInt(a[3]!);
      const l = getList(c.store, a[1]!);
      const r = l === null ? null : normRange(start, stop, l.length);
      return r === null ? [] : l!.slice(r[0], r[1] + 1);
    },
  },
  {
    name: "llen",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getList(c.store, a[1]!)?.length ?? 0,
  },
  {
    name: "lindex",
    arity: 3,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => {
      let i = argInt(a[2]!);
      const l = getList(c.store, a[1]!);
      if (l === null) return null;
      if (i < 0) i += l.length;
      return l.at(i) ?? null;
    },
  },
];
