/**
 * {@link KevyStore}: the handle returned by {@link openStore}. Redis-like async
 * methods over a sharded, optionally durable keyspace.
 *
 * Arguments (keys, values, fields, members) are `string` (UTF-8) or
 * `Uint8Array` (raw bytes). Results come back as UTF-8 strings; the
 * {@link KevyStore.bytes} view of the same store returns `Uint8Array` instead
 * (byte-exact, for binary values). Integers are exact: counters resolve a
 * `bigint` beyond ±2^53 (see {@link StringCommands}). Redis errors
 * (`WRONGTYPE ...`, `ERR ...`) reject with {@link CommandFailedError}; every
 * method rejects with {@link StoreClosedError} after `close()`.
 *
 * Writes resolve once applied in memory and handed to the shard's AOF; with
 * `appendfsync: "always"` only after the fdatasync of their group (callers in
 * the same event-loop turn share one).
 *
 * @module
 */
import type { Engine } from "./_engine.ts";
import type { Caller } from "./_caller.ts";
import { arg, asBytes, asString, type Bytes, type Decode } from "./_reply.ts";
import { encodeArgv, N } from "./_arg_names.ts";
import { buildInfo, type StoreInfo } from "./info.ts";
import { KevyCommands } from "./kevy_commands.ts";
import type { Now } from "./cmd_base.ts";
import { Multi } from "./multi.ts";
import { JsonCommands } from "./json.ts";
import { WatchSet } from "./_watch.ts";
import { Subscription, type SubscriptionOptions } from "./subscription.ts";
import type { KeyspaceEvent, KeyspaceEventOptions, Message } from "./events.ts";
import { latin1 } from "../store/glob.ts";
import type { AtomicOptions, ScanOptions } from "./types.ts";
import { AtomicConflictError } from "./errors.ts";

export type { AtomicOptions } from "./types.ts";
export { AtomicConflictError } from "./errors.ts";

/** One connection's state: what WATCH...MULTI carries (the handle and its views share it). */
interface Session {
  ws: WatchSet | null;
}

const MATCH = { method: "keyspaceEvents", fixed: ["match"] };

