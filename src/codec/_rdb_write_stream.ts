// Private: a neutral stream as an RDB stream value (listpacks v1 for RDB 9,
// v2 for RDB 10, v3 for 11+), laid out as Redis lays it out (see
// _rdb_stream.ts): nodes of up to 100 entries / 4 KiB keyed by their first
// entry's ID, entries with the same fields as the node's master entry
// flagged and written as values only. Unknown `entriesRead` is written as
// Redis's "invalid" marker; a missing `activeTime` as the seen time (what
// Redis itself assumes when it loads an older stream).
import type { StreamId, StreamValue } from "./types.ts";
import type { RdbOut } from "./_rdb_out.ts";
import { ListpackWriter } from "./_redis_listpack.ts";
import { toKey } from "./_redis_key.ts";

const NODE_ENTRIES = 100;
const NODE_BYTES = 4096;
const INVALID = 0xffffffffffffffffn;

function cmpId(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

function checkId(x: StreamId, what: string): void {
  if (x.ms < 0n || x.ms > 0xffffffffffffffffn || x.seq < 0n || x.seq > 0xffffffffffffffffn) {
    throw new RangeError(`RDB: ${what} ${x.ms}-${x.seq} outside u64`);
  }
}

function rawId(x: StreamId): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[7 - i] = Number((x.ms >> BigInt(8 * i)) & 0xffn);
    b[15 - i] = Number((x.seq >> BigInt(8 * i)) & 0xffn);
  }
  return b;
}

function sameFields(a: Array<[Uint8Array, Uint8Array]>, names: Uint8Array[]): boolean {
  if (a.length !== names.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]![0];
    const y = names[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** The stream's nodes: master ID and listpack. */
function nodes(s: StreamValue): Array<[StreamId, Uint8Array]> {
  const out: Array<[StreamId, Uint8Array]> = [];
  const e = s.entries;
  let i = 0;
  while (i < e.length) {
    const master = e[i]!.id;
    const names = e[i]!.fields.map(([f]) => f);
    const body = new ListpackWriter(512);
    let n = 0;
    for (; i < e.length && n < NODE_ENTRIES && (n === 0 || body.size < NODE_BYTES); i++, n++) {
      const entry = e[i]!;
      checkId(entry.id, "stream entry ID");
      const prev = e[i - 1];
      if (n > 0 && prev !== undefined && cmpId(prev.id, entry.id) >= 0) {
        throw new RangeError("RDB: stream entries must be in ascending ID order");
      }
      const same = sameFields(entry.fields, names);
      body.appendInt(same ? 2 : 0);
      body.appendInt(BigInt.asIntN(64, entry.id.ms - master.ms));
      body.appendInt(BigInt.asIntN(64, entry.id.seq - master.seq));
      if (!same) body.appendInt(entry.fields.length);
      for (const [f, v] of entry.fields) {
        if (!same) body.append(f);
        body.append(v);
      }
      body.appendInt(entry.fields.length + 3 + (same ? 0 : entry.fields.length + 1));
    }
    // The master entry goes first: rebuild with it, then the entries' elements.
    const lp = new ListpackWriter(body.size + 64);
    lp.appendInt(n);
    lp.appendInt(0);
    lp.appendInt(names.length);
    for (const f of names) lp.append(f);
    lp.appendInt(0);
    out.push([master, concatListpacks(lp, body)]);
  }
  return out;
}

/** `head`'s elements followed by `tail`'s, as one listpack. */
function concatListpacks(head: ListpackWriter, tail: ListpackWriter): Uint8Array {
  const a = head.finish();
  const b = tail.finish();
  const total = a.length + b.length - 7;
  const out = new Uint8Array(total);
  out.set(a.subarray(0, a.length - 1), 0);
  out.set(b.subarray(6), a.length - 1);
  out[0] = total & 0xff;
  out[1] = (total >>> 8) & 0xff;
  out[2] = (total >>> 16) & 0xff;
  out[3] = total >>> 24;
  const count = (a[4]! | (a[5]! << 8)) + (b[4]! | (b[5]! << 8));
  const c = a[4] === 0xff && a[5] === 0xff || b[4] === 0xff && b[5] === 0xff || count > 0xfffe
    ? 0xffff
    : count;
  out[4] = c & 0xff;
  out[5] = c >> 8;
  return out;
}

/** Writes the stream (after its type byte) for RDB `version`. */
export function writeStream(out: RdbOut, s: StreamValue, version: number): void {
  checkId(s.lastId, "stream last ID");
  checkId(s.maxDeletedId, "stream max deleted ID");
  const last = s.entries[s.entries.length - 1];
  if (last !== undefined && cmpId(last.id, s.lastId) > 0) {
    throw new RangeError("RDB: a stream's last ID is below its last entry");
  }
  const ns = nodes(s);
  out.len(ns.length);
  for (const [id, lp] of ns) {
    out.string(rawId(id));
    out.string(lp);
  }
  out.len(s.entries.length);
  out.len(s.lastId.ms);
  out.len(s.lastId.seq);
  if (version >= 10) {
    const first = s.entries[0]?.id ?? { ms: 0n, seq: 0n };
    out.len(first.ms);
    out.len(first.seq);
    out.len(s.maxDeletedId.ms);
    out.len(s.maxDeletedId.seq);
    out.len(s.entriesAdded);
  }
  out.len(s.groups.length);
  const groupNames = new Set<string>();
  for (const g of s.groups) {
    if (groupNames.has(toKey(g.name))) throw new RangeError("RDB: duplicate consumer group name");
    groupNames.add(toKey(g.name));
    checkId(g.lastDelivered, "consumer group last ID");
    out.string(g.name);
    out.len(g.lastDelivered.ms);
    out.len(g.lastDelivered.seq);
    if (version >= 10) {
      out.len(g.entriesRead === undefined || g.entriesRead === null ? INVALID : g.entriesRead);
    }
    const pel = [...g.pel].sort((a, b) => cmpId(a.id, b.id));
    const owner = new Map<string, Uint8Array[]>();
    const names = new Set<string>();
    for (const c of g.consumers) {
      if (names.has(toKey(c.name))) throw new RangeError("RDB: duplicate consumer name in a group");
      names.add(toKey(c.name));
    }
    for (let i = 0; i < pel.length; i++) {
      const p = pel[i]!;
      if (i > 0 && cmpId(pel[i - 1]!.id, p.id) === 0) {
        throw new RangeError("RDB: duplicate PEL entry");
      }
      const who = toKey(p.consumer);
      if (!names.has(who)) {
        throw new RangeError("RDB: a PEL entry names a consumer the group does not have");
      }
      const raw = rawId(p.id);
      if (!owner.has(who)) owner.set(who, []);
      owner.get(who)!.push(raw);
    }
    out.len(pel.length);
    for (const p of pel) {
      out.raw(rawId(p.id));
      out.i64(p.deliveryTime);
      out.len(p.deliveryCount);
    }
    out.len(g.consumers.length);
    for (const c of g.consumers) {
      out.string(c.name);
      out.i64(c.seenTime);
      if (version >= 11) out.i64(c.activeTime ?? c.seenTime);
      const mine = owner.get(toKey(c.name)) ?? [];
      out.len(mine.length);
      for (const raw of mine) out.raw(raw);
    }
  }
}
