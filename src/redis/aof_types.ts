/**
 * The result and option types of {@link replayRedisAof} (re-exported by
 * aof.ts): what a replay saw, where and why the last file ended early, and
 * how to replay.
 *
 * @module
 */
import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { OnUnknown } from "../persist/unknown.ts";

/**
 * Why the last file ended early: `incomplete` (mid-command),
 * `unfinished-multi` (a `MULTI` without `EXEC`), `zero-filled` (a run of
 * zero bytes up to the end of the file).
 */
export type RedisAofTornReason = "incomplete" | "unfinished-multi" | "zero-filled";

/** Where and why the last file ended early. */
export interface RedisAofTorn {
  /** The file. */
  path: string;
  /** Offset where the ignored bytes start (Redis's "Truncating the AOF at offset"). */
  offset: number;
  /** Ignored bytes, from `offset` to the end of the file. */
  bytes: number;
  /**
   * `incomplete`: the file ends mid-command; `unfinished-multi`: a `MULTI`
   * without `EXEC` (its commands were not applied); `zero-filled`: a run of
   * zero bytes up to the end of the file.
   */
  reason: RedisAofTornReason;
}

/** What {@link replayRedisAof} saw. */
export interface RedisAofReplayStats {
  /** Files read (base and incr; history files are not counted). */
  files: number;
  /** Their paths, in load order. */
  paths: string[];
  /** Commands handed to `apply` (`MULTI`/`EXEC` included). */
  frames: number;
  /** Bytes replayed: the valid length of every file read, summed. */
  bytes: number;
  /** `#` annotation lines skipped. */
  annotations: number;
  /** The torn tail of the last file, or `null`. */
  torn: RedisAofTorn | null;
  /** The `#TS` annotation that stopped the replay (`untilUnixSeconds`), or `null`. */
  stoppedAt: { path: string; offset: number; timestamp: number } | null;
  /** Wall time in milliseconds. */
  ms: number;
  /** Commands left out by `onUnknown: "skip"`, by lower-case verb (empty otherwise). */
  skipped: Record<string, number>;
  /** The RDB parts read (a base with `aof-use-rdb-preamble yes`): file, RDB version, keys, bytes. */
  rdb: Array<{ path: string; version: number; keys: number; bytes: number }>;
}

/** Options of {@link replayRedisAof}. */
export interface RedisAofReplayOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /**
   * Stop at the first `#TS:<t>` annotation with `t` greater than this (unix
   * seconds), like `redis-check-aof --truncate-to-timestamp`. Needs
   * `aof-timestamp-enabled yes` on the server that wrote the files: without
   * any `#TS:` annotation, or with a stop point before the base's first one,
   * the replay rejects with {@link RedisAofTimestampError}.
   */
  untilUnixSeconds?: number;
  /**
   * A command `apply` reports as unknown (`{ ok: false, unknown: true }`):
   * `"error"` (default) rejects with `UnknownCommandError` (verb, file, byte
   * offset); `"skip"` leaves it out and counts it in `stats.skipped` (build
   * the `CommandApplier` with `{ onUnknown: "skip" }` too, so that a skipped
   * command does not abort its transaction).
   */
  onUnknown?: OnUnknown;
  /** Read size (default 1 MiB). */
  chunkBytes?: number;
  /**
   * The keys of an RDB part (database, neutral entry with its absolute
   * deadline), instead of commands to `apply`: lossless for every type
   * (streams included) and faster. Default: commands to `apply`. The
   * part's function libraries reach `apply` as `FUNCTION LOAD` either way.
   */
  onRdbEntry?: (db: number, entry: Entry) => void;
  /** Leave module values of an RDB part out (counted in `rdb`) instead of refusing the file. */
  skipModules?: boolean;
}
