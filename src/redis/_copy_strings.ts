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
import { writerInternals } from "../codec/bytes_util.ts";
import { keyHashSlotAt } from "../shard/routing.ts";
import { headSize, putConst, putHead } from "../codec/resp_put.ts";
import type { SlotStage } from "./_slot_stage.ts";
import { type KeyJob, writeStringGroup, writeStringRecord } from "./_migrate_encode.ts";
import type { MigrateStats } from "./migrate.ts";

/** Most keys in one MSETNX. */
export const GROUP_KEYS = 64;
/** Most value bytes in one MSETNX (a group of large values is cut earlier). */
const GROUP_BYTES = 64 * 1024;
/** Most bytes of pairs staged at once in a cluster (a larger part goes in several windows). */
const WINDOW_BYTES = 32 * 1024 * 1024;

/** What {@link copyStringRecords} needs from the copy. */
export interface StringCopy {
  writer: BulkWriter<KeyJob>;
  stats: MigrateStats;
  replace: boolean;
  /** Keys whose deadline is at or before this are expired (counted, not sent). */
  cutoff: number;
  /**
   * A cluster: group by hash slot, through this staging buffer (reused part
   * after part); null for a single server, which takes any keys in one MSETNX.
   */
  stage: SlotStage | null;
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
  const { stats, replace } = c;
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
    const slot = c.stage !== null ? keyHashSlotAt(cur.kbuf, cur.koff, cur.klen) : 0;
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
    const p = send(c, slot, 1, write);
    if (p !== undefined) await p;
  }
  const stage = c.stage;
  if (stage !== null) {
    // In slot order through the staging buffer (see _slot_stage.ts), a window at a time.
    for (let from = 0; from < n;) {
      from = stage.fill(recs, plain, slots, from, n, WINDOW_BYTES);
      await sendStaged(stage, c);
    }
    return;
  }
  // A single server takes any keys in one MSETNX: runs of records in file order.
  for (let from = 0; from < n;) {
    // A run bounded in keys and bytes.
    let to = from + 1, bytes = recs.valueLength(plain[from]!);
    while (to < n && to - from < GROUP_KEYS && bytes < GROUP_BYTES) {
      bytes += recs.valueLength(plain[to++]!);
    }
    const units = to - from;
    const write = (w: ByteWriter): void => {
      if (units > 1) writeStringGroup(w, recs, plain, from, to, replace);
      else {
        const i = plain[from]!, k = recs.chunkOf(i);
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
    const p = send(c, 0, units, write);
    from = to;
    if (p !== undefined) await p;
  }
}

/** One job of `units` keys for `slot`: straight into its node's batch when it can. */
function send(
  c: StringCopy,
  slot: number,
  units: number,
  write: (w: ByteWriter) => void,
): Promise<void> | undefined {
  const direct = c.writer.direct(slot);
  let p: Promise<void> | undefined;
  if (direct !== null) {
    const before = direct.length;
    write(direct);
    c.stats.bytes += direct.length - before;
    p = c.writer.commit(1, units);
  } else p = viaFrames(c, slot, units, write);
  c.stats.commands++;
  c.progress(units);
  return p;
}

const SET_HEAD = new TextEncoder().encode("$3\r\nSET\r\n");
const NX_BULK = new TextEncoder().encode("$2\r\nNX\r\n");
const MSETNX = new TextEncoder().encode("$6\r\nMSETNX\r\n");
const MSET = new TextEncoder().encode("$4\r\nMSET\r\n");

/**
 * Sends the staged pairs: each run of one slot (at most GROUP_KEYS keys and
 * about GROUP_BYTES) as `MSETNX k1 v1 ...` (`MSET` when replacing), a run of
 * one key as `SET k v [NX]`: the same bytes as writeStringGroup and
 * writeStringRecord write.
 */
async function sendStaged(stage: SlotStage, c: StringCopy): Promise<void> {
  const { bytes, slots, ends, size } = stage;
  const verb = c.replace ? MSET : MSETNX;
  for (let from = 0; from < size;) {
    const slot = slots[from]!;
    const start = from === 0 ? 0 : ends[from - 1]!;
    let to = from + 1;
    while (
      to < size && to - from < GROUP_KEYS && ends[to - 1]! - start < GROUP_BYTES &&
      slots[to] === slot
    ) to++;
    const end = ends[to - 1]!;
    const units = to - from;
    const write = (w: ByteWriter): void => {
      const argc = units > 1 ? 1 + 2 * units : c.replace ? 3 : 4;
      const head = units > 1 ? verb : SET_HEAD;
      const tail = units === 1 && !c.replace ? NX_BULK.length : 0;
      const at = writerInternals.reserve(w, headSize(argc, head) + end - start + tail);
      const buf = writerInternals.buffer(w);
      const p = putHead(buf, at, argc, head);
      buf.set(bytes.subarray(start, end), p);
      if (tail > 0) putConst(buf, p + end - start, NX_BULK);
    };
    const p = send(c, slot, units, write);
    from = to;
    if (p !== undefined) await p;
  }
}
