/**
 * String commands.
 *
 * @module
 */

import type { Store } from "./store.ts";
import {
  argI64,
  type Ctx,
  fail,
  getStr,
  NOT_FLOAT,
  NOT_INT,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import { asciiBytes, I64_MAX, I64_MIN, intBytes, normInt, parseI64 } from "./_num.ts";
import {
  addLongDouble,
  formatLongDouble,
  type LongDouble,
  parseLongDouble,
} from "./_longdouble.ts";
import {
  ALL_KEYS,
  B,
  type CommandSpec,
  deadlineImage,
  imageIfOne,
  KEY1,
  KEY_PAIRS,
  type LogFn,
} from "./_command.ts";

const OVERFLOW = "ERR increment or decrement would overflow";
const MAX_STRING = 512 * 1024 * 1024;

/**
 * Absolute deadline from an expire argument (`ms`: unit is ms; `abs`:
 * absolute time). Rejects <= 0 and overflow like Redis SET/GETEX/SETEX.
 */
function expireArg(
  store: Store,
  b: Uint8Array,
  ms: boolean,
  abs: boolean,
  cmd: string,
): number {
  const v = BigInt(argI64(b));
  const bad = `ERR invalid expire time in '${cmd}' command`;
  if (v <= 0n) fail(bad);
  let when = ms ? v : v * 1000n;
  if (when > I64_MAX) fail(bad);
  if (!abs) when += BigInt(store.now());
  if (when > I64_MAX) fail(bad);
  return Number(when);
}

function set(ctx: Ctx, a: Uint8Array[]): Reply {
  const { store } = ctx;
  const key = a[1]!;
  if (a.length === 3) {
    store.setString(key, a[2]!);
    return "OK";
  }
  let nx = false, xx = false, get = false, keep = false;
  let deadline: number | null = null;
  let hasExp = false;
  for (let i = 3; i < a.length; i++) {
    const o = upper(a[i]!);
    if (o === "NX" && !xx) nx = true;
    else if (o === "XX" && !nx) xx = true;
    else if (o === "GET") get = true;
    else if (o === "KEEPTTL" && !hasExp) keep = true;
    else if ((o === "EX" || o === "PX" || o === "EXAT" || o === "PXAT") && !keep && !hasExp) {
      const v = a[++i];
      if (v === undefined) fail(SYNTAX);
      hasExp = true;
      deadline = expireArg(store, v, o[0] === "P", o.endsWith("AT"), "set");
    } else fail(SYNTAX);
  }
  const old = get ? getStr(store, key) : null; // WRONGTYPE only matters with GET
  const exists = store.has(key);
  if ((nx && exists) || (xx && !exists)) return get ? old : null;
  store.setString(key, a[2]!, keep);
  if (deadline !== null) store.setDeadline(key, deadline);
  return get ? old : "OK";
}

function setWithExpire(ctx: Ctx, a: Uint8Array[], ms: boolean, cmd: string): Reply {
  const d = expireArg(ctx.store, a[2]!, ms, false, cmd);
  ctx.store.setString(a[1]!, a[3]!);
  ctx.store.setDeadline(a[1]!, d);
  return "OK";
}

function mset(ctx: Ctx, a: Uint8Array[], nx: boolean): Reply {
  if (a.length % 2 === 0) {
    fail(`ERR wrong number of arguments for '${nx ? "msetnx" : "mset"}' command`);
  }
  if (nx) {
    for (let i = 1; i < a.length; i += 2) if (ctx.store.has(a[i]!)) return 0;
  }
  for (let i = 1; i < a.length; i += 2) ctx.store.setString(a[i]!, a[i + 1]!);
  return nx ? 1 : "OK";
}

function append(ctx: Ctx, a: Uint8Array[]): Reply {
  const cur = getStr(ctx.store, a[1]!);
  const add = a[2]!;
  if (cur === null) {
    ctx.store.setString(a[1]!, add);
    return add.length;
  }
  if (cur.length + add.length > MAX_STRING) {
    fail("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  const out = new Uint8Array(cur.length + add.length);
  out.set(cur);
  out.set(add, cur.length);
  ctx.store.setValue(a[1]!, out, true);
  return out.length;
}

function setrange(ctx: Ctx, a: Uint8Array[]): Reply {
  const off = Number(argI64(a[2]!));
  if (off < 0) fail("ERR offset is out of range");
  const cur = getStr(ctx.store, a[1]!);
  const val = a[3]!;
  if (val.length === 0) return cur === null ? 0 : cur.length;
  if (off + val.length > MAX_STRING) {
    fail("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  const base = cur ?? new Uint8Array(0);
  const out = new Uint8Array(Math.max(base.length, off + val.length));
  out.set(base);
  out.set(val, off);
  ctx.store.setValue(a[1]!, out, true);
  return out.length;
}

/** Adds `by` to an int64 held as decimal bytes; shared with HINCRBY. */
export function addI64(cur: number | bigint, by: number | bigint): number | bigint {
  if (typeof cur === "number" && typeof by === "number") {
    const r = cur + by;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(cur) + BigInt(by);
  if (r < I64_MIN || r > I64_MAX) fail(OVERFLOW);
  return normInt(r);
}

function incrBy(ctx: Ctx, key: Uint8Array, by: number | bigint): Reply {
  const cur = getStr(ctx.store, key);
  let v: number | bigint = 0;
  if (cur !== null) {
    const p = parseI64(cur);
    if (p === null) fail(NOT_INT);
    v = p;
  }
  const r = addI64(v, by);
  ctx.store.setValue(key, intBytes(r), true);
  return r;
}

function decrBy(ctx: Ctx, a: Uint8Array[]): Reply {
  const by = argI64(a[2]!);
  if (BigInt(by) === I64_MIN) fail("ERR decrement would overflow");
  return incrBy(ctx, a[1]!, typeof by === "number" ? -by : -by);
}

/**
 * Float increment of a stored value (INCRBYFLOAT, HINCRBYFLOAT), computed as
 * Redis does, in x86 long double, and printed `%.17Lf` without trailing
 * zeros; returns the new bytes. `hash`: HINCRBYFLOAT's rules (an infinite
 * increment is refused before the field is read).
 */
export function addFloat(
  cur: Uint8Array | null,
  incr: Uint8Array,
  notFloat: string,
  hash = false,
): Uint8Array {
  const by = parseLongDouble(incr);
  if (by === null) fail(NOT_FLOAT);
  if (hash && typeof by === "number") fail("ERR value is NaN or Infinity");
  let v: LongDouble | number = { neg: false, m: 0n, e: 0 };
  if (cur !== null) {
    const p = parseLongDouble(cur);
    if (p === null) fail(notFloat);
    v = p;
  }
  const r = typeof v === "number" || typeof by === "number" ? null : addLongDouble(v, by);
  if (r === null) fail("ERR increment would produce NaN or Infinity");
  return asciiBytes(formatLongDouble(r));
}

function incrbyfloat(ctx: Ctx, a: Uint8Array[]): Reply {
  const out = addFloat(getStr(ctx.store, a[1]!), a[2]!, NOT_FLOAT);
  ctx.store.setValue(a[1]!, out, true);
  return out;
}

function getset(ctx: Ctx, a: Uint8Array[]): Reply {
  const old = getStr(ctx.store, a[1]!);
  ctx.store.setString(a[1]!, a[2]!);
  return old;
}

function getdel(ctx: Ctx, a: Uint8Array[]): Reply {
  const old = getStr(ctx.store, a[1]!);
  if (old !== null) ctx.store.delete(a[1]!);
  return old;
}

function getex(ctx: Ctx, a: Uint8Array[]): Reply {
  const { store } = ctx;
  let persist = false;
  let exp: { o: string; v: Uint8Array } | null = null;
  for (let i = 2; i < a.length; i++) {
    const o = upper(a[i]!);
    if (o === "PERSIST" && !persist && exp === null) persist = true;
    else if (
      (o === "EX" || o === "PX" || o === "EXAT" || o === "PXAT") && !persist && exp === null
    ) {
      const v = a[++i];
      if (v === undefined) fail(SYNTAX);
      exp = { o, v };
    } else fail(SYNTAX);
  }
  // Redis looks the key up before it reads the expire time.
  const v = getStr(store, a[1]!);
  if (v === null) return null;
  if (exp !== null) {
    store.setDeadline(
      a[1]!,
      expireArg(store, exp.v, exp.o[0] === "P", exp.o.endsWith("AT"), "getex"),
    );
  } else if (persist) store.setDeadline(a[1]!, null);
  return v;
}

function hasOpt(argv: ReadonlyArray<Uint8Array>, from: number, opt: string): boolean {
  for (let i = from; i < argv.length; i++) if (upper(argv[i]!) === opt) return true;
  return false;
}

/** SET logs the key's resulting state when it stored its value (not when NX/XX stopped it). */
const logSet: LogFn = (x) => {
  const { argv, reply } = x;
  // A plain SET leaves exactly `SET key value` without a TTL: its own image.
  if (argv.length === 3) return [[SET, argv[1]!, argv[2]!]];
  let applied: boolean;
  if (!hasOpt(argv, 3, "GET")) applied = reply !== null;
  else if (hasOpt(argv, 3, "NX")) applied = reply === null;
  else if (hasOpt(argv, 3, "XX")) applied = reply !== null;
  else applied = true;
  return applied ? x.image(argv[1]!) : [];
};

/** Relative, optional TTLs and state-dependent results log the key's resulting state. */
const IMAGE = "image";

const DEL = B("DEL");
const SET = B("SET");

/** String command table rows. */
export const STRING_COMMANDS: CommandSpec[] = [
  {
    name: "get",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getStr(c.store, a[1]!),
  },
  {
    name: "mget",
    arity: -2,
    flags: "readonly fast",
    keys: ALL_KEYS,
    split: "positional",
    fn: (c, a) =>
      a.slice(1).map((k) =>
        c.store.lookup(k) instanceof Uint8Array ? c.store.lookup(k) as Uint8Array : null
      ),
  },
  {
    name: "strlen",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getStr(c.store, a[1]!)?.length ?? 0,
  },
  { name: "set", arity: -3, flags: "write denyoom", keys: KEY1, log: logSet, fn: set },
  {
    name: "setnx",
    arity: 3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: imageIfOne,
    fn: (c, a) => c.store.has(a[1]!) ? 0 : (c.store.setString(a[1]!, a[2]!), 1),
  },
  {
    name: "setex",
    arity: 4,
    flags: "write denyoom",
    keys: KEY1,
    log: IMAGE,
    fn: (c, a) => setWithExpire(c, a, false, "setex"),
  },
  {
    name: "psetex",
    arity: 4,
    flags: "write denyoom",
    keys: KEY1,
    log: IMAGE,
    fn: (c, a) => setWithExpire(c, a, true, "psetex"),
  },
  {
    name: "mset",
    arity: -3,
    flags: "write denyoom",
    keys: KEY_PAIRS,
    split: "ok",
    log: IMAGE,
    fn: (c, a) => mset(c, a, false),
  },
  {
    name: "msetnx",
    arity: -3,
    flags: "write denyoom",
    keys: KEY_PAIRS,
    split: "nx",
    log: imageIfOne,
    fn: (c, a) => mset(c, a, true),
  },
  { name: "append", arity: 3, flags: "write denyoom fast", keys: KEY1, log: "argv", fn: append },
  { name: "setrange", arity: 4, flags: "write denyoom", keys: KEY1, log: IMAGE, fn: setrange },
  {
    name: "incr",
    arity: 2,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => incrBy(c, a[1]!, 1),
  },
  {
    name: "decr",
    arity: 2,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => incrBy(c, a[1]!, -1),
  },
  {
    name: "incrby",
    arity: 3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => incrBy(c, a[1]!, argI64(a[2]!)),
  },
  { name: "decrby", arity: 3, flags: "write denyoom fast", keys: KEY1, log: "argv", fn: decrBy },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: IMAGE,
    fn: incrbyfloat,
  },
  { name: "getset", arity: 3, flags: "write denyoom fast", keys: KEY1, log: IMAGE, fn: getset },
  {
    name: "getdel",
    arity: 2,
    flags: "write fast",
    keys: KEY1,
    log: (x) => x.reply === null ? [] : [[DEL, x.argv[1]!]],
    fn: getdel,
  },
  {
    name: "getex",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: (x) => x.argv.length > 2 && x.reply !== null ? deadlineImage(x.store, x.argv[1]!) : [],
    fn: getex,
  },
];
