/**
 * Argument and result shapes of the embedded store's stream methods
 * (`StreamCommands`): entries, reads, pending entries, XINFO.
 *
 * @module
 */
import type { Bytes } from "./_reply.ts";

/**
 * A stream entry: its id (`"ms-seq"`, exact for any u64) and its fields. Field
 * names are decoded as UTF-8; when an entry repeats a field name the last
 * value wins (`command(["XRANGE", ...])` returns the raw field list).
 *
 * @example
 * ```ts
 * import type { StreamMessage } from "@kevy/persist";
 * const e: StreamMessage<string> = { id: "1700000000000-0", fields: { temp: "21.5" } };
 * ```
 */
export interface StreamMessage<V> {
  /** Entry id, `"ms-seq"`. */
  id: string;
  /** Field name to value. */
  fields: Record<string, V>;
}

/**
 * An entry a consumer's history names but the stream no longer holds (it was
 * deleted or trimmed while pending).
 *
 * @example
 * ```ts
 * import type { DeletedMessage } from "@kevy/persist";
 * const e: DeletedMessage = { id: "5-0", fields: null };
 * ```
 */
export interface DeletedMessage {
  /** Entry id. */
  id: string;
  /** Always `null`. */
  fields: null;
}

/**
 * Trimming options of `xadd` / `xtrim`: one of `maxlen` (keep the newest N
 * entries) or `minid` (drop entries below this id); `approx` (`~`) lets the
 * store trim whole nodes only, which is cheaper; `limit` caps the entries one
 * approximate trim removes.
 *
 * @example
 * ```ts
 * import type { StreamTrimOptions } from "@kevy/persist";
 * const t: StreamTrimOptions = { maxlen: 1000, approx: true };
 * ```
 */
export interface StreamTrimOptions {
  /** Keep at most this many entries (`MAXLEN`; default: no length limit). */
  maxlen?: number;
  /** Drop entries whose id is below this one (`MINID`; default: no id limit). */
  minid?: string;
  /** Trim approximately (`~`). */
  approx?: boolean;
  /** With `approx`: remove at most this many entries (`LIMIT`; default: Redis's 100 x node size). */
  limit?: number;
}

/**
 * Options of `xadd`.
 *
 * @example
 * ```ts
 * import type { XAddOptions } from "@kevy/persist";
 * const o: XAddOptions = { maxlen: 10_000, approx: true, nomkstream: true };
 * ```
 */
export interface XAddOptions extends StreamTrimOptions {
  /** Do not create the stream when it does not exist (then `xadd` resolves `null`). */
  nomkstream?: boolean;
}

/**
 * Streams to read and the id to read after, per key: a record, a Map or
 * `[key, id]` pairs. `xread` ids: an id or `"$"` (only newer entries);
 * `xreadgroup` ids: `">"` (never delivered) or an id (this consumer's pending
 * history after it).
 *
 * @example
 * ```ts
 * import type { StreamsToRead } from "@kevy/persist";
 * const s: StreamsToRead = { events: "0", audit: "$" };
 * ```
 */
export type StreamsToRead = Record<string, string> | Map<Bytes, string> | Array<[Bytes, string]>;

/**
 * What `xread` / `xreadgroup` return per stream that had entries.
 *
 * @example
 * ```ts
 * import type { StreamRead } from "@kevy/persist";
 * const r: StreamRead<string> = { key: "events", entries: [] };
 * ```
 */
export interface StreamRead<V, E = StreamMessage<V>> {
  /** The stream's key. */
  key: V;
  /** Its entries, oldest first. */
  entries: E[];
}

/**
 * `XPENDING key group`: the group's pending entries in short.
 *
 * @example
 * ```ts
 * import type { PendingSummary } from "@kevy/persist";
 * const p: PendingSummary<string> = { count: 0, first: null, last: null, consumers: [] };
 * ```
 */
