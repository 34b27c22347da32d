/**
 * {@link KevyCommands}: every typed command method, shared by a store handle
 * ({@link KevyStore}) and a transaction ({@link Multi}).
 *
 * @module
 */
import { type Bytes, int } from "./_reply.ts";
import { call, type Result } from "./cmd_base.ts";
import { StreamCommands } from "./streams.ts";

/**
 * Every typed command method: strings, keys, hashes, lists, sets, sorted
 * sets, streams, PUBLISH. On a store handle each runs now and resolves with its reply;
 * on a transaction each is queued and returns the transaction.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * const n = await db.incr("hits"); // runs now: 1
 * const replies = await db.multi().incr("hits").get("hits").exec(); // queued, then run
 * console.log(n, replies); // 1 [2, "2"]
 * await db.close();
 * ```
 */
export class KevyCommands<V extends string | Uint8Array, M> extends StreamCommands<V, M> {
  /**
   * `PUBLISH`: sends `message` to the subscribers of `channel` in this process
   * ({@link KevyStore.subscribe}, {@link KevyStore.psubscribe}); how many received it.
   */
  publish(channel: Bytes, message: Bytes): Result<V, M, number> {
    return call(this, "publish", ["PUBLISH", channel, message], int);
  }
}
