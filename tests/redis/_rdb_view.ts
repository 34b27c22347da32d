// One comparable shape for a keyspace read from an RDB, built from what a
// real Redis reported (tests/fixtures/redis-rdb/**/keyspace.json rows) or
// from our neutral entries / Stores. Bytes are hex; sets and hash fields are
// sorted; zsets in Redis order with scores as numbers (-0 as 0: Redis prints
// it either way); stream IDs as "ms-seq"; group and consumer names as text.
import type { Entry, StreamValue } from "../../src/codec/types.ts";
import type { Store } from "../../src/store/store.ts";
import { hex } from "../_helpers.ts";
import { parseRedisScore } from "./_keyspace.ts";

/** One key. */
export interface RowView {
  type: string;
  ttl: number | null;
  value: unknown;
  fieldTtls?: Record<string, number>;
}

/** db -> key hex -> row. */
export type RdbView = Record<string, Record<string, RowView>>;

/** A keyspace.json of tests/fixtures/redis-rdb. */
export interface FixtureKeyspace {
  rdb_version: number;
  collected_at_unix_ms: number;
  dbs: Record<string, FixtureRow[]>;
}

/** One row of a keyspace.json. */
export interface FixtureRow {
  key: string;
  type: string;
  ttl: number | null;
  value: unknown;
  field_ttls?: Record<string, number>;
  stream_meta?: {
    last_id: string;
    max_deleted_id: string;
    entries_added: number;
    groups: Record<string, { entries_read: number | null }>;
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const idNum = (id: string): [bigint, bigint] => {
  const [ms, seq] = id.split("-");
  return [BigInt(ms!), BigInt(seq!)];
};
const cmpId = (a: string, b: string) => {
  const [am, as] = idNum(a);
  const [bm, bs] = idNum(b);
  return am < bm ? -1 : am > bm ? 1 : as < bs ? -1 : as > bs ? 1 : 0;
};
const zsetSort = (v: Array<[string, number]>) =>
  v.map(([m, s]): [string, number] => [m, s === 0 ? 0 : s]).sort((a, b) =>
    a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : cmp(a[0], b[0])
  );

interface StreamView {
  entries: Array<[string, Array<[string, string]>]>;
  lastId: string;
  maxDeletedId: string;
  entriesAdded: number;
  groups: Array<{
    name: string;
    lastId: string;
    entriesRead: number | null | undefined;
    pel: Array<[string, string, number, number]>;
    consumers: Array<{ name: string; seenTime: number; activeTime: number | undefined }>;
  }>;
}

function fixtureStream(row: FixtureRow): StreamView {
  const v = row.value as {
    entries: Array<[string, Array<[string, string]>]>;
    groups: Array<{
      name: string;
      last_id: string;
      consumers: Array<{
        name: string;
        seen_time: number;
        active_time?: number;
        pel: Array<[string, number, number]>;
      }>;
    }>;
  };
  const meta = row.stream_meta!;
  return {
    entries: v.entries,
    lastId: meta.last_id,
    maxDeletedId: meta.max_deleted_id,
    entriesAdded: meta.entries_added,
    groups: v.groups.map((g) => ({
      name: g.name,
      lastId: g.last_id,
      entriesRead: meta.groups[g.name]?.entries_read,
      pel: g.consumers.flatMap((c) =>
        c.pel.map(([id, t, n]): [string, string, number, number] => [id, c.name, t, n])
      ).sort((a, b) => cmpId(a[0], b[0])),
      consumers: g.consumers.map((c) => ({
        name: c.name,
        seenTime: c.seen_time,
        activeTime: c.active_time,
      })).sort((a, b) => cmp(a.name, b.name)),
    })).sort((a, b) => cmp(a.name, b.name)),
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const id = (x: { ms: bigint; seq: bigint }) => `${x.ms}-${x.seq}`;

function ourStream(s: StreamValue): StreamView {
  return {
    entries: s.entries.map((e) => [id(e.id), e.fields.map(([f, v]) => [hex(f), hex(v)])]),
    lastId: id(s.lastId),
    maxDeletedId: id(s.maxDeletedId),
    entriesAdded: Number(s.entriesAdded),
    groups: s.groups.map((g) => ({
      name: text(g.name),
      lastId: id(g.lastDelivered),
      entriesRead: g.entriesRead === undefined || g.entriesRead === null
        ? g.entriesRead
        : Number(g.entriesRead),
      pel: g.pel.map((p): [string, string, number, number] => [
        id(p.id),
        text(p.consumer),
        Number(p.deliveryTime),
        p.deliveryCount,
      ]).sort((a, b) => cmpId(a[0], b[0])),
      consumers: g.consumers.map((c) => ({
        name: text(c.name),
        seenTime: Number(c.seenTime),
        activeTime: c.activeTime === undefined ? undefined : Number(c.activeTime),
      })).sort((a, b) => cmp(a.name, b.name)),
    })).sort((a, b) => cmp(a.name, b.name)),
  };
}

/** The view of a keyspace.json, keeping keys alive at `now` (default: its collection time). */
export function viewOfFixture(json: FixtureKeyspace, now = json.collected_at_unix_ms): RdbView {
  const out: RdbView = {};
  for (const [db, rows] of Object.entries(json.dbs)) {
    const v: Record<string, RowView> = {};
    for (const r of rows) {
      if (r.ttl !== null && r.ttl <= now) continue;
      let value: unknown = r.value;
      if (r.type === "set") value = [...(r.value as string[])].sort(cmp);
      else if (r.type === "hash") {
        value = Object.entries(r.value as Record<string, string>).sort((a, b) => cmp(a[0], b[0]));
      } else if (r.type === "zset") {
        value = zsetSort(
          (r.value as Array<[string, string]>).map(([m, s]) => [m, parseRedisScore(s)]),
        );
      } else if (r.type === "stream") value = fixtureStream(r);
      const row: RowView = { type: r.type, ttl: r.ttl, value };
      if (r.field_ttls !== undefined && Object.keys(r.field_ttls).length > 0) {
        row.fieldTtls = r.field_ttls;
      }
      v[r.key] = row;
    }
    if (Object.keys(v).length > 0) out[db] = v;
  }
  return out;
}

/** The view of one neutral entry (`withFieldTtls: false` leaves hash field deadlines out). */
export function viewOfEntry(e: Entry, withFieldTtls = true): RowView {
  const kv = e.value;
  let value: unknown;
  let fieldTtls: Record<string, number> | undefined;
  switch (kv.type) {
    case "string":
      value = hex(kv.value);
      break;
    case "list":
      value = kv.value.map(hex);
      break;
    case "set":
      value = kv.value.map(hex).sort(cmp);
      break;
    case "zset":
      value = zsetSort(kv.value.map(([m, s]) => [hex(m), s]));
      break;
    case "hash":
      value = kv.value.map(([f, v]) => [hex(f), hex(v)]).sort((a, b) => cmp(a[0]!, b[0]!));
      if (withFieldTtls && kv.fieldDeadlines !== undefined) {
        fieldTtls = {};
        kv.value.forEach(([f], i) => {
          const d = kv.fieldDeadlines![i];
          if (d !== null && d !== undefined) fieldTtls![hex(f)] = d;
        });
        if (Object.keys(fieldTtls).length === 0) fieldTtls = undefined;
      }
      break;
    case "stream":
      value = ourStream(kv.value);
      break;
  }
  const row: RowView = { type: kv.type, ttl: e.deadline, value };
  if (fieldTtls !== undefined) row.fieldTtls = fieldTtls;
  return row;
}

/** The view of neutral entries per database. */
export function viewOfEntries(dbs: Map<number, Entry[]>, withFieldTtls = true): RdbView {
  const out: RdbView = {};
  for (const [db, list] of dbs) {
    const v: Record<string, RowView> = {};
    for (const e of list) v[hex(e.key)] = viewOfEntry(e, withFieldTtls);
    if (Object.keys(v).length > 0) out[String(db)] = v;
  }
  return out;
}

/** The view of stores (their live entries). */
export function viewOfRdbStores(dbs: Map<number, Store>, withFieldTtls = true): RdbView {
  const m = new Map<number, Entry[]>();
  for (const [db, s] of dbs) m.set(db, [...s.entries()]);
  return viewOfEntries(m, withFieldTtls);
}

/** `view` with every hash field TTL left out. */
export function withoutFieldTtls(view: RdbView): RdbView {
  const out: RdbView = {};
  for (const [db, keys] of Object.entries(view)) {
    out[db] = {};
    for (const [k, r] of Object.entries(keys)) {
      const { fieldTtls: _, ...rest } = r;
      out[db]![k] = rest;
    }
  }
  return out;
}
