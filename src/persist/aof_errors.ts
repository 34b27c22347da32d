/**
 * Errors of {@link Aof} (re-exported by `aof.ts`): a failed log and a closed log.
 *
 * @module
 */

/** What a failed log had not put on disk (see {@link AofFailedError}). */
export interface NotOnDisk {
  /** Writes (frames) not written to the file. */
  frames: number;
  /** Their bytes. */
  bytes: number;
  /** Written bytes still waiting for an fdatasync that failed. */
  unsynced: boolean;
}

/**
 * The log hit a write or sync error. While it is failed, appends reject with
 * this error; the bytes not yet written stay queued and every retry (a flush,
 * `retry()`, a timer each second) writes them again — once that succeeds the
 * log is ok again. `cause` is the I/O error; `notOnDisk` says what was still
 * queued (for the error `close()` rejects with: writes that never reached the
 * file).
 *
 * @example
 * ```ts
 * import { AofFailedError } from "@kevy/persist/persist";
 * const e = new AofFailedError("aof-0.aof", new Error("ENOSPC"), { frames: 3, bytes: 90, unsynced: false });
 * e.message; // "aof-0.aof: append-only log write failed (ENOSPC); 3 write(s), 90 byte(s), not on disk"
 * ```
 */
export class AofFailedError extends Error {
  /** Always `"AofFailedError"`. */
  override name = "AofFailedError";
  /** The log's path. */
  readonly path: string;
  /** What was not on disk when the error was made. */
  readonly notOnDisk: NotOnDisk;
  /**
   * A failed log.
   * @param path the log
   * @param cause the I/O error that failed it
   * @param notOnDisk what was still queued (default: nothing)
   */
  constructor(
    path: string,
    cause: unknown,
    notOnDisk: NotOnDisk = { frames: 0, bytes: 0, unsynced: false },
  ) {
    const what = notOnDisk.frames > 0
      ? `${notOnDisk.frames} write(s), ${notOnDisk.bytes} byte(s), not on disk`
      : notOnDisk.unsynced
      ? "written bytes not synced"
      : "writes refused until a retry succeeds";
    super(
      `${path}: append-only log write failed (${
        (cause as Error)?.message ?? String(cause)
      }); ${what}`,
      { cause },
    );
    this.path = path;
    this.notOnDisk = notOnDisk;
  }
}

/**
 * The log was closed.
 *
 * @example
 * ```ts
 * import { AofClosedError } from "@kevy/persist/persist";
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
