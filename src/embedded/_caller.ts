// How the typed command methods (cmd_*.ts) reach a store: every method builds its argv and
// says how its reply decodes; the object it is called on decides what happens — a store
// handle runs it now and resolves with the decoded reply, a transaction (multi()) queues it
// and returns itself. The methods are written once for both.
import type { Reply } from "../store/apply.ts";
import type { BlockOptions } from "./_engine.ts";
import type { Decode } from "./_reply.ts";

/** What a method hands to its object. */
export interface Caller<V> {
  /** How bulk replies decode on this object (`string` or bytes). */
  readonly decode: Decode<V>;
  /** Run or queue `argv` (typed-method arguments, not yet converted). */
  call(
    method: string,
    argv: ReadonlyArray<unknown>,
    decode: (r: Reply) => unknown,
    opts?: BlockOptions,
  ): unknown;
}

const callers = new WeakMap<object, Caller<unknown>>();

/** Registers the caller of a command object (its constructor does). */
export function setCaller(obj: object, c: Caller<unknown>): void {
  callers.set(obj, c);
}

/** The caller of a command object. */
export function callerOf<V>(obj: object): Caller<V> {
  const c = callers.get(obj);
  if (c === undefined) throw new TypeError("not a store or transaction object");
  return c as Caller<V>;
}
