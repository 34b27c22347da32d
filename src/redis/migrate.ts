/**
 * Copies a keyspace into a Redis server or a Redis Cluster:
 * {@link migrateToRedis}. The source is a kevy data dir (any shard count
 * and routing, read one shard at a time), a kevy snapshot or AOF, a Redis
 * `dump.rdb`, AOF (file or appendonlydir, whatever its base) or data dir,
 * or a {@link Store}; nothing on disk changes.
 *
 * Every key travels with its exact TTL (absolute ms) and any bytes
 * (including a leading NUL). In a cluster each key goes to the master of its
 * hash slot, pipelined per master under a bound on bytes in flight.
 *
 * Without `replace`, a key already on the target is never overwritten: it is
 * compared with the source, counted as `unchanged` when equal and as a
 * conflict otherwise. So a re-run after a failure completes the job: what
 * the first run wrote is recognised, the rest is copied. With `replace`,
 * keys on the target are overwritten.
 *
 * If a node stays unreachable beyond the retry budget, the migration stops
 * with a {@link MigrationError} whose stats count only the keys the target
 * acknowledged.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import type { RetryPolicy } from "../net/cluster.ts";
import type { TlsSettings } from "../net/connection.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import type { RedisTarget } from "../net/target.ts";
import { redactRedisUrl } from "../net/url.ts";
import type { Store } from "../store/store.ts";
import { copyParts } from "./_copy.ts";
import { openSourceOf, openTargetOf } from "./_open.ts";
import { chooseEncoder } from "./_payload.ts";
import type { KeyDifference } from "./_verify_read.ts";

export { MigrationSourceError } from "./_migrate_source.ts";
export type { KeyDifference } from "./_verify_read.ts";

/** Options of {@link migrateToRedis}. */
export interface MigrateOptions {
  /** Target: `redis://` or `rediss://` URL (with a cluster: any node). */
  url: string;
  /** The target is a Redis Cluster (default false). */
  cluster?: boolean;
  /** Database on a single server (default: the URL's, else 0). */
  db?: number;
  /** Overwrite keys that already exist on the target (default false: compare and keep them). */
  replace?: boolean;
  /** Which database of a Redis source (default 0; other non-empty databases are refused). */
  sourceDb?: number;
  /** TLS settings for `rediss://` (CA, client certificate; default: the system's CAs). */
  tls?: TlsSettings;
  /** Filesystem adapter for the source (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock (unix ms) deciding which keys have expired (default `Date.now`). */
  now?: () => number;
  /** Retry budget for unreachable nodes and TRYAGAIN/CLUSTERDOWN (default: 8 attempts after the first, backoff from 50 ms doubling up to 2 s; see `ClusterRetry`). */
  retry?: Partial<RetryPolicy>;
  /** Bytes per pipelined batch (default 256 KiB). */
  batchBytes?: number;
  /** Bound on bytes in flight per node (default 4 MiB). */
  maxInFlightBytes?: number;
  /** `"auto"` (default): RESTORE payloads when the server takes them, else commands. */
  payload?: "auto" | "commands" | "restore";
  /** Called about every 10,000 keys and at the end of each part. */
  onProgress?: (p: MigrateProgress) => void;
  /**
   * A command in an AOF of the source that cannot be applied (unknown verb,
   * refused form): `"error"` (default) stops before anything more is sent,
   * with an `UnknownCommandError` naming the verb, the file and the byte
   * offset; `"skip"` leaves it out and counts it in
   * {@link MigrateStats.skipped} (CLI: `--skip-unknown`).
   */
  onUnknown?: OnUnknown;
}

/** Progress of a migration. */
export interface MigrateProgress {
  /** The part being copied (`"shard 2 of 4"`). */
  part: string;
  /** Parts done. */
  partsDone: number;
  /** All parts. */
  parts: number;
  /** Keys acknowledged so far. */
  keys: number;
  /** Keys of the current part, and how many of them are sent. */
  partKeys: number;
  /** Keys of the current part sent. */
  partSent: number;
}

/** One key that could not be written. */
export interface KeyError {
  /** The key. */
  key: Uint8Array;
  /** The error reply (naming the command). */
  error: string;
}

