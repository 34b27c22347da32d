// Which arguments of a command are keys (for shard routing) and whether a
// command only reads. A small table in the spirit of Redis' key specs; verbs
// not listed take their key at argv[1] and count as writes (the safe side:
// a write is logged as the resulting state of its keys).

/** Commands that never change the keyspace (lazy expiry aside, which needs no log). */
const READS = new Set(
  (
    "GET MGET EXISTS TTL PTTL EXPIRETIME PEXPIRETIME TYPE STRLEN GETRANGE SUBSTR GETBIT " +
    "BITCOUNT BITPOS LCS HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD HSCAN " +
    "LRANGE LLEN LINDEX LPOS SMEMBERS SISMEMBER SMISMEMBER SCARD SRANDMEMBER SINTER SUNION " +
    "SDIFF SINTERCARD SSCAN ZRANGE ZRANGEBYSCORE ZRANGEBYLEX ZREVRANGE ZREVRANGEBYSCORE " +
    "ZREVRANGEBYLEX ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANDMEMBER ZSCAN " +
    "ZUNION ZINTER ZDIFF ZINTERCARD DBSIZE KEYS SCAN RANDOMKEY PING ECHO TIME OBJECT TOUCH " +
    "DUMP XLEN XRANGE XREVRANGE XREAD XINFO XPENDING"
  ).split(" "),
);

/** Commands without keys. */
const KEYLESS = new Set([
  "PING",
  "ECHO",
  "TIME",
  "DBSIZE",
  "KEYS",
  "SCAN",
  "RANDOMKEY",
  "FLUSHALL",
  "FLUSHDB",
  "INFO",
]); // deno-fmt-ignore

/** Every argument from 1 is a key. */
const ALL_KEYS = new Set([
  "DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "SINTER", "SUNION", "SDIFF", "SINTERSTORE",
  "SUNIONSTORE", "SDIFFSTORE", "WATCH",
]); // deno-fmt-ignore

/** Keys at 1 and 2. */
const TWO_KEYS = new Set([
  "RENAME", "RENAMENX", "COPY", "SMOVE", "LMOVE", "RPOPLPUSH", "BLMOVE", "BRPOPLPUSH",
  "ZRANGESTORE", "LCS",
]); // deno-fmt-ignore

/** `numkeys` at 1, keys after it. */
const NUMKEYS_AT_1 = new Set(["ZUNION", "ZINTER", "ZDIFF", "SINTERCARD", "ZINTERCARD", "LMPOP", "ZMPOP"]);
/** Destination at 1, `numkeys` at 2, keys after it. */
const NUMKEYS_AT_2 = new Set(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]);

/** Commands split per shard when their keys span shards. */
export const SPLITTABLE: ReadonlySet<string> = new Set(
  (
    "DEL UNLINK EXISTS TOUCH MGET MSET MSETNX"
  ).split(" "),
);

/** True when the verb (upper case) never changes the keyspace. */
export function isRead(verb: string): boolean {
  return READS.has(verb);
}

/** True when the verb has no key arguments. */
export function isKeyless(verb: string): boolean {
  return KEYLESS.has(verb);
}

function asCount(b: Uint8Array | undefined): number {
  if (!b) return 0;
  const n = Number(new TextDecoder().decode(b));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** Indexes into argv of the key arguments of a command (upper-case verb). */
export function keyIndexes(verb: string, argv: ReadonlyArray<Uint8Array>): number[] {
  const n = argv.length;
  if (n < 2 || KEYLESS.has(verb)) return [];
  const out: number[] = [];
  if (ALL_KEYS.has(verb)) {
    for (let i = 1; i < n; i++) out.push(i);
  } else if (verb === "MSET" || verb === "MSETNX") {
    for (let i = 1; i < n; i += 2) out.push(i);
  } else if (TWO_KEYS.has(verb)) {
    out.push(1);
    if (n > 2) out.push(2);
  } else if (NUMKEYS_AT_1.has(verb)) {
    const k = asCount(argv[1]);
    for (let i = 2; i < Math.min(n, 2 + k); i++) out.push(i);
  } else if (NUMKEYS_AT_2.has(verb)) {
    out.push(1);
    const k = asCount(argv[2]);
    for (let i = 3; i < Math.min(n, 3 + k); i++) out.push(i);
  } else {
    out.push(1);
  }
  return out;
}
