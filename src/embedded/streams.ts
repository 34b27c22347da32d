/**
 * The stream methods of a store handle and of a transaction
 * ({@link StreamCommands}, inherited by `KevyStore` and `Multi`): Redis 7 streams with ids as `"ms-seq"` strings (exact for any
 * u64), entries as `{ id, fields }` objects, counters that may pass 2^53 as
 * `number | bigint`. Every write is logged so a restart rebuilds the same
 * streams, groups and pending entries.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import { type Bytes, int, intArg, InvalidArg } from "./_reply.ts";
import { pairList } from "./_argv.ts";
import {
  consumersInfo,
  entries,
  entry,
  entryOrDeleted,
  groupsInfo,
  ids,
  pendingRows,
  pendingSummary,
  reads,
  streamInfo,
  streamInfoFull,
  streamsArgv,
  trimArgv,
} from "./_stream_reply.ts";
import type {
  AutoClaimResult,
  ConsumerInfo,
  DeletedMessage,
  PendingEntryInfo,
  PendingSummary,
  StreamGroupInfo,
  StreamInfo,
  StreamInfoFull,
  StreamMessage,
  StreamRead,
  StreamReadOptions,
  StreamsToRead,
  StreamTrimOptions,
  XAddOptions,
  XClaimOptions,
  XPendingRange,
} from "./stream_types.ts";
import type { Pairs } from "./types.ts";
import { call, dec, type Result } from "./cmd_base.ts";
import { ZsetCommands } from "./cmd_zsets.ts";

type Arg = Bytes | number | bigint | InvalidArg;

const utf8 = new TextDecoder();
const idOrNull = (r: Reply): string | null => r === null ? null : utf8.decode(r as Uint8Array);
const ok = (): "OK" => "OK";
const isOne = (r: Reply): boolean => int(r) === 1;
const blockOpts = (o: StreamReadOptions) => o.signal === undefined ? {} : { signal: o.signal };

/**
 * Stream commands (see the module docs). On a store handle each runs now and
 * resolves with its reply; on a transaction (`db.multi()`) each is queued and
 * returns the transaction. `V` is what values decode to: `string`, or
 * `Uint8Array` on the `bytes` view.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore(); // in memory; give `dir` to keep the streams
 * const id = await db.xadd("events", "*", { type: "click" });
 * await db.xgroupCreate("events", "workers", "0");
 * const got = await db.xreadgroup("workers", "w1", { events: ">" });
 * await db.xack("events", "workers", got![0]!.entries[0]!.id);
 * console.log(id, await db.xlen("events"));
 * const [n, last] = (await db.multi().xadd("events", "*", { type: "key" }).xlen("events").exec())!;
 * console.log(n, last); // an id, 2
 * await db.close();
 * ```
 */
export class StreamCommands<V extends string | Uint8Array, M> extends ZsetCommands<V, M> {
  /**
   * `XADD`: appends an entry and resolves its id. `id` is `"*"` (generated
   * from the clock), `"ms-*"` or an explicit `"ms-seq"` above the last one.
   * Resolves `null` when `nomkstream` is set and the stream does not exist.
   */
  xadd(key: Bytes, id: string, fields: Pairs, opts: XAddOptions = {}): Result<V, M, string | null> {
    const fv = pairList(fields);
    const a: Arg[] = ["XADD", key];
    if (opts.nomkstream) a.push("NOMKSTREAM");
    a.push(...trimArgv(opts, "xadd"), id);
    if (fv.length === 0) {
      a.push(new InvalidArg(new RangeError("xadd: an entry needs at least one field")));
    }
    for (const [f, v] of fv) a.push(f, v);
    return call(this, "xadd", a, idOrNull);
  }

  /** `XLEN`: number of entries (0 when missing). */
  xlen(key: Bytes): Result<V, M, number> {
    return call(this, "xlen", ["XLEN", key], int);
  }

