// Private: an RDB stream value (types 15, 19, 21: "listpacks" v1, v2, v3).
//
// The entries are listpacks, each keyed by its master ID (16 bytes, ms and
// seq as big-endian u64). A listpack starts with the master entry (live
// count, deleted count, field count, field names, 0), then each entry: flags
// (1 deleted, 2 same fields as the master), ms and seq deltas from the master
// ID, [field count, fields interleaved with values | the values], and the
// number of elements the entry took (so it can be walked backwards). After
// the listpacks: length, last ID, [v2+: first ID, max deleted ID, entries
// added], then the consumer groups: name, last delivered ID, [v2+: entries
// read, 2^64-1 = unknown], the group PEL (raw 16-byte ID, delivery time,
// delivery count), consumers (name, seen time, [v3: active time], their PEL
// IDs, which must be in the group PEL). Checked like Redis's deep
// sanitization, plus: entries in ascending ID order and the length equal to
// the live entries.
import type {
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamPendingEntry,
  StreamValue,
} from "./types.ts";
import type { RdbReader } from "./_rdb_reader.ts";
import { ListpackReader } from "./_redis_listpack.ts";
import { toKey } from "./_redis_key.ts";

const U64 = 0xffffffffffffffffn;

function cmpId(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

function rawId(b: Uint8Array, p: number): StreamId {
  let ms = 0n;
  let seq = 0n;
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(b[p + i]!);
  for (let i = 8; i < 16; i++) seq = (seq << 8n) | BigInt(b[p + i]!);
  return { ms, seq };
}

function readId(r: RdbReader, what: string): StreamId {
  return { ms: r.lenBig(`${what} ms`), seq: r.lenBig(`${what} seq`) };
}

/** Entries of one stream listpack (master ID `master`), appended to `out`. */
function readNode(
  r: RdbReader,
  master: StreamId,
  out: StreamEntry[],
  b: Uint8Array,
  s: number,
  e: number,
): void {
  const lp = new ListpackReader(b, s, e);
  const el = () => (lp.isInt ? r.slabs.int(lp.big ?? lp.int) : r.slabs.copy(b, lp.sOff, lp.sLen));
  if (!lp.next()) lp.fail("a stream listpack with a master entry (it is empty)");
  if (!lp.isInt) lp.fail("the master entry count (an integer)");
  const live = lp.int;
  const deleted = lp.nextInt("the master entry deleted count");
  const nf = lp.nextInt("the master entry field count");
  if (nf < 0) lp.fail("a master field count of 0 or more");
  const masterFields: Uint8Array[] = [];
  for (let i = 0; i < nf; i++) {
    if (!lp.next()) lp.fail("a master entry field name");
    masterFields.push(el());
  }
  if (lp.nextInt("the master entry terminator") !== 0) lp.fail("the master entry terminator 0");
  let total = live + deleted;
  let seenLive = 0;
  while (lp.next()) {
    if (total-- <= 0) lp.fail("no more entries than the master entry counts");
    const start = lp.count - 1; // the flags element is already read
    if (!lp.isInt) lp.fail("stream entry flags (an integer)");
    const flags = lp.int;
    const id: StreamId = {
      ms: BigInt.asUintN(64, master.ms + lp.nextBig("a stream entry ms delta")),
      seq: BigInt.asUintN(64, master.seq + lp.nextBig("a stream entry seq delta")),
    };
    const fields: Array<[Uint8Array, Uint8Array]> = [];
    let n: number;
    if (flags & 2) {
      n = masterFields.length;
      for (let i = 0; i < n; i++) {
        if (!lp.next()) lp.fail("a stream entry value");
        fields.push([masterFields[i]!, el()]);
      }
    } else {
      n = lp.nextInt("a stream entry field count");
      if (n < 0) lp.fail("a stream entry field count of 0 or more");
      for (let i = 0; i < n; i++) {
        if (!lp.next()) lp.fail("a stream entry field");
        const f = el();
        if (!lp.next()) lp.fail("a stream entry value");
        fields.push([f, el()]);
      }
    }
    const took = lp.count - start;
    const lpCount = lp.nextInt("a stream entry element count");
    if (lpCount !== took) lp.fail(`a stream entry element count of ${took}`);
    if (flags & 1) continue;
    seenLive++;
    const prev = out[out.length - 1];
    if (prev !== undefined && cmpId(prev.id, id) >= 0) {
      lp.fail("stream entries in ascending ID order");
    }
    out.push({ id, fields });
  }
  if (total !== 0) lp.fail(`${live + deleted} entries, as the master entry counts`);
  if (seenLive !== live) lp.fail(`${live} live entries, as the master entry counts`);
}

/** A stream value; `v` is the listpacks version (1, 2 or 3). */
export function readStream(r: RdbReader, v: number): StreamValue {
  const nodes = r.count("stream listpack count", 2);
  const entries: StreamEntry[] = [];
  let prevMaster: StreamId | null = null;
  for (let i = 0; i < nodes; i++) {
    const kAt = r.pos;
    const key = r.string("stream node master ID");
    if (key.length !== 16) throw r.corrupt(kAt, "a stream node key of 16 bytes (a stream ID)");
    const master = rawId(key, 0);
    if (prevMaster !== null && cmpId(prevMaster, master) >= 0) {
      throw r.corrupt(kAt, "stream nodes in ascending master ID order, no duplicates");
    }
    prevMaster = master;
    const blob = r.blob("stream listpack");
    r.inBlob(blob, "stream listpack", (b, s, e) => readNode(r, master, entries, b, s, e));
  }
  const lAt = r.pos;
  const length = r.lenBig("stream length");
  const lastId = readId(r, "stream last ID");
  let maxDeletedId: StreamId = { ms: 0n, seq: 0n };
  let entriesAdded = length;
  if (v >= 2) {
    readId(r, "stream first ID");
    maxDeletedId = readId(r, "stream max deleted ID");
    entriesAdded = r.lenBig("stream entries added");
  }
  if (length !== BigInt(entries.length)) {
    throw r.corrupt(lAt, `a stream length equal to its ${entries.length} live entries`);
  }
  const last = entries[entries.length - 1];
  if (last !== undefined && cmpId(last.id, lastId) > 0) {
    throw r.corrupt(lAt, "a stream last ID not below its last entry");
  }
  const groups: StreamGroup[] = [];
  const nGroups = r.count("stream consumer group count", 3);
  const groupNames = new Set<string>();
  for (let g = 0; g < nGroups; g++) {
    const gAt = r.pos;
    const name = r.copy("consumer group name");
    if (groupNames.has(toKey(name))) {
      throw r.corrupt(gAt, "consumer group names without duplicates");
    }
    groupNames.add(toKey(name));
    const lastDelivered = readId(r, "consumer group last ID");
    const group: StreamGroup = { name, lastDelivered, consumers: [], pel: [] };
    if (v >= 2) {
      const er = r.lenBig("consumer group entries read");
      group.entriesRead = er === U64 ? null : er;
    }
    const pelById = new Map<string, StreamPendingEntry>();
    const owned = new Set<string>();
    const nPel = r.count("consumer group PEL size", 17);
    for (let i = 0; i < nPel; i++) {
      const at = r.take(16, "PEL entry ID");
      const k = toKey(r.buf.subarray(at, at + 16));
      const id = rawId(r.buf, at);
      const deliveryTime = r.i64b("PEL delivery time");
      const count = r.lenBig("PEL delivery count");
      if (pelById.has(k)) throw r.corrupt(at, "PEL entries without duplicates");
      if (count > 0xffffffffn) throw r.corrupt(at, "a PEL delivery count below 2^32");
      const pe: StreamPendingEntry = {
        id,
        consumer: new Uint8Array(0),
        deliveryTime,
        deliveryCount: Number(count),
      };
      pelById.set(k, pe);
      group.pel.push(pe);
    }
    const nCons = r.count("consumer count", 10);
    const consumerNames = new Set<string>();
    for (let c = 0; c < nCons; c++) {
      const cAt = r.pos;
      const cname = r.copy("consumer name");
      if (consumerNames.has(toKey(cname))) {
        throw r.corrupt(cAt, "consumer names without duplicates");
      }
      consumerNames.add(toKey(cname));
      const consumer: StreamConsumer = { name: cname, seenTime: r.i64b("consumer seen time") };
      if (v >= 3) consumer.activeTime = r.i64b("consumer active time");
      const n = r.count("consumer PEL size", 16);
      for (let i = 0; i < n; i++) {
        const at = r.take(16, "consumer PEL entry ID");
        const k = toKey(r.buf.subarray(at, at + 16));
        const pe = pelById.get(k);
        if (pe === undefined) throw r.corrupt(at, "a consumer PEL ID that is in the group PEL");
        if (owned.has(k)) throw r.corrupt(at, "each PEL entry owned by one consumer");
        owned.add(k);
        pe.consumer = cname;
      }
      group.consumers.push(consumer);
    }
    if (owned.size !== pelById.size) {
      throw r.corrupt(gAt, "every group PEL entry owned by a consumer");
    }
    groups.push(group);
  }
  return { lastId, maxDeletedId, entriesAdded, entries, groups };
}
