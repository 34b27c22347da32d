// What a successful command appends to its shard's AOF: normalised frames
// that kevy v1.17's embedded replay dispatcher (FORMATS.md §3.5) and ours
// both reproduce deterministically, whatever the clock says at replay time.
//
// - relative or optional TTLs become `SET k v` + `PEXPIREAT k <abs ms>`
//   (kevy's replay ignores SET options and reads EXPIRE as relative to replay);
// - commands with a random or state-dependent effect log what happened
//   (SPOP -> SREM of the popped members, ZADD GT/LT/INCR/NX/XX -> plain ZADD of
//   the scores that changed, ZINCRBY -> ZADD, LMOVE -> pop + push);
// - verbs kevy's replay does not know (MSET, RENAME, SETRANGE, ...) log the
//   resulting state of their keys ("image": DEL + rebuild + PEXPIREAT);
// - no-ops (DEL of missing keys, SET NX that lost, SADD of present members)
//   and failed commands log nothing.
import { type Reply, upper } from "../store/_apply_common.ts";
import type { Store } from "../store/store.ts";
import { SortedSet } from "../store/zset.ts";
import {
  entryToCommands,
  formatScore,
  StreamNotRewritableError,
} from "../persist/rewrite_commands.ts";
import { isRead, keyIndexes } from "./_keyspec.ts";

/** One command to append. */
export type Frame = Uint8Array[];

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const DEL = B("DEL"), PEXPIREAT = B("PEXPIREAT"), PERSIST = B("PERSIST");
const HSET = B("HSET"), ZADD = B("ZADD"), ZREM = B("ZREM"), SREM = B("SREM"), SADD = B("SADD");
const LPUSH = B("LPUSH"), RPUSH = B("RPUSH"), LPOP = B("LPOP"), RPOP = B("RPOP");
const FLUSHALL = B("FLUSHALL");

/** State captured before a command runs, for verbs whose no-op-ness the reply hides. */
export type PreState = Map<string, number | undefined> | null;

function memberKey(m: Uint8Array): string {
  let s = "";
  for (let i = 0; i < m.length; i++) s += String.fromCharCode(m[i]!);
  return s;
}

const ZADD_FLAGS = new Set(["NX", "XX", "GT", "LT", "CH", "INCR"]);

/** Index of the first score of a ZADD (after its flags). */
function zaddPairsStart(argv: ReadonlyArray<Uint8Array>): number {
  let i = 2;
  while (i < argv.length && ZADD_FLAGS.has(upper(argv[i]!))) i++;
  return i;
}

function zsetOf(store: Store, key: Uint8Array): SortedSet | null {
  const v = store.lookup(key);
  return v instanceof SortedSet ? v : null;
}

/** Scores of the members a ZADD names, before it runs. */
export function capture(verb: string, argv: ReadonlyArray<Uint8Array>, store: Store): PreState {
  if (verb !== "ZADD" || argv.length < 4) return null;
  const z = zsetOf(store, argv[1]!);
  const m = new Map<string, number | undefined>();
  for (let i = zaddPairsStart(argv) + 1; i < argv.length; i += 2) {
    m.set(memberKey(argv[i]!), z?.score(argv[i]!));
  }
  return m;
}

function asInt(r: Reply): number {
  return typeof r === "number" ? r : typeof r === "bigint" ? Number(r) : 0;
}

/** The key's full state as frames: DEL when gone, else rebuild (+ PEXPIREAT). */
export function image(store: Store, key: Uint8Array): Frame[] {
  const e = store.getEntry(key);
  if (e === null) return [[DEL, key]];
  try {
    const cmds = entryToCommands(e);
    return e.value.type === "string" ? cmds : [[DEL, key], ...cmds];
  } catch (err) {
    // Streams cannot be expressed as commands kevy replays: snapshots keep them.
    if (err instanceof StreamNotRewritableError) return [];
    throw err;
  }
}

/** The key's deadline as a frame: PEXPIREAT, PERSIST, or DEL when it expired. */
function deadlineImage(store: Store, key: Uint8Array): Frame[] {
  if (!store.has(key)) return [[DEL, key]];
  const d = store.deadline(key);
  return d === null ? [[PERSIST, key]] : [[PEXPIREAT, key, B(String(Math.trunc(d)))]];
}

function hasOpt(argv: ReadonlyArray<Uint8Array>, from: number, opt: string): boolean {
  for (let i = from; i < argv.length; i++) if (upper(argv[i]!) === opt) return true;
  return false;
}

/** Did `SET k v [opts]` store its value? */
function setApplied(argv: ReadonlyArray<Uint8Array>, reply: Reply): boolean {
  if (!hasOpt(argv, 3, "GET")) return reply !== null;
  if (hasOpt(argv, 3, "NX")) return reply === null;
  if (hasOpt(argv, 3, "XX")) return reply !== null;
  return true;
}

function flatMembers(reply: Reply, pairs: boolean): Uint8Array[] {
  if (reply instanceof Uint8Array) return [reply];
  if (!Array.isArray(reply)) return [];
  const out: Uint8Array[] = [];
  const flat = !reply.some(Array.isArray);
  reply.forEach((x, i) => {
    if (Array.isArray(x)) {
      if (x[0] instanceof Uint8Array) out.push(x[0]);
    } else if (x instanceof Uint8Array && (!pairs || !flat || i % 2 === 0)) out.push(x);
  });
  return out;
}