  /** `XRANGE`: entries from `start` to `end` (`"-"`, `"+"`, ids, `"(id"` exclusive). */
  xrange(
    key: Bytes,
    start = "-",
    end = "+",
    opts: { count?: number } = {},
  ): Result<V, M, StreamMessage<V>[]> {
    const a: Arg[] = ["XRANGE", key, start, end];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    const d = dec<V>(this);
    return call(this, "xrange", a, (r) => entries(r, d));
  }

  /** `XREVRANGE`: entries from `end` down to `start`. */
  xrevrange(
    key: Bytes,
    end = "+",
    start = "-",
    opts: { count?: number } = {},
  ): Result<V, M, StreamMessage<V>[]> {
    const a: Arg[] = ["XREVRANGE", key, end, start];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    const d = dec<V>(this);
    return call(this, "xrevrange", a, (r) => entries(r, d));
  }

  /** `XDEL`: entries deleted. */
  xdel(key: Bytes, ...entryIds: string[]): Result<V, M, number> {
    if (entryIds.length === 0) return call(this, "xdel", [], () => 0);
    return call(this, "xdel", ["XDEL", key, ...entryIds], int);
  }

  /** `XTRIM` by `maxlen` or `minid`: entries removed. */
  xtrim(key: Bytes, opts: StreamTrimOptions): Result<V, M, number> {
    const t = trimArgv(opts, "xtrim");
    if (t.length === 0) t.push(new InvalidArg(new RangeError("xtrim: give maxlen or minid")));
    return call(this, "xtrim", ["XTRIM", key, ...t], int);
  }

  /** `XSETID`: sets the last id (and optionally entries added, max deleted id). */
  xsetid(
    key: Bytes,
    lastId: string,
    opts: { entriesAdded?: number | bigint; maxDeletedId?: string } = {},
  ): Result<V, M, "OK"> {
    const a: Arg[] = ["XSETID", key, lastId];
    if (opts.entriesAdded !== undefined) {
      a.push("ENTRIESADDED", intArg("entriesAdded", opts.entriesAdded));
    }
    if (opts.maxDeletedId !== undefined) a.push("MAXDELETEDID", opts.maxDeletedId);
    return call(this, "xsetid", a, ok);
  }

  /**
   * `XREAD`: entries after each given id (`"$"`: only entries added after
   * this call). Resolves `null` when no stream has any — at once, or with
   * `block` (ms; 0 waits forever) when none came within it. A blocked read
   * wakes with the first stream written after it (that stream alone, as
   * Redis replies); readers of one stream wake in the order they blocked.
   * `signal` aborts the wait (the call rejects with its reason). Nothing is
   * logged. In a transaction it never waits (as in Redis's MULTI).
   */
  xread(
    streams: StreamsToRead,
    opts: StreamReadOptions = {},
  ): Result<V, M, StreamRead<V>[] | null> {
    const a: Arg[] = ["XREAD"];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    if (opts.block !== undefined) a.push("BLOCK", intArg("block", opts.block));
    a.push(...streamsArgv(streams));
    const d = dec<V>(this);
    return call(this, "xread", a, (r) => reads(r, d, (x) => entry(x, d)), blockOpts(opts));
  }

  /**
   * `XREADGROUP` as `consumer` of `group`: with id `">"` the entries never
   * delivered to the group (now pending for this consumer unless `noack`),
   * with an id this consumer's pending history after it (entries deleted
   * meanwhile come back as {@link DeletedMessage}). Resolves `null` when
   * nothing was served. With `block` (ms; 0 waits forever) a `">"` read that
   * finds nothing waits for new entries: consumers of one group are served
   * in the order they blocked, each entry to one of them; the log records
   * what the served read did (as Redis propagates it), never the wait. It
   * rejects with `NOGROUP` when the group is destroyed meanwhile; `signal`
   * aborts the wait. In a transaction it never waits.
   */
  xreadgroup(
    group: Bytes,
    consumer: Bytes,
    streams: StreamsToRead,
    opts: StreamReadOptions & { noack?: boolean } = {},
  ): Result<V, M, StreamRead<V, StreamMessage<V> | DeletedMessage>[] | null> {
    const a: Arg[] = ["XREADGROUP", "GROUP", group, consumer];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    if (opts.block !== undefined) a.push("BLOCK", intArg("block", opts.block));
    if (opts.noack) a.push("NOACK");
    a.push(...streamsArgv(streams));
    const d = dec<V>(this);
    const decode = (r: Reply) => reads(r, d, (x) => entryOrDeleted(x, d));
    return call(this, "xreadgroup", a, decode, blockOpts(opts));
  }