/** What a migration did. */
export interface MigrateStats {
  /** What was read. */
  source: string;
  /** Where it went (password hidden). */
  target: string;
  /** Masters written to. */
  masters: number;
  /** Keys written and acknowledged. */
  keys: number;
  /** Keys already on the target with the same value (not written). */
  unchanged: number;
  /** Keys already on the target with another value (left alone, not written). */
  conflicts: KeyDifference[];
  /** Keys the target refused (error replies). */
  errors: KeyError[];
  /** Keys skipped: past their deadline when copied. */
  expired: number;
  /** Keys skipped: empty collections (Redis cannot hold one). */
  empty: number;
  /**
   * Pending stream entries of deleted messages the command payload could not carry (in a
   * stream whose max-deleted-id is 0-0, as from Redis 6; RESTORE payloads carry them).
   */
  lostPending: number;
  /** Commands sent. */
  commands: number;
  /** Bytes sent. */
  bytes: number;
  /** Wall time in ms. */
  ms: number;
  /** `"commands"`, or `"restore"` (collections and streams as RESTORE of DUMP payloads, strings as SET). */
  payload: "commands" | "restore";
  /** Keys whose RESTORE payload the server refused, sent as commands instead. */
  payloadFallbacks: number;
  /** Function libraries loaded (FUNCTION LOAD on every master; RDB sources). */
  functions: number;
  /** Commands of the source's AOFs left out under `onUnknown: "skip"`, by lower-case verb. */
  skipped: Record<string, number>;
}

/**
 * The migration stopped (a node unreachable beyond the retry budget, ...).
 * `stats` counts only what the target acknowledged; a re-run completes it.
 *
 * @example
 * ```ts
 * import { MigrationError } from "@kevy/persist/redis";
 * const e = new MigrationError("127.0.0.1:7002: connection refused", null);
 * e.name; // "MigrationError"
 * ```
 */
export class MigrationError extends Error {
  /** Always `"MigrationError"`. */
  override name = "MigrationError";
  /** What was done before it stopped, or null if it never started. */
  readonly stats: MigrateStats | null;

  /**
   * A stopped migration.
   * @param message what happened
   * @param stats what was acknowledged before
   * @param cause the underlying error
   */
  constructor(message: string, stats: MigrateStats | null, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.stats = stats;
  }
}

/** Empty stats for a run from `source` to `target`. */
export function newStats(source: string, targetText: string, target: RedisTarget): MigrateStats {
  return {
    source,
    target: targetText + (target.isCluster ? " (cluster)" : ""),
    masters: target.masters.length,
    keys: 0,
    unchanged: 0,
    conflicts: [],
    errors: [],
    expired: 0,
    empty: 0,
    lostPending: 0,
    commands: 0,
    bytes: 0,
    ms: 0,
    payload: "commands",
    payloadFallbacks: 0,
    functions: 0,
    skipped: {},
  };
}

/**
 * Copies `source` (a path or a {@link Store}) into the server or cluster at
 * `opts.url`. Resolves with the stats; rejects with {@link MigrationError}
 * when it had to stop (its `stats` say what was acknowledged). Errors
 * before anything was sent (a bad source, a target that refuses the
 * connection, a source that fails before its first key) are thrown as they
 * are.
 *
 * @example
 * ```ts no-run
 * import { migrateToRedis } from "@kevy/persist/redis";
 * const stats = await migrateToRedis("./kevy-data", { url: "redis://127.0.0.1:7000", cluster: true });
 * console.log(`${stats.keys} keys in ${stats.ms} ms`);
 * ```
 */
export async function migrateToRedis(
  source: string | Store,
  opts: MigrateOptions,
): Promise<MigrateStats> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now;
  // Untouched string records of kevy snapshots go straight from the file's bytes (split).
  const src = await openSourceOf(source, opts, true);
  const target = await openTargetOf(opts);
  const stats = newStats(src.description, redactRedisUrl(opts.url), target);
  stats.skipped = src.skipped; // filled in as the parts load
  try {
    const encoder = await chooseEncoder(target, opts.payload ?? "auto");
    stats.payload = encoder.payload;
    await copyParts(target, src.parts(), stats, {
      replace: opts.replace === true,
      now,
      encoder: encoder.encode,
      stringsAsSet: encoder.stringsAsSet,
      partCount: src.partCount,
      ...(opts.batchBytes !== undefined ? { batchBytes: opts.batchBytes } : {}),
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    });
  } catch (e) {
    stats.ms = performance.now() - t0;
    await target.close().catch(() => {});
    // Nothing sent yet (a source refused while loading): the error as it is.
    if (stats.commands === 0) throw e;
    throw new MigrationError(
      `migration stopped: ${
        (e as Error).message
      }. ${stats.keys} key(s) were copied and acknowledged ` +
        `before it; fix the cause and run it again to copy the rest`,
      stats,
      e,
    );
  }
  await target.close();
  stats.ms = performance.now() - t0;
  return stats;
}
