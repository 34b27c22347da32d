// Private: a problem found in a file, as inspect and check report it, and how
// a replay's refusals become one.
import { CorruptFileError } from "../codec/errors.ts";
import { DroppedTransactionError, UnknownCommandError } from "../persist/unknown.ts";
import { type CommandResult, isCommandSupported } from "../store/apply.ts";

/** A problem found in a file. */
export interface Problem {
  kind: "corrupt" | "torn" | "unsupported" | "unknown-command";
  path: string;
  offset: number;
  message: string;
  preview: string;
}

/** A corrupt file (or a refused command) as a Problem of `kind`; anything else is rethrown. */
export function problemOf(e: unknown, kind: Problem["kind"]): Problem {
  if (e instanceof CorruptFileError) {
    return { kind, path: e.path, offset: e.offset, message: e.message, preview: e.preview };
  }
  const u = unknownProblem(e);
  if (u !== null) return u;
  throw e;
}

/** A replay's refusal of an unsupported command (or a dropped transaction) as a problem. */
export function unknownProblem(e: unknown): Problem | null {
  if (e instanceof UnknownCommandError || e instanceof DroppedTransactionError) {
    return {
      kind: "unknown-command",
      path: e.path,
      offset: e.offset,
      message: e.message,
      preview: "",
    };
  }
  return null;
}

/** What a counting-only replay callback returns: refuses what the applier would refuse. */
export function supportedOutcome(argv: Uint8Array[]): CommandResult | void {
  if (isCommandSupported(argv)) return;
  return { ok: false, unknown: true, error: "not in the command table" };
}
