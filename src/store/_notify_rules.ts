// Private: the keyspace events of the write rows whose events are not simply named after
// their verb (Redis's names: INCR fires `incrby`, SETEX `set`, RENAME `rename_from` then
// `rename_to`, BLPOP `lpop`...). commands.ts gives each row its rule from here unless the
// row sets one itself; a row absent from here fires its verb's name (see _notify.ts).
import {
  expireEvents,
  framesOnly,
  type Notified,
  type NotifyInput,
  type NotifyRule,
  onKey,
} from "./_notify.ts";

function upper(b: Uint8Array | undefined): string {
  let s = "";
  if (b === undefined) return s;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return s;
}

const EXPIRE_OPTS = new Set(["EX", "PX", "EXAT", "PXAT"]);

/** SET fires `set`, and `expire` when it was given a TTL (not for KEEPTTL). */
const set = (x: NotifyInput): Notified => {
  const k = x.argv[1]!;
  const ttl = x.argv.some((a, i) => i > 2 && EXPIRE_OPTS.has(upper(a)));
  return ttl ? [["set", k], ["expire", k]] : [["set", k]];
};

/** RENAME / RENAMENX: `rename_from` then `rename_to` (nothing when RENAMENX did nothing). */
const rename = (x: NotifyInput): Notified =>
  x.reply === 0 ? [] : [["rename_from", x.argv[1]!], ["rename_to", x.argv[2]!]];

function changed(x: NotifyInput, k: Uint8Array): boolean {
  return x.keys.some((c) => c.length === k.length && c.every((v, i) => v === k[i]));
}

/** The pop event of the end named at `argv[i]` (LEFT / RIGHT). */
const popOf = (x: NotifyInput, i: number) => upper(x.argv[i]) === "LEFT" ? "lpop" : "rpop";
const pushOf = (x: NotifyInput, i: number) => upper(x.argv[i]) === "LEFT" ? "lpush" : "rpush";

/** LMOVE-like: the push on the destination, then the pop on the source (Redis's order). */
function moveList(from: (x: NotifyInput) => string, to: (x: NotifyInput) => string) {
  return (x: NotifyInput): Notified => {
    const src = x.argv[1]!, dst = x.argv[2]!;
    const out: Notified = [];
    if (changed(x, dst) && x.store.has(dst)) out.push([to(x), dst]);
    if (changed(x, src) || changed(x, dst)) out.push([from(x), src]);
    return out;
  };
}

/** The pop events of LMPOP / ZMPOP and their blocking forms: by the direction argument. */
function mpop(first: number, names: Record<string, string>) {
  return (x: NotifyInput): Notified => {
    const numkeys = Number(upper(x.argv[first]));
    const dir = names[upper(x.argv[first + 1 + numkeys])] ?? "";
    return x.keys.map((k) => [dir, k]);
  };
}

/** ZADD fires `zincr` with INCR. */
const zadd = (x: NotifyInput): Notified => {
  const incr = x.argv.some((a, i) => i > 1 && upper(a) === "INCR");
  return x.keys.map((k) => [incr ? "zincr" : "zadd", k]);
};

/** Rules by command name. */
export const NOTIFY_RULES: Record<string, NotifyRule> = {
  incr: "incrby",
  decr: "incrby",
  decrby: "incrby",
  setnx: "set",
  setex: "set",
  psetex: "set",
  getset: "set",
  mset: "set",
  msetnx: "set",
  getdel: "del",
  getex: framesOnly,
  unlink: "del",
  expire: expireEvents,
  pexpire: expireEvents,
  expireat: expireEvents,
  pexpireat: expireEvents,
  set,
  rename,
  renamenx: rename,
  copy: onKey("copy_to", 2),
  lpushx: "lpush",
  rpushx: "rpush",
  blpop: "lpop",
  brpop: "rpop",
  lmove: moveList((x) => popOf(x, 3), (x) => pushOf(x, 4)),
  blmove: moveList((x) => popOf(x, 3), (x) => pushOf(x, 4)),
  rpoplpush: moveList(() => "rpop", () => "lpush"),
  brpoplpush: moveList(() => "rpop", () => "lpush"),
  lmpop: mpop(1, { LEFT: "lpop", RIGHT: "rpop" }),
  blmpop: mpop(2, { LEFT: "lpop", RIGHT: "rpop" }),
  hmset: "hset",
  hsetnx: "hset",
  smove: (x) => {
    const src = x.argv[1]!, dst = x.argv[2]!;
    const out: Notified = [["srem", src]];
    if (changed(x, dst)) out.push(["sadd", dst]);
    return out;
  },
  zadd,
  zincrby: "zincr",
  bzpopmin: "zpopmin",
  bzpopmax: "zpopmax",
  zmpop: mpop(1, { MIN: "zpopmin", MAX: "zpopmax" }),
  bzmpop: mpop(2, { MIN: "zpopmin", MAX: "zpopmax" }),
  geoadd: "zadd",
  pfmerge: "pfadd",
  bitop: "set",
  bitfield: "setbit",
  sort: "sortstore",
  // STORE commands: the destination only (a source is read, not changed).
  sinterstore: onKey("sinterstore", 1),
  sunionstore: onKey("sunionstore", 1),
  sdiffstore: onKey("sdiffstore", 1),
  zunionstore: onKey("zunionstore", 1),
  zinterstore: onKey("zinterstore", 1),
  zdiffstore: onKey("zdiffstore", 1),
  zrangestore: onKey("zrangestore", 1),
};
