// Private: a StreamData to and from the neutral StreamValue of snapshots and
// RDB files, and the deep copy COPY makes.
//
// Neutral -> store: entries must be in strictly ascending id order (sorted
// first if they are not; a repeated id or a last id below the last entry is a
// RangeError, never a silent drop); an absent or null `entriesRead` is Redis's
// "invalid" (-1), an absent `activeTime` stays unknown (null); a PEL owner missing
// from the consumer list gets a consumer seen at 0 (as kevy's loader does); a
// repeated PEL id keeps the last row. Times are unix ms as JS numbers (exact
// below 2^53). Store -> neutral: live entries in id order, groups and
// consumers by name, PEL rows by id (tombstone rows included), `entriesRead`
// null when invalid, `activeTime` when known (-1: never active).
import type { StreamRecord } from "../codec/stream_record.ts";
import type {
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamPendingEntry,
  StreamValue,
} from "../codec/types.ts";
import { toKey } from "./_keys.ts";
import { big, cmpId, idText, norm, type U64 } from "./_stream_id.ts";
import { StreamData } from "./stream.ts";
import { Consumer, ConsumerGroup, PendingEntry } from "./stream_group.ts";

function sid(ms: U64, seq: U64): { ms: bigint; seq: bigint } {
  return { ms: big(ms), seq: big(seq) };
}

/** The live entries of `s` in id order, one neutral entry at a time (views: do not mutate). */
function* neutralEntries(s: StreamData): Generator<StreamEntry, void, undefined> {
  for (const n of s.nodes) {
    for (let i = 0; i < n.n; i++) {
      if (n.deleted(i)) continue;
      const flat = n.fields(i);
      const fields: Array<[Uint8Array, Uint8Array]> = new Array(flat.length >> 1);
      for (let k = 0; k < fields.length; k++) fields[k] = [flat[2 * k]!, flat[2 * k + 1]!];
      yield { id: sid(n.ms(i), n.seq(i)), fields };
    }
  }
}

function neutralGroups(s: StreamData): StreamGroup[] {
  return s.groupList().map((g) => {
    const consumers: StreamConsumer[] = g.consumerList().map((c) =>
      c.activeTime === null
        ? { name: c.name, seenTime: BigInt(c.seenTime) }
        : { name: c.name, seenTime: BigInt(c.seenTime), activeTime: BigInt(c.activeTime) }
    );
    const pel: StreamPendingEntry[] = [];
    for (const p of g.pel) {
      pel.push({
        id: sid(p.ms, p.seq),
        consumer: p.consumer?.name ?? new Uint8Array(0),
        deliveryTime: BigInt(p.deliveryTime),
        deliveryCount: p.deliveryCount,
      });
    }
    return {
      name: g.name,
      lastDelivered: sid(g.lastMs, g.lastSeq),
      consumers,
      pel,
      entriesRead: g.entriesRead === -1 ? null : big(g.entriesRead),
    };
  });
}

/** The neutral layout of `s` (entry bytes are views into the stream: do not mutate). */
export function streamToNeutral(s: StreamData): StreamValue {
  return {
    lastId: sid(s.lastMs, s.lastSeq),
    maxDeletedId: sid(s.maxDelMs, s.maxDelSeq),
    entriesAdded: big(s.entriesAdded),
    entries: Array.from(neutralEntries(s)),
    groups: neutralGroups(s),
  };
}

/**
 * `s` frozen now as a {@link StreamRecord} for the snapshot encoder and the
 * rewrite: a copy of its node index (entry bytes shared, never rewritten) and
 * its groups in the neutral layout; entries are produced one at a time.
 */
export function streamRecord(s: StreamData): StreamRecord {
  const f = new StreamData();
  f.nodes = s.nodes.map((n) => n.clone(true));
  f.length = s.length;
  return {
    lastId: sid(s.lastMs, s.lastSeq),
    maxDeletedId: sid(s.maxDelMs, s.maxDelSeq),
    entriesAdded: big(s.entriesAdded),
    entryCount: s.length,
    entries: () => neutralEntries(f),
    hasEntry: (id) => f.has(norm(id.ms), norm(id.seq)),
    groups: neutralGroups(s),
  };
}

function u64(x: bigint, what: string): U64 {
  if (x < 0n || x > 18446744073709551615n) throw new RangeError(`stream ${what} ${x} is not a u64`);
  return norm(x);
}

function ms(x: bigint): number {
  return Number(x);
}

