// Stream replies (entries, XPENDING, XINFO) as the objects of the typed
// KevyStore stream methods, and the argv of their options.
import type { Reply } from "../store/apply.ts";
import { CommandFailedError } from "./errors.ts";
import { bulk, type Bytes, type Decode, intArg, type InvalidArg } from "./_reply.ts";
import type {
  ConsumerInfo,
  DeletedMessage,
  PendingEntryInfo,
  PendingSummary,
  StreamCounter,
  StreamGroupDetail,
  StreamGroupInfo,
  StreamInfo,
  StreamInfoBase,
  StreamInfoFull,
  StreamMessage,
  StreamRead,
  StreamsToRead,
  StreamTrimOptions,
} from "./stream_types.ts";

const dec = new TextDecoder();

function bad(r: Reply): never {
  throw new CommandFailedError(`ERR unexpected stream reply ${String(r)}`);
}

function arr(r: Reply): Reply[] {
  return Array.isArray(r) ? r : bad(r);
}

function text(r: Reply): string {
  return r instanceof Uint8Array ? dec.decode(r) : typeof r === "string" ? r : bad(r);
}

function num(r: Reply): number {
  return typeof r === "number" ? r : typeof r === "bigint" ? Number(r) : bad(r);
}

function counter(r: Reply): StreamCounter {
  return typeof r === "number" || typeof r === "bigint" ? r : bad(r);
}

function counterOrNull(r: Reply): StreamCounter | null {
  return r === null ? null : counter(r);
}

/** `[id, [f, v, ...]]` as an entry. */
export function entry<V>(r: Reply, d: Decode<V>): StreamMessage<V> {
  const [id, flat] = arr(r);
  const fields: Record<string, V> = {};
  const fv = arr(flat ?? null);
  for (let i = 0; i + 1 < fv.length; i += 2) fields[text(fv[i]!)] = bulk(fv[i + 1]!, d) as V;
  return { id: text(id ?? null), fields };
}

/** `[id, fields | nil]`: an entry, or a deleted one (history reads). */
export function entryOrDeleted<V>(r: Reply, d: Decode<V>): StreamMessage<V> | DeletedMessage {
  const a = arr(r);
  return a[1] === null ? { id: text(a[0] ?? null), fields: null } : entry(a, d);
}

/** An array of entries. */
export function entries<V>(r: Reply, d: Decode<V>): StreamMessage<V>[] {
  return r === null ? [] : arr(r).map((x) => entry(x, d));
}

/** An array of bulk ids. */
export function ids(r: Reply): string[] {
  return arr(r).map(text);
}

/** XREAD / XREADGROUP: nil, or `[[key, entries], ...]`. */
export function reads<V, E>(
  r: Reply,
  d: Decode<V>,
  each: (x: Reply) => E,
): StreamRead<V, E>[] | null {
  if (r === null) return null;
  return arr(r).map((x) => {
    const [k, es] = arr(x);
    return { key: bulk(k ?? null, d) as V, entries: arr(es ?? null).map(each) };
  });
}

/** `[key, id]` pairs of a StreamsToRead, as `STREAMS k1 k2 ... id1 id2 ...`. */
export function streamsArgv(s: StreamsToRead): Bytes[] {
  const pairs: Array<[Bytes, string]> = Array.isArray(s)
    ? s
    : s instanceof Map
    ? [...s]
    : Object.entries(s);
  if (pairs.length === 0) throw new RangeError("xread: name at least one stream");
  return ["STREAMS", ...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])];
}

/** `MAXLEN|MINID [=|~] x [LIMIT n]` of trim options (empty when none). */
export function trimArgv(o: StreamTrimOptions, verb: string): Array<Bytes | InvalidArg> {
  if (o.maxlen !== undefined && o.minid !== undefined) {
    throw new RangeError(`${verb}: give maxlen or minid, not both`);
  }
  const out: Array<Bytes | InvalidArg> = [];
  const mode = o.approx ? "~" : "=";
  if (o.maxlen !== undefined) out.push("MAXLEN", mode, intArg("maxlen", o.maxlen));
  else if (o.minid !== undefined) out.push("MINID", mode, o.minid);
  else if (o.limit !== undefined || o.approx) {
    throw new RangeError(`${verb}: approx and limit need maxlen or minid`);
  }
  if (o.limit !== undefined) out.push("LIMIT", intArg("limit", o.limit));
  return out;
}

/** A flat `[name, value, ...]` map reply. */
function map(r: Reply): Map<string, Reply> {
  const a = arr(r);
  const m = new Map<string, Reply>();
  for (let i = 0; i + 1 < a.length; i += 2) m.set(text(a[i]!), a[i + 1]!);
  return m;
}

