/**
 * Argument and result shapes of the {@link KevyStore} methods.
 *
 * @module
 */
import type { Bytes } from "./_reply.ts";

export type { Bytes } from "./_reply.ts";

/** Options of {@link KevyStore.set} (Redis `SET` options; at most one of ex/px/exat/pxat/keepttl). */
export interface SetOptions {
  /** Expire after this many seconds (without any TTL option: no TTL, an old one is cleared). */
  ex?: number;
  /** Expire after this many milliseconds (without: see `ex`). */
  px?: number;
  /** Expire at this unix time in seconds (without: see `ex`). */
  exat?: number;
  /** Expire at this unix time in milliseconds (without: see `ex`). */
  pxat?: number;
  /** Only set if the key does not exist. */
  nx?: boolean;
  /** Only set if the key exists. */
  xx?: boolean;
  /** Keep the key's current TTL. */
  keepttl?: boolean;
  /** Return the old value instead of `"OK"`. */
  get?: boolean;
}

/** Options of {@link KevyStore.zadd}. */
export interface ZAddOptions {
  /** Only add new members. */
  nx?: boolean;
  /** Only update existing members. */
  xx?: boolean;
  /** Only update when the new score is greater. */
  gt?: boolean;
  /** Only update when the new score is less. */
  lt?: boolean;
  /** Count changed members, not only added ones. */
  ch?: boolean;
}

/** Options of {@link KevyStore.scan}. */
export interface ScanOptions {
  /** Glob pattern (`*`, `?`, `[a-z]`, `\` escapes), as Redis `MATCH` (default: every key). */
  match?: string;
  /** Keys examined per step (default 100). */
  count?: number;
}

/** A sorted-set member with its score. */
export interface ScoredMember<V> {
  /** The member. */
  member: V;
  /** Its score. */
  score: number;
}

/** Value types reported by {@link KevyStore.type}. */
export type KeyType = "string" | "hash" | "list" | "set" | "zset" | "stream" | "none";

/** Field/value (or key/value) pairs: a record, a Map, or `[name, value]` pairs. */
export type Pairs = Record<string, Bytes> | Map<Bytes, Bytes> | Array<[Bytes, Bytes]>;

/** Options of {@link KevyStore.getex} (at most one). */
export interface GetExOptions {
  /** Expire after this many seconds (without any TTL option: the TTL is left as it is). */
  ex?: number;
  /** Expire after this many milliseconds (without: see `ex`). */
  px?: number;
  /** Expire at this unix time in seconds (without: see `ex`). */
  exat?: number;
  /** Expire at this unix time in milliseconds (without: see `ex`). */
  pxat?: number;
  /** Remove the TTL. */
  persist?: boolean;
}

/** `NX` / `XX` / `GT` / `LT` of the EXPIRE family. */
export type ExpireMode = "NX" | "XX" | "GT" | "LT";

/** A list end: `LEFT` (head) or `RIGHT` (tail). */
export type ListEnd = "LEFT" | "RIGHT";

/** Options of a blocking call (`blpop`, `brpop`, `blmove`, `bzpopmin`, `bzpopmax`). */
export interface BlockingOptions {
  /** Stops waiting: the call rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
}

/** A score bound of `zrangebyscore`/`zcount`: a number (inclusive, ±Infinity for no bound) or `{ exclusive: n }`. */
export type ScoreArg = number | { exclusive: number };

/**
 * Options of {@link KevyStore.atomic}.
 *
 * @example
 * ```ts
 * import type { AtomicOptions } from "@kevy/persist";
 * const opts: AtomicOptions = { attempts: 20 };
 * ```
 */
export interface AtomicOptions {
  /** How many times `fn` runs before giving up (default 10). */
  attempts?: number;
}
