// Argument encoding and reply decoding for the typed KevyStore methods.
import type { Reply } from "../store/_apply_common.ts";
import { CommandFailedError } from "./errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A key, value, field or member: UTF-8 text or raw bytes. */
export type Bytes = string | Uint8Array;

/**
 * An argument refused while a method built its command: the error is raised when the
 * command is run or queued, so a store method rejects (never throws) as for any bad input.
 */
export class InvalidArg {
  constructor(readonly error: Error) {}
}

/** Encode one argument (numbers as decimal text). */
export function arg(x: Bytes | number | bigint | InvalidArg): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (x instanceof InvalidArg) throw x.error;
  if (typeof x === "string") return enc.encode(x);
  if (typeof x === "bigint") return enc.encode(x.toString());
  if (!Number.isFinite(x)) return enc.encode(x > 0 ? "+inf" : x < 0 ? "-inf" : "nan");
  return enc.encode(String(x));
}

/** Encode an integer argument, rejecting non-integers before they reach the store. */
export function intArg(name: string, x: number | bigint): Uint8Array | InvalidArg {
  if (typeof x === "number" && !Number.isSafeInteger(x)) {
    return new InvalidArg(new RangeError(`${name} must be a safe integer, got ${x}`));
  }
  return arg(x);
}

/** How bulk replies come back: UTF-8 strings or the bytes themselves. */
export type Decode<V> = (b: Uint8Array) => V;

/** UTF-8 decoding (invalid sequences become U+FFFD). */
export const asString: Decode<string> = (b) => dec.decode(b);
/** Identity. */
export const asBytes: Decode<Uint8Array> = (b) => b;

function unexpected(r: Reply): never {
  throw new CommandFailedError(`ERR unexpected reply ${String(r)}`);
}

/** A bulk-or-nil reply. */
export function bulk<V>(r: Reply, d: Decode<V>): V | null {
  if (r === null) return null;
  if (r instanceof Uint8Array) return d(r);
  if (typeof r === "string") return d(enc.encode(r));
  return unexpected(r);
}

/** An array of bulks (nil elements allowed). */
export function bulks<V>(r: Reply, d: Decode<V>): Array<V | null> {
  if (r === null) return [];
  if (!Array.isArray(r)) return unexpected(r);
  return r.map((x) => bulk(x, d));
}

/** An array of bulks without nils. */
export function strictBulks<V>(r: Reply, d: Decode<V>): V[] {
  return bulks(r, d).filter((x): x is V => x !== null);
}

/** An integer reply as a number (precision is lost beyond 2^53; `command()` keeps bigints). */
export function int(r: Reply): number {
  if (typeof r === "number") return r;
  if (typeof r === "bigint") return Number(r);
  if (r instanceof Uint8Array) return Number(dec.decode(r));
  return unexpected(r);
}

/** Parse a score as Redis prints it (`inf`, `-inf`, decimal). */
export function score(r: Reply): number | null {
  if (r === null) return null;
  const s = r instanceof Uint8Array ? dec.decode(r) : typeof r === "number" ? String(r) : String(r);
  const l = s.toLowerCase();
  if (l === "inf" || l === "+inf" || l === "infinity" || l === "+infinity") return Infinity;
  if (l === "-inf" || l === "-infinity") return -Infinity;
  if (l === "nan") return NaN;
  return Number(s);
}

/** A flat `[a, b, a, b, ...]` reply as pairs. */
export function pairs(r: Reply): Array<[Reply, Reply]> {
  if (r === null) return [];
  if (!Array.isArray(r)) return unexpected(r);
  const out: Array<[Reply, Reply]> = [];
  if (r.some(Array.isArray)) {
    for (const x of r) if (Array.isArray(x)) out.push([x[0] ?? null, x[1] ?? null]);
    return out;
  }
  for (let i = 0; i + 1 < r.length; i += 2) out.push([r[i]!, r[i + 1]!]);
  return out;
}

/** A flat field/value reply (`HGETALL`) as a record, field names decoded as UTF-8. */
export function hashRecord<V>(r: Reply, d: Decode<V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [f, v] of pairs(r)) out[bulk(f, asString) ?? ""] = bulk(v, d) as V;
  return out;
}

/** A `WITHSCORES` reply as `{ member, score }` objects. */
export function scoredMembers<V>(r: Reply, d: Decode<V>): Array<{ member: V; score: number }> {
  return pairs(r).map(([m, s]) => ({ member: bulk(m, d) as V, score: score(s) ?? NaN }));
}

/** An integer reply, exact: a `number` when it is a safe integer, else a `bigint`. */
export function exact(r: Reply): number | bigint {
  if (typeof r === "number" || typeof r === "bigint") return r;
  if (r instanceof Uint8Array) {
    const b = BigInt(dec.decode(r));
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }
  return unexpected(r);
}

/** An integer reply as a `bigint` (the exact forms: `incrby(key, 1n)`). */
export function big(r: Reply): bigint {
  const v = exact(r);
  return typeof v === "bigint" ? v : BigInt(v);
}

/** An integer reply 1/0 as a boolean. */
export function bool(r: Reply): boolean {
  return int(r) === 1;
}

/** A float reply (INCRBYFLOAT's bulk) as a number. */
export function float(r: Reply): number {
  return score(r) ?? NaN;
}

/** A status reply (`"OK"`); a nil (a condition not met) as null. */
export function status(r: Reply): "OK" | null {
  return r === null ? null : "OK";
}
