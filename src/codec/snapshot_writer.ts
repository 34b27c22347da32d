// Private: record writing behind encodeSnapshotChunks (entries and store
// record cursors) on top of the chunked writer of _snapshot_chunks.ts.
import type { Entry, KeyValue, StreamGroup, StreamValue, ValueType } from "./types.ts";
import { ChunkWriter } from "./_snapshot_chunks.ts";
import type { StreamRecord } from "./stream_record.ts";
import { rd32 } from "./_snapshot_reader.ts";

export { ChunkWriter };

export type { StreamRecord };

/** A stream record's entries as a neutral {@link StreamValue} (materialized). */
export function streamRecordValue(s: StreamRecord): StreamValue {
  return {
    lastId: s.lastId,
    maxDeletedId: s.maxDeletedId,
    entriesAdded: s.entriesAdded,
    entries: Array.from(s.entries()),
    groups: s.groups,
  };
}

/** Writes a stream payload (v4 layout incl. the group section), yielding full chunks. */
function* writeStream(
  w: ChunkWriter,
  s: StreamValue | StreamRecord,
): Generator<Uint8Array, void, undefined> {
  w.id(s.lastId, "stream last id");
  w.id(s.maxDeletedId, "stream max deleted id");
  w.u64b(s.entriesAdded, "stream entries added");
  const lazy = typeof s.entries === "function";
  const entries = lazy ? (s as StreamRecord).entries() : (s as StreamValue).entries;
  w.u32(
    lazy ? (s as StreamRecord).entryCount : (s as StreamValue).entries.length,
    "stream entry count",
  );
  for (const e of entries) {
    w.id(e.id, "stream entry id");
    w.u32(e.fields.length, "stream field count");
    for (const [f, v] of e.fields) {
      w.bytes(f, "stream field length");
      w.bytes(v, "stream value length");
    }
    while (w.ready.length > 0) yield w.shift();
  }
  w.u32(s.groups.length, "stream group count");
  for (const g of s.groups) {
    w.bytes(g.name, "group name length");
    w.id(g.lastDelivered, "group last delivered id");
    w.u32(g.consumers.length, "consumer count");
    for (const c of g.consumers) {
      w.bytes(c.name, "consumer name length");
      w.u64b(c.seenTime, "consumer seen time");
    }
    w.u32(g.pel.length, "pending entry count");
    for (const p of g.pel) {
      w.id(p.id, "pending entry id");
      w.bytes(p.consumer, "pending consumer length");
      w.u64b(p.deliveryTime, "pending delivery time");
      w.u32(p.deliveryCount, "pending delivery count");
    }
  }
}

/**
 * A pull cursor over records whose string keys and values are byte ranges
 * (no per-record objects): what a store hands the encoder through
 * {@link RECORD_CURSOR}. After `next()` returns true the fields describe one
 * record (key and deadline always set): `entry` when not null (key and
 * deadline included); else a compact hash when `hbuf` is not null (`hcount`
 * pairs, exactly the record's payload bytes); else a hash (`values` not null)
 * or set (`values` null) when `members` is not null, its members binary
 * strings (one char per byte); else a string (`vbuf`/`voff`/`vlen`).
 */
export interface RecordCursor {
  next(): boolean;
  entry: Entry | null;
  members: readonly string[] | null;
  values: readonly Uint8Array[] | null;
  /** A stream record (when `entry` is null), see {@link StreamRecord}. */
  stream?: StreamRecord | null;
  hbuf: Uint8Array | null;
  hcount: number;
  deadline: number | null;
  kbuf: Uint8Array;
  koff: number;
  klen: number;
  vbuf: Uint8Array;
  voff: number;
  vlen: number;
  /** Whether some record has this type (cheap; does not move the cursor). */
  has(type: ValueType): boolean;
}

/** An `Iterable<Entry>` may also offer a {@link RecordCursor} under this key (an encoder fast path). */
export const RECORD_CURSOR: unique symbol = Symbol("kevy.recordCursor");

/**
 * A source may also say whether any of its hashes has field TTLs under this
 * key (the encoder picks the version before the first record). A store whose
 * hashes have field TTLs must hand those hashes to the cursor as `entry`
 * with `fieldDeadlines`.
 */
export const HAS_FIELD_TTLS: unique symbol = Symbol("kevy.hasFieldTtls");

/** What may carry {@link RECORD_CURSOR} and {@link HAS_FIELD_TTLS}. */
export interface RecordSource {
  [RECORD_CURSOR]?: () => RecordCursor;
  [HAS_FIELD_TTLS]?: () => boolean;
}

const OPCODES = { string: 1, hash: 2, list: 3, set: 4, zset: 5, stream: 6 } as const;

/**
 * Where the field TTLs of written hashes go (opcode-7 records, written after
 * every entry), or null when the version being written has none (a hash
 * with field TTLs is then an error, not a silent drop).
 */