function field(m: Map<string, Reply>, k: string): Reply {
  const v = m.get(k);
  return v === undefined ? bad(null) : v;
}

/** XPENDING key group. */
export function pendingSummary<V>(r: Reply, d: Decode<V>): PendingSummary<V> {
  const [count, first, last, owners] = arr(r);
  return {
    count: num(count ?? null),
    first: first === null || first === undefined ? null : text(first),
    last: last === null || last === undefined ? null : text(last),
    consumers: owners === null || owners === undefined ? [] : arr(owners).map((x) => {
      const [n, c] = arr(x);
      return { name: bulk(n ?? null, d) as V, pending: Number(text(c ?? null)) };
    }),
  };
}

/** XPENDING key group ... count. */
export function pendingRows<V>(r: Reply, d: Decode<V>): PendingEntryInfo<V>[] {
  return arr(r).map((x) => {
    const [id, c, idle, n] = arr(x);
    return {
      id: text(id ?? null),
      consumer: bulk(c ?? null, d) as V,
      idleMs: num(idle ?? null),
      deliveries: num(n ?? null),
    };
  });
}

function base(m: Map<string, Reply>): StreamInfoBase {
  return {
    length: num(field(m, "length")),
    radixTreeKeys: num(field(m, "radix-tree-keys")),
    radixTreeNodes: num(field(m, "radix-tree-nodes")),
    lastGeneratedId: text(field(m, "last-generated-id")),
    maxDeletedEntryId: text(field(m, "max-deleted-entry-id")),
    entriesAdded: counter(field(m, "entries-added")),
    recordedFirstEntryId: text(field(m, "recorded-first-entry-id")),
  };
}

/** XINFO STREAM key. */
export function streamInfo<V>(r: Reply, d: Decode<V>): StreamInfo<V> {
  const m = map(r);
  const one = (x: Reply) => (x === null ? null : entry(x, d));
  return {
    ...base(m),
    groups: num(field(m, "groups")),
    firstEntry: one(field(m, "first-entry")),
    lastEntry: one(field(m, "last-entry")),
  };
}

/** XINFO STREAM key FULL. */
export function streamInfoFull<V>(r: Reply, d: Decode<V>): StreamInfoFull<V> {
  const m = map(r);
  const groups: StreamGroupDetail<V>[] = arr(field(m, "groups")).map((gr) => {
    const g = map(gr);
    return {
      name: bulk(field(g, "name"), d) as V,
      lastDeliveredId: text(field(g, "last-delivered-id")),
      entriesRead: counterOrNull(field(g, "entries-read")),
      lag: counterOrNull(field(g, "lag")),
      pelCount: num(field(g, "pel-count")),
      pending: arr(field(g, "pending")).map((x) => {
        const [id, c, t, n] = arr(x);
        return {
          id: text(id ?? null),
          consumer: bulk(c ?? null, d) as V,
          deliveryTime: num(t ?? null),
          deliveries: num(n ?? null),
        };
      }),
      consumers: arr(field(g, "consumers")).map((cr) => {
        const c = map(cr);
        return {
          name: bulk(field(c, "name"), d) as V,
          seenTime: num(field(c, "seen-time")),
          pelCount: num(field(c, "pel-count")),
          pending: arr(field(c, "pending")).map((x) => {
            const [id, t, n] = arr(x);
            return {
              id: text(id ?? null),
              deliveryTime: num(t ?? null),
              deliveries: num(n ?? null),
            };
          }),
        };
      }),
    };
  });
  return { ...base(m), entries: entries(field(m, "entries"), d), groups };
}

/** XINFO GROUPS key. */
export function groupsInfo<V>(r: Reply, d: Decode<V>): StreamGroupInfo<V>[] {
  return arr(r).map((x) => {
    const g = map(x);
    return {
      name: bulk(field(g, "name"), d) as V,
      consumers: num(field(g, "consumers")),
      pending: num(field(g, "pending")),
      lastDeliveredId: text(field(g, "last-delivered-id")),
      entriesRead: counterOrNull(field(g, "entries-read")),
      lag: counterOrNull(field(g, "lag")),
    };
  });
}

/** XINFO CONSUMERS key group. */
export function consumersInfo<V>(r: Reply, d: Decode<V>): ConsumerInfo<V>[] {
  return arr(r).map((x) => {
    const c = map(x);
    return {
      name: bulk(field(c, "name"), d) as V,
      pending: num(field(c, "pending")),
      idleMs: num(field(c, "idle")),
    };
  });
}
