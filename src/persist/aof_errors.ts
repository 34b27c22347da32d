/**
 * Errors of {@link Aof} (re-exported by `aof.ts`): a failed log and a closed log.
 *
 * @module
 */

/**
 * The log hit a write or sync error: the affected appends and every later one
 * reject with this error until the log is reopened. `cause` is the I/O error.
 *
 * @example
 * ```ts
 * import { AofFailedError } from "@kevy/persist";
 * const e = new AofFailedError("aof-0.aof", new Error("EIO"));
 * e.message; // "aof-0.aof: append-only log failed (EIO); reopen it to continue"
 * ```
 */
export class AofFailedError extends Error {
  /** Always `"AofFailedError"`. */
  override name = "AofFailedError";
  /** The log's path. */
  readonly path: string;
  /**
   * A failed log.
   * @param path the log
   * @param cause the I/O error that failed it
   */
  constructor(path: string, cause: unknown) {
    super(
      `${path}: append-only log failed (${(cause as Error)?.message ?? String(cause)}); ` +
        "reopen it to continue",
      { cause },
    );
    this.path = path;
  }
}

/**
 * The log was closed.
 *
 * @example
 * ```ts
 * import { AofClosedError } from "@kevy/persist";
 * new AofClosedError("aof-0.aof").message; // "aof-0.aof: append-only log is closed"
 * ```
 */
export class AofClosedError extends Error {
  /** Always `"AofClosedError"`. */
  override name = "AofClosedError";
  /**
   * A closed log.
   * @param path the log
   */
  constructor(path: string) {
    super(`${path}: append-only log is closed`);
  }
}
