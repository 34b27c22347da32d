/**
 * Keyspace commands: DEL, EXISTS, TTLs, RENAME, COPY, TYPE, FLUSH*, PING.
 *
 * @module
 */

import { valueType } from "./store.ts";
import { HashValue, ListValue, SetValue } from "./values.ts";
import { SortedSet } from "./zset.ts";
import { cloneStream } from "./_stream_neutral.ts";
import {
  argI64,
  argInt,
  type Ctx,
  fail,
  NOT_INT,
  type Reply,
  SYNTAX,
  text,
  upper,
} from "./_apply_common.ts";
import { I64_MAX } from "./_num.ts";
import {
  ALL_KEYS,
  asInt,
  B,
  type CommandSpec,
  deadlineIfOne,
  KEY1,
  KEY12,
  type LogFn,
  NO_KEYS,
} from "./_command.ts";

const DEL = B("DEL"), PERSIST = B("PERSIST"), FLUSHALL = B("FLUSHALL");

/** DEL/UNLINK log a DEL of the keys when something was removed. */
const logDel: LogFn = (x) => asInt(x.reply) > 0 ? [[DEL, ...x.argv.slice(1)]] : [];

/** A shard is one database: FLUSHDB and FLUSHALL both log FLUSHALL. */
const logFlush: LogFn = () => [[FLUSHALL]];

function del(c: Ctx, a: Uint8Array[]): Reply {
  let n = 0;
  for (let i = 1; i < a.length; i++) if (c.store.delete(a[i]!)) n++;
  return n;
}

function expire(c: Ctx, a: Uint8Array[], ms: boolean, abs: boolean): Reply {
  const { store } = c;
  const cmd = text(a[0]!).toLowerCase();
  const v = BigInt(argI64(a[2]!));
  let nx = false, xx = false, gt = false, lt = false;
  for (let i = 3; i < a.length; i++) {
    const o = upper(a[i]!);
    if (o === "NX") nx = true;
    else if (o === "XX") xx = true;
    else if (o === "GT") gt = true;
    else if (o === "LT") lt = true;
    else fail(`ERR Unsupported option ${text(a[i]!)}`);
  }
  if (nx && (xx || gt || lt)) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) fail("ERR GT and LT options at the same time are not compatible");
  const bad = `ERR invalid expire time in '${cmd}' command`;
  let when = ms ? v : v * 1000n;
  if (when > I64_MAX || when < -I64_MAX) fail(bad);
  if (!abs) when += BigInt(store.now());
  if (when > I64_MAX || when < -I64_MAX) fail(bad);
  const key = a[1]!;
  if (!store.has(key)) return 0;
  const cur = store.deadline(key); // null = infinite
  const w = Number(when);
  if (nx && cur !== null) return 0;
  if (xx && cur === null) return 0;
  if (gt && (cur === null || w <= cur)) return 0;
  if (lt && cur !== null && w >= cur) return 0;
  store.setDeadline(key, w); // <= now deletes
  return 1;
}

function ttl(c: Ctx, a: Uint8Array[], ms: boolean): Reply {
  if (!c.store.has(a[1]!)) return -2;
  const d = c.store.deadline(a[1]!);
  if (d === null) return -1;
  const left = Math.max(0, d - c.store.now());
  return ms ? left : Math.floor((left + 500) / 1000);
}

