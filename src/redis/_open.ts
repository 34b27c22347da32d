// How migrate, verify and follow reach their two ends from their options:
// the source (kevy data dir, snapshot, AOF, Redis files, a Store) with the
// options' fs, source database and unknown-command policy, and the target
// (server or cluster) with the options' connection settings. One place, so
// a new option reaches all three the same way.
import { defaultFs } from "../fs/detect.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { RetryPolicy } from "../net/cluster.ts";
import type { TlsSettings } from "../net/connection.ts";
import { connectTarget, type ConnectTargetOptions, type RedisTarget } from "../net/target.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import type { Store } from "../store/store.ts";
import { type OpenedSource, openSource } from "./_migrate_source.ts";

/** The options naming a source, as migrate and verify take them. */
export interface SourceChoice {
  fs?: FsAdapter;
  sourceDb?: number;
  onUnknown?: OnUnknown;
}

/** The options naming a target, as migrate, verify and follow take them. */
export interface TargetChoice {
  url: string;
  cluster?: boolean;
  db?: number;
  tls?: TlsSettings;
  retry?: Partial<RetryPolicy>;
  maxInFlightBytes?: number;
}

/**
 * Opens `source` (see openSource); `split`: kevy snapshots load split (their
 * untouched string records as byte ranges: only migrate sends from those).
 */
export function openSourceOf(
  source: string | Store,
  o: SourceChoice,
  split = false,
): Promise<OpenedSource> {
  return openSource(source, {
    fs: o.fs ?? defaultFs(),
    ...(split ? { split } : {}),
    ...(o.sourceDb !== undefined ? { sourceDb: o.sourceDb } : {}),
    ...(o.onUnknown !== undefined ? { onUnknown: o.onUnknown } : {}),
  });
}

/** Connects to the server or cluster the options name (options left unset keep their defaults). */
export function openTargetOf(o: TargetChoice): Promise<RedisTarget> {
  const c: ConnectTargetOptions = { url: o.url };
  if (o.cluster !== undefined) c.cluster = o.cluster;
  if (o.db !== undefined) c.db = o.db;
  if (o.tls !== undefined) c.tls = o.tls;
  if (o.retry !== undefined) c.retry = o.retry;
  if (o.maxInFlightBytes !== undefined) c.maxInFlightBytes = o.maxInFlightBytes;
  return connectTarget(c);
}
