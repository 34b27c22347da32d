/**
 * The writing side of an open append-only log: appends, group commit, the
 * fsync policy, the failure state and close. An {@link Aof} is one (open it
 * with `Aof.open`); the open, rewrite and truncate side is in aof.ts.
 *
 * **Writes.** {@link AofAppender.append} encodes the frame into an in-memory
 * buffer and schedules one flush per event-loop turn (a microtask): every frame
 * appended in the same turn goes out in one `write`. With `fsync: "always"`
 * that write is followed by one `fdatasync` and only then do the appends'
 * promises resolve (group commit: frames appended while a write or sync is in
 * flight form the next group). With `"everysec"` a background `fdatasync`
 * runs once a second on an unref'd timer; with `"no"` the OS decides. For
 * those two policies the promise resolves once the frame has been written to
 * the OS (not necessarily to disk).
 *
 * **Failures are never silent.** A failed write or sync rejects the affected
 * appends with {@link AofFailedError} and leaves the log failed: every later
 * append rejects with it too, until the queued bytes go through (a retry each
 * second, {@link AofAppender.retry}, {@link AofAppender.flush}) or the log is
 * reopened. A closed log rejects every use with {@link AofClosedError}.
 *
 * @module
 */

import type { FsyncPolicy } from "./_aof_options.ts";
import type { AofWriter } from "./_aof_writer.ts";
import type { AofFailedError } from "./aof_errors.ts";

/**
 * The appends, flush, fsync policy, failure state and close of an open log;
 * every {@link Aof} is one (see the module doc for the write and failure
 * semantics). Not constructed directly: open an {@link Aof}.
 *
 * @example
 * ```ts
 * import { Aof, type AofAppender } from "@kevy/persist/persist";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const log: AofAppender = await Aof.open("data/aof-0.aof", { fsync: "always" });
 * await log.append(["SET", "k", "v"].map((s) => new TextEncoder().encode(s)));
 * await log.close();
 * ```
 */
export class AofAppender {
  readonly #path: string;
  readonly #w: AofWriter;

  /** @internal */
  protected constructor(path: string, writer: AofWriter) {
    this.#path = path;
    this.#w = writer;
  }

  /** The log's path. */
  get path(): string {
    return this.#path;
  }
  /** Bytes in the log, including frames buffered but not yet written. */
  get sizeBytes(): number {
    return this.#w.log.size + this.#w.bufferedBytes;
  }
  /** The current fsync policy. */
  get fsyncPolicy(): FsyncPolicy {
    return this.#w.policy;
  }
  /**
   * After a write or sync failure: writes (and syncs) the queued bytes again now — a
   * timer also does so every second, and so does every {@link AofAppender.flush}. Resolves true
   * when the log is ok again (false while the disk still refuses, or for a failure that
   * cannot be retried).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("data/aof-0.aof", { fsync: "everysec" });
   * if (aof.lastWriteStatus === "failed" && await aof.retry()) console.log("disk is back");
   * ```
   */
  retry(): Promise<boolean> {
    return this.#w.retry();
  }
  /** The error of the current failure, or null while the log is ok. */
  get lastWriteError(): AofFailedError | null {
    return this.#w.failed;
  }
  /** `"ok"`, or `"failed"` after a write/sync error (see {@link AofFailedError}). */
  get lastWriteStatus(): "ok" | "failed" {
    return this.#w.failed === null ? "ok" : "failed";
  }
  /** True when the file starts with a header, `KEVYAOF1\n` or `KEVYAOF2\n` (false for legacy logs). */
  get hasHeader(): boolean {
    return this.#w.log.header;
  }
  /** The format of the file now: 2 = `KEVYAOF2` checksummed records. */
  get format(): 1 | 2 {
    return this.#w.log.format;
  }
  /** The configured `aofFormat`: what the next rewrite or truncate writes. */
  get aofFormat(): 1 | 2 {
    return this.#w.log.target;
  }

  /**
   * How a v1 file marks a command's several frames appended as one v2 transaction
   * ({@link AofAppender.appendGroup}) while a rewrite or truncate switched the log from v2
   * to v1 (`aofFormat: 1`): the markers of a group (codec/group.ts) that replays all or
   * nothing. `null` (default): such frames are written bare, as `appendGroup` writes them
   * in a v1 log. The embedded store sets its one-shard group markers.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { groupBegin, groupEnd } from "@kevy/persist/codec";
   * import { CrashFs } from "@kevy/persist/testing";
   * const aof = await Aof.open("/aof-0.aof", { fsync: "always", fs: new CrashFs() });
   * let n = 0;
   * aof.groupMarkers = (frames) => [groupBegin(`g${++n}`, [0], frames), groupEnd(`g${n}`)];
   * await aof.close();
   * ```
   */
  get groupMarkers(): ((frames: number) => [Uint8Array[], Uint8Array[]]) | null {
    return this.#w.groupMarkers;
  }
  set groupMarkers(m: ((frames: number) => [Uint8Array[], Uint8Array[]]) | null) {
    this.#w.groupMarkers = m;
  }

