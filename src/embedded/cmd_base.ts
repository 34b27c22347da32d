/**
 * The root of the typed command methods shared by a store handle
 * ({@link KevyStore}: they run now and resolve with the reply) and a
 * transaction ({@link Multi}: they queue and return the transaction, for
 * chaining). See {@link Result}.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import type { BlockOptions } from "./_engine.ts";
import { type Caller, callerOf, setCaller } from "./_caller.ts";
import type { Bytes } from "./_reply.ts";
import type { Multi } from "./multi.ts";

/**
 * The mode of a store handle: each command method runs at once and resolves
 * with its reply.
 *
 * @example
 * ```ts
 * import type { KevyCommands, Now } from "@kevy/persist";
 * type StoreMethods = KevyCommands<string, Now>; // what a KevyStore has
 * ```
 */
export interface Now {
  /** Marker. */
  readonly mode: "now";
}

/**
 * The mode of a transaction: each command method queues the command and
 * returns the transaction; `R` are the replies queued so far, in order.
 *
 * @example
 * ```ts
 * import type { KevyCommands, Queued } from "@kevy/persist";
 * type TxMethods = KevyCommands<string, Queued<[]>>; // what a Multi has
 * ```
 */
export interface Queued<R extends unknown[]> {
  /** Marker. */
  readonly mode: "queued";
  /** The replies queued so far. */
  readonly replies: R;
}

/**
 * What a command method returns: `Promise<T>` on a store handle, the
 * transaction (with `T` added to its replies) on a {@link Multi}.
 *
 * @example
 * ```ts
 * import type { Now, Result } from "@kevy/persist";
 * const r: Result<string, Now, number> = Promise.resolve(1);
 * ```
 */
export type Result<V extends string | Uint8Array, M, T> = M extends Queued<infer R>
  ? Multi<V, [...R, T]>
  : Promise<T>;

/** Runs or queues a command on `self` and returns what its mode says. */
export function call<V extends string | Uint8Array, M, T>(
  self: object,
  method: string,
  argv: ReadonlyArray<unknown>,
  decode: (r: Reply) => T,
  opts?: BlockOptions,
): Result<V, M, T> {
  return callerOf<V>(self).call(method, argv, decode, opts) as Result<V, M, T>;
}

/** The decoder of bulk replies on `self`. */
export function dec<V>(self: object): (b: Uint8Array) => V {
  return callerOf<V>(self).decode;
}

const raw = (r: Reply): Reply => r;

/**
 * The root of the command methods: {@link KevyCommandsBase.command} runs
 * any command the store knows. `V` is what bulk replies decode to (`string`,
 * or `Uint8Array` on the `bytes` view), `M` the mode ({@link Now} or
 * {@link Queued}).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.command(["HSET", "h", "f", "1"]); // 1
 * const [n] = (await db.multi().command(["HINCRBY", "h", "f", "2"]).exec())!;
 * console.log(n); // 3
 * await db.close();
 * ```
 */
export class KevyCommandsBase<V extends string | Uint8Array, M> {
  /** @internal */
  constructor(caller: Caller<V>) {
    setCaller(this, caller as Caller<unknown>);
  }

  /**
   * Any command the store knows (`["HINCRBY", "h", "f", "2"]`), arguments as
   * strings, bytes or numbers; resolves with the raw {@link Reply}
   * (integers as `number`, or `bigint` beyond 2^53; bulk strings as bytes).
   */
  command(argv: ReadonlyArray<Bytes | number | bigint>): Result<V, M, Reply> {
    return call(this, "command", argv, raw);
  }
}
