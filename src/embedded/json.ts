/**
 * {@link JsonCommands} (`db.json`): JSON values stored as strings, refusing
 * what JSON cannot carry instead of changing it silently.
 *
 * @module
 */
import type { Bytes } from "./_reply.ts";
import type { SetOptions } from "./types.ts";

/**
 * A value {@link JsonCommands.set} refused: JSON cannot carry it, and
 * `JSON.stringify` would have changed or dropped it silently. `path` says
 * where (`$.items[2].price`), `reason` what it is.
 *
 * @example
 * ```ts
 * import { JsonValueError, openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.json.set("k", { when: new Date() }).catch((e) => e instanceof JsonValueError); // true
 * await db.close();
 * ```
 */
export class JsonValueError extends TypeError {
  /** Always `"JsonValueError"`. */
  override name = "JsonValueError";
  /** Where in the value (`$` is the value itself). */
  readonly path: string;
  /** What was found there. */
  readonly reason: string;
  /**
   * A refused value.
   * @param path where
   * @param reason what
   */
  constructor(path: string, reason: string) {
    super(`json.set(): ${path} is ${reason}, which JSON cannot carry`);
    this.path = path;
    this.reason = reason;
  }
}

/**
 * The text of `value` as JSON, or {@link JsonValueError} for anything
 * `JSON.parse(JSON.stringify(v))` would not give back as it was: `undefined`,
 * functions, symbols, bigints, NaN and ±Infinity, cycles, and objects other
 * than plain objects and arrays (Date, Map, Set, class instances, typed
 * arrays...). `-0` becomes `0`, as JSON has no negative zero.
 *
 * @example
 * ```ts
 * import { toJsonText } from "@kevy/persist";
 * toJsonText({ a: [1, "x", null] }); // '{"a":[1,"x",null]}'
 * ```
 */
export function toJsonText(value: unknown): string {
  check(value, "$", new Set());
  return JSON.stringify(value);
}

function check(v: unknown, path: string, seen: Set<object>): void {
  switch (typeof v) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(v)) throw new JsonValueError(path, String(v));
      return;
    case "undefined":
      throw new JsonValueError(path, "undefined");
    case "bigint":
      throw new JsonValueError(path, `a bigint (${v}n; store it as a string)`);
    case "function":
      throw new JsonValueError(path, "a function");
    case "symbol":
      throw new JsonValueError(path, "a symbol");
  }
  if (v === null) return;
  const o = v as object;
  if (seen.has(o)) throw new JsonValueError(path, "a cycle (a value that contains itself)");
  if (Array.isArray(o)) {
    seen.add(o);
    for (let i = 0; i < o.length; i++) {
      if (!(i in o)) throw new JsonValueError(`${path}[${i}]`, "a hole in a sparse array");
      check(o[i], `${path}[${i}]`, seen);
    }
    seen.delete(o);
    return;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    const name = (o.constructor as { name?: string } | undefined)?.name ?? "an object";
    throw new JsonValueError(path, `a ${name} (only plain objects and arrays)`);
  }
  if (Object.getOwnPropertySymbols(o).length > 0) {
    throw new JsonValueError(path, "an object with symbol keys");
  }
  seen.add(o);
  for (const [k, x] of Object.entries(o)) check(x, `${path}${propPath(k)}`, seen);
  seen.delete(o);
}

function propPath(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** What {@link JsonCommands} needs of a store handle. */
interface StringStore {
  get(key: Bytes): Promise<string | Uint8Array | null>;
  set(key: Bytes, value: Bytes, opts?: SetOptions): Promise<"OK" | null>;
  mget(...keys: Bytes[]): Promise<Array<string | Uint8Array | null>>;
}

const dec = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON values at keys (`db.json`): `set` stores `JSON.stringify(value)` after
 * checking that JSON can carry the value ({@link toJsonText}); `get` parses it
 * back. The keys are ordinary strings (`db.get` sees the JSON text), so TTLs,
 * transactions and the logs treat them like any string.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.json.set("cart:7", { items: [{ sku: "a1", qty: 2 }] }, { ex: 3600 });
 * const cart = await db.json.get<{ items: Array<{ sku: string; qty: number }> }>("cart:7");
 * console.log(cart?.items[0]?.qty); // 2
 * await db.close();
 * ```
 */
export class JsonCommands {
  readonly #db: StringStore;

  /** @internal `db.json`. */
  constructor(db: StringStore) {
    this.#db = db;
  }

  /**
   * Stores `value` as JSON text (SET, with its options: `ex`, `px`, `nx`,
   * `xx`, ...). Rejects with {@link JsonValueError} (nothing stored) for a
   * value JSON cannot carry. Resolves like `set`: `"OK"`, or `null` when
   * `nx`/`xx` prevented it.
   */
  async set(key: Bytes, value: unknown, opts: Omit<SetOptions, "get"> = {}): Promise<"OK" | null> {
    return await this.#db.set(key, toJsonText(value), opts);
  }

  /** The value at `key` parsed from JSON, or `null` when the key is missing. */
  async get<T = unknown>(key: Bytes): Promise<T | null> {
    return parse<T>(key, await this.#db.get(key));
  }

  /** Several keys at once (MGET): parsed values, `null` for missing keys. */
  async mget<T = unknown>(...keys: Bytes[]): Promise<Array<T | null>> {
    const vs = await this.#db.mget(...keys);
    return vs.map((v, i) => parse<T>(keys[i]!, v));
  }
}

function parse<T>(key: Bytes, v: string | Uint8Array | null): T | null {
  if (v === null) return null;
  const text = typeof v === "string" ? v : dec.decode(v);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    const k = typeof key === "string" ? key : dec.decode(key);
    throw new SyntaxError(`json.get(): the value at "${k}" is not JSON: ${(e as Error).message}`);
  }
}
