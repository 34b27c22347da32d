// Argument encoding and reply decoding for the typed KevyStore methods.
import type { Reply } from "../store/apply.ts";
import { runtimeName } from "../fs/detect.ts";
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

/** How a bad argument is described: `null`, `undefined`, `true`, `an object`, `NaN`... */
function describe(x: unknown): string {
  if (x === null || x === undefined || typeof x === "boolean") return String(x);
  if (typeof x === "number") return String(x);
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return `an object (${Object.prototype.toString.call(x).slice(8, -1)})`;
  return `a ${typeof x}`;
}

/**
 * Names the arguments of a typed method for its errors: `fixed` names
 * argv[1], argv[2], ...; then `repeat` cycles (`del(...keys)`: repeat
 * `["key"]`; `mset`: repeat `["key", "value"]`); anything else is "argument i".
 */
export interface ArgNames {
  /** The method, e.g. `"set"`. */
  readonly method: string;
  /** Names of the first arguments. */
  readonly fixed: readonly string[];
  /** Names that repeat after them. */
  readonly repeat?: readonly string[];
}

/** The name of argv[i] (i >= 1) under `names`. */
function argName(names: ArgNames | null, i: number): string {
  if (names === null) return `argument ${i}`;
  const f = names.fixed;
  if (i <= f.length) return f[i - 1]!;
  const r = names.repeat;
  return r === undefined || r.length === 0 ? `argument ${i}` : r[(i - 1 - f.length) % r.length]!;
}

// Short strings are encoded into a shared pool (as Node's Buffer.from does):
// on Deno a TextEncoder.encode (an ArrayBuffer per call) costs ~1 us, a view
// of the pool ~0.15 us (on Bun encode is the faster: ~0.12 us, so Bun keeps
// it). Pool bytes are never written twice, so a view stays valid however long
// it is kept (the store copies what it keeps anyway); a kept view keeps at
// most one pool alive.
const POOLING = runtimeName() !== "bun";
const POOL = 8192;
/** Strings up to this many UTF-16 units go to the pool. */
const POOLED = 512;
let pool = new Uint8Array(POOL);
let poolAt = 0;

/** UTF-8 bytes of `s` (U+FFFD for a lone surrogate, as TextEncoder). */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  if (n > POOLED || !POOLING) return enc.encode(s);
  if (POOL - poolAt < n * 3) {
    pool = new Uint8Array(POOL);
    poolAt = 0;
  }
  const b = pool;
  const at = poolAt;
  let p = at;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      // Room for 3 bytes per unit was reserved: the rest always fits.
      p += enc.encodeInto(s.slice(i), b.subarray(p)).written;
      break;
    }
    b[p++] = c;
  }
  poolAt = p;
  return b.subarray(at, p);
}

// The verbs the typed methods pass (string literals), encoded once.
const verbs = new Map<string, Uint8Array>();

function verbBytes(v: string): Uint8Array {
  let b = verbs.get(v);
  if (b === undefined) {
    b = enc.encode(v);
    // command() verbs come from callers: keep the table bounded.
    if (verbs.size < 1024) verbs.set(v, b);
  }
  return b;
}

/**
 * Encode one argument: a string (UTF-8), a `Uint8Array`, a bigint or a
 * finite number (as its decimal text, as Redis clients do). Anything else
 * (null, undefined, a boolean, an object, NaN, ±Infinity) is a `TypeError`
 * naming the argument: nothing reaches the store. An {@link InvalidArg}
 * raises its error.
 */
export function arg(x: unknown, i: number, names: ArgNames | null): Uint8Array {
  if (typeof x === "string") return i === 0 ? verbBytes(x) : utf8(x);
  if (x instanceof Uint8Array) return x;
  if (x instanceof InvalidArg) throw x.error;
  if (typeof x === "bigint") return utf8(x.toString());
  if (typeof x === "number" && Number.isFinite(x)) return utf8(String(x));
  const method = names === null ? "command" : names.method;
  throw new TypeError(
    `${method}(): ${argName(names, i)} must be a string or a Uint8Array` +
      `${typeof x === "number" ? " (a number must be finite)" : ""}, got ${describe(x)}`,
  );
}

/** Encode an integer argument, rejecting non-integers before they reach the store. */
export function intArg(name: string, x: number | bigint): Uint8Array | InvalidArg {
  if (typeof x === "bigint") return utf8(x.toString());
  if (typeof x !== "number") {
    return new InvalidArg(new TypeError(`${name} must be an integer, got ${describe(x)}`));
  }
  if (!Number.isSafeInteger(x)) {
    return new InvalidArg(new RangeError(`${name} must be a safe integer, got ${x}`));
  }
  return utf8(String(x));
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