function storeCaller<V>(engine: Engine, decode: Decode<V>): Caller<V> {
  return {
    decode,
    call(method, argv, dec, opts) {
      if (argv.length === 0) return Promise.resolve(dec(null)); // nothing to run (del())
      try {
        const r = engine.run(encodeArgv(method, argv), opts);
        return r instanceof Promise ? r.then(dec) : Promise.resolve(dec(r));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

/**
 * A store opened by {@link openStore}. `V` is what bulk replies decode to:
 * `string` for the handle itself, `Uint8Array` for its {@link KevyStore.bytes} view.
 * The command methods come from `KevyCommands` (the stream methods, `xadd`,
 * `xrange`, `xreadgroup`, ..., from `StreamCommands`).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore({ dir: "./data" });
 * await db.set("greeting", "hello", { ex: 60 });
 * console.log(await db.get("greeting")); // "hello"
 * await db.close();
 * ```
 */
export class KevyStore<V extends string | Uint8Array = string> extends KevyCommands<V, Now> {
  readonly #e: Engine;
  readonly #d: Decode<V>;
  readonly #session: Session;
  #bytesView: KevyStore<Uint8Array> | null = null;
  #json: JsonCommands | null = null;

  /** @internal Use {@link openStore}. */
  constructor(engine: Engine, decode: Decode<V>, session: Session = { ws: null }) {
    super(storeCaller(engine, decode));
    this.#e = engine;
    this.#d = decode;
    this.#session = session;
  }

  /** The same store, with bulk replies as `Uint8Array` (byte-exact). */
  get bytes(): KevyStore<Uint8Array> {
    if ((this.#d as unknown) === asBytes) return this as unknown as KevyStore<Uint8Array>;
    return this.#bytesView ??= new KevyStore<Uint8Array>(this.#e, asBytes, this.#session);
  }

  /** JSON values at keys: `db.json.set(key, value)`, `db.json.get(key)` ({@link JsonCommands}). */
  get json(): JsonCommands {
    return this.#json ??= new JsonCommands(this.bytes);
  }

  /** True once {@link KevyStore.close} was called. */
  get closed(): boolean {
    return this.#e.closed;
  }

  // --- transactions --------------------------------------------------------

  /**
   * A transaction ({@link Multi}): queue commands with the usual methods,
   * then `exec()`. The keys this handle watches ({@link KevyStore.watch}) go
   * with it: its EXEC resolves `null` when one of them changed.
   */
  multi(): Multi<V> {
    this.#e.check();
    const ws = this.#session.ws;
    this.#session.ws = null;
    return new Multi<V>(this.#e, this.#d, ws);
  }

  /**
   * `WATCH`: the next {@link KevyStore.multi} of this handle fails (its
   * `exec()` resolves `null`) if one of these keys is changed — written,
   * deleted, expired, evicted — before its `exec()`. For concurrent tasks give
   * each its own watch with {@link KevyStore.atomic}.
   */
  watch(...keys: Bytes[]): Promise<"OK"> {
    try {
      this.#e.check();
      if (keys.length === 0) throw new TypeError("watch(): at least one key");
      const ws = this.#session.ws ??= new WatchSet();
      for (let i = 0; i < keys.length; i++) {
        const key = arg(keys[i], i + 1, N.watch);
        const store = this.#e.shards[this.#e.shardOf(key)]!.store;
        this.#e.hub.watches.watch(ws, key, store.has(key));
      }
      return Promise.resolve("OK");
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `UNWATCH`: forgets the watched keys. */
  unwatch(): Promise<"OK"> {
    const ws = this.#session.ws;
    this.#session.ws = null;
    if (ws !== null) this.#e.hub.watches.release(ws);
    return Promise.resolve("OK");
  }

  /**
   * Optimistic compare-and-set, retried: `fn` gets a handle with a watch of
   * its own (`tx`); it watches keys, reads them, and returns the transaction
   * to run (`tx.multi()...`), or `null` to stop. When a watched key changed
   * before that transaction ran, `fn` runs again (up to `attempts`). Resolves
   * with the transaction's replies, or `null` when `fn` returned `null`.
   *
   * @example
   * ```ts
   * import { openStore } from "@kevy/persist";
   * const db = await openStore();
   * await db.set("stock", "3");
   * const sold = await db.atomic(async (tx) => {
   *   await tx.watch("stock");
   *   const left = Number(await tx.get("stock"));
   *   if (left === 0) return null; // sold out: nothing to do
   *   return tx.multi().set("stock", String(left - 1)).rpush("orders", "o-1");
   * });
   * console.log(sold); // ["OK", 1]
   * await db.close();
   * ```
   */
  async atomic<R extends unknown[]>(
    fn: (tx: KevyStore<V>) => Promise<Multi<V, R> | null> | Multi<V, R> | null,
    opts: AtomicOptions = {},
  ): Promise<ReturnType<Multi<V, R>["exec"]> extends Promise<infer T> ? T : never> {
    const attempts = opts.attempts ?? 10;
    if (!(Number.isSafeInteger(attempts) && attempts >= 1)) {
      throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
    }
    for (let i = 0; i < attempts; i++) {
      const tx = new KevyStore<V>(this.#e, this.#d, { ws: null });
      let m: Multi<V, R> | null;
      try {
        m = await fn(tx);
      } catch (e) {
        await tx.unwatch();
        throw e;
      }
      if (m === null) {
        await tx.unwatch();
        return null;
      }
      const r = await m.exec();
      if (r !== null) return r;
    }
    throw new AtomicConflictError(attempts);
  }

  // --- events and messages -------------------------------------------------

  /**
   * Keyspace events (`set`, `del`, `expire`, `expired`, `evicted`, `lpush`,
   * ...; see {@link KeyspaceEvent}) from now on, as an async iterator. Events
   * are delivered after the command (or the whole transaction) that fired them.
   *
   * @example
   * ```ts
   * import { openStore } from "@kevy/persist";
   * const db = await openStore();
   * const events = db.keyspaceEvents({ match: "user:*" });
   * await db.set("user:1", "ada");
   * await db.del("user:1");
   * for await (const e of events) {
   *   console.log(e.event, e.key); // "set" "user:1", then "del" "user:1"
   *   if (e.event === "del") break;
   * }
   * await db.close();
   * ```
   */
  keyspaceEvents(opts: KeyspaceEventOptions = {}): Subscription<KeyspaceEvent<V>> {
    this.#e.check();
    let off = () => {};
    const sub = new Subscription<KeyspaceEvent<V>>(opts, () => off());
    off = this.#listen(opts, (e) => sub.push(e), sub);
    return sub;
  }

  /**
   * Calls `listener` for every keyspace event passing `opts` (see
   * {@link KevyStore.keyspaceEvents}); returns the function that stops it.
   */
  onKeyspaceEvent(
    listener: (event: KeyspaceEvent<V>) => void,
    opts: Omit<KeyspaceEventOptions, keyof SubscriptionOptions> = {},
  ): () => void {
    this.#e.check();
    return this.#listen(opts, listener, null);
  }

  #listen(
    opts: KeyspaceEventOptions,
    deliver: (e: KeyspaceEvent<V>) => void,
    sub: { end(): void } | null,
  ): () => void {
    const d = this.#d;
    const off = this.#e.hub.notifier.listen({
      filter: {
        match: opts.match === undefined ? null : latin1(arg(opts.match, 1, MATCH)),
        events: opts.events === undefined ? null : new Set(opts.events),
        types: opts.types === undefined ? null : new Set(opts.types),
      },
      deliver: (event, key, type) => deliver({ event, key: d(key), db: 0, type }),
    });
    const ends = this.#e.onClose(() => sub?.end());
    return () => {
      off();
      ends();
    };
  }

  /**
   * `SUBSCRIBE`: messages published on these channels from now on
   * ({@link KevyCommands.publish}), as an async iterator. A last argument
   * object sets the buffering ({@link SubscriptionOptions}).
   */
  subscribe(
    ...args: [...channels: Bytes[]] | [...channels: Bytes[], opts: SubscriptionOptions]
  ): Subscription<Message<V>> {
    return this.#subscribe(args, false);
  }

  /** `PSUBSCRIBE`: messages on channels matching these globs, as an async iterator. */
  psubscribe(
    ...args: [...patterns: Bytes[]] | [...patterns: Bytes[], opts: SubscriptionOptions]
  ): Subscription<Message<V>> {
    return this.#subscribe(args, true);
  }

  #subscribe(args: ReadonlyArray<unknown>, patterns: boolean): Subscription<Message<V>> {
    this.#e.check();
    const last = args.at(-1);
    const hasOpts = last !== undefined && typeof last === "object" && !(last instanceof Uint8Array);
    const opts = (hasOpts ? last : {}) as SubscriptionOptions;
    const what = patterns ? "psubscribe" : "subscribe";
    const argNames = { method: what, fixed: [], repeat: [patterns ? "pattern" : "channel"] };
    const names = (hasOpts ? args.slice(0, -1) : args).map((x, i) => arg(x, i + 1, argNames));
    if (names.length === 0) {
      throw new TypeError(`${what}(): at least one ${patterns ? "pattern" : "channel"}`);
    }
    const d = this.#d;
    let off = () => {};
    const sub = new Subscription<Message<V>>(opts, () => off());
    const unsub = this.#e.hub.pubsub.subscribe(
      patterns ? [] : names,
      patterns ? names : [],
      (channel, message, pattern) =>
        sub.push({
          channel: d(channel),
          message: d(message),
          pattern: pattern === null ? null : d(pattern),
        }),
    );
    const ends = this.#e.onClose(() => sub.end());
    off = () => {
      unsub();
      ends();
    };
    return sub;
  }

  // --- keys ----------------------------------------------------------------

  /**
   * Every live key matching `match`, shard after shard, in batches of `count`
   * examined keys. Like Redis `SCAN`: keys present for the whole iteration
   * are returned exactly once; keys added or removed meanwhile may or may not be.
   */
  async *scan(opts: ScanOptions = {}): AsyncIterableIterator<V> {
    const count = opts.count ?? 100;
    for (const sh of this.#e.shards) {
      let cursor = 0;
      do {
        this.#e.check();
        const [next, keys] = sh.store.scan(cursor, count, opts.match);
        for (const k of keys) yield this.#d(k);
        cursor = next;
      } while (cursor !== 0);
    }
  }

  // --- persistence ---------------------------------------------------------

  /**
   * `SAVE`: write every shard's snapshot and reset its AOF, crash-consistently.
   * Throws `TypeError` for an in-memory store (no `dir`).
   */
  async save(): Promise<void> {
    await this.#e.save();
  }

  /** `BGREWRITEAOF` for every shard: the logs are compacted to the current keyspace. */
  async rewriteAof(): Promise<void> {
    await this.#e.rewriteAof();
  }

  /** INFO-style facts: persistence, memory, keyspace counters (see {@link StoreInfo}). */
  info(): StoreInfo {
    this.#e.check();
    return buildInfo(this.#e);
  }

  /**
   * Flush and fdatasync every AOF, close the files and release the directory
   * lock. Later method calls reject with {@link StoreClosedError}; calling
   * `close()` again is harmless. Blocked calls reject with it too;
   * subscriptions end.
   */
  async close(): Promise<void> {
    await this.#e.close();
  }

  /** `await using db = await openStore(...)`: closed at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#e.close();
  }
}

/** @internal */
export function stringHandle(engine: Engine): KevyStore<string> {
  return new KevyStore<string>(engine, asString);
}