  /**
   * Appends commands that replay all or nothing (a `multi()` / EXEC, a
   * cross-shard write's part): in a v2 log between `\0KEVYTXNBEGIN` and
   * `\0KEVYTXNCOMMIT` records, written in one write; a crash leaves at most
   * a torn transaction, which replay drops and open cuts. A v1 log has no
   * markers (the frames are appended as they are).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always", aofFormat: 2 });
   * const t = (s: string) => new TextEncoder().encode(s);
   * await aof.appendGroup([[t("SET"), t("a"), t("1")], [t("SET"), t("b"), t("2")]]);
   * ```
   */
  appendGroup(argvs: ReadonlyArray<ReadonlyArray<Uint8Array>>): Promise<void> {
    return this.#w.appendGroup(argvs);
  }

  /**
   * Appends one command. Resolves when the frame is durable (`always`) or
   * written to the OS (`everysec`, `no`). Frames of the same turn share one
   * write (and one fdatasync).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * const t = new TextEncoder();
   * await Promise.all([aof.append([t.encode("INCR"), t.encode("n")]), aof.append([t.encode("INCR"), t.encode("n")])]);
   * ```
   */
  append(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    return this.#w.append(argv);
  }

  /**
   * Appends a frame no caller waits for (an expired or evicted key's DEL). Unlike
   * {@link AofAppender.append} it is not refused while the log is failed (a write or sync
   * error until a retry succeeds): it is queued behind the unwritten frames and written by
   * the retry, so what is logged once the disk is back never replays ahead of it.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * import { CrashFs } from "@kevy/persist/testing";
   * const aof = await Aof.open("/aof-0.aof", { fsync: "always", fs: new CrashFs() });
   * await aof.appendImplicit([new TextEncoder().encode("DEL"), new TextEncoder().encode("k")]);
   * await aof.close();
   * ```
   */
  appendImplicit(argv: ReadonlyArray<Uint8Array>): Promise<void> {
    return this.#w.appendImplicit(argv);
  }

  /**
   * Appends and writes one command blocking (and fdatasyncs it under
   * `always`), for CLIs. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = Aof.openSync("aof-0.aof", { fsync: "always" });
   * aof.appendSync([new TextEncoder().encode("PING")]);
   * aof.closeSync();
   * ```
   */
  appendSync(argv: ReadonlyArray<Uint8Array>): void {
    this.#w.appendSync(argv);
  }

  /**
   * Writes every buffered frame and fdatasyncs the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.flush(); // everything appended so far is on disk
   * ```
   */
  flush(): Promise<void> {
    return this.#w.flush();
  }

  /**
   * Changes the fsync policy. Tightening to `always` writes and syncs the
   * backlog at once (the returned promise waits for it).
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.setFsync("always");
   * ```
   */
  setFsync(policy: FsyncPolicy): Promise<void> {
    return this.#w.setPolicy(policy);
  }

  /**
   * Writes, syncs and closes. Later use rejects with {@link AofClosedError}.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "no" });
   * await aof.close();
   * ```
   */
  close(): Promise<void> {
    return this.#w.close();
  }

  /**
   * Blocking {@link AofAppender.close}. Throws if async appends are still in flight.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * Aof.openSync("aof-0.aof", { fsync: "no" }).closeSync();
   * ```
   */
  closeSync(): void {
    this.#w.closeSync();
  }

  /**
   * For a process that ends now (`process.exit()`, no async work will run): writes what is
   * buffered with blocking writes, syncs and closes. Nothing is written when a write is in
   * flight (what reached the file is unknown then). Returns whether everything got to disk.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "everysec" });
   * void aof.append(["SET", "k", "v"].map((s) => new TextEncoder().encode(s)));
   * aof.exitSync(); // true: the SET is on disk
   * ```
   */
  exitSync(): boolean {
    return this.#w.exitSync();
  }

  /**
   * Puts the log in the failed state (pending and later appends reject with
   * {@link AofFailedError}); used when a commit that replaced the file cannot
   * finish, so that nothing is written to a file that is no longer the log.
   *
   * @example
   * ```ts
   * import { Aof } from "@kevy/persist/persist";
   * const aof = await Aof.open("aof-0.aof", { fsync: "always" });
   * aof.markFailed(new Error("disk gone"));
   * aof.lastWriteStatus; // "failed"
   * ```
   */
  markFailed(cause: unknown): AofFailedError {
    return this.#w.fail(cause);
  }
}