export type FieldTtlSink = Array<[Uint8Array, Uint8Array, number]> | null;

/** `v` without the fields whose deadline is <= now (or `v` itself). */
function liveFields(
  v: Extract<KeyValue, { type: "hash" }>,
  now: number | undefined,
): Extract<KeyValue, { type: "hash" }> {
  const dl = v.fieldDeadlines;
  if (dl === undefined || now === undefined || !dl.some((d) => d !== null && d <= now)) return v;
  const value: Array<[Uint8Array, Uint8Array]> = [];
  const fieldDeadlines: Array<number | null> = [];
  v.value.forEach((p, i) => {
    const d = dl[i] ?? null;
    if (d !== null && d <= now) return;
    value.push(p);
    fieldDeadlines.push(d);
  });
  return { type: "hash", value, fieldDeadlines };
}

/** Writes one entry; yields full chunks inside big collections so one record never fills memory. */
export function* writeEntry(
  w: ChunkWriter,
  e: Entry,
  ft: FieldTtlSink = null,
  now?: number,
): Generator<Uint8Array, void, undefined> {
  let v: KeyValue = e.value;
  const op = OPCODES[v.type];
  if (op === undefined) {
    throw new TypeError(`encodeSnapshotChunks: unknown value type ${(v as { type: string }).type}`);
  }
  if (v.type === "hash" && v.fieldDeadlines !== undefined) {
    v = liveFields(v, now);
    if (v.value.length === 0) return; // every field expired: the key is gone
    const dl = v.fieldDeadlines!;
    for (let i = 0; i < v.value.length; i++) {
      const d = dl[i] ?? null;
      if (d === null) continue;
      if (ft === null) {
        throw new RangeError(
          "encodeSnapshotChunks: a hash has field TTLs, which need snapshot version 6 " +
            "(pass version: 6; an iterable that is not an array is not scanned ahead)",
        );
      }
      if (!(Number.isInteger(d) && d >= 0)) {
        throw new RangeError(`snapshot: field deadline ${d} is not a u64 integer`);
      }
      ft.push([e.key, v.value[i]![0], d]);
    }
  }
  w.head(op, e.deadline);
  w.bytes(e.key, "key length");
  switch (v.type) {
    case "string":
      w.bytes(v.value, "string length");
      break;
    case "hash":
      w.u32(v.value.length, "hash field count");
      for (const [f, x] of v.value) {
        w.bytes(f, "hash field length");
        w.bytes(x, "hash value length");
        while (w.ready.length > 0) yield w.shift();
      }
      break;
    case "list":
    case "set":
      w.u32(v.value.length, `${v.type} size`);
      for (const x of v.value) {
        w.bytes(x, `${v.type} element length`);
        while (w.ready.length > 0) yield w.shift();
      }
      break;
    case "zset":
      w.u32(v.value.length, "zset size");
      for (const [m, score] of v.value) {
        w.bytes(m, "zset member length");
        w.f64(score);
        while (w.ready.length > 0) yield w.shift();
      }
      break;
    case "stream":
      yield* writeStream(w, v.value);
      break;
  }
}

/** The opcode-7 records of `ft`, in the order the hashes were written. */
export function* writeFieldTtls(
  w: ChunkWriter,
  ft: Array<[Uint8Array, Uint8Array, number]>,
): Generator<Uint8Array, void, undefined> {
  for (const [key, field, d] of ft) {
    w.u8(7);
    w.bytes(key, "key length");
    w.bytes(field, "hash field length");
    w.u64n(d, "field deadline");
    while (w.ready.length > 0) yield w.shift();
  }
}

/** Told each written stream's key and groups (see SnapshotEncodeOptions.onStreamGroups). */
export type GroupSink = ((key: Uint8Array, groups: readonly StreamGroup[]) => void) | null;

/** The records of a {@link RecordCursor}; entries whose deadline is <= `now` are skipped. */
export function* writeCursor(
  w: ChunkWriter,
  c: RecordCursor,
  now: number | undefined,
  ft: FieldTtlSink = null,
  onGroups: GroupSink = null,
): Generator<Uint8Array, void, undefined> {
  while (c.next()) {
    const d = c.deadline;
    if (d !== null && now !== undefined && d <= now) continue;
    const e = c.entry;
    if (e !== null) {
      if (onGroups !== null && e.value.type === "stream" && e.value.value.groups.length > 0) {
        onGroups(e.key, e.value.value.groups);
      }
      yield* writeEntry(w, e, ft, now);
    } else if (c.stream) {
      if (onGroups !== null && c.stream.groups.length > 0) {
        onGroups(c.kbuf.slice(c.koff, c.koff + c.klen), c.stream.groups);
      }
      w.head(6, d);
      w.u32(c.klen, "key length");
      w.range(c.kbuf, c.koff, c.klen);
      yield* writeStream(w, c.stream);
    } else if (c.hbuf !== null) {
      w.head(2, d);
      w.u32(c.klen, "key length");
      w.range(c.kbuf, c.koff, c.klen);
      w.u32(c.hcount, "hash field count");
      w.raw(c.hbuf);
    } else if (c.members !== null) yield* writeFlat(w, c, c.members, c.values);
    else if (!w.strRecord(c.kbuf, c.koff, c.klen, c.vbuf, c.voff, c.vlen, d)) {
      w.head(1, d);
      w.u32(c.klen, "key length");
      w.range(c.kbuf, c.koff, c.klen);
      w.u32(c.vlen, "string length");
      w.range(c.vbuf, c.voff, c.vlen);
    }
    while (w.ready.length > 0) yield w.shift();
  }
}