function rename(c: Ctx, a: Uint8Array[], nx: boolean): Reply {
  const { store } = c;
  const src = a[1]!, dst = a[2]!;
  const v = store.lookup(src);
  if (v === null) fail("ERR no such key");
  const d = store.deadline(src);
  if (sameBytes(src, dst)) return nx ? 0 : "OK";
  if (nx && store.has(dst)) return 0;
  store.delete(src);
  store.setValue(dst, v);
  if (d !== null) store.setDeadline(dst, d);
  return nx ? 1 : "OK";
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function copy(c: Ctx, a: Uint8Array[]): Reply {
  let target = c.store;
  let replace = false;
  let otherDb = false;
  for (let i = 3; i < a.length; i++) {
    const o = upper(a[i]!);
    if (o === "REPLACE") replace = true;
    else if (o === "DB" && i + 1 < a.length) {
      const n = argInt(a[++i]!);
      const s = c.select(n);
      if (s === null) fail("ERR DB index is out of range");
      target = s;
      otherDb = n !== c.db;
    } else fail(SYNTAX);
  }
  if (!otherDb && sameBytes(a[1]!, a[2]!)) fail("ERR source and destination objects are the same");
  const v = c.store.lookup(a[1]!);
  if (v === null) return 0;
  if (target.has(a[2]!)) {
    if (!replace) return 0;
    target.delete(a[2]!);
  }
  const d = c.store.deadline(a[1]!);
  const cp = v instanceof Uint8Array
    ? v
    : v instanceof HashValue || v instanceof ListValue || v instanceof SetValue ||
        v instanceof SortedSet
    ? v.clone()
    : cloneStream(v);
  target.setValue(a[2]!, cp);
  if (d !== null) target.setDeadline(a[2]!, d);
  return 1;
}

function flush(a: Uint8Array[], run: () => void): Reply {
  if (a.length > 2) fail(SYNTAX);
  if (a.length === 2) {
    const o = upper(a[1]!);
    if (o !== "ASYNC" && o !== "SYNC") fail(SYNTAX);
  }
  run();
  return "OK";
}

/** Keyspace command table rows. */
export const KEY_COMMANDS: CommandSpec[] = [
  { name: "del", arity: -2, flags: "write", keys: ALL_KEYS, split: "sum", log: logDel, fn: del },
  {
    name: "unlink",
    arity: -2,
    flags: "write fast",
    keys: ALL_KEYS,
    split: "sum",
    log: logDel,
    fn: del,
  },
  {
    name: "exists",
    arity: -2,
    flags: "readonly fast",
    keys: ALL_KEYS,
    split: "sum",
    fn: (c, a) => a.slice(1).reduce((n, k) => n + (c.store.has(k) ? 1 : 0), 0),
  },
  {
    name: "expire",
    arity: -3,
    flags: "write fast",
    keys: KEY1,
    log: deadlineIfOne,
    fn: (c, a) => expire(c, a, false, false),
  },
  {
    name: "pexpire",
    arity: -3,
    flags: "write fast",
    keys: KEY1,
    log: deadlineIfOne,
    fn: (c, a) => expire(c, a, true, false),
  },
  {
    name: "expireat",
    arity: -3,
    flags: "write fast",
    keys: KEY1,
    log: deadlineIfOne,
    fn: (c, a) => expire(c, a, false, true),
  },
  {
    name: "pexpireat",
    arity: -3,
    flags: "write fast",
    keys: KEY1,
    log: deadlineIfOne,
    fn: (c, a) => expire(c, a, true, true),
  },
  {
    name: "persist",
    arity: 2,
    flags: "write fast",
    keys: KEY1,
    log: (x) => asInt(x.reply) === 1 ? [[PERSIST, x.argv[1]!]] : [],
    fn: (c, a) => c.store.deadline(a[1]!) === null ? 0 : (c.store.setDeadline(a[1]!, null), 1),
  },
  { name: "ttl", arity: 2, flags: "readonly fast", keys: KEY1, fn: (c, a) => ttl(c, a, false) },
  { name: "pttl", arity: 2, flags: "readonly fast", keys: KEY1, fn: (c, a) => ttl(c, a, true) },
  {
    name: "type",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      const v = c.store.lookup(a[1]!);
      return v === null ? "none" : valueType(v);
    },
  },
  { name: "rename", arity: 3, flags: "write", keys: KEY12, fn: (c, a) => rename(c, a, false) },
  {
    name: "renamenx",
    arity: 3,
    flags: "write fast",
    keys: KEY12,
    fn: (c, a) => rename(c, a, true),
  },
  { name: "copy", arity: -3, flags: "write denyoom", keys: KEY12, fn: copy },
  {
    name: "dbsize",
    arity: 1,
    flags: "readonly fast",
    keys: NO_KEYS,
    everyShard: "sum",
    fn: (c) => c.store.dbsize(),
  },
  {
    name: "flushdb",
    arity: -1,
    flags: "write admin",
    keys: NO_KEYS,
    everyShard: "ok",
    log: logFlush,
    fn: (c, a) => flush(a, () => c.store.clear()),
  },
  {
    name: "flushall",
    arity: -1,
    flags: "write admin",
    keys: NO_KEYS,
    everyShard: "ok",
    log: logFlush,
    fn: (c, a) => flush(a, () => c.flushAll()),
  },
  {
    name: "ping",
    arity: -1,
    flags: "readonly fast",
    keys: NO_KEYS,
    fn: (_c, a) => {
      if (a.length > 2) fail("ERR wrong number of arguments for 'ping' command");
      return a.length === 2 ? a[1]! : "PONG";
    },
  },
];

/** SELECT's argument: a database index or the Redis error. */
export function selectIndex(b: Uint8Array): number {
  return argInt(b, NOT_INT);
}
