// Argument names of the KevyStore methods, for the TypeErrors of bad arguments.
import { arg, type ArgNames } from "./_reply.ts";

/** Argument names of the typed methods, for their TypeErrors. */
export function names(method: string, fixed: string, repeat?: string): ArgNames {
  const f = fixed === "" ? [] : fixed.split(" ");
  return repeat === undefined
    ? { method, fixed: f }
    : { method, fixed: f, repeat: repeat.split(" ") };
}

/** Argument names per typed method. */
export const N = {
  get: names("get", "key"),
  set: names("set", "key value"),
  mget: names("mget", "", "key"),
  mset: names("mset", "", "key value"),
  incr: names("incr", "key"),
  incrby: names("incrby", "key"),
  decr: names("decr", "key"),
  decrby: names("decrby", "key"),
  append: names("append", "key value"),
  del: names("del", "", "key"),
  exists: names("exists", "", "key"),
  expire: names("expire", "key"),
  pexpire: names("pexpire", "key"),
  ttl: names("ttl", "key"),
  pttl: names("pttl", "key"),
  persist: names("persist", "key"),
  type: names("type", "key"),
  hset: names("hset", "key", "field value"),
  hget: names("hget", "key field"),
  hgetall: names("hgetall", "key"),
  hdel: names("hdel", "key", "field"),
  lpush: names("lpush", "key", "value"),
  rpush: names("rpush", "key", "value"),
  lpop: names("lpop", "key"),
  rpop: names("rpop", "key"),
  lrange: names("lrange", "key"),
  sadd: names("sadd", "key", "member"),
  srem: names("srem", "key", "member"),
  smembers: names("smembers", "key"),
  sismember: names("sismember", "key member"),
  zrem: names("zrem", "key", "member"),
  zrange: names("zrange", "key"),
  zscore: names("zscore", "key member"),
  watch: names("watch", "", "key"),
} as const;

/**
 * The argument names of `method`'s argv for its TypeErrors: the table's, ZADD's from its
 * option tokens, else "argument i" under the method's name (`command()` included).
 */
export function argNamesOf(method: string, argv: ReadonlyArray<unknown>): ArgNames {
  if (method === "zadd") {
    let flags = 0; // NX XX GT LT CH come before the score-member pairs
    while (
      2 + flags < argv.length && typeof argv[2 + flags] === "string" &&
      /^[A-Z]{2}$/.test(argv[2 + flags] as string)
    ) flags++;
    return names("zadd", ["key", ...Array<string>(flags).fill("option")].join(" "), "score member");
  }
  return (N as Record<string, ArgNames>)[method] ?? { method, fixed: [] };
}

/**
 * The encoded argv of a typed method's call (see `arg`): strings, bytes and
 * numbers as `arg` converts them; the argument names are worked out only
 * when an argument is refused (they are for the TypeError).
 */
export function encodeArgv(method: string, argv: ReadonlyArray<unknown>): Uint8Array[] {
  const n = argv.length;
  const out = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    const x = argv[i];
    out[i] = x instanceof Uint8Array
      ? x
      : arg(x, i, typeof x === "string" ? null : argNamesOf(method, argv));
  }
  return out;
}
