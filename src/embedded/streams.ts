/**
 * The stream methods of the embedded store ({@link KevyStreams}, inherited by
 * `KevyStore`): Redis 7 streams with ids as `"ms-seq"` strings (exact for any
 * u64), entries as `{ id, fields }` objects, counters that may pass 2^53 as
 * `number | bigint`. Every write is logged so a restart rebuilds the same
 * streams, groups and pending entries.
 *
 * @module
 */
import type { Reply } from "../store/apply.ts";
import { type Bytes, type Decode, int, intArg, type InvalidArg } from "./_reply.ts";
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
  StreamsToRead,
  StreamTrimOptions,
  XAddOptions,
  XClaimOptions,
  XPendingRange,
} from "./stream_types.ts";
import type { Pairs } from "./types.ts";
import { KevyCommands } from "./kevy_commands.ts";
import type { Now } from "./cmd_base.ts";
import { type Caller, callerOf } from "./_caller.ts";

type Arg = Bytes | number | bigint | InvalidArg;

/**
 * Stream commands of a store handle (see the module docs). `V` is what values
 * decode to: `string`, or `Uint8Array` on the `bytes` view.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore({ dir: "./data" });
 * const id = await db.xadd("events", "*", { type: "click" });
 * await db.xgroupCreate("events", "workers", "0");
 * const got = await db.xreadgroup("workers", "w1", { events: ">" });
 * await db.xack("events", "workers", got![0]!.entries[0]!.id);
 * console.log(id, await db.xlen("events"));
 * await db.close();
 * ```
 */
export class KevyStreams<V extends string | Uint8Array = string> extends KevyCommands<V, Now> {
  /** @internal The store handle passes its caller (see {@link KevyCommands}). */
  constructor(caller: Caller<V>) {
    super(caller);
  }

