// Option validation and defaults for openStore (the public shapes are in options.ts).
import type { FsAdapter } from "../fs/types.ts";
import type { Routing } from "../codec/routing_types.ts";
import { EVICTION_POLICIES } from "../store/evict.ts";
import {
  type AppendFsync,
  type MaxmemoryPolicy,
  type MetricEvent,
  type OpenStoreOptions,
  STORE_DEFAULTS,
} from "./options.ts";

/** {@link OpenStoreOptions} with every default filled in (`dir` and `fs` stay optional). */
export interface ResolvedOptions {
  dir: string | null;
  shards: number;
  routing: Routing;
  aof: boolean;
  appendfsync: AppendFsync;
  snapshotName: string;
  aofName: string;
  autoRewritePercentage: number;
  autoRewriteMinSize: number;
  clock: () => number;
  fs: FsAdapter | null;
  onMetric: ((event: MetricEvent) => void) | null;
  activeExpireIntervalMs: number;
  onUnknown: "error" | "skip";
  aofFormat: 1 | 2;
  maxmemory: number;
  maxmemoryPolicy: MaxmemoryPolicy;
  maxmemorySamples: number;
  lfuLogFactor: number;
  lfuDecayTime: number;
  evictionSeed: number | null;
  notifyKeyspaceEvents: string;
  closeOnExit: boolean;
}

const POLICIES: ReadonlySet<string> = new Set<MaxmemoryPolicy>(EVICTION_POLICIES);

function nonNegative(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) {
    throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  }
  return v;
}

function fileName(name: string, v: string): string {
  if (typeof v !== "string" || v === "" || v.includes("/") || v === "." || v === "..") {
    throw new TypeError(`${name} must be a plain file name, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** @internal Validate options and fill defaults. */
export function resolveOptions(o: OpenStoreOptions = {}): ResolvedOptions {
  const shards = o.shards ?? STORE_DEFAULTS.shards;
  if (!(Number.isSafeInteger(shards) && shards >= 1)) {
    throw new RangeError(`shards must be a positive integer, got ${shards}`);
  }
  const routing = o.routing ?? STORE_DEFAULTS.routing;
  if (routing !== "kevyhash" && routing !== "slots") {
    throw new TypeError(`routing must be "kevyhash" or "slots", got ${String(routing)}`);
  }
  const appendfsync = o.appendfsync ?? STORE_DEFAULTS.appendfsync;
  if (appendfsync !== "always" && appendfsync !== "everysec" && appendfsync !== "no") {
    throw new TypeError(
      `appendfsync must be "always", "everysec" or "no", got ${String(appendfsync)}`,
    );
  }
  if (o.dir !== undefined && (typeof o.dir !== "string" || o.dir === "")) {
    throw new TypeError("dir must be a non-empty string");
  }
  if (shards > 1 && (o.snapshotName !== undefined || o.aofName !== undefined)) {
    throw new TypeError("snapshotName/aofName only apply to a single shard (shards: 1)");
  }
  const aofFormat = o.aofFormat ?? 1;
  if (aofFormat !== 1 && aofFormat !== 2) {
    throw new TypeError(`aofFormat must be 1 or 2, got ${String(aofFormat)}`);
  }
  const onUnknown = o.onUnknown ?? STORE_DEFAULTS.onUnknown;
  if (onUnknown !== "error" && onUnknown !== "skip") {
    throw new TypeError(`onUnknown must be "error" or "skip", got ${String(onUnknown)}`);
  }
  const maxmemoryPolicy = o.maxmemoryPolicy ?? STORE_DEFAULTS.maxmemoryPolicy;
  if (!POLICIES.has(maxmemoryPolicy)) {
    throw new TypeError(
      `maxmemoryPolicy must be one of ${[...POLICIES].join(", ")}; got ${String(maxmemoryPolicy)}`,
    );
  }
  const samples = o.maxmemorySamples ?? STORE_DEFAULTS.maxmemorySamples;
  if (!(Number.isSafeInteger(samples) && samples >= 1 && samples <= 64)) {
    throw new RangeError(`maxmemorySamples must be an integer in 1..64, got ${samples}`);
  }
  const lfuLogFactor = o.lfuLogFactor ?? STORE_DEFAULTS.lfuLogFactor;
  if (!(Number.isFinite(lfuLogFactor) && lfuLogFactor >= 0)) {
    throw new RangeError(`lfuLogFactor must be a non-negative number, got ${lfuLogFactor}`);
  }
  const lfuDecayTime = o.lfuDecayTime ?? STORE_DEFAULTS.lfuDecayTime;
  if (!(Number.isSafeInteger(lfuDecayTime) && lfuDecayTime >= 0)) {
    throw new RangeError(`lfuDecayTime must be a non-negative integer, got ${lfuDecayTime}`);
  }
  const seed = o.evictionSeed ?? null;
  if (seed !== null && !Number.isSafeInteger(seed)) {
    throw new RangeError(`evictionSeed must be an integer, got ${seed}`);
  }
  const notify = o.notifyKeyspaceEvents ?? STORE_DEFAULTS.notifyKeyspaceEvents;
  if (typeof notify !== "string") {
    throw new TypeError(
      `notifyKeyspaceEvents must be a string of Redis's flags, got ${String(notify)}`,
    );
  }
  return {
    maxmemory: nonNegative("maxmemory", o.maxmemory ?? STORE_DEFAULTS.maxmemory),
    maxmemoryPolicy,
    maxmemorySamples: samples,
    lfuLogFactor,
    lfuDecayTime,
    evictionSeed: seed,
    notifyKeyspaceEvents: notify,
    closeOnExit: o.closeOnExit ?? STORE_DEFAULTS.closeOnExit,
    onUnknown,
    aofFormat,
    dir: o.dir ?? null,
    shards,
    routing,
    aof: o.aof ?? STORE_DEFAULTS.aof,
    appendfsync,
    snapshotName: fileName("snapshotName", o.snapshotName ?? STORE_DEFAULTS.snapshotName),
    aofName: fileName("aofName", o.aofName ?? STORE_DEFAULTS.aofName),
    autoRewritePercentage: nonNegative(
      "autoRewritePercentage",
      o.autoRewritePercentage ?? STORE_DEFAULTS.autoRewritePercentage,
    ),
    autoRewriteMinSize: nonNegative(
      "autoRewriteMinSize",
      o.autoRewriteMinSize ?? STORE_DEFAULTS.autoRewriteMinSize,
    ),
    clock: clockOf(o),
    fs: o.fs ?? null,
    onMetric: o.onMetric ?? null,
    activeExpireIntervalMs: nonNegative(
      "activeExpireIntervalMs",
      o.activeExpireIntervalMs ?? STORE_DEFAULTS.activeExpireIntervalMs,
    ),
  };
}

// `now`, or its deprecated name `clock`; both at once only if they agree.
function clockOf(o: OpenStoreOptions): () => number {
  if (o.now !== undefined && o.clock !== undefined && o.now !== o.clock) {
    throw new TypeError("openStore: give `now` (or its old name `clock`), not both");
  }
  return o.now ?? o.clock ?? Date.now;
}
