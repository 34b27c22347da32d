// Private: a stream as the commands that rebuild it, in the shape kevy
// v1.17's Aof::rewrite_from writes (FORMATS.md §3.3), so kevy's server, Redis
// and this package all replay it:
//   XADD key <id> f v ...                       one per entry
//   XADD key MAXLEN 0 <last-id> x x             an emptied stream whose id clock moved
//   XADD key MAXLEN 0 0-1 x x (+ XSETID 0-0)    a never-used empty stream without groups
//   XGROUP CREATE key <g> <last-delivered> MKSTREAM         per group, by name
//   XGROUP SETID key <g> <last-delivered> ENTRIESREAD <n>   when entries-read is valid
//   XGROUP CREATECONSUMER key <g> <c>                        per consumer, by name
//   XCLAIM key <g> <c> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID   per pending row
//   XSETID key <last> ENTRIESADDED <n> MAXDELETEDID <id>   when replay would not give them
// Two additions make the replay exact where kevy's and Redis's rewrites are
// lossy:
// - entries-read goes in its own XGROUP SETID frame (kevy 1.17 rejects a CREATE
//   with ENTRIESREAD and would lose the group; it ignores the SETID form);
// - a pending row whose entry was deleted (a tombstone) is re-created through
//   a placeholder entry `x x` added at its id, claimed, then removed again:
//   XTRIM MINID = <first entry> for those below the first entry (trimmed ones;
//   a trim leaves max-deleted-id alone), XDEL for those above it (deleted
//   ones, whose max-deleted-id XSETID then restores). A row above the first
//   entry in a stream whose max-deleted-id is 0-0 cannot be re-created and is
//   left out (no command sequence produces one).
// Consumers' seen-time is not carried (no command sets it); snapshots keep it.
import type { StreamEntry, StreamGroup, StreamId, StreamValue } from "../codec/types.ts";
import type { StreamRecord } from "../codec/stream_record.ts";

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const XADD = B("XADD"), XSETID = B("XSETID"), XGROUP = B("XGROUP"), XCLAIM = B("XCLAIM");
const MAXLEN = B("MAXLEN"), ZERO = B("0"), X = B("x"), ENTRIESADDED = B("ENTRIESADDED");
const MAXDELETEDID = B("MAXDELETEDID"), CREATE = B("CREATE"), MKSTREAM = B("MKSTREAM");
const SETID = B("SETID"), ENTRIESREAD = B("ENTRIESREAD"), CREATECONSUMER = B("CREATECONSUMER");
const TIME = B("TIME"), RETRYCOUNT = B("RETRYCOUNT"), FORCE = B("FORCE"), JUSTID = B("JUSTID");
const XTRIM = B("XTRIM"), XDEL = B("XDEL"), MINID = B("MINID"), EQ = B("=");

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function id(i: StreamId): Uint8Array {
  return ascii(`${i.ms}-${i.seq}`);
}

function same(a: StreamId, b: StreamId): boolean {
  return a.ms === b.ms && a.seq === b.seq;
}

const MIN: StreamId = { ms: 0n, seq: 0n };

