// Command lines of the KevyStore methods that take options or many shapes of
// input (SET, ZADD, HSET, MSET, EXPIRE, ZRANGE): the option objects become argv.
import { formatScore } from "../persist/rewrite_commands.ts";
import { type Bytes, intArg, InvalidArg } from "./_reply.ts";
import type { BlockingOptions, Pairs, ScoredMember, SetOptions, ZAddOptions } from "./types.ts";

/** One argv element before encoding. */
export type Arg = Bytes | number | InvalidArg;

/** A record, a Map or pairs as `[name, value]` pairs. */
export function pairList(p: Pairs): Array<[Bytes, Bytes]> {
  if (Array.isArray(p)) return p;
  if (p instanceof Map) return [...p];
  return Object.entries(p);
}

/** `SET key value [EX|PX|EXAT|PXAT n] [NX] [XX] [KEEPTTL] [GET]`. */
export function setArgv(key: Bytes, value: Bytes, opts: SetOptions): Arg[] {
  const a: Arg[] = ["SET", key, value];
  if (opts.ex !== undefined) a.push("EX", intArg("ex", opts.ex));
  if (opts.px !== undefined) a.push("PX", intArg("px", opts.px));
  if (opts.exat !== undefined) a.push("EXAT", intArg("exat", opts.exat));
  if (opts.pxat !== undefined) a.push("PXAT", intArg("pxat", opts.pxat));
  if (opts.nx) a.push("NX");
  if (opts.xx) a.push("XX");
  if (opts.keepttl) a.push("KEEPTTL");
  if (opts.get) a.push("GET");
  return a;
}

/** `HSET key field value` or `HSET key f1 v1 f2 v2 ...` from pairs. */
export function hsetArgv(key: Bytes, a: Bytes | Pairs, value?: Bytes): Arg[] {
  if (typeof a === "string" || a instanceof Uint8Array) {
    if (value === undefined) {
      const e = "hset(): value is missing (hset(key, field, value) or hset(key, pairs))";
      return ["HSET", new InvalidArg(new TypeError(e))]; // the call rejects with it
    }
    return ["HSET", key, a, value];
  }
  if (a === null || typeof a !== "object") {
    const e = `hset(): field must be a string, a Uint8Array or pairs, got ${String(a)}`;
    return ["HSET", new InvalidArg(new TypeError(e))];
  }
  return ["HSET", key, ...pairList(a).flat()];
}

/** `EXPIRE`/`PEXPIRE key n [NX|XX|GT|LT]`. */
export function expireArgv(
  verb: "EXPIRE" | "PEXPIRE",
  key: Bytes,
  name: string,
  n: number,
  mode?: "NX" | "XX" | "GT" | "LT",
): Arg[] {
  const a: Arg[] = [verb, key, intArg(name, n)];
  if (mode) a.push(mode);
  return a;
}

/** `ZADD key [NX] [XX] [GT] [LT] [CH] score member ...`. */
export function zaddArgv(
  key: Bytes,
  members: Array<[number, Bytes]> | ScoredMember<Bytes> | Array<ScoredMember<Bytes>>,
  opts: ZAddOptions,
): Arg[] {
  const list = Array.isArray(members) ? members : [members];
  const a: Arg[] = ["ZADD", key];
  if (opts.nx) a.push("NX");
  if (opts.xx) a.push("XX");
  if (opts.gt) a.push("GT");
  if (opts.lt) a.push("LT");
  if (opts.ch) a.push("CH");
  for (const m of list) {
    const [sc, member] = Array.isArray(m) ? m : [m?.score, m?.member];
    // Scores may be ±Infinity (Redis's inf), never NaN; members are checked with the rest.
    if (typeof sc !== "number" || sc !== sc) {
      const e = `zadd(): score must be a number (not NaN), got ${String(sc)}`;
      return ["ZADD", new InvalidArg(new TypeError(e))]; // the call rejects with it
    }
    a.push(formatScore(sc), member as Bytes);
  }
  return a;
}

/** `ZRANGE key start stop [REV] [WITHSCORES]`. */
export function zrangeArgv(
  key: Bytes,
  start: number,
  stop: number,
  opts: { rev?: boolean; withScores?: boolean },
): Arg[] {
  const a: Arg[] = ["ZRANGE", key, intArg("start", start), intArg("stop", stop)];
  if (opts.rev) a.push("REV");
  if (opts.withScores) a.push("WITHSCORES");
  return a;
}

/**
 * A blocking call's arguments in Redis order — `...keys, timeoutSeconds[, { signal }]` —
 * as argv (the timeout as decimal seconds) and options.
 */
export function blockingArgs(
  method: string,
  verb: string,
  args: ReadonlyArray<unknown>,
): { argv: unknown[]; opts: BlockingOptions } {
  let list = args;
  let opts: BlockingOptions = {};
  const last = args.at(-1);
  if (last !== null && typeof last === "object" && !(last instanceof Uint8Array)) {
    opts = last as BlockingOptions;
    list = args.slice(0, -1);
  }
  const timeout = list.at(-1);
  // A refused argument is carried in argv: the call rejects with it (see InvalidArg).
  const bad = (error: Error) => ({ argv: [verb, new InvalidArg(error)], opts: {} });
  if (typeof timeout !== "number" || !Number.isFinite(timeout)) {
    return bad(
      new TypeError(
        `${method}(): the last argument must be the timeout in seconds (a number; 0 waits ` +
          `forever), got ${typeof timeout === "number" ? timeout : typeof timeout}`,
      ),
    );
  }
  if (timeout < 0) {
    return bad(new RangeError(`${method}(): timeout must be >= 0 seconds, got ${timeout}`));
  }
  if (list.length < 2) {
    return bad(new TypeError(`${method}(): at least one key before the timeout`));
  }
  return { argv: [verb, ...list.slice(0, -1), String(timeout)], opts };
}