/** A hash or set record of a cursor, members written from their binary strings. */
function* writeFlat(
  w: ChunkWriter,
  c: RecordCursor,
  members: readonly string[],
  values: readonly Uint8Array[] | null,
): Generator<Uint8Array, void, undefined> {
  w.head(values === null ? 4 : 2, c.deadline);
  w.u32(c.klen, "key length");
  w.range(c.kbuf, c.koff, c.klen);
  const n = members.length;
  if (values === null) {
    w.u32(n, "set size");
    for (let i = 0; i < n; i++) {
      w.binStr(members[i]!, "set element length");
      while (w.ready.length > 0) yield w.shift();
    }
    return;
  }
  w.u32(n, "hash field count");
  for (let i = 0; i < n; i++) {
    w.binStr(members[i]!, "hash field length");
    w.bytes(values[i]!, "hash value length");
    while (w.ready.length > 0) yield w.shift();
  }
}

/** A binary string's bytes. */
function binBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Copies of the pairs of a hash payload (`u32le len, field, u32le len, value` repeated). */
function payloadPairs(b: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  let p = 0;
  while (p < b.length) {
    const v = p + 4 + rd32(b, p);
    const e = v + 4 + rd32(b, v);
    out.push([b.slice(p + 4, v), b.slice(v + 4, e)]);
    p = e;
  }
  return out;
}

/** The cursor's current record as a fresh {@link Entry} (copies of its bytes). */
export function cursorEntry(c: RecordCursor): Entry {
  if (c.entry !== null) return c.entry;
  const key = c.kbuf.slice(c.koff, c.koff + c.klen);
  if (c.stream) {
    return {
      key,
      value: { type: "stream", value: streamRecordValue(c.stream) },
      deadline: c.deadline,
    };
  }
  if (c.hbuf !== null) {
    return { key, value: { type: "hash", value: payloadPairs(c.hbuf) }, deadline: c.deadline };
  }
  const m = c.members;
  if (m === null) {
    return {
      key,
      value: { type: "string", value: c.vbuf.slice(c.voff, c.voff + c.vlen) },
      deadline: c.deadline,
    };
  }
  const vals = c.values;
  if (vals === null) {
    return { key, value: { type: "set", value: m.map(binBytes) }, deadline: c.deadline };
  }
  const pairs = m.map((f, i): [Uint8Array, Uint8Array] => [binBytes(f), vals[i]!]);
  return { key, value: { type: "hash", value: pairs }, deadline: c.deadline };
}

/** Entries frozen by {@link freezeEntries}. */
export interface FrozenEntries extends Iterable<Entry> {
  /** Whether some entry has this type. */
  has(type: ValueType): boolean;
}

/**
 * `entries` frozen now: a store's record cursor is taken at once (a cheap
 * copy) and kept behind {@link RECORD_CURSOR}; any other iterable is copied
 * into an array. For writers that yield to the event loop while encoding.
 */
export function freezeEntries(entries: Iterable<Entry>): FrozenEntries {
  const make = (entries as RecordSource)[RECORD_CURSOR];
  if (typeof make !== "function") {
    const list = Array.from(entries);
    return Object.assign(list, {
      has: (t: ValueType): boolean => list.some((e) => e.value.type === t),
    });
  }
  const cursor = make.call(entries);
  const ttls = (entries as RecordSource)[HAS_FIELD_TTLS]?.call(entries) === true;
  let used = false;
  const take = (): RecordCursor => {
    if (used) throw new TypeError("frozen snapshot entries can be iterated once");
    used = true;
    return cursor;
  };
  return {
    [RECORD_CURSOR]: take,
    [HAS_FIELD_TTLS]: (): boolean => ttls,
    has: (t: ValueType): boolean => cursor.has(t),
    *[Symbol.iterator](): Generator<Entry, void, undefined> {
      const c = take();
      while (c.next()) yield cursorEntry(c);
    },
  } as FrozenEntries;
}