function cmp(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

const key64 = (i: StreamId): string => `${i.ms}-${i.seq}`;

/** Entries, count and an entry test of a stream value or record. */
function access(v: StreamValue | StreamRecord): {
  entries: () => Iterable<StreamEntry>;
  count: number;
  has: (id: StreamId) => boolean;
} {
  if (typeof v.entries === "function") {
    const r = v as StreamRecord;
    return { entries: () => r.entries(), count: r.entryCount, has: (i) => r.hasEntry(i) };
  }
  const list = (v as StreamValue).entries;
  let set: Set<string> | null = null;
  return {
    entries: () => list,
    count: list.length,
    has: (i) => (set ??= new Set(list.map((e) => key64(e.id)))).has(key64(i)),
  };
}

/** The commands that rebuild stream `v` at `key`, one at a time (see the file comment). */
export function* streamFrames(
  key: Uint8Array,
  v: StreamValue | StreamRecord,
): Generator<Uint8Array[], void, undefined> {
  const a = access(v);
  let first: StreamId | undefined;
  for (const e of a.entries()) {
    first = e.id;
    break;
  }
  const noDel = same(v.maxDeletedId, MIN);
  // Tombstones that can be re-created, by id.
  const tomb = new Map<string, StreamId>();
  for (const g of v.groups) {
    for (const p of g.pel) {
      if ((first !== undefined && cmp(p.id, first) > 0 && noDel) || a.has(p.id)) continue;
      tomb.set(key64(p.id), p.id);
    }
  }
  const dummies = [...tomb.values()].sort(cmp);
  let d = 0;
  let last: StreamId | undefined;
  for (const e of a.entries()) {
    while (d < dummies.length && cmp(dummies[d]!, e.id) < 0) {
      yield [XADD, key, id(dummies[d++]!), X, X];
    }
    const f: Uint8Array[] = [XADD, key, id(e.id)];
    for (const [k, x] of e.fields) f.push(k, x);
    yield f;
    last = e.id;
  }
  while (d < dummies.length) yield [XADD, key, id(dummies[d++]!), X, X];
  const n = a.count;
  // What replaying the frames so far gives: [last id, entries added, max deleted id].
  let natural: [StreamId, bigint, StreamId];
  if (dummies.length > 0) natural = [MIN, -1n, MIN]; // XSETID below
  else if (n > 0) natural = [last!, BigInt(n), MIN];
  else if (!same(v.lastId, MIN)) {
    yield [XADD, key, MAXLEN, ZERO, id(v.lastId), X, X];
    natural = [v.lastId, 1n, MIN];
  } else if (v.groups.length === 0) {
    yield [XADD, key, MAXLEN, ZERO, B("0-1"), X, X];
    natural = [{ ms: 0n, seq: 1n }, 1n, MIN];
  } else natural = [MIN, 0n, MIN];
  const scalars = (): Uint8Array[][] => {
    if (
      same(natural[0], v.lastId) && natural[1] === v.entriesAdded &&
      same(natural[2], v.maxDeletedId)
    ) return [];
    const setid = (to: StreamId): Uint8Array[] => [
      XSETID,
      key,
      id(to),
      ENTRIESADDED,
      B(String(v.entriesAdded)),
      MAXDELETEDID,
      id(v.maxDeletedId),
    ];
    // XSETID refuses a max deleted id above the last id: set it first, then lower the last id.
    return cmp(v.maxDeletedId, v.lastId) > 0
      ? [setid(v.maxDeletedId), [XSETID, key, id(v.lastId)]]
      : [setid(v.lastId)];
  };
  // kevy's order (scalars before groups) unless placeholders must go first.
  if (dummies.length === 0) yield* scalars();
  for (const g of v.groups) {
    const at = id(g.lastDelivered);
    yield [XGROUP, CREATE, key, g.name, at, MKSTREAM];
    const setid = groupPosition(key, g);
    if (setid !== null) yield setid;
    for (const c of g.consumers) yield [XGROUP, CREATECONSUMER, key, g.name, c.name];
    for (const p of g.pel) {
      if (!tomb.has(key64(p.id)) && !a.has(p.id)) continue;
      yield [
        XCLAIM,
        key,
        g.name,
        p.consumer,
        ZERO,
        id(p.id),
        TIME,
        B(String(p.deliveryTime)),
        RETRYCOUNT,
        B(String(p.deliveryCount)),
        FORCE,
        JUSTID,
      ];
    }
  }
  if (dummies.length > 0) {
    const low = first === undefined ? dummies : dummies.filter((t) => cmp(t, first!) < 0);
    if (low.length > 0) {
      yield first === undefined
        ? [XTRIM, key, MAXLEN, EQ, ZERO]
        : [XTRIM, key, MINID, EQ, id(first)];
    }
    const mid = dummies.slice(low.length);
    for (let i = 0; i < mid.length; i += 64) yield [XDEL, key, ...mid.slice(i, i + 64).map(id)];
    yield* scalars();
  }
}

/**
 * `XGROUP SETID key <g> <last-delivered> ENTRIESREAD <n>` for a group whose entries-read is
 * valid, else null: what rebuilds the counter (kevy 1.17 ignores this form). A snapshot has
 * no place for it, so the log that follows a snapshot carries these frames.
 */
export function groupPosition(key: Uint8Array, g: StreamGroup): Uint8Array[] | null {
  if (g.entriesRead === undefined || g.entriesRead === null) return null;
  return [XGROUP, SETID, key, g.name, id(g.lastDelivered), ENTRIESREAD, B(String(g.entriesRead))];
}

/** The {@link groupPosition} frames of a stream's groups. */
export function groupPositions(key: Uint8Array, groups: readonly StreamGroup[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (const g of groups) {
    const f = groupPosition(key, g);
    if (f !== null) out.push(f);
  }
  return out;
}
