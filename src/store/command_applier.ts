/**
 * {@link CommandApplier}: a stream of commands (an AOF replay, a client
 * session) applied with the selected database and the MULTI/EXEC queue kept
 * between them, and its outcomes counted. Re-exported by apply.ts.
 *
 * @module
 */

import type { Store } from "./store.ts";
import { CommandError, type CommandResult, type Ctx, type Reply } from "./_apply_common.ts";
import { selectIndex } from "./_apply_keys.ts";
import { arityOk, type Command, lookupCommand } from "./commands.ts";
import { arityError, bytesOf, OUT_OF_RANGE, run, unknownError, verbOf } from "./_apply_run.ts";

/**
 * What {@link CommandApplier.finish} found.
 *
 * @example
 * ```ts
 * import { CommandApplier, type FinishReport, Store } from "@kevy/persist/store";
 * const r: FinishReport = new CommandApplier(new Store()).finish();
 * r.danglingMulti; // false
 * ```
 */
export interface FinishReport {
  /** A MULTI was open (no EXEC/DISCARD): its queued commands were discarded. */
  danglingMulti: boolean;
  /** Number of queued commands discarded. */
  discarded: number;
}

/**
 * Options of {@link CommandApplier}.
 *
 * @example
 * ```ts
 * import { CommandApplierOptions } from "@kevy/persist/store";
 * const opts: CommandApplierOptions = { onUnknown: "skip" };
 * ```
 */
export interface CommandApplierOptions {
  /**
   * An unknown (or unsupported) command queued inside `MULTI`: `"error"`
   * (default, a client session as in Redis) answers it with an error and
   * makes the `EXEC` fail with `EXECABORT`; `"skip"` (a replay that skips
   * unsupported commands) answers it with the same error but leaves the
   * transaction intact, so its other commands still run at `EXEC`. Outside a
   * transaction both answer `{ ok: false, unknown: true }`.
   */
  onUnknown?: "error" | "skip";
  /**
   * The commands come from an AOF or a replication stream (default `false`,
   * a client session): what Redis does not enforce on its own AOF is not
   * enforced either. Today that is XADD/XTRIM `LIMIT`, which Redis propagates
   * next to the exact `=` trim it rewrites a `~` one to (a client may only
   * give LIMIT with `~`).
   */
  replay?: boolean;
}

/**
 * Applies a stream of commands (an AOF replay, a client session): keeps the
 * selected database and the MULTI/EXEC queue, and counts outcomes.
 *
 * Databases: with a plain `Store` only database 0 exists; with a `select`
 * callback, database n exists iff `select(n)` returns a Store. `SELECT n` for
 * a missing database is the error "ERR DB index is out of range" (the
 * selection does not change). FLUSHALL clears every database this applier has
 * touched (selected or reached through COPY ... DB).
 *
 * Counters: `applied` counts commands that ran without error (inside EXEC
 * each queued command counts; MULTI/EXEC/DISCARD markers and QUEUED
 * acknowledgements do not), `errors` the commands that returned an error
 * (including EXECABORT and protocol errors such as EXEC without MULTI),
 * `unknown` the unknown verbs by lower-case name, `empty` the empty argv
 * (ignored).
 *
 * @example
 * ```ts
 * import { CommandApplier, Store } from "@kevy/persist/store";
 * const dbs = [new Store(), new Store()];
 * const ap = new CommandApplier((n) => dbs[n] ?? null);
 * ap.apply(["SELECT", "1"]);
 * ap.apply(["MULTI"]);
 * ap.apply(["SET", "k", "v"]); // { ok: true, reply: "QUEUED" }
 * ap.apply(["EXEC"]); // { ok: true, reply: ["OK"] }
 * ap.finish(); // { danglingMulti: false, discarded: 0 }
 * ```
 */
export class CommandApplier {
  /** Commands that ran without error. */
  applied = 0;
  /** Commands that returned an error (unknown verbs excluded). */
  errors = 0;
  /** Empty argv seen (ignored). */
  empty = 0;
  /** Unknown verbs by lower-case name. */
  readonly unknown: Map<string, number> = new Map();

  readonly #select: (db: number) => Store | null;
  readonly #touched = new Map<number, Store>();
  #db = 0;
  #store: Store;
  #queue: Uint8Array[][] | null = null;
  #queueFailed = false;
  readonly #ctx: Ctx;
  readonly #skipUnknown: boolean;

  /** Serves `select(n)`'s databases, or just `store` as database 0. */
  constructor(select: ((db: number) => Store | null) | Store, opts: CommandApplierOptions = {}) {
    const mode = opts.onUnknown ?? "error";
    if (mode !== "error" && mode !== "skip") {
      throw new RangeError(`onUnknown must be "error" or "skip", got ${String(mode)}`);
    }
    this.#skipUnknown = mode === "skip";
    this.#select = typeof select === "function" ? select : (n) => n === 0 ? select : null;
    const s0 = this.#resolve(0);
    if (s0 === null) throw new TypeError("CommandApplier: database 0 must exist");
    this.#store = s0;
    this.#ctx = {
      store: s0,
      db: 0,
      select: (n) => this.#resolve(n),
      flushAll: () => {
        for (const s of this.#touched.values()) s.clear();
      },
      libraries: () => s0.libraries,
      replay: opts.replay ?? false,
    };
  }