  /** `XACK`: pending entries acknowledged. */
  xack(key: Bytes, group: Bytes, ...entryIds: string[]): Result<V, M, number> {
    if (entryIds.length === 0) return call(this, "xack", [], () => 0);
    return call(this, "xack", ["XACK", key, group, ...entryIds], int);
  }

  /** `XGROUP CREATE` at `id` (`"$"`: the last entry; `"0"`: the beginning). */
  xgroupCreate(
    key: Bytes,
    group: Bytes,
    id = "$",
    opts: { mkstream?: boolean; entriesRead?: number | bigint } = {},
  ): Result<V, M, "OK"> {
    const a: Arg[] = ["XGROUP", "CREATE", key, group, id];
    if (opts.mkstream) a.push("MKSTREAM");
    if (opts.entriesRead !== undefined) {
      a.push("ENTRIESREAD", intArg("entriesRead", opts.entriesRead));
    }
    return call(this, "xgroupCreate", a, ok);
  }

  /** `XGROUP SETID`: moves the group's last delivered id. */
  xgroupSetId(
    key: Bytes,
    group: Bytes,
    id: string,
    opts: { entriesRead?: number | bigint } = {},
  ): Result<V, M, "OK"> {
    const a: Arg[] = ["XGROUP", "SETID", key, group, id];
    if (opts.entriesRead !== undefined) {
      a.push("ENTRIESREAD", intArg("entriesRead", opts.entriesRead));
    }
    return call(this, "xgroupSetId", a, ok);
  }

  /** `XGROUP DESTROY`: whether the group existed. */
  xgroupDestroy(key: Bytes, group: Bytes): Result<V, M, boolean> {
    return call(this, "xgroupDestroy", ["XGROUP", "DESTROY", key, group], isOne);
  }

  /** `XGROUP CREATECONSUMER`: whether it was created. */
  xgroupCreateConsumer(key: Bytes, group: Bytes, consumer: Bytes): Result<V, M, boolean> {
    const a = ["XGROUP", "CREATECONSUMER", key, group, consumer];
    return call(this, "xgroupCreateConsumer", a, isOne);
  }

  /** `XGROUP DELCONSUMER`: the consumer's pending entries that were dropped with it. */
  xgroupDelConsumer(key: Bytes, group: Bytes, consumer: Bytes): Result<V, M, number> {
    return call(this, "xgroupDelConsumer", ["XGROUP", "DELCONSUMER", key, group, consumer], int);
  }

  /** `XPENDING key group`: the summary. */
  xpending(key: Bytes, group: Bytes): Result<V, M, PendingSummary<V>>;
  /** `XPENDING key group [IDLE ms] start end count [consumer]`: the rows. */
  xpending(key: Bytes, group: Bytes, range: XPendingRange): Result<V, M, PendingEntryInfo<V>[]>;
  xpending(
    key: Bytes,
    group: Bytes,
    range?: XPendingRange,
  ): Result<V, M, PendingSummary<V> | PendingEntryInfo<V>[]> {
    const d = dec<V>(this);
    if (range === undefined) {
      return call(this, "xpending", ["XPENDING", key, group], (r) => pendingSummary(r, d));
    }
    const a: Arg[] = ["XPENDING", key, group];
    if (range.idle !== undefined) a.push("IDLE", intArg("idle", range.idle));
    a.push(range.start ?? "-", range.end ?? "+", intArg("count", range.count));
    if (range.consumer !== undefined) a.push(range.consumer);
    return call(this, "xpending", a, (r) => pendingRows(r, d));
  }