export interface PendingSummary<V> {
  /** Pending entries. */
  count: number;
  /** Smallest pending id. */
  first: string | null;
  /** Largest pending id. */
  last: string | null;
  /** Consumers with pending entries, by name, and how many each has. */
  consumers: Array<{ name: V; pending: number }>;
}

/**
 * The range form of `xpending`.
 *
 * @example
 * ```ts
 * import type { XPendingRange } from "@kevy/persist";
 * const r: XPendingRange = { start: "-", end: "+", count: 10, idle: 60_000 };
 * ```
 */
export interface XPendingRange {
  /** Lowest id (default `"-"`; `"(id"` excludes it). */
  start?: string;
  /** Highest id (default `"+"`). */
  end?: string;
  /** Most rows. */
  count: number;
  /** Only this consumer's rows. */
  consumer?: Bytes;
  /** Only rows idle at least this many ms. */
  idle?: number;
}

/**
 * One pending entry (`xpending` range form).
 *
 * @example
 * ```ts
 * import type { PendingEntryInfo } from "@kevy/persist";
 * const p: PendingEntryInfo<string> = { id: "5-0", consumer: "alice", idleMs: 10, deliveries: 1 };
 * ```
 */
export interface PendingEntryInfo<V> {
  /** Entry id. */
  id: string;
  /** Owning consumer. */
  consumer: V;
  /** Milliseconds since its last delivery. */
  idleMs: number;
  /** Times delivered. */
  deliveries: number;
}

/**
 * Options of `xclaim`.
 *
 * @example
 * ```ts
 * import type { XClaimOptions } from "@kevy/persist";
 * const o: XClaimOptions = { retrycount: 3, force: true };
 * ```
 */
export interface XClaimOptions {
  /** Set the idle time (ms, `IDLE`; default: 0, the claim resets it). */
  idle?: number;
  /** Set the last delivery time (unix ms, `TIME`; default: now). */
  deliveredAt?: number;
  /** Set the delivery count (`RETRYCOUNT`; default: incremented, unless `justid`). */
  retrycount?: number;
  /** Create pending rows for ids not pending yet (if the entries exist). */
  force?: boolean;
  /** Raise the group's last delivered id to at least this (`LASTID`; default: left as it is). */
  lastid?: string;
}

/**
 * What `xautoclaim` returns: the cursor for the next call (`"0-0"` when the
 * scan is done), the entries claimed (ids only with `justid`), and the ids of
 * pending rows it dropped because their entries no longer exist.
 *
 * @example
 * ```ts
 * import type { AutoClaimResult } from "@kevy/persist";
 * const r: AutoClaimResult<string> = { next: "0-0", entries: [], deleted: [] };
 * ```
 */
export interface AutoClaimResult<V, E = StreamMessage<V>> {
  /** Cursor of the next call. */
  next: string;
  /** Claimed entries. */
  entries: E[];
  /** Pending ids dropped (their entries are gone). */
  deleted: string[];
}

/**
 * A counter that may exceed 2^53 (entries added, entries read, lag): a
 * `number`, or a `bigint` beyond `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * ```ts
 * import type { StreamCounter } from "@kevy/persist";
 * const n: StreamCounter = 12;
 * ```
 */
export type StreamCounter = number | bigint;

/**
 * What `XINFO STREAM key` and its `FULL` form have in common.
 *
 * @example
 * ```ts
 * import type { StreamInfoBase } from "@kevy/persist";
 * const i: Partial<StreamInfoBase> = { length: 0, lastGeneratedId: "0-0" };
 * ```
 */
export interface StreamInfoBase {
  /** Entries. */
  length: number;
  /** Internal nodes (Redis's radix-tree keys: at most 100 entries or 4 KiB each). */
  radixTreeKeys: number;
  /** Radix-tree nodes (Redis's figure for the canonical tree shape). */
  radixTreeNodes: number;
  /** Last generated id. */
  lastGeneratedId: string;
  /** Largest id deleted by XDEL. */
  maxDeletedEntryId: string;
  /** Entries ever added. */
  entriesAdded: StreamCounter;
  /** First entry's id as recorded (`"0-0"` when empty). */
  recordedFirstEntryId: string;
}