  /** The selected database index. */
  get db(): number {
    return this.#db;
  }

  /** The selected database. */
  get store(): Store {
    return this.#store;
  }

  /** Whether a MULTI is open. */
  get inMulti(): boolean {
    return this.#queue !== null;
  }

  #resolve(n: number): Store | null {
    if (!Number.isSafeInteger(n) || n < 0) return null;
    const known = this.#touched.get(n);
    if (known) return known;
    const s = this.#select(n);
    if (s !== null) this.#touched.set(n, s);
    return s;
  }

  #count(r: CommandResult, a: Uint8Array[]): CommandResult {
    if (r.ok) this.applied++;
    else if (r.unknown) {
      const name = verbOf(a[0]!);
      this.unknown.set(name, (this.unknown.get(name) ?? 0) + 1);
    } else this.errors++;
    return r;
  }

  #fail(error: string): CommandResult {
    this.errors++;
    return { ok: false, error };
  }

  /** Executes one command now (no MULTI handling), counted. */
  #exec(spec: Command | undefined, a: Uint8Array[]): CommandResult {
    if (spec === undefined) return this.#count(unknownError(a), a);
    const name = spec.name;
    if (name === "select") {
      if (a.length !== 2) return this.#count(arityError(name), a);
      let n: number;
      try {
        n = selectIndex(a[1]!);
      } catch (e) {
        if (e instanceof CommandError) return this.#fail(e.message);
        throw e;
      }
      const s = this.#resolve(n);
      if (s === null) return this.#fail(OUT_OF_RANGE);
      this.#store = s;
      this.#db = n;
      this.#ctx.store = s;
      this.#ctx.db = n;
      this.applied++;
      return { ok: true, reply: "OK" };
    }
    if (name === "unwatch" || name === "watch") return this.#count({ ok: true, reply: "OK" }, a);
    return this.#count(run(this.#ctx, spec, a), a);
  }

  /** Applies one command; see the class docs for MULTI and SELECT. */
  apply(argv: ReadonlyArray<Uint8Array | string>): CommandResult {
    if (argv.length === 0) {
      this.empty++;
      return { ok: true, reply: null };
    }
    const a = bytesOf(argv);
    const spec = lookupCommand(a[0]!);
    const name = spec?.name;
    const q = this.#queue;
    if (q !== null) {
      if (name === "exec") return this.#runExec(q);
      if (name === "discard") {
        this.#queue = null;
        return { ok: true, reply: "OK" };
      }
      if (name === "multi") return this.#fail("ERR MULTI calls can not be nested");
      if (name === "watch") return this.#fail("ERR WATCH inside MULTI is not allowed");
      if (spec === undefined) {
        if (!this.#skipUnknown) this.#queueFailed = true;
        return this.#count(unknownError(a), a);
      }
      if (!arityOk(spec, a.length)) {
        this.#queueFailed = true;
        return this.#count(arityError(spec.name), a);
      }
      // A refused form is refused when queued (inside EXEC its flag would be lost).
      const refused = spec.unsupported?.(a) ?? null;
      if (refused !== null) {
        if (!this.#skipUnknown) this.#queueFailed = true;
        return this.#count({ ok: false, unknown: true, error: refused }, a);
      }
      q.push(a.map((x) => x.slice()));
      return { ok: true, reply: "QUEUED" };
    }
    if (name === "multi") {
      if (a.length !== 1) return this.#count(arityError(name), a);
      this.#queue = [];
      this.#queueFailed = false;
      return { ok: true, reply: "OK" };
    }
    if (name === "exec") return this.#fail("ERR EXEC without MULTI");
    // One client, nobody else writes between WATCH and EXEC: a watch never fails here.
    if (name === "watch" || name === "unwatch") {
      if (!arityOk(spec!, a.length)) return this.#count(arityError(name), a);
      return { ok: true, reply: "OK" };
    }
    if (name === "discard") return this.#fail("ERR DISCARD without MULTI");
    return this.#exec(spec, a);
  }

  #runExec(q: Uint8Array[][]): CommandResult {
    this.#queue = null;
    if (this.#queueFailed) {
      return this.#fail("EXECABORT Transaction discarded because of previous errors.");
    }
    const replies: Reply[] = [];
    for (const a of q) {
      const r = this.#exec(lookupCommand(a[0]!), a);
      replies.push(r.ok ? r.reply : { error: r.error });
    }
    return { ok: true, reply: replies };
  }

  /**
   * Ends the stream: an open MULTI (no EXEC) is discarded, like Redis does
   * with an incomplete transaction at the end of an AOF, and reported.
   */
  finish(): FinishReport {
    const q = this.#queue;
    this.#queue = null;
    return { danglingMulti: q !== null, discarded: q?.length ?? 0 };
  }
}
