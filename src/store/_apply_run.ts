// Private: what applyCommand, runCommand and CommandApplier share: the
// arguments as bytes, the errors of an unknown verb, a wrong arity and a
// missing database, and running one table command.
import { CommandError, type CommandResult, type Ctx, text } from "./_apply_common.ts";
import { asBytes } from "./_keys.ts";
import { arityOk, type Command } from "./commands.ts";
import { admit } from "./_admit.ts";

/** The arguments as bytes: `argv` itself when it holds no strings (handlers never mutate it). */
export function bytesOf(argv: ReadonlyArray<Uint8Array | string>): Uint8Array[] {
  for (let i = 0; i < argv.length; i++) {
    if (typeof argv[i] === "string") return argv.map(asBytes);
  }
  return argv as Uint8Array[];
}

export const OUT_OF_RANGE: string = "ERR DB index is out of range";

/** The verb in lower case (ASCII only: what the unknown-command counters are keyed by). */
export function verbOf(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}

/** Redis's answer to an unknown verb. */
export function unknownError(a: Uint8Array[]): CommandResult {
  return { ok: false, unknown: true, error: `ERR unknown command '${text(a[0]!)}'` };
}

/** Redis's answer to a wrong number of arguments. */
export function arityError(name: string): CommandResult {
  return { ok: false, error: `ERR wrong number of arguments for '${name}' command` };
}

/** Runs one ordinary (table) command. */
export function run(ctx: Ctx, spec: Command, a: Uint8Array[]): CommandResult {
  if (!arityOk(spec, a.length)) return arityError(spec.name);
  const refused = spec.unsupported?.(a) ?? null;
  if (refused !== null) return { ok: false, unknown: true, error: refused };
  const refusedArgs = admit(ctx.store, spec, a);
  if (refusedArgs !== null) return { ok: false, error: refusedArgs };
  try {
    return { ok: true, reply: spec.fn(ctx, a) };
  } catch (e) {
    if (e instanceof CommandError) return { ok: false, error: e.message };
    throw e;
  }
}
