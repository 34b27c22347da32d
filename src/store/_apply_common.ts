/**
 * Shared pieces of the command applier: reply/result types, the internal
 * error used to abort a command, typed key access and argument parsing.
 *
 * @module
 */

import type { Store, StoreValue } from "./store.ts";
import { HashValue, ListValue, SetValue } from "./values.ts";
import { SortedSet } from "./zset.ts";
import { parseF64, parseI64 } from "./_num.ts";

/**
 * An error inside an array reply (a failed command within EXEC).
 *
 * @example
 * ```ts
 * import { ReplyError } from "@kevy/persist/store";
 * const e: ReplyError = { error: "ERR syntax error" };
 * ```
 */
export interface ReplyError {
  /** The error text, e.g. `"ERR syntax error"`. */
  error: string;
}

/**
 * A Redis-like reply: `null` (nil), integer (`number`, or `bigint` beyond
 * 2^53), bulk string (`Uint8Array`), status (`string`, e.g. `"OK"`), an
 * error inside an array ({@link ReplyError}) or an array.
 *
 * @example
 * ```ts
 * import { Reply } from "@kevy/persist/store";
 * const r: Reply = ["OK", 1, null, new Uint8Array([118])];
 * ```
 */
export type Reply = null | number | bigint | string | Uint8Array | ReplyError | Reply[];

/**
 * Outcome of one command: a reply, or an error (never thrown).
 *
 * @example
 * ```ts
 * import { CommandResult } from "@kevy/persist/store";
 * const r: CommandResult = { ok: false, error: "ERR unknown command 'x'", unknown: true };
 * ```
 */
export type CommandResult =
  | { ok: true; reply: Reply }
  | { ok: false; error: string; unknown?: boolean };

/** Thrown inside handlers to abort a command with an error reply. */
export class CommandError extends Error {}

/** Aborts the current command with `msg`. */
export function fail(msg: string): never {
  throw new CommandError(msg);
}

/** The Redis wrong-type error. */
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
/** The Redis generic syntax error. */
export const SYNTAX = "ERR syntax error";
/** Error for a non-integer argument. */
export const NOT_INT = "ERR value is not an integer or out of range";
/** Error for a non-float argument. */
export const NOT_FLOAT = "ERR value is not a valid float";
/** Error for a negative count. */
export const NOT_POSITIVE = "ERR value is out of range, must be positive";

/** Execution context of a handler. */
export interface Ctx {
  /** The selected database. */
  store: Store;
  /** Its index. */
  db: number;
  /** Another database by index, or `null` if it does not exist. */
  select(db: number): Store | null;
  /** Clears every database known to the caller (FLUSHALL). */
  flushAll(): void;
  /** The server-wide function libraries (database 0's `Store.libraries`). */
  libraries(): Map<string, Uint8Array>;
  /**
   * The commands come from a log (an AOF, a replication stream): limits that
   * only protect a live server are not enforced, as Redis does for its AOF
   * and master (mustObeyClient). Today: XADD/XTRIM `LIMIT`.
   */
  replay?: boolean;
}

/** ASCII upper-case of an option argument. */
export function upper(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 32 : c);
  }
  return s;
}

/** Latin-1 text of bytes (for messages). */
export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** An int64 argument (number when safe, else bigint) or the Redis error. */
export function argI64(b: Uint8Array, msg = NOT_INT): number | bigint {
  const v = parseI64(b);
  if (v === null) fail(msg);
  return v;
}

/** An int64 argument as a JS number (bigint values clamp; fine for counts and indices). */
export function argInt(b: Uint8Array, msg = NOT_INT): number {
  return Number(argI64(b, msg));
}

/** A float argument or the Redis error. */
export function argF64(b: Uint8Array, msg = NOT_FLOAT): number {
  const v = parseF64(b);
  if (v === null) fail(msg);
  return v;
}

/**
 * The value at key if it is a `C` (WRONGTYPE otherwise); if missing, `null`,
 * or with `create` a new empty `C` stored there.
 */
function typed<T extends StoreValue>(
  store: Store,
  key: Uint8Array,
  C: new () => T,
  create: boolean,
): T | null {
  const v = store.lookup(key);
  if (v === null) {
    if (!create) return null;
    const x = new C();
    store.setValue(key, x);
    return x;
  }
  if (!(v instanceof C)) fail(WRONGTYPE);
  return v;
}

/** String value at key, `null` if missing, WRONGTYPE otherwise. */
export function getStr(store: Store, key: Uint8Array): Uint8Array | null {
  return typed<Uint8Array>(store, key, Uint8Array, false);
}

/** Hash at key (created if `create`), `null` if missing. */
export function getHash(store: Store, key: Uint8Array, create: true): HashValue;
/** Hash at key, `null` if missing. */
export function getHash(store: Store, key: Uint8Array, create?: false): HashValue | null;
export function getHash(store: Store, key: Uint8Array, create = false): HashValue | null {
  return typed(store, key, HashValue, create);
}

/** List at key (created if `create`), `null` if missing. */
export function getList(store: Store, key: Uint8Array, create: true): ListValue;
/** List at key, `null` if missing. */
export function getList(store: Store, key: Uint8Array, create?: false): ListValue | null;
export function getList(store: Store, key: Uint8Array, create = false): ListValue | null {
  return typed(store, key, ListValue, create);
}

/** Set at key (created if `create`), `null` if missing. */
export function getSet(store: Store, key: Uint8Array, create: true): SetValue;
/** Set at key, `null` if missing. */
export function getSet(store: Store, key: Uint8Array, create?: false): SetValue | null;
export function getSet(store: Store, key: Uint8Array, create = false): SetValue | null {
  return typed(store, key, SetValue, create);
}

/** Zset at key (created if `create`), `null` if missing. */
export function getZset(store: Store, key: Uint8Array, create: true): SortedSet;
/** Zset at key, `null` if missing. */
export function getZset(store: Store, key: Uint8Array, create?: false): SortedSet | null;
export function getZset(store: Store, key: Uint8Array, create = false): SortedSet | null {
  return typed(store, key, SortedSet, create);
}

/** Copy of argument bytes to be stored (do not retain a caller's big buffer). */
export function own(b: Uint8Array): Uint8Array {
  return b.slice();
}

/** Normalizes a Redis range `start..stop` (negative from the end) to `[s, e]` or `null`. */
export function normRange(start: number, stop: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (stop < 0) stop = len + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return null;
  if (stop >= len) stop = len - 1;
  return [start, stop];
}
