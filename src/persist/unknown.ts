/**
 * What a replay does with a command it cannot apply: by default it stops
 * with an {@link UnknownCommandError} naming the verb, the file and the byte
 * offset of the frame; with `onUnknown: "skip"` it leaves the command out and
 * counts it per verb (`skipped` in the replay stats). A transaction that
 * would be dropped whole (an `EXEC` answered with `EXECABORT`) is always a
 * {@link DroppedTransactionError}.
 *
 * A replay learns about a command's outcome from what its `apply` callback
 * returns: return the `CommandResult` of `applyCommand` / `CommandApplier`
 * (`{ ok: false, unknown: true }` is an unknown or unsupported command).
 * Anything else returned (nothing, a number) is not inspected.
 *
 * @module
 */

/**
 * The callback a replay hands each command to. Return the command's
 * `CommandResult` (from `applyCommand` or `CommandApplier.apply`) so the
 * replay can refuse or count unknown commands; any other return value
 * (nothing, a number) is not inspected.
 *
 * @example
 * ```ts
 * import { applyCommand, Store } from "@kevy/persist/store";
 * import type { ReplayApply } from "@kevy/persist/persist";
 * const store = new Store();
 * const apply: ReplayApply = (argv) => applyCommand(store, argv);
 * ```
 */
export type ReplayApply = (argv: Uint8Array[]) => unknown;

/**
 * How a replay treats a command the applier does not support: `"error"`
 * (the default) stops the replay with an {@link UnknownCommandError};
 * `"skip"` leaves it out and counts it per verb.
 *
 * @example
 * ```ts
 * import type { OnUnknown } from "@kevy/persist/persist";
 * const mode: OnUnknown = "skip";
 * ```
 */
export type OnUnknown = "error" | "skip";

/**
 * A replayed log holds a command the applier does not support (an unknown
 * verb, or a form of a known one that is refused). Nothing after it was
 * applied; the commands before it were.
 *
 * @example
 * ```ts
 * import { UnknownCommandError } from "@kevy/persist/persist";
 * const e = new UnknownCommandError("xadd", "aof-0.aof", 1234, "ERR unknown command 'XADD'");
 * e.message; // "aof-0.aof: unsupported command 'xadd' at byte 1234 (ERR unknown command 'XADD'); replay with onUnknown: \"skip\" (CLI: --skip-unknown) to leave it out"
 * ```
 */
export class UnknownCommandError extends Error {
  /** Always `"UnknownCommandError"`. */
  override name = "UnknownCommandError";
  /** The verb, lower case. */
  readonly verb: string;
  /** The file. */
  readonly path: string;
  /** Byte offset of the command's frame in the file. */
  readonly offset: number;
  /**
   * A new error.
   *
   * @param verb the verb, lower case
   * @param path the file
   * @param offset byte offset of the frame
   * @param reply the applier's error reply
   */
  constructor(verb: string, path: string, offset: number, reply: string) {
    super(
      `${path}: unsupported command '${verb}' at byte ${offset} (${reply}); ` +
        `replay with onUnknown: "skip" (CLI: --skip-unknown) to leave it out`,
    );
    this.verb = verb;
    this.path = path;
    this.offset = offset;
  }
}

/**
 * A replayed transaction (`MULTI` ... `EXEC`) would have been dropped whole:
 * the applier answered its `EXEC` with `EXECABORT` (a queued command was
 * refused). With `onUnknown: "skip"`, build the `CommandApplier` with
 * `{ onUnknown: "skip" }` too, so that a skipped command does not abort its
 * transaction.
 *
 * @example
 * ```ts
 * import { DroppedTransactionError } from "@kevy/persist/persist";
 * const e = new DroppedTransactionError("appendonly.aof", 88, "EXECABORT Transaction discarded because of previous errors.");
 * e.offset; // 88
 * ```
 */
export class DroppedTransactionError extends Error {
  /** Always `"DroppedTransactionError"`. */
  override name = "DroppedTransactionError";
  /** The file. */
  readonly path: string;
  /** Byte offset of the `EXEC` frame. */
  readonly offset: number;
  /**
   * A new error.
   *
   * @param path the file
   * @param offset byte offset of the `EXEC` frame
   * @param reply the applier's error reply
   */
  constructor(path: string, offset: number, reply: string) {
    super(
      `${path}: the transaction ending at byte ${offset} was not applied (${reply}); ` +
        `nothing is dropped silently: fix the log, or skip the refused commands with a ` +
        `CommandApplier built with { onUnknown: "skip" }`,
    );
    this.path = path;
    this.offset = offset;
  }
}

function verbText(b: Uint8Array | undefined): string {
  if (b === undefined) return "";
  let s = "";
  for (let i = 0; i < b.length && i < 64; i++) {
    const c = b[i]!;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}

/**
 * The check every replay runs on each applied command's outcome: an unknown
 * or unsupported command throws {@link UnknownCommandError} (mode `"error"`)
 * or is counted in {@link UnknownCommandGate.skipped} (mode `"skip"`); an
 * `EXECABORT` reply throws {@link DroppedTransactionError} in both modes.
 *
 * @example
 * ```ts
 * import { UnknownCommandGate } from "@kevy/persist/persist";
 * const gate = new UnknownCommandGate("skip");
 * const argv = [new TextEncoder().encode("XADD")];
 * gate.check({ ok: false, unknown: true, error: "ERR unknown command 'XADD'" }, argv, "f.aof", 0);
 * gate.skipped; // { xadd: 1 }
 * ```
 */
export class UnknownCommandGate {
  readonly #counts = new Map<string, number>();
  /** The mode. */
  readonly mode: OnUnknown;

  /**
   * A gate; throws `RangeError` for a mode other than `"error"` / `"skip"`.
   *
   * @param mode `"error"` (default) or `"skip"`
   */
  constructor(mode?: OnUnknown) {
    this.mode = onUnknownMode(mode);
  }

  /** What mode `"skip"` left out so far, by lower-case verb (a new plain object). */
  get skipped(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** Checks the outcome `r` of `argv`, read at `offset` of `path`. */
  check(outcome: unknown, argv: Uint8Array[], path: string, offset: number): void {
    if (outcome === null || typeof outcome !== "object") return;
    const r = outcome as Partial<{ ok: unknown; unknown: unknown; error: unknown }>;
    if (r.ok !== false) return;
    if (r.unknown === true) {
      const verb = verbText(argv[0]);
      if (this.mode === "error") {
        throw new UnknownCommandError(verb, path, offset, String(r.error));
      }
      this.#counts.set(verb, (this.#counts.get(verb) ?? 0) + 1);
      return;
    }
    if (typeof r.error === "string" && r.error.startsWith("EXECABORT")) {
      throw new DroppedTransactionError(path, offset, r.error);
    }
  }
}

/** Checks a replay's `onUnknown` option: `"error"` when absent. */
function onUnknownMode(v: unknown): OnUnknown {
  if (v === undefined) return "error";
  if (v === "error" || v === "skip") return v;
  throw new RangeError(`onUnknown must be "error" or "skip", got ${JSON.stringify(v)}`);
}