  get #dec(): Decode<V> {
    return callerOf<V>(this).decode;
  }

  #call(argv: Arg[]): Promise<Reply> {
    return callerOf<V>(this).call("stream", argv, (r) => r) as Promise<Reply>;
  }

  /**
   * `XADD`: appends an entry and resolves its id. `id` is `"*"` (generated
   * from the clock), `"ms-*"` or an explicit `"ms-seq"` above the last one.
   * Resolves `null` when `nomkstream` is set and the stream does not exist.
   */
  async xadd(
    key: Bytes,
    id: string,
    fields: Pairs,
    opts: XAddOptions = {},
  ): Promise<string | null> {
    const fv = pairList(fields);
    if (fv.length === 0) throw new RangeError("xadd: an entry needs at least one field");
    const a: Arg[] = ["XADD", key];
    if (opts.nomkstream) a.push("NOMKSTREAM");
    a.push(...trimArgv(opts, "xadd"), id);
    for (const [f, v] of fv) a.push(f, v);
    const r = await this.#call(a);
    return r === null ? null : new TextDecoder().decode(r as Uint8Array);
  }

  /** `XLEN`: number of entries (0 when missing). */
  async xlen(key: Bytes): Promise<number> {
    return int(await this.#call(["XLEN", key]));
  }

  /** `XRANGE`: entries from `start` to `end` (`"-"`, `"+"`, ids, `"(id"` exclusive). */
  async xrange(
    key: Bytes,
    start = "-",
    end = "+",
    opts: { count?: number } = {},
  ): Promise<StreamMessage<V>[]> {
    const a: Arg[] = ["XRANGE", key, start, end];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    return entries(await this.#call(a), this.#dec);
  }

  /** `XREVRANGE`: entries from `end` down to `start`. */
  async xrevrange(
    key: Bytes,
    end = "+",
    start = "-",
    opts: { count?: number } = {},
  ): Promise<StreamMessage<V>[]> {
    const a: Arg[] = ["XREVRANGE", key, end, start];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    return entries(await this.#call(a), this.#dec);
  }

  /** `XDEL`: entries deleted. */
  async xdel(key: Bytes, ...entryIds: string[]): Promise<number> {
    if (entryIds.length === 0) return 0;
    return int(await this.#call(["XDEL", key, ...entryIds]));
  }

  /** `XTRIM` by `maxlen` or `minid`: entries removed. */
  async xtrim(key: Bytes, opts: StreamTrimOptions): Promise<number> {
    const t = trimArgv(opts, "xtrim");
    if (t.length === 0) throw new RangeError("xtrim: give maxlen or minid");
    return int(await this.#call(["XTRIM", key, ...t]));
  }

  /** `XSETID`: sets the last id (and optionally entries added, max deleted id). */
  async xsetid(
    key: Bytes,
    lastId: string,
    opts: { entriesAdded?: number | bigint; maxDeletedId?: string } = {},
  ): Promise<"OK"> {
    const a: Arg[] = ["XSETID", key, lastId];
    if (opts.entriesAdded !== undefined) {
      a.push("ENTRIESADDED", intArg("entriesAdded", opts.entriesAdded));
    }
    if (opts.maxDeletedId !== undefined) a.push("MAXDELETEDID", opts.maxDeletedId);
    await this.#call(a);
    return "OK";
  }

  /**
   * `XREAD` (non-blocking): entries after each given id (`"$"`: only newer
   * ones, of which there are none yet; useful with a blocking read). Resolves
   * `null` when no stream has any.
   */
  async xread(
    streams: StreamsToRead,
    opts: { count?: number } = {},
  ): Promise<StreamRead<V>[] | null> {
    const a: Arg[] = ["XREAD"];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    a.push(...streamsArgv(streams));
    return reads(await this.#call(a), this.#dec, (x) => entry(x, this.#dec));
  }

  /**
   * `XREADGROUP` (non-blocking) as `consumer` of `group`: with id `">"` the
   * entries never delivered to the group (now pending for this consumer
   * unless `noack`), with an id this consumer's pending history after it
   * (entries deleted meanwhile come back as {@link DeletedMessage}). Resolves
   * `null` when nothing was served.
   */
  async xreadgroup(
    group: Bytes,
    consumer: Bytes,
    streams: StreamsToRead,
    opts: { count?: number; noack?: boolean } = {},
  ): Promise<StreamRead<V, StreamMessage<V> | DeletedMessage>[] | null> {
    const a: Arg[] = ["XREADGROUP", "GROUP", group, consumer];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    if (opts.noack) a.push("NOACK");
    a.push(...streamsArgv(streams));
    return reads(await this.#call(a), this.#dec, (x) => entryOrDeleted(x, this.#dec));
  }

  /** `XACK`: pending entries acknowledged. */
  async xack(key: Bytes, group: Bytes, ...entryIds: string[]): Promise<number> {
    if (entryIds.length === 0) return 0;
    return int(await this.#call(["XACK", key, group, ...entryIds]));
  }

  /** `XGROUP CREATE` at `id` (`"$"`: the last entry; `"0"`: the beginning). */
  async xgroupCreate(
    key: Bytes,
    group: Bytes,
    id = "$",
    opts: { mkstream?: boolean; entriesRead?: number | bigint } = {},
  ): Promise<"OK"> {
    const a: Arg[] = ["XGROUP", "CREATE", key, group, id];
    if (opts.mkstream) a.push("MKSTREAM");
    if (opts.entriesRead !== undefined) {
      a.push("ENTRIESREAD", intArg("entriesRead", opts.entriesRead));
    }
    await this.#call(a);
    return "OK";
  }

  /** `XGROUP SETID`: moves the group's last delivered id. */
  async xgroupSetId(
    key: Bytes,
    group: Bytes,
    id: string,
    opts: { entriesRead?: number | bigint } = {},
  ): Promise<"OK"> {
    const a: Arg[] = ["XGROUP", "SETID", key, group, id];
    if (opts.entriesRead !== undefined) {
      a.push("ENTRIESREAD", intArg("entriesRead", opts.entriesRead));
    }
    await this.#call(a);
    return "OK";
  }

  /** `XGROUP DESTROY`: whether the group existed. */
  async xgroupDestroy(key: Bytes, group: Bytes): Promise<boolean> {
    return int(await this.#call(["XGROUP", "DESTROY", key, group])) === 1;
  }

  /** `XGROUP CREATECONSUMER`: whether it was created. */
  async xgroupCreateConsumer(key: Bytes, group: Bytes, consumer: Bytes): Promise<boolean> {
    return int(await this.#call(["XGROUP", "CREATECONSUMER", key, group, consumer])) === 1;
  }

  /** `XGROUP DELCONSUMER`: the consumer's pending entries that were dropped with it. */
  async xgroupDelConsumer(key: Bytes, group: Bytes, consumer: Bytes): Promise<number> {
    return int(await this.#call(["XGROUP", "DELCONSUMER", key, group, consumer]));
  }

  /** `XPENDING key group`: the summary. */
  xpending(key: Bytes, group: Bytes): Promise<PendingSummary<V>>;
  /** `XPENDING key group [IDLE ms] start end count [consumer]`: the rows. */
  xpending(key: Bytes, group: Bytes, range: XPendingRange): Promise<PendingEntryInfo<V>[]>;
  async xpending(
    key: Bytes,
    group: Bytes,
    range?: XPendingRange,
  ): Promise<PendingSummary<V> | PendingEntryInfo<V>[]> {
    if (range === undefined) {
      return pendingSummary(await this.#call(["XPENDING", key, group]), this.#dec);
    }
    const a: Arg[] = ["XPENDING", key, group];
    if (range.idle !== undefined) a.push("IDLE", intArg("idle", range.idle));
    a.push(range.start ?? "-", range.end ?? "+", intArg("count", range.count));
    if (range.consumer !== undefined) a.push(range.consumer);
    return pendingRows(await this.#call(a), this.#dec);
  }

  /** `XCLAIM ... JUSTID`: the ids claimed. */
  xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts: XClaimOptions & { justid: true },
  ): Promise<string[]>;
  /** `XCLAIM`: the entries claimed by `consumer` (pending at least `minIdleMs`). */
  xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts?: XClaimOptions & { justid?: false },
  ): Promise<StreamMessage<V>[]>;
  async xclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    entryIds: string[],
    opts: XClaimOptions & { justid?: boolean } = {},
  ): Promise<string[] | StreamMessage<V>[]> {
    if (entryIds.length === 0) throw new RangeError("xclaim: name at least one id");
    const a: Arg[] = ["XCLAIM", key, group, consumer, intArg("minIdleMs", minIdleMs), ...entryIds];
    if (opts.idle !== undefined) a.push("IDLE", intArg("idle", opts.idle));
    if (opts.time !== undefined) a.push("TIME", intArg("time", opts.time));
    if (opts.retrycount !== undefined) a.push("RETRYCOUNT", intArg("retrycount", opts.retrycount));
    if (opts.force) a.push("FORCE");
    if (opts.justid) a.push("JUSTID");
    if (opts.lastid !== undefined) a.push("LASTID", opts.lastid);
    const r = await this.#call(a);
    return opts.justid ? ids(r) : entries(r, this.#dec);
  }

  /** `XAUTOCLAIM ... JUSTID`. */
  xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts: { count?: number; justid: true },
  ): Promise<AutoClaimResult<V, string>>;
  /** `XAUTOCLAIM`: claims entries pending at least `minIdleMs`, scanning from `start`. */
  xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts?: { count?: number; justid?: false },
  ): Promise<AutoClaimResult<V>>;
  async xautoclaim(
    key: Bytes,
    group: Bytes,
    consumer: Bytes,
    minIdleMs: number,
    start: string,
    opts: { count?: number; justid?: boolean } = {},
  ): Promise<AutoClaimResult<V> | AutoClaimResult<V, string>> {
    const a: Arg[] = ["XAUTOCLAIM", key, group, consumer, intArg("minIdleMs", minIdleMs), start];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    if (opts.justid) a.push("JUSTID");
    const [next, got, deleted] = (await this.#call(a)) as Reply[];
    const base = {
      next: new TextDecoder().decode(next as Uint8Array),
      deleted: ids(deleted ?? null),
    };
    return opts.justid
      ? { ...base, entries: ids(got ?? null) }
      : { ...base, entries: entries(got ?? null, this.#dec) };
  }

  /** `XINFO STREAM key`. */
  xinfoStream(key: Bytes): Promise<StreamInfo<V>>;
  /** `XINFO STREAM key FULL [COUNT n]` (default 10 entries and pending rows; 0: all). */
  xinfoStream(key: Bytes, opts: { full: true; count?: number }): Promise<StreamInfoFull<V>>;
  async xinfoStream(
    key: Bytes,
    opts?: { full: true; count?: number },
  ): Promise<StreamInfo<V> | StreamInfoFull<V>> {
    if (opts === undefined) {
      return streamInfo(await this.#call(["XINFO", "STREAM", key]), this.#dec);
    }
    const a: Arg[] = ["XINFO", "STREAM", key, "FULL"];
    if (opts.count !== undefined) a.push("COUNT", intArg("count", opts.count));
    return streamInfoFull(await this.#call(a), this.#dec);
  }

  /** `XINFO GROUPS key`. */
  async xinfoGroups(key: Bytes): Promise<StreamGroupInfo<V>[]> {
    return groupsInfo(await this.#call(["XINFO", "GROUPS", key]), this.#dec);
  }

  /** `XINFO CONSUMERS key group`. */
  async xinfoConsumers(key: Bytes, group: Bytes): Promise<ConsumerInfo<V>[]> {
    return consumersInfo(await this.#call(["XINFO", "CONSUMERS", key, group]), this.#dec);
  }
}
