// Private: keyspace events (Redis notify-keyspace-events) a successful write fires, from its
// row's `notify` rule (src/store/_command.ts) and what it changed. Rules name the command's
// own events; the generic ones are added here as Redis adds them: `new` when a key is created
// (first), `del` when a key the command changed is gone afterwards (an emptied collection, a
// STORE of an empty result), and for string rules `expire`/`persist` when the command set or
// cleared a TTL (SET EX, SETEX, ...: as the PEXPIREAT/PERSIST it logged says).
import type { Reply } from "./_apply_common.ts";
import type { Store } from "./store.ts";
import type { Frame } from "./_command.ts";

/** A keyspace event class, named after Redis's notify-keyspace-events letters. */
export type EventClass =
  | "generic"
  | "string"
  | "list"
  | "set"
  | "hash"
  | "zset"
  | "stream"
  | "expired"
  | "evicted"
  | "new";

/** What a notify rule function sees after its command succeeded. */
export interface NotifyInput {
  /** The command as run. */
  readonly argv: Uint8Array[];
  /** Its reply. */
  readonly reply: Reply;
  /** The database after the command. */
  readonly store: Store;
  /** The keys it changed (the keys of what it logged), each once, in order. */
  readonly keys: Uint8Array[];
  /** What it logged. */
  readonly frames: Frame[];
  /** What its row's `pre` hook saw before it ran (undefined: no hook, or not asked). */
  readonly pre?: unknown;
}

/** `[event, key]` pairs. */
export type Notified = Array<[string, Uint8Array]>;

/** A rule function: the command's own events. */
export type NotifyFn = (x: NotifyInput) => Notified;

/**
 * The keyspace events of a write: `"none"`, an event name for every key it changed
 * (default: the verb), or a function.
 */
export type NotifyRule = string | NotifyFn;

const CLASS: Record<string, EventClass> = {};
function classes(c: EventClass, names: string): void {
  for (const n of names.split(" ")) CLASS[n] = c;
}
classes(
  "generic",
  "del expire persist rename_from rename_to copy_to move_from move_to restore",
);
classes("string", "set setrange incrby incrbyfloat append setbit pfadd");
classes("list", "lpush rpush lpop rpop linsert lset lrem ltrim sortstore");
classes("hash", "hset hincrby hincrbyfloat hdel hexpire hpersist hexpired");
classes("set", "sadd srem spop sinterstore sunionstore sdiffstore");
classes(
  "zset",
  "zadd zincr zrem zrembyscore zrembyrank zrembylex zpopmin zpopmax zunionstore zinterstore " +
    "zdiffstore zrangestore georadiusstore geosearchstore",
);
classes("expired", "expired");
classes("evicted", "evicted");
classes("new", "new");

/**
 * The class of an event name; a name this table does not know (a stream event, a
 * newer command's) is classed by the type of the key's value, else generic.
 */
export function eventClass(event: string, store: Store | null, key: Uint8Array): EventClass {
  const c = CLASS[event];
  if (c !== undefined) return c;
  if (event.startsWith("x")) return "stream";
  const t = store?.type(key) ?? null;
  return t === null ? "generic" : t === "string" ? "string" : t;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const PEXPIREAT = "pexpireat", PERSIST = "persist";
const GONE_BY_OWN = new Set(["del", "rename_from", "move_from"]);

function verbIs(f: Frame, v: string): boolean {
  const b = f[0]!;
  if (b.length !== v.length) return false;
  for (let i = 0; i < b.length; i++) if ((b[i]! | 0x20) !== v.charCodeAt(i)) return false;
  return true;
}

/**
 * The events of a write that changed `x.keys`. `existed(key)` tells whether a key was live
 * before the command ran (null: unknown, no `new` event).
 */
export function writeEvents(
  name: string,
  rule: NotifyRule | null,
  x: NotifyInput,
  existed: (key: Uint8Array) => boolean | null,
): Notified {
  if (rule === "none") return [];
  const own: Notified = typeof rule === "function"
    ? rule(x)
    : x.keys.map((k) => [rule ?? name, k] as [string, Uint8Array]);
  const out: Notified = [];
  const created = x.keys.filter((k) => existed(k) === false && x.store.has(k));
  for (const k of created) out.push(["new", k]);
  for (const e of own) {
    // A key that was not there before and is not there now had nothing happen to it.
    if (existed(e[1]) === false && !x.store.has(e[1])) continue;
    out.push(e);
    if (typeof rule === "function") continue;
    const k = e[1];
    for (const f of x.frames) {
      if (f.length < 2 || !same(f[1]!, k)) continue;
      if (verbIs(f, PEXPIREAT) && e[0] !== "expire") out.push(["expire", k]);
      else if (verbIs(f, PERSIST) && e[0] !== "persist") out.push(["persist", k]);
    }
  }
  for (const k of x.keys) {
    if (existed(k) === false || x.store.has(k)) continue;
    // Gone: a del, unless the command said where it went (RENAME, MOVE) or deleted it itself.
    if (!own.some(([ev, key]) => GONE_BY_OWN.has(ev) && same(key, k))) out.push(["del", k]);
  }
  return out;
}

// --- rule helpers for the rows --------------------------------------------------------------

/** An event for argv[i] only, if it changed (STORE destinations: nothing when it is gone). */
export function onKey(event: string, i: number): NotifyFn {
  return (x) => {
    const k = x.argv[i]!;
    return x.keys.some((c) => same(c, k)) && x.store.has(k) ? [[event, k]] : [];
  };
}

/** `src` popped (`from` event), `dst` pushed (`to` event): LMOVE, SMOVE, RENAME... */
export function moveEvents(from: (x: NotifyInput) => string, to: (x: NotifyInput) => string) {
  return (x: NotifyInput): Notified => {
    const src = x.argv[1]!, dst = x.argv[2]!;
    const changed = (k: Uint8Array) => x.keys.some((c) => same(c, k));
    const out: Notified = [];
    if (changed(dst) && x.store.has(dst)) out.push([to(x), dst]);
    if (changed(src) && !(same(src, dst) && out.length > 0)) out.push([from(x), src]);
    return out;
  };
}

/** The EXPIRE family: `expire`, or (the time is past, the key is gone) only the generic del. */
export const expireEvents: NotifyFn = (x) =>
  x.keys.filter((k) => x.store.has(k)).map((k) => ["expire", k]);

/** No event of its own: only the generic ones (GETEX: the expire/persist it logged). */
export const framesOnly: NotifyFn = (x) => {
  const out: Notified = [];
  for (const f of x.frames) {
    if (f.length < 2) continue;
    if (verbIs(f, PEXPIREAT)) out.push(["expire", f[1]!]);
    else if (verbIs(f, PERSIST)) out.push(["persist", f[1]!]);
  }
  return out;
};