function imageAll(store: Store, verb: string, argv: ReadonlyArray<Uint8Array>): Frame[] {
  const seen = new Set<string>();
  const out: Frame[] = [];
  for (const i of keyIndexes(verb, argv)) {
    const k = argv[i]!;
    const s = memberKey(k);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(...image(store, k));
  }
  return out;
}

/**
 * Frames to log for a command (upper-case `verb`) that succeeded with `reply`
 * on `store`; `pre` is what {@link capture} saw before it ran.
 */
export function propagate(
  verb: string,
  argv: Uint8Array[],
  reply: Reply,
  store: Store,
  pre: PreState,
): Frame[] {
  if (isRead(verb)) return [];
  const k = argv[1];
  if (k === undefined) return verb === "FLUSHALL" || verb === "FLUSHDB" ? [[FLUSHALL]] : [];
  switch (verb) {
    case "SET":
      return setApplied(argv, reply) ? image(store, k) : [];
    case "SETNX":
    case "MSETNX":
      return asInt(reply) === 1 ? imageAll(store, verb, argv) : [];
    case "SETEX":
    case "PSETEX":
    case "GETSET":
    case "MSET":
    case "INCRBYFLOAT":
    case "SETRANGE":
    case "SETBIT":
      return imageAll(store, verb, argv);
    case "INCR":
    case "DECR":
    case "INCRBY":
    case "DECRBY":
    case "APPEND":
    case "HSET":
    case "HINCRBY":
    case "LPUSH":
    case "RPUSH":
    case "LSET":
    case "LTRIM":
      return [argv];
    case "HMSET":
      return [[HSET, ...argv.slice(1)]];
    case "HDEL":
    case "SADD":
    case "SREM":
    case "ZREM":
    case "LREM":
      return asInt(reply) > 0 ? [argv] : [];
    case "LPUSHX":
    case "RPUSHX":
      return asInt(reply) > 0 ? [[verb === "LPUSHX" ? LPUSH : RPUSH, ...argv.slice(1)]] : [];
    case "HSETNX":
      return asInt(reply) === 1 ? [[HSET, k, argv[2]!, argv[3]!]] : [];
    case "HINCRBYFLOAT":
      return reply instanceof Uint8Array
        ? [[HSET, k, argv[2]!, reply]]
        : imageAll(store, verb, argv);
    case "LPOP":
    case "RPOP":
      return reply === null || (Array.isArray(reply) && reply.length === 0) ? [] : [argv];
    case "DEL":
    case "UNLINK":
      return asInt(reply) > 0 ? [[DEL, ...argv.slice(1)]] : [];
    case "GETDEL":
      return reply === null ? [] : [[DEL, k]];
    case "EXPIRE":
    case "PEXPIRE":
    case "EXPIREAT":
    case "PEXPIREAT":
      return asInt(reply) === 1 ? deadlineImage(store, k) : [];
    case "PERSIST":
      return asInt(reply) === 1 ? [[PERSIST, k]] : [];
    case "GETEX":
      return argv.length > 2 && reply !== null ? deadlineImage(store, k) : [];
    case "SPOP": {
      const ms = flatMembers(reply, false);
      return ms.length > 0 ? [[SREM, k, ...ms]] : [];
    }
    case "SMOVE":
      return asInt(reply) === 1 ? [[SREM, k, argv[3]!], [SADD, argv[2]!, argv[3]!]] : [];
    case "ZPOPMIN":
    case "ZPOPMAX": {
      const ms = flatMembers(reply, true);
      return ms.length > 0 ? [[ZREM, k, ...ms]] : [];
    }
    case "ZADD":
      return zaddFrames(argv, store, pre);
    case "ZINCRBY": {
      const s = zsetOf(store, k)?.score(argv[3]!);
      return s === undefined ? [] : [[ZADD, k, B(formatScore(s)), argv[3]!]];
    }
    case "RPOPLPUSH":
    case "LMOVE":
    case "BRPOPLPUSH":
    case "BLMOVE": {
      if (!(reply instanceof Uint8Array)) return [];
      const move = verb === "RPOPLPUSH" || verb === "BRPOPLPUSH";
      const from = move ? "RIGHT" : upper(argv[3] ?? new Uint8Array());
      const to = move ? "LEFT" : upper(argv[4] ?? new Uint8Array());
      return [[from === "LEFT" ? LPOP : RPOP, k], [to === "LEFT" ? LPUSH : RPUSH, argv[2]!, reply]];
    }
    case "BLPOP":
    case "BRPOP": {
      if (!Array.isArray(reply) || !(reply[0] instanceof Uint8Array)) return [];
      return [[verb === "BLPOP" ? LPOP : RPOP, reply[0]]];
    }
    case "FLUSHALL":
    case "FLUSHDB":
      return [[FLUSHALL]];
    default:
      return imageAll(store, verb, argv);
  }
}

function zaddFrames(argv: Uint8Array[], store: Store, pre: PreState): Frame[] {
  const k = argv[1]!;
  const z = zsetOf(store, k);
  if (z === null) return [];
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
    if (pre !== null && pre.has(mk) && Object.is(pre.get(mk), now)) continue;
    picked.push([B(formatScore(now)), m]);
  }
  if (picked.length === 0) return [];
  const out: Frame = [ZADD, k];
  for (let j = picked.length - 1; j >= 0; j--) out.push(...picked[j]!);
  return [out];
}
