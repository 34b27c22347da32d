/**
 * Set commands. SPOP picks members with a private deterministic PRNG (Redis
 * logs SPOP as SREM, so replay never depends on the choice).
 *
 * @module
 */

import {
  argInt,
  type Ctx,
  fail,
  getSet,
  NOT_POSITIVE,
  own,
  type Reply,
  SYNTAX,
} from "./_apply_common.ts";
import { fromKey } from "./_keys.ts";
import { SetValue } from "./values.ts";
import {
  ALL_KEYS,
  argvIfPositive,
  asInt,
  B,
  type CommandSpec,
  KEY1,
  KEY12,
  poppedMembers,
} from "./_command.ts";

const SREM = B("SREM"), SADD = B("SADD");

let rng = 0x9e3779b9;
function random(n: number): number {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return (rng >>> 0) % n;
}

function sadd(c: Ctx, a: Uint8Array[]): Reply {
  const s = getSet(c.store, a[1]!, true);
  let n = 0;
  for (let i = 2; i < a.length; i++) if (s.add(own(a[i]!))) n++;
  return n;
}

function srem(c: Ctx, a: Uint8Array[]): Reply {
  const s = getSet(c.store, a[1]!);
  if (s === null) return 0;
  let n = 0;
  for (let i = 2; i < a.length; i++) if (s.delete(a[i]!)) n++;
  c.store.removeIfEmpty(a[1]!);
  return n;
}

function spop(c: Ctx, a: Uint8Array[]): Reply {
  if (a.length > 3) fail(SYNTAX);
  const hasCount = a.length === 3;
  const count = hasCount ? argInt(a[2]!, NOT_POSITIVE) : 1;
  if (count < 0) fail(NOT_POSITIVE);
  const s = getSet(c.store, a[1]!);
  if (s === null) return hasCount ? [] : null;
  const out: Uint8Array[] = [];
  // One pass: keep each member with probability needed/remaining.
  let need = Math.min(count, s.size);
  let left = s.size;
  const picked: string[] = [];
  for (const m of s.rawMembers()) {
    if (need === 0) break;
    if (random(left) < need) {
      picked.push(m);
      need--;
    }
    left--;
  }
  for (const m of picked) {
    s.deleteRaw(m);
    out.push(fromKey(m));
  }
  c.store.removeIfEmpty(a[1]!);
  return hasCount ? out : out[0] ?? null;
}

function smove(c: Ctx, a: Uint8Array[]): Reply {
  if (!c.store.has(a[1]!)) return 0; // before any type check, as Redis does
  const src = getSet(c.store, a[1]!);
  const dst = getSet(c.store, a[2]!);
  if (src === null || !src.has(a[3]!)) return 0;
  if (src === dst) return 1;
  src.delete(a[3]!);
  c.store.removeIfEmpty(a[1]!);
  (dst ?? getSet(c.store, a[2]!, true)).add(own(a[3]!));
  return 1;
}

function store(c: Ctx, a: Uint8Array[], op: "inter" | "union" | "diff"): Reply {
  const sets = a.slice(2).map((k) => getSet(c.store, k));
  const out = new SetValue();
  if (op === "union") {
    for (const s of sets) if (s) { for (const m of s.rawMembers()) out.addRaw(m); }
  } else if (op === "inter") {
    if (sets.every((s) => s !== null)) {
      const [first, ...rest] = [...sets].sort((x, y) => x!.size - y!.size);
      for (const m of first!.rawMembers()) if (rest.every((s) => s!.hasRaw(m))) out.addRaw(m);
    }
  } else {
    const [first, ...rest] = sets;
    if (first) {
      for (const m of first.rawMembers()) if (!rest.some((s) => s?.hasRaw(m))) out.addRaw(m);
    }
  }
  if (out.size === 0) c.store.delete(a[1]!);
  else c.store.setValue(a[1]!, out);
  return out.size;
}

/** Set command table rows. */
export const SET_COMMANDS: CommandSpec[] = [
  {
    name: "sadd",
    arity: -3,
    flags: "write denyoom fast",
    keys: KEY1,
    log: argvIfPositive,
    fn: sadd,
  },
  { name: "srem", arity: -3, flags: "write fast", keys: KEY1, log: argvIfPositive, fn: srem },
  {
    name: "spop",
    arity: -2,
    flags: "write fast",
    keys: KEY1,
    log: (x) => {
      // The members that went, not the random choice.
      const ms = poppedMembers(x.reply, false);
      return ms.length > 0 ? [[SREM, x.argv[1]!, ...ms]] : [];
    },
    fn: spop,
  },
  {
    name: "smove",
    arity: 4,
    flags: "write fast",
    keys: KEY12,
    log: (x) =>
      asInt(x.reply) === 1 ? [[SREM, x.argv[1]!, x.argv[3]!], [SADD, x.argv[2]!, x.argv[3]!]] : [],
    fn: smove,
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: "write denyoom",
    keys: ALL_KEYS,
    fn: (c, a) => store(c, a, "inter"),
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: "write denyoom",
    keys: ALL_KEYS,
    fn: (c, a) => store(c, a, "union"),
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: "write denyoom",
    keys: ALL_KEYS,
    fn: (c, a) => store(c, a, "diff"),
  },
  {
    name: "smembers",
    arity: 2,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => [...(getSet(c.store, a[1]!)?.members() ?? [])],
  },
  {
    name: "sismember",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getSet(c.store, a[1]!)?.has(a[2]!) ? 1 : 0,
  },
  {
    name: "scard",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getSet(c.store, a[1]!)?.size ?? 0,
  },
];
