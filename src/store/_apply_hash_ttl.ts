/**
 * Hash-field TTL commands (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT,
 * HPEXPIREAT, HPERSIST, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, with
 * Redis's argument checks and reply codes. The Store removes due fields
 * before a hash is handed out, so "no such field" covers expired ones.
 *
 * Logged as Redis propagates them: the absolute `HPEXPIREAT key <ms> FIELDS
 * n f...` of the fields that got the deadline (no condition token: it was
 * judged already, and kevy 5.4's replay reads fields from the 6th argument),
 * an `HDEL` of the fields a past deadline deleted, `HPERSIST key FIELDS n
 * f...` of the fields that lost theirs.
 *
 * @module
 */

import type { Store } from "./store.ts";
import { argI64, type Ctx, fail, getHash, type Reply, upper } from "./_apply_common.ts";
import { B, type CommandSpec, type Frame, KEY1, type LogFn } from "./_command.ts";
import { isLoading } from "./_expiry.ts";
import { parseI64 } from "./_num.ts";
import { HashValue } from "./values.ts";

/** Largest absolute field deadline Redis accepts (EB_EXPIRE_TIME_MAX >> 2), unix ms. */
const MAX_ABS_MS = 2 ** 46 - 1;

const NO_FIELD = -2, NO_TTL = -1, NOT_MET = 0, SET = 1, DELETED = 2;
const HDEL = B("HDEL"), HPEXPIREAT = B("HPEXPIREAT"), HPERSIST = B("HPERSIST");
const FIELDS = B("FIELDS");

/** The fields after `FIELDS numfields` at `at`, checked like Redis. */
function fieldsAt(a: Uint8Array[], at: number, badCount: string): Uint8Array[] {
  if (at >= a.length || upper(a[at]!) !== "FIELDS") {
    fail("ERR Mandatory argument FIELDS is missing or not at the right position");
  }
  const n = at + 1 < a.length ? parseI64(a[at + 1]!) : null;
  if (n === null || n < 1) fail(badCount);
  if (Number(n) !== a.length - at - 2) {
    fail("ERR The `numfields` parameter must match the number of arguments");
  }
  return a.slice(at + 2);
}

/** Whether the hash's deadline `prev` (null: none) lets `cond` set `when`. */
function conditionMet(cond: string | null, prev: number | null, when: number): boolean {
  if (cond === null) return true;
  if (prev === null) return cond === "NX" || cond === "LT"; // no TTL counts as infinite
  if (cond === "NX") return false;
  if (cond === "XX") return true;
  return cond === "GT" ? when > prev : when < prev;
}

function hexpire(c: Ctx, a: Uint8Array[], ms: boolean, abs: boolean): Reply {
  const { store } = c;
  const key = a[1]!;
  const h = getHash(store, key); // WRONGTYPE first, as Redis
  const cmd = new TextDecoder().decode(a[0]!).toLowerCase();
  const bad = `ERR invalid expire time in '${cmd}' command`;
  let when = Number(argI64(a[2]!));
  if (when < 0) fail("ERR invalid expire time, must be >= 0");
  if (!ms) {
    if (when > MAX_ABS_MS / 1000) fail(bad);
    when *= 1000;
  }
  const base = abs ? 0 : store.now();
  if (when > MAX_ABS_MS - base) fail(bad);
  when += base;
  const o = upper(a[3]!);
  const cond = o === "NX" || o === "XX" || o === "GT" || o === "LT" ? o : null;
  const fields = fieldsAt(
    a,
    cond === null ? 3 : 4,
    "ERR Parameter `numFields` should be greater than 0",
  );
  if (h === null) return fields.map(() => NO_FIELD);
  const past = !isLoading() && when <= store.now();
  const out: number[] = [];
  for (const f of fields) {
    if (!h.has(f)) out.push(NO_FIELD);
    else if (!conditionMet(cond, h.fieldDeadline(f), when)) out.push(NOT_MET);
    else if (past) {
      h.delete(f);
      out.push(DELETED);
    } else {
      h.setFieldDeadline(f, when);
      out.push(SET);
    }
  }
  if (out.includes(SET)) store.trackFieldTtls(key);
  store.removeIfEmpty(key);
  return out;
}

