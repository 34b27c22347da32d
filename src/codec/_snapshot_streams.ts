// Private: the stream part of a snapshot record (entries, groups, consumers,
// pending entries), read by RecordReader (_snapshot_reader.ts): in full
// (readStream) or with the entries validated and left in place
// (readStreamHead, for the raw stream sink).
import type { RecordReader } from "./_snapshot_reader.ts";
import type { StreamRecordHead } from "./stream_record.ts";
import type {
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamPendingEntry,
  StreamValue,
} from "./types.ts";

/** A stream value: its scalars, every entry, its groups. */
export function readStream(r: RecordReader): StreamValue {
  const lastId = r.id("stream last id");
  const maxDeletedId = r.id("stream max deleted id");
  const entriesAdded = r.u64b("stream entries added");
  const n = r.count(20, "stream entry count");
  const entries: StreamEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.id("stream entry id");
    const fields = r.pairs("stream field count", "stream field", "stream value");
    entries.push({ id, fields });
  }
  return { lastId, maxDeletedId, entriesAdded, entries, groups: readGroups(r) };
}

/**
 * A stream record without its entries: they are validated and skipped (the
 * same checks and errors as {@link readStream}), their start and
 * count kept in `stStart` / `stCount`.
 */
export function readStreamHead(r: RecordReader): StreamRecordHead {
  const lastId = r.id("stream last id");
  const maxDeletedId = r.id("stream max deleted id");
  const entriesAdded = r.u64b("stream entries added");
  const n = r.count(20, "stream entry count");
  r.stStart = r.pos;
  r.stCount = n;
  for (let i = 0; i < n; i++) {
    r.take(8, "stream entry id");
    r.take(8, "stream entry id");
    const nf = r.count(8, "stream field count");
    for (let j = 0; j < nf; j++) {
      r.skip("stream field");
      r.skip("stream value");
    }
  }
  return { lastId, maxDeletedId, entriesAdded, groups: readGroups(r) };
}

/** The group section (kevy v4 and later). */
function readGroups(r: RecordReader): StreamGroup[] {
  const groups: StreamGroup[] = [];
  if (r.version >= 4) {
    const ng = r.count(28, "stream group count");
    for (let i = 0; i < ng; i++) groups.push(readGroup(r));
  }
  return groups;
}

function readGroup(r: RecordReader): StreamGroup {
  const name = r.bytes("group name");
  const lastDelivered = r.id("group last delivered id");
  const nc = r.count(12, "consumer count");
  const consumers: StreamConsumer[] = [];
  for (let i = 0; i < nc; i++) {
    const cname = r.bytes("consumer name");
    consumers.push({ name: cname, seenTime: r.u64b("consumer seen time") });
  }
  const np = r.count(32, "pending entry count");
  const pel: StreamPendingEntry[] = [];
  for (let i = 0; i < np; i++) {
    const id = r.id("pending entry id");
    const consumer = r.bytes("pending consumer");
    const deliveryTime = r.u64b("pending delivery time");
    pel.push({ id, consumer, deliveryTime, deliveryCount: r.u32("pending delivery count") });
  }
  return { name, lastDelivered, consumers, pel };
}
