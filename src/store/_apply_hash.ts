/**
 * Hash commands.
 *
 * @module
 */

import { argI64, type Ctx, fail, getHash, own, type Reply } from "./_apply_common.ts";
import { addFloat, addI64 } from "./_apply_string.ts";
import { intBytes, parseI64 } from "./_num.ts";
import { argvIfPositive, asInt, B, type CommandSpec, KEY1 } from "./_command.ts";
import { hsetKeepingTtl } from "./_apply_hash_ttl.ts";

const HSET = B("HSET");

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
  getHash(c.store, a[1]!, true).set(own(a[2]!), intBytes(r), true); // the field keeps its TTL
  return r;
}

function hincrbyfloat(c: Ctx, a: Uint8Array[]): Reply {
  const h = getHash(c.store, a[1]!, false);
  const out = addFloat(h?.get(a[2]!) ?? null, a[3]!, "ERR hash value is not a float");
  getHash(c.store, a[1]!, true).set(own(a[2]!), out, true); // the field keeps its TTL
  return out;
}

/** Hash command table rows. */
export const HASH_COMMANDS: CommandSpec[] = [
  {
    name: "hset",
    arity: -4,
    flags: "write denyoom fast",
    keys: KEY1,
    log: "argv",
    fn: (c, a) => hset(c, a, false),
  },
  {
    name: "hmset",
    arity: -4,
    flags: "write denyoom fast",
    keys: KEY1,
    log: (x) => [[HSET, ...x.argv.slice(1)]],
    fn: (c, a) => hset(c, a, true),
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: "write denyoom fast",
    keys: KEY1,
    log: (x) => asInt(x.reply) === 1 ? [[HSET, x.argv[1]!, x.argv[2]!, x.argv[3]!]] : [],
    fn: (c, a) => {
      const h = getHash(c.store, a[1]!, true);
      return h.has(a[2]!) ? 0 : (h.set(own(a[2]!), own(a[3]!)), 1);
    },
  },
  { name: "hdel", arity: -3, flags: "write fast", keys: KEY1, log: argvIfPositive, fn: hdel },
  { name: "hincrby", arity: 4, flags: "write denyoom fast", keys: KEY1, log: "argv", fn: hincrby },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: "write denyoom fast",
    keys: KEY1,
    // The resulting value, as Redis propagates it (replay must not redo float math),
    // and the field's deadline again (the replayed HSET clears it).
    log: (x) =>
      x.reply instanceof Uint8Array
        ? hsetKeepingTtl(x.store, x.argv[1]!, x.argv[2]!, x.reply)
        : x.imageKeys(),
    fn: hincrbyfloat,
  },
  {
    name: "hget",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getHash(c.store, a[1]!)?.get(a[2]!) ?? null,
  },
  {
    name: "hmget",
    arity: -3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => {
      const h = getHash(c.store, a[1]!);
      return a.slice(2).map((f) => h?.get(f) ?? null);
    },
  },
  {
    name: "hgetall",
    arity: 2,
    flags: "readonly",
    keys: KEY1,
    fn: (c, a) => [...(getHash(c.store, a[1]!)?.entries() ?? [])].flat(),
  },
  {
    name: "hlen",
    arity: 2,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getHash(c.store, a[1]!)?.size ?? 0,
  },
  {
    name: "hexists",
    arity: 3,
    flags: "readonly fast",
    keys: KEY1,
    fn: (c, a) => getHash(c.store, a[1]!)?.has(a[2]!) ? 1 : 0,
  },
];