function cmpEntry(a: StreamEntry, b: StreamEntry): number {
  return a.id.ms < b.id.ms
    ? -1
    : a.id.ms > b.id.ms
    ? 1
    : a.id.seq < b.id.seq
    ? -1
    : a.id.seq > b.id.seq
    ? 1
    : 0;
}

/** A stream from its neutral layout (bytes kept by reference: treat them as immutable). */
export function streamFromNeutral(v: StreamValue): StreamData {
  const s = new StreamData();
  appendNeutral(s, v.entries);
  applyHead(s, v);
  return s;
}

/** Appends neutral entries to the empty `s` (sorted first when they are not; a repeated id throws). */
function appendNeutral(s: StreamData, entries: StreamEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    if (cmpEntry(entries[i - 1]!, entries[i]!) >= 0) {
      entries = [...entries].sort(cmpEntry);
      break;
    }
  }
  const flat: Uint8Array[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (i > 0 && cmpEntry(entries[i - 1]!, e) === 0) {
      throw new RangeError(`stream entry id ${e.id.ms}-${e.id.seq} appears twice`);
    }
    flat.length = 0;
    for (const [f, x] of e.fields) flat.push(f, x);
    s.append(u64(e.id.ms, "entry id"), u64(e.id.seq, "entry id"), flat, 0, e.fields.length);
  }
}

/**
 * Sets the scalars and groups of `v` on `s`, whose entries are in: the last
 * id may not be below the last entry (RangeError).
 */
export function applyHead(s: StreamData, v: Omit<StreamValue, "entries">): void {
  const lastMs = u64(v.lastId.ms, "last id"), lastSeq = u64(v.lastId.seq, "last id");
  if (s.length > 0 && cmpId(lastMs, lastSeq, s.lastMs, s.lastSeq) < 0) {
    throw new RangeError(
      `stream last id ${idText(lastMs, lastSeq)} is below its last entry ${
        idText(s.lastMs, s.lastSeq)
      }`,
    );
  }
  s.lastMs = lastMs;
  s.lastSeq = lastSeq;
  s.maxDelMs = u64(v.maxDeletedId.ms, "max deleted id");
  s.maxDelSeq = u64(v.maxDeletedId.seq, "max deleted id");
  s.entriesAdded = u64(v.entriesAdded, "entries added");
  for (const ng of v.groups) {
    const er = ng.entriesRead;
    const g = new ConsumerGroup(
      ng.name,
      u64(ng.lastDelivered.ms, "group id"),
      u64(ng.lastDelivered.seq, "group id"),
      er === undefined || er === null ? -1 : norm(er),
    );
    for (const c of ng.consumers) {
      g.addConsumer(
        new Consumer(c.name, ms(c.seenTime), c.activeTime === undefined ? null : ms(c.activeTime)),
      );
    }
    for (const p of ng.pel) {
      let c = g.consumer(p.consumer);
      if (c === undefined) {
        c = new Consumer(p.consumer, 0, null);
        g.addConsumer(c);
      }
      const pm = u64(p.id.ms, "pending id"), ps = u64(p.id.seq, "pending id");
      g.ack(pm, ps);
      const row = new PendingEntry(pm, ps, c, ms(p.deliveryTime), p.deliveryCount);
      g.pel.insert(row);
      c.pel.insert(row);
    }
    s.addGroup(g);
  }
}

/** A deep copy (COPY): same nodes, groups, consumers and pending rows. */
export function cloneStream(s: StreamData): StreamData {
  const c = new StreamData();
  c.nodes = s.nodes.map((n) => n.clone());
  c.length = s.length;
  c.lastMs = s.lastMs;
  c.lastSeq = s.lastSeq;
  c.maxDelMs = s.maxDelMs;
  c.maxDelSeq = s.maxDelSeq;
  c.firstMs = s.firstMs;
  c.firstSeq = s.firstSeq;
  c.entriesAdded = s.entriesAdded;
  for (const g of s.groupList()) {
    const ng = new ConsumerGroup(g.name, g.lastMs, g.lastSeq, g.entriesRead);
    const byName = new Map<string, Consumer>();
    for (const x of g.consumerList()) {
      const nc = new Consumer(x.name, x.seenTime, x.activeTime);
      ng.addConsumer(nc);
      byName.set(toKey(x.name), nc);
    }
    for (const p of g.pel) {
      const owner = p.consumer === null ? null : byName.get(toKey(p.consumer.name)) ?? null;
      const row = new PendingEntry(p.ms, p.seq, owner, p.deliveryTime, p.deliveryCount);
      ng.pel.insert(row);
      owner?.pel.insert(row);
    }
    c.addGroup(ng);
  }
  return c;
}