/**
 * `XINFO STREAM key`.
 *
 * @example
 * ```ts
 * import type { StreamInfo } from "@kevy/persist";
 * const i: Partial<StreamInfo<string>> = { groups: 0, firstEntry: null };
 * ```
 */
export interface StreamInfo<V> extends StreamInfoBase {
  /** Number of consumer groups. */
  groups: number;
  /** First entry, `null` when empty. */
  firstEntry: StreamMessage<V> | null;
  /** Last entry, `null` when empty. */
  lastEntry: StreamMessage<V> | null;
}

/**
 * `XINFO STREAM key FULL [COUNT n]`.
 *
 * @example
 * ```ts
 * import type { StreamInfoFull } from "@kevy/persist";
 * const i: Partial<StreamInfoFull<string>> = { entries: [], groups: [] };
 * ```
 */
export interface StreamInfoFull<V> extends StreamInfoBase {
  /** Entries, oldest first (at most `count`). */
  entries: StreamMessage<V>[];
  /** Every group in detail. */
  groups: StreamGroupDetail<V>[];
}

/**
 * A group's read position: last delivered id, entries read and lag.
 *
 * @example
 * ```ts
 * import type { GroupPosition } from "@kevy/persist";
 * const g: GroupPosition<string> = { name: "workers", lastDeliveredId: "0-0", entriesRead: 0, lag: 0 };
 * ```
 */
export interface GroupPosition<V> {
  /** Group name. */
  name: V;
  /** Last delivered id. */
  lastDeliveredId: string;
  /** Entries read (`null` when the counter is not known). */
  entriesRead: StreamCounter | null;
  /** Entries not delivered yet (`null` when it cannot be known). */
  lag: StreamCounter | null;
}

/**
 * One group in `XINFO GROUPS key`.
 *
 * @example
 * ```ts
 * import type { StreamGroupInfo } from "@kevy/persist";
 * const g: Partial<StreamGroupInfo<string>> = { consumers: 2, pending: 0 };
 * ```
 */
export interface StreamGroupInfo<V> extends GroupPosition<V> {
  /** Number of consumers. */
  consumers: number;
  /** Pending entries. */
  pending: number;
}

/**
 * One group in `XINFO STREAM key FULL`.
 *
 * @example
 * ```ts
 * import type { StreamGroupDetail } from "@kevy/persist";
 * const g: Partial<StreamGroupDetail<string>> = { pelCount: 0, pending: [], consumers: [] };
 * ```
 */
export interface StreamGroupDetail<V> extends GroupPosition<V> {
  /** Pending entries of the group. */
  pelCount: number;
  /** Pending entries (at most `count`). */
  pending: Array<{ id: string; consumer: V; deliveryTime: number; deliveries: number }>;
  /** Consumers by name. */
  consumers: Array<{
    name: V;
    seenTime: number;
    pelCount: number;
    pending: Array<{ id: string; deliveryTime: number; deliveries: number }>;
  }>;
}

/**
 * One consumer in `XINFO CONSUMERS key group`.
 *
 * @example
 * ```ts
 * import type { ConsumerInfo } from "@kevy/persist";
 * const c: ConsumerInfo<string> = { name: "alice", pending: 0, idleMs: 5 };
 * ```
 */
export interface ConsumerInfo<V> {
  /** Consumer name. */
  name: V;
  /** Its pending entries. */
  pending: number;
  /** Milliseconds since it was last seen. */
  idleMs: number;
}

/**
 * Options of `xread` / `xreadgroup`.
 *
 * @example
 * ```ts
 * import type { StreamReadOptions } from "@kevy/persist";
 * const opts: StreamReadOptions = { count: 10, block: 5000, signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface StreamReadOptions {
  /** At most this many entries per stream (default: all). */
  count?: number;
  /**
   * Wait up to this many milliseconds when nothing is there (`BLOCK`; 0 waits
   * forever). Default: never wait.
   */
  block?: number;
  /** Aborts a wait: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}
