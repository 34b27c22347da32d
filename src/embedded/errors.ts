/**
 * Errors raised by the embedded store ({@link openStore}).
 *
 * @module
 */

/**
 * The data directory is held by another live process (or by another handle in this one):
 * its lock file (`kevy.lock.<N>`) names a process of this host and boot that still runs (same
 * pid and start time), or a process on another host.
 *
 * @example
 * ```ts
 * import { openStore, StoreLockedError } from "@kevy/persist";
 * try {
 *   const db = await openStore({ dir: "./data" });
 *   await db.close();
 * } catch (e) {
 *   if (e instanceof StoreLockedError) console.error(`held by pid ${e.pid} on ${e.host}`);
 * }
 * ```
 */
export class StoreLockedError extends Error {
  /** Always `"StoreLockedError"`. */
  override name = "StoreLockedError";
  /** Path of the lock file. */
  readonly path: string;
  /** Pid recorded in the lock (-1 if unknown). */
  readonly pid: number;
  /** Host recorded in the lock. */
  readonly host: string;
  /**
   * A refused open.
   * @param path lock file path
   * @param pid pid recorded in it
   * @param host host recorded in it
   */
  constructor(path: string, pid: number, host: string) {
    super(`data directory is locked: ${path} is held by pid ${pid} on ${host}`);
    this.path = path;
    this.pid = pid;
    this.host = host;
  }
}

/**
 * A method was called on a store after `close()`.
 *
 * @example
 * ```ts
 * import { openStore, StoreClosedError } from "@kevy/persist";
 * const db = await openStore();
 * await db.close();
 * await db.get("k").catch((e) => e instanceof StoreClosedError); // true
 * ```
 */
export class StoreClosedError extends Error {
  /** Always `"StoreClosedError"`. */
  override name = "StoreClosedError";
  /** A call on a closed store. */
  constructor() {
    super("the store is closed: open it again with openStore()");
  }
}

/**
 * A command failed the way Redis replies with an error (`WRONGTYPE ...`, `ERR ...`,
 * `CROSSSLOT ...`). `unknown` is true when the command itself is not supported.
 *
 * @example
 * ```ts
 * import { CommandFailedError, openStore } from "@kevy/persist";
 * const db = await openStore();
 * await db.lpush("l", "x");
 * await db.get("l").catch((e) => e instanceof CommandFailedError); // true (WRONGTYPE)
 * ```
 */
export class CommandFailedError extends Error {
  /** Always `"CommandFailedError"`. */
  override name = "CommandFailedError";
  /** True when the command is not known to the store. */
  readonly unknown: boolean;
  /**
   * A failed command.
   * @param message the Redis-style error text
   * @param unknown whether the command is unknown
   */
  constructor(message: string, unknown = false) {
    super(message);
    this.unknown = unknown;
  }
}

/**
 * {@link KevyStore.atomic} gave up: every attempt found a watched key changed
 * by someone else before its transaction ran.
 *
 * @example
 * ```ts
 * import { AtomicConflictError } from "@kevy/persist";
 * const e = new AtomicConflictError(10);
 * e.attempts; // 10
 * ```
 */
export class AtomicConflictError extends Error {
  /** Always `"AtomicConflictError"`. */
  override name = "AtomicConflictError";
  /** Attempts made. */
  readonly attempts: number;
  /**
   * A transaction that kept conflicting.
   * @param attempts attempts made
   */
  constructor(attempts: number) {
    super(`atomic(): a watched key changed before each of ${attempts} attempts; gave up`);
    this.attempts = attempts;
  }
}