function hpersist(c: Ctx, a: Uint8Array[]): Reply {
  const h = getHash(c.store, a[1]!);
  const fields = fieldsAt(a, 2, "ERR Number of fields must be a positive integer");
  if (h === null) return fields.map(() => NO_FIELD);
  return fields.map((f) => {
    if (!h.has(f)) return NO_FIELD;
    if (h.fieldDeadline(f) === null) return NO_TTL;
    h.setFieldDeadline(f, null);
    return SET;
  });
}

/** HTTL family: `unitMs` 1 or 1000, `relative`: minus now. */
function httl(c: Ctx, a: Uint8Array[], unitMs: number, relative: boolean): Reply {
  const h = getHash(c.store, a[1]!);
  const fields = fieldsAt(a, 2, "ERR Number of fields must be a positive integer");
  if (h === null) return fields.map(() => NO_FIELD);
  const base = relative ? c.store.now() : 0;
  return fields.map((f) => {
    if (!h.has(f)) return NO_FIELD;
    const d = h.fieldDeadline(f);
    if (d === null) return NO_TTL;
    return unitMs === 1 ? d - base : Math.floor((d + 999 - base) / 1000);
  });
}

/** The hash at `key` after the command, or null. */
function hashAt(store: Store, key: Uint8Array): HashValue | null {
  const v = store.lookup(key);
  return v instanceof HashValue ? v : null;
}

/** The fields of the command whose reply code is `code`. */
function fieldsWith(x: Parameters<LogFn>[0], code: number): Uint8Array[] {
  const r = x.reply as number[];
  const fields = x.argv.slice(x.argv.length - r.length);
  return fields.filter((_, i) => r[i] === code);
}

/** `HPEXPIREAT key <ms> FIELDS n f...` of the fields set, after an `HDEL` of those deleted. */
const logHexpire: LogFn = (x) => {
  const key = x.argv[1]!;
  const out: Frame[] = [];
  const gone = fieldsWith(x, DELETED);
  if (gone.length > 0) out.push([HDEL, key, ...gone]);
  const set = fieldsWith(x, SET);
  const d = set.length > 0 ? hashAt(x.store, key)?.fieldDeadline(set[0]!) ?? null : null;
  if (d !== null) out.push([HPEXPIREAT, key, B(String(d)), FIELDS, B(String(set.length)), ...set]);
  return out;
};

/** `HPERSIST key FIELDS n f...` of the fields that lost their deadline. */
const logHpersist: LogFn = (x) => {
  const done = fieldsWith(x, SET);
  return done.length === 0 ? [] : [[HPERSIST, x.argv[1]!, FIELDS, B(String(done.length)), ...done]];
};

/** HSET's frame for a field, then its deadline (a replayed HSET clears it). */
export function hsetKeepingTtl(
  store: Store,
  key: Uint8Array,
  field: Uint8Array,
  v: Uint8Array,
): Frame[] {
  const out: Frame[] = [[B("HSET"), key, field, v]];
  const d = hashAt(store, key)?.fieldDeadline(field) ?? null;
  if (d !== null) out.push([HPEXPIREAT, key, B(String(d)), FIELDS, B("1"), field]);
  return out;
}

const EXPIRE = "write denyoom fast";

/** Hash-field TTL command table rows. */
export const HASH_TTL_COMMANDS: CommandSpec[] = [
  {
    name: "hexpire",
    arity: -6,
    flags: EXPIRE,
    keys: KEY1,
    log: logHexpire,
    fn: (c, a) => hexpire(c, a, false, false),
  },
  {
    name: "hpexpire",
    arity: -6,
    flags: EXPIRE,
    keys: KEY1,
    log: logHexpire,
    fn: (c, a) => hexpire(c, a, true, false),
  },
  {
    name: "hexpireat",
    arity: -6,
    flags: EXPIRE,
    keys: KEY1,
    log: logHexpire,
    fn: (c, a) => hexpire(c, a, false, true),
  },
  {
    name: "hpexpireat",
    arity: -6,
    flags: EXPIRE,
    keys: KEY1,
    log: logHexpire,
    fn: (c, a) => hexpire(c, a, true, true),
  },
  { name: "hpersist", arity: -5, flags: "write fast", keys: KEY1, log: logHpersist, fn: hpersist },
  {
    name: "httl",
    arity: -5,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => httl(c, a, 1000, true),
  },
  {
    name: "hpttl",
    arity: -5,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => httl(c, a, 1, true),
  },
  {
    name: "hexpiretime",
    arity: -5,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => httl(c, a, 1000, false),
  },
  {
    name: "hpexpiretime",
    arity: -5,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => httl(c, a, 1, false),
  },
];
