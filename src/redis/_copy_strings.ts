// The string records of a split load (persist/split_load.ts) into the
// target, straight from the snapshot's bytes into each node's batch:
// keys with a TTL as `SET k v [NX] PXAT ms`, the others in groups as one
// `MSETNX` (`MSET` when replacing) per up to GROUP_KEYS keys of one hash
// slot (a cluster takes a multi-key command only within one slot). One
// command for many keys costs the server about a third less CPU than a SET
// each, and the client reads one reply instead of one per key.
//
// A group answered 0 (MSETNX sets all or none: some key was already there)
// is reported; the caller sends its keys again one by one as `SET k v NX`,
// which says key by key what was there (see _copy.ts).
import { ByteWriter } from "../codec/bytes.ts";
import type { BulkWriter } from "../net/bulk.ts";
import type { StringRecords } from "../persist/string_records.ts";
import { keyHashSlotAt } from "../shard/routing.ts";
import { type KeyJob, writeStringGroup, writeStringRecord } from "./_migrate_encode.ts";
import type { MigrateStats } from "./migrate.ts";

/** Most keys in one MSETNX. */
export const GROUP_KEYS = 64;
/** Most value bytes in one MSETNX (a group of large values is cut earlier). */
const GROUP_BYTES = 64 * 1024;
const SLOTS = 16384;

/** What {@link copyStringRecords} needs from the copy. */
export interface StringCopy {
  writer: BulkWriter<KeyJob>;
  stats: MigrateStats;
  replace: boolean;
  /** Keys whose deadline is at or before this are expired (counted, not sent). */
  cutoff: number;
  /** Group by hash slot (a cluster); a single server takes any keys in one MSETNX. */
  cluster: boolean;
  /** `n` more keys were handed to the writer. */
  progress: (n: number) => void;
}

/** A job the writer cannot take straight into a batch (no owner for its slot yet): as bytes. */
function viaFrames(
  c: StringCopy,
  slot: number,
  units: number,
  write: (w: ByteWriter) => void,
): Promise<void> | undefined {
  const w = new ByteWriter(256);
  write(w);
  const b = w.bytes();
  c.stats.bytes += b.length;
  return c.writer.addFrames(slot, b, 0, b.length, 1, units);
}

/** Sends every live record of `recs`. */
export async function copyStringRecords(recs: StringRecords, c: StringCopy): Promise<void> {
  const { writer, stats, replace } = c;
  // Keys without a TTL are grouped; their record indexes and slots first.
  let plain = new Int32Array(Math.max(16, recs.size));
  let slots = new Uint16Array(plain.length);
  let n = 0;
  const cur = recs.cursor();
  while (cur.next()) {
    const d = cur.deadline;
    if (d !== null && d <= c.cutoff) {
      stats.expired++;
      continue;
    }
    // A single server takes any key: no slot to compute.
    const slot = c.cluster ? keyHashSlotAt(cur.kbuf, cur.koff, cur.klen) : 0;
    if (d === null) {
      if (n === plain.length) {
        const p2 = new Int32Array(n * 2), s2 = new Uint16Array(n * 2);
        p2.set(plain);
        s2.set(slots);
        plain = p2;
        slots = s2;
      }
      plain[n] = cur.index;
      slots[n++] = slot;
      continue;
    }
    const { kbuf, koff, klen, voff, vlen } = cur;
    const write = (w: ByteWriter) =>
      writeStringRecord(w, kbuf, koff, klen, kbuf, voff, vlen, d, replace);
    const direct = writer.direct(slot);
    const before = direct?.length ?? 0;
    let p: Promise<void> | undefined;
    if (direct !== null) {
      write(direct);
      stats.bytes += direct.length - before;
      p = writer.commit(1);
    } else p = viaFrames(c, slot, 1, write);
    stats.commands++;
    c.progress(1);
    if (p !== undefined) await p;
  }
  const order = c.cluster ? bySlot(plain, slots, n) : plain;
  for (let from = 0; from < n;) {
    const slot = slots[c.cluster ? from : 0]!;
    // A run of one slot (any keys on a single server), bounded in keys and bytes.
    let to = from + 1, bytes = recs.valueLength(order[from]!);
    while (
      to < n && to - from < GROUP_KEYS && bytes < GROUP_BYTES &&
      (!c.cluster || slots[to] === slot)
    ) bytes += recs.valueLength(order[to++]!);
    const units = to - from;
    const write = (w: ByteWriter): void => {
      if (units > 1) writeStringGroup(w, recs, order, from, to, replace);
      else {
        const i = order[from]!, k = recs.chunkOf(i);
        writeStringRecord(
          w,
          k,
          recs.keyOffset(i),
          recs.keyLength(i),
          k,
          recs.valueOffset(i),
          recs.valueLength(i),
          null,
          replace,
        );
      }
    };
    const direct = writer.direct(slot);
    let p: Promise<void> | undefined;
    if (direct !== null) {
      const before = direct.length;
      write(direct);
      stats.bytes += direct.length - before;
      p = writer.commit(1, units);
    } else p = viaFrames(c, slot, units, write);
    stats.commands++;
    c.progress(units);
    from = to;
    if (p !== undefined) await p;
  }
}

/** Slot `s` with its 14 bits reversed: walking slots in this order visits every node in turn. */
function spread(s: number): number {
  let r = 0;
  for (let b = 0; b < 14; b++) r |= ((s >> b) & 1) << (13 - b);
  return r;
}

/** The rank of each slot in the order groups are sent. */
const RANK = Uint16Array.from({ length: SLOTS }, (_, s) => spread(s));

/**
 * Sorts `plain[0, n)` by slot (a counting sort), rewriting `slots` in the
 * same order; returns the sorted indexes. Slots come in bit-reversed order,
 * not 0, 1, 2...: a node owns a range of slots, so in slot order the nodes
 * would get their keys one after the other instead of all at once.
 */
function bySlot(plain: Int32Array, slots: Uint16Array, n: number): Int32Array {
  const start = new Int32Array(SLOTS + 1);
  for (let j = 0; j < n; j++) {
    const r = RANK[slots[j]!]! + 1;
    start[r] = start[r]! + 1;
  }
  for (let s = 0; s < SLOTS; s++) start[s + 1] = start[s + 1]! + start[s]!;
  const order = new Int32Array(n);
  const sorted = new Uint16Array(n);
  for (let j = 0; j < n; j++) {
    const sl = slots[j]!, r = RANK[sl]!;
    const at = start[r]!;
    start[r] = at + 1;
    order[at] = plain[j]!;
    sorted[at] = sl;
  }
  slots.set(sorted);
  return order;
}
