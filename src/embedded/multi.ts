/**
 * {@link Multi}: an atomic batch (Redis MULTI/EXEC) made by
 * {@link KevyStore.multi}.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import type { Engine, Prepared } from "./_engine.ts";
import type { Caller } from "./_caller.ts";
import { encodeArgv } from "./_arg_names.ts";
import type { Decode } from "./_reply.ts";
import { execTransaction } from "./_tx.ts";
import type { WatchSet } from "./_watch.ts";
import type { Queued } from "./cmd_base.ts";
import { KevyCommands } from "./kevy_commands.ts";
import { CommandFailedError } from "./errors.ts";

/**
 * What {@link Multi.exec} resolves with: one reply per queued command, decoded
 * as its method decodes it; a command that failed when it ran (WRONGTYPE...)
 * has its {@link CommandFailedError} in its slot (the others were applied, as
 * in Redis). Chained calls give the exact types; otherwise `unknown[]`.
 *
 * @example
 * ```ts
 * import type { ExecReplies } from "@kevy/persist";
 * type Two = ExecReplies<[number, string | null]>; // [number | CommandFailedError, ...]
 * ```
 */
export type ExecReplies<R extends unknown[]> = R extends [] ? unknown[]
  : { [K in keyof R]: R[K] | CommandFailedError };

/**
 * EXEC refused the whole transaction because a command was refused when it
 * was queued (an unknown command, a wrong number of arguments, keys on
 * different shards): nothing was applied (Redis's `EXECABORT`). `errors` has
 * each refused command's position and error.
 *
 * @example
 * ```ts
 * import { openStore, TransactionAbortedError } from "@kevy/persist";
 * const db = await openStore();
 * const tx = db.multi().set("a", "1").command(["NOSUCH"]);
 * await tx.exec().catch((e) => e instanceof TransactionAbortedError); // true
 * console.log(await db.get("a")); // null: nothing applied
 * await db.close();
 * ```
 */
export class TransactionAbortedError extends CommandFailedError {
  /** Always `"TransactionAbortedError"`. */
  override name = "TransactionAbortedError";
  /** The commands refused when queued: their 0-based position and error. */
  readonly errors: ReadonlyArray<{ index: number; error: CommandFailedError }>;
  /**
   * An aborted EXEC.
   * @param errors the refused commands
   */
  constructor(errors: ReadonlyArray<{ index: number; error: CommandFailedError }>) {
    const first = errors[0];
    super(
      "EXECABORT Transaction discarded because of previous errors." +
        (first ? ` (command ${first.index + 1}: ${first.error.message})` : ""),
    );
    this.errors = errors;
  }
}

interface Entry {
  /** The command; null when refused at queue time, or for a call with nothing to run. */
  readonly p: Prepared | null;
  readonly decode: (r: Reply) => unknown;
}

/**
 * A transaction: the command methods of the store queue their command and
 * return the transaction (chain them); {@link Multi.exec} applies them all at
 * once — no other command runs in between — logs them as one all-or-nothing
 * group (across shards too) and, with `appendfsync: "always"`, resolves once
 * that group is on disk. With {@link KevyStore.watch} before `multi()`, EXEC
 * does nothing and resolves `null` if a watched key changed (or expired).
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore();
 * const replies = await db.multi()
 *   .set("balance:ada", "90")
 *   .incrby("balance:bob", 10)
 *   .exec();
 * console.log(replies); // ["OK", 10]
 * await db.close();
 * ```
 */
export class Multi<V extends string | Uint8Array = string, R extends unknown[] = []>
  extends KevyCommands<V, Queued<R>> {
  readonly #e: Engine;
  readonly #entries: Entry[];
  readonly #errors: Array<{ index: number; error: CommandFailedError }>;
  readonly #state: { done: boolean; self: unknown };
  #ws: WatchSet | null;

  /** @internal Made by `KevyStore.multi()`. */
  constructor(engine: Engine, decode: Decode<V>, ws: WatchSet | null) {
    const entries: Entry[] = [];
    const errors: Array<{ index: number; error: CommandFailedError }> = [];
    const state = { done: false, self: null as unknown };
    const caller: Caller<V> = {
      decode,
      call: (method, argv, dec) => {
        if (state.done) {
          throw new Error(`${method}(): this transaction was already executed or discarded`);
        }
        const a = encodeArgv(method, argv);
        let p: Prepared | null = null;
        try {
          if (a.length > 0) p = engine.prepare(a); // else nothing to run (del() of no key)
        } catch (e) {
          if (!(e instanceof CommandFailedError)) throw e;
          errors.push({ index: entries.length, error: e });
        }
        entries.push({ p, decode: dec });
        return state.self;
      },
    };
    super(caller);
    state.self = this;
    this.#state = state;
    this.#e = engine;
    this.#entries = entries;
    this.#errors = errors;
    this.#ws = ws;
  }

  /** Commands queued. */
  get length(): number {
    return this.#entries.length;
  }

  /**
   * Applies the queued commands as one transaction (see the class docs).
   * Resolves with the replies, or `null` when a watched key changed; rejects
   * with {@link TransactionAbortedError} (nothing applied) when a command was
   * refused when queued.
   */
  async exec(): Promise<ExecReplies<R> | null> {
    if (this.#state.done) {
      throw new Error("exec(): this transaction was already executed or discarded");
    }
    this.#state.done = true;
    const ws = this.#ws;
    this.#ws = null;
    if (this.#errors.length > 0) {
      if (ws !== null) this.#e.hub.watches.release(ws);
      throw new TransactionAbortedError(this.#errors);
    }
    const queue = this.#entries.flatMap((x) => x.p === null ? [] : [x.p]);
    const ran = await execTransaction(this.#e, queue, ws);
    if (ran === null) return null;
    let next = 0;
    const slots = this.#entries.map((x) => x.p === null ? null : ran[next++]!);
    return slots.map((s, i) => {
      if (s instanceof CommandFailedError) return s;
      try {
        return this.#entries[i]!.decode(s);
      } catch (e) {
        return e instanceof CommandFailedError ? e : new CommandFailedError(String(e));
      }
    }) as ExecReplies<R>;
  }

  /** Drops the queued commands (and the watch that came with them): DISCARD. */
  discard(): void {
    if (this.#state.done) return;
    this.#state.done = true;
    if (this.#ws !== null) this.#e.hub.watches.release(this.#ws);
    this.#ws = null;
    this.#entries.length = 0;
  }
}
