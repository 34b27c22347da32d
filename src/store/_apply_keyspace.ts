/**
 * Keyspace reads the embedded store's typed methods need: KEYS, RANDOMKEY,
 * EXPIRETIME, PEXPIRETIME, TOUCH.
 *
 * @module
 */
import type { Ctx, Reply } from "./_apply_common.ts";
import { globMatch } from "./_glob.ts";
import { ALL_KEYS, type CommandSpec, KEY1, NO_KEYS } from "./_command.ts";
import { latin1 } from "./glob.ts";

function keys(c: Ctx, a: Uint8Array[]): Reply {
  const p = latin1(a[1]!);
  const all = p === "*";
  const out: Reply[] = [];
  for (const k of c.store.keys()) if (all || globMatch(p, latin1(k))) out.push(k);
  return out;
}

/** EXPIRETIME / PEXPIRETIME: the absolute deadline, -1 without one, -2 for a missing key. */
function expiretime(c: Ctx, a: Uint8Array[], ms: boolean): Reply {
  const k = a[1]!;
  if (!c.store.has(k)) return -2;
  const d = c.store.deadline(k);
  if (d === null) return -1;
  return ms ? Math.trunc(d) : Math.trunc((d + 500) / 1000);
}

function touch(c: Ctx, a: Uint8Array[]): Reply {
  let n = 0;
  for (let i = 1; i < a.length; i++) if (c.store.has(a[i]!)) n++;
  return n;
}

/** Keyspace read rows. */
export const KEYSPACE_COMMANDS: CommandSpec[] = [
  { name: "keys", arity: 2, flags: "readonly", keys: NO_KEYS, everyShard: "concat", fn: keys },
  {
    name: "randomkey",
    arity: 1,
    flags: "readonly",
    keys: NO_KEYS,
    everyShard: "random",
    fn: (c) => c.store.randomKey(),
  },
  {
    name: "expiretime",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => expiretime(c, a, false),
  },
  {
    name: "pexpiretime",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => expiretime(c, a, true),
  },
  { name: "touch", arity: -2, flags: "readonly fast", keys: ALL_KEYS, split: "sum", fn: touch },
];
