/**
 * Hash commands.
 *
 * @module
 */

import {
  argI64,
  type CommandSpec,
  type Ctx,
  fail,
  getHash,
  own,
  type Reply,
} from "./_apply_common.ts";
import { addFloat, addI64 } from "./_apply_string.ts";
import { intBytes, parseI64 } from "./_num.ts";

function hset(c: Ctx, a: Uint8Array[], status: boolean): Reply {
  if (a.length % 2 !== 0) {
    fail(`ERR wrong number of arguments for '${status ? "hmset" : "hset"}' command`);
  }
  const h = getHash(c.store, a[1]!, true);
  let added = 0;
  for (let i = 2; i < a.length; i += 2) if (h.set(own(a[i]!), own(a[i + 1]!))) added++;
  return status ? "OK" : added;
}

function hdel(c: Ctx, a: Uint8Array[]): Reply {
  const h = getHash(c.store, a[1]!);
  if (h === null) return 0;
  let n = 0;
  for (let i = 2; i < a.length; i++) if (h.delete(a[i]!)) n++;
  c.store.removeIfEmpty(a[1]!);
  return n;
}

function hincrby(c: Ctx, a: Uint8Array[]): Reply {
  const by = argI64(a[3]!);
  const h = getHash(c.store, a[1]!, false);
  const cur = h?.get(a[2]!);
  let v: number | bigint = 0;
  if (cur !== undefined) {
    const p = parseI64(cur);
    if (p === null) fail("ERR hash value is not an integer");
    v = p;
  }
  const r = addI64(v, by);
  getHash(c.store, a[1]!, true).set(own(a[2]!), intBytes(r));
  return r;
}

function hincrbyfloat(c: Ctx, a: Uint8Array[]): Reply {
  const h = getHash(c.store, a[1]!, false);
  const out = addFloat(h?.get(a[2]!) ?? null, a[3]!, "ERR hash value is not a float");
  getHash(c.store, a[1]!, true).set(own(a[2]!), out);
  return out;
}

/** Hash command table rows. */
export const HASH_COMMANDS: CommandSpec[] = [
  { name: "hset", arity: -4, fn: (c, a) => hset(c, a, false) },
  { name: "hmset", arity: -4, fn: (c, a) => hset(c, a, true) },
  {
    name: "hsetnx",
    arity: 4,
    fn: (c, a) => {
      const h = getHash(c.store, a[1]!, true);
      return h.has(a[2]!) ? 0 : (h.set(own(a[2]!), own(a[3]!)), 1);
    },
  },
  { name: "hdel", arity: -3, fn: hdel },
  { name: "hincrby", arity: 4, fn: hincrby },
  { name: "hincrbyfloat", arity: 4, fn: hincrbyfloat },
  { name: "hget", arity: 3, fn: (c, a) => getHash(c.store, a[1]!)?.get(a[2]!) ?? null },
  {
    name: "hmget",
    arity: -3,
    fn: (c, a) => {
      const h = getHash(c.store, a[1]!);
      return a.slice(2).map((f) => h?.get(f) ?? null);
    },
  },
  {
    name: "hgetall",
    arity: 2,
    fn: (c, a) => [...(getHash(c.store, a[1]!)?.entries() ?? [])].flat(),
  },
  { name: "hlen", arity: 2, fn: (c, a) => getHash(c.store, a[1]!)?.size ?? 0 },
  { name: "hexists", arity: 3, fn: (c, a) => getHash(c.store, a[1]!)?.has(a[2]!) ? 1 : 0 },
];
