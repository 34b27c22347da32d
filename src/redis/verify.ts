/**
 * Compares a source keyspace with a Redis server or cluster, key by key:
 * {@link verifyRedis}. Every key (or a uniform random sample of `sample`
 * keys) is read back — type, TTL to the millisecond, value — and every
 * difference is reported. Keys past their deadline are not compared.
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { RetryPolicy } from "../net/cluster.ts";
import type { TlsSettings } from "../net/connection.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import type { RedisTarget } from "../net/target.ts";
import type { Store } from "../store/store.ts";
import { isEmptyCollection } from "./_migrate_encode.ts";
import { openSourceOf, openTargetOf } from "./_open.ts";
import { compareKeys, type KeyDifference } from "./_verify_read.ts";

/** Options of {@link verifyRedis}. */
export interface VerifyOptions {
  /** Target URL (with a cluster: any node). */
  url: string;
  /** The target is a Redis Cluster (default false). */
  cluster?: boolean;
  /** Database on a single server (default: the URL's, else 0). */
  db?: number;
  /** Compare a uniform random sample of this many keys (default: all keys). */
  sample?: number;
  /** Which database of a Redis AOF source (default 0). */
  sourceDb?: number;
  /** TLS settings for `rediss://` (default: the system's CAs). */
  tls?: TlsSettings;
  /** Filesystem adapter for the source (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock (unix ms) for expiry (default `Date.now`). */
  now?: () => number;
  /** Retry budget (default: 8 attempts after the first, backoff from 50 ms doubling up to 2 s; see `ClusterRetry`). */
  retry?: Partial<RetryPolicy>;
  /** Random numbers in [0, 1) for the sample (default `Math.random`). */
  random?: () => number;
  /**
   * An unsupported command in an AOF of the source: `"error"` (default)
   * stops with an `UnknownCommandError`; `"skip"` leaves it out (as the
   * migration did with the same option) and counts it in
   * {@link VerifyReport.skipped}.
   */
  onUnknown?: OnUnknown;
}

/** What {@link verifyRedis} found. */
export interface VerifyReport {
  /** Keys compared. */
  checked: number;
  /** Keys in the source (live, non-empty). */
  sourceKeys: number;
  /** Keys on the target (DBSIZE, summed over the masters). */
  targetKeys: number;
  /** Every difference found. */
  differences: KeyDifference[];
  /** Wall time in ms. */
  ms: number;
  /** Commands of the source's AOFs left out under `onUnknown: "skip"`, by lower-case verb. */
  skipped: Record<string, number>;
}

/**
 * Reads every source key (or a sample) back from the target and reports
 * each difference in type, TTL or value.
 *
 * @example
 * ```ts no-run
 * import { verifyRedis } from "@kevy/persist/redis";
 * const r = await verifyRedis("./kevy-data", { url: "redis://127.0.0.1:7000", cluster: true });
 * console.log(`${r.checked} keys checked, ${r.differences.length} differences`);
 * ```
 */
export async function verifyRedis(
  source: string | Store,
  opts: VerifyOptions,
): Promise<VerifyReport> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now;
  const src = await openSourceOf(source, opts);
  const target = await openTargetOf(opts);
  try {
    const report: VerifyReport = {
      checked: 0,
      sourceKeys: 0,
      targetKeys: 0,
      differences: [],
      ms: 0,
      skipped: src.skipped,
    };
    const sample = opts.sample;
    if (sample !== undefined && !(Number.isSafeInteger(sample) && sample > 0)) {
      throw new RangeError(`sample must be a positive integer, got ${sample}`);
    }
    const random = opts.random ?? Math.random;
    const picked: Entry[] = [];
    for await (const part of src.parts()) {
      const cutoff = now();
      const live: Entry[] = [];
      for (const e of part.store.entries()) {
        if ((e.deadline !== null && e.deadline <= cutoff) || isEmptyCollection(e)) continue;
        report.sourceKeys++;
        if (sample === undefined) {
          live.push(e);
          continue;
        }
        // Reservoir sampling: every key has the same chance to be picked.
        if (picked.length < sample) picked.push(e);
        else {
          const j = Math.floor(random() * report.sourceKeys);
          if (j < sample) picked[j] = e;
        }
      }
      if (sample === undefined) {
        report.differences.push(
          ...await compareKeys(target, live, now, () => void report.checked++),
        );
      }
    }
    if (sample !== undefined) {
      report.differences.push(
        ...await compareKeys(target, picked, now, () => void report.checked++),
      );
    }
    report.targetKeys = await targetSize(target);
    report.ms = performance.now() - t0;
    return report;
  } finally {
    await target.close();
  }
}

/** DBSIZE summed over the masters. */
export async function targetSize(target: RedisTarget): Promise<number> {
  let n = 0;
  for (const addr of target.masters) {
    const r = await (await target.connection(addr)).command(["DBSIZE"]);
    n += typeof r === "number" ? r : Number(r);
  }
  return n;
}