  /** `XCLAIM ... JUSTID`: the ids claimed. */
  xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts: XClaimOptions & { justid: true },
  ): Result<V, M, string[]>;
  /** `XCLAIM`: the entries claimed by `consumer` (pending at least `minIdleMs`). */
  xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts?: XClaimOptions & { justid?: false },
  ): Result<V, M, StreamMessage<V>[]>;
  xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts: XClaimOptions & { justid?: boolean } = {},
  ): Result<V, M, string[] | StreamMessage<V>[]> {
    const a: Arg[] = ["XCLAIM", key, group, consumer, intArg("minIdleMs", minIdleMs), ...entryIds];
    if (entryIds.length === 0) {
      a.push(new InvalidArg(new RangeError("xclaim: name at least one id")));
    }
    if (opts.idle !== undefined) a.push("IDLE", intArg("idle", opts.idle));
    if (opts.deliveredAt !== undefined) a.push("TIME", intArg("deliveredAt", opts.deliveredAt));
    if (opts.retrycount !== undefined) a.push("RETRYCOUNT", intArg("retrycount", opts.retrycount));
    if (opts.force) a.push("FORCE");
    if (opts.justid) a.push("JUSTID");
    if (opts.lastid !== undefined) a.push("LASTID", opts.lastid);
    const d = dec<V>(this);
    return call(this, "xclaim", a, (r) => opts.justid ? ids(r) : entries(r, d));
  }

  /** `XAUTOCLAIM ... JUSTID`. */
  xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts: { count?: number; justid: true },
  ): Result<V, M, AutoClaimResult<V, string>>;
  /** `XAUTOCLAIM`: claims entries pending at least `minIdleMs`, scanning from `start`. */
  xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts?: { count?: number; justid?: false },
  ): Result<V, M, AutoClaimResult<V>>;
  xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts: { count?: number; justid?: boolean } = {},
  ): Result<V, M, AutoClaimResult<V> | AutoClaimResult<V, string>> {
    const a: Arg[] = ["XAUTOCLAIM", key, group, consumer, intArg("minIdleMs", minIdleMs), start];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    if (opts.justid) a.push("JUSTID");
    const d = dec<V>(this);
    return call(this, "xautoclaim", a, (r) => {
      const [next, got, deleted] = r as Reply[];
      const base = { next: utf8.decode(next as Uint8Array), deleted: ids(deleted ?? null) };
      return opts.justid
        ? { ...base, entries: ids(got ?? null) }
        : { ...base, entries: entries(got ?? null, d) };
    });
  }

  /** `XINFO STREAM key`. */
  xinfoStream(key: Bytes): Result<V, M, StreamInfo<V>>;
  /** `XINFO STREAM key FULL [COUNT n]` (default 10 entries and pending rows; 0: all). */
  xinfoStream(key: Bytes, opts: { full: true; count?: number }): Result<V, M, StreamInfoFull<V>>;
  xinfoStream(
    key: Bytes,
    opts?: { full: true; count?: number },
  ): Result<V, M, StreamInfo<V> | StreamInfoFull<V>> {
    const d = dec<V>(this);
    if (opts === undefined) {
      return call(this, "xinfoStream", ["XINFO", "STREAM", key], (r) => streamInfo(r, d));
    }
    const a: Arg[] = ["XINFO", "STREAM", key, "FULL"];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    return call(this, "xinfoStream", a, (r) => streamInfoFull(r, d));
  }

  /** `XINFO GROUPS key`. */
  xinfoGroups(key: Bytes): Result<V, M, StreamGroupInfo<V>[]> {
    const d = dec<V>(this);
    return call(this, "xinfoGroups", ["XINFO", "GROUPS", key], (r) => groupsInfo(r, d));
  }

  /** `XINFO CONSUMERS key group`. */
  xinfoConsumers(key: Bytes, group: Bytes): Result<V, M, ConsumerInfo<V>[]> {
    const d = dec<V>(this);
    const a = ["XINFO", "CONSUMERS", key, group];
    return call(this, "xinfoConsumers", a, (r) => consumersInfo(r, d));
  }
}
