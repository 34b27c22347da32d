/**
 * The command applier: Redis-semantics execution of write (and common read)
 * commands against a {@link Store}, as needed to replay an AOF or drive an
 * embedded store. Command errors never throw: they come back as
 * `{ ok: false, error }`.
 *
 * @module
 */

import type { Store } from "./store.ts";
import { CommandError, type CommandResult, type Ctx } from "./_apply_common.ts";
import { selectIndex } from "./_apply_keys.ts";
import { arityOk, type Command, lookupCommand } from "./commands.ts";
import { arityError, bytesOf, OUT_OF_RANGE, run, unknownError } from "./_apply_run.ts";

export type { CommandResult, Reply, ReplyError } from "./_apply_common.ts";
export {
  CommandApplier,
  type CommandApplierOptions,
  type FinishReport,
} from "./command_applier.ts";

/**
 * Whether the applier supports `argv` — its verb is in the command table
 * (ASCII case-insensitive) and it is not a form the table refuses (such as
 * FUNCTION RESTORE). What `check`/`inspect` use to flag a log the applier
 * would refuse, without applying it.
 *
 * @example
 * ```ts
 * import { isCommandSupported } from "@kevy/persist/store";
 * isCommandSupported(["set", "k", "v"]); // true
 * isCommandSupported(["NOSUCH"]); // false
 * isCommandSupported(["FUNCTION", "RESTORE", "payload"]); // false
 * ```
 */
export function isCommandSupported(argv: ReadonlyArray<Uint8Array | string>): boolean {
  if (argv.length === 0) return true; // an empty argv is a no-op
  const a = bytesOf(argv);
  const c = lookupCommand(a[0]!);
  if (c === undefined) return false;
  return !arityOk(c, a.length) || c.unsupported === null || c.unsupported(a) === null;
}

/**
 * Applies one command to a single database with Redis semantics. Only
 * database 0 exists here: `SELECT 0` is OK, `SELECT n` (n ≠ 0) and `COPY ...
 * DB n` are errors ("ERR DB index is out of range"); MULTI/EXEC/DISCARD need
 * a {@link CommandApplier}. An empty argv is a no-op (`reply: null`).
 *
 * @example
 * ```ts
 * import { applyCommand, Store } from "@kevy/persist/store";
 * const s = new Store({ now: () => 0 });
 * applyCommand(s, ["SET", "k", "v"]); // { ok: true, reply: "OK" }
 * applyCommand(s, ["LPUSH", "k", "x"]); // { ok: false, error: "WRONGTYPE ..." }
 * ```
 */
export function applyCommand(
  store: Store,
  argv: ReadonlyArray<Uint8Array | string>,
): CommandResult {
  if (argv.length === 0) return { ok: true, reply: null };
  const a = bytesOf(argv);
  const spec = lookupCommand(a[0]!);
  if (spec === undefined) return unknownError(a);
  return runCommand(store, spec, a);
}

/**
 * {@link applyCommand} for a verb already resolved with `lookupCommand`
 * (`a[0]` is its verb, every argument is bytes): the embedded store resolves
 * each command once and hands the row along.
 *
 * @example
 * ```ts
 * import { lookupCommand, runCommand, Store } from "@kevy/persist/store";
 * const t = new TextEncoder();
 * const argv = [t.encode("SET"), t.encode("k"), t.encode("v")];
 * const set = lookupCommand(argv[0]!)!;
 * runCommand(new Store(), set, argv); // { ok: true, reply: "OK" }
 * ```
 */
export function runCommand(store: Store, spec: Command, a: Uint8Array[]): CommandResult {
  if (!spec.transaction) return run(new SingleCtx(store), spec, a);
  const name = spec.name;
  if (name !== "select") {
    return { ok: false, error: `ERR ${name.toUpperCase()} needs a CommandApplier` };
  }
  if (a.length !== 2) return arityError(name);
  try {
    return selectIndex(a[1]!) === 0
      ? { ok: true, reply: "OK" }
      : { ok: false, error: OUT_OF_RANGE };
  } catch (e) {
    if (e instanceof CommandError) return { ok: false, error: e.message };
    throw e;
  }
}

/** The context of {@link applyCommand}: database 0 only. */
class SingleCtx implements Ctx {
  db = 0;
  constructor(readonly store: Store) {}
  select(n: number): Store | null {
    return n === 0 ? this.store : null;
  }
  flushAll(): void {
    this.store.clear();
  }
  libraries(): Map<string, Uint8Array> {
    return this.store.libraries;
  }
}
