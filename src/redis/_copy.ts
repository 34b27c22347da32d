// The copy engine of migrateToRedis and of follow's initial copy: every
// live entry of each part is encoded (see _migrate_encode.ts) into a run
// buffer and handed to the bulk writer as bytes (addFrames: no object per
// key); the writer reports back only the keys that need a look (errors,
// keys already on the target, refused payloads) and counts the rest.
// Those are handled per part, while the part's store is still there.
import type { Entry } from "../codec/types.ts";
import { BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import type { Reply } from "../net/reply.ts";
import { keyHashSlotAt } from "../shard/routing.ts";
import {
  cursorEntry,
  RECORD_CURSOR,
  type RecordCursor,
  type RecordSource,
} from "../codec/snapshot_writer.ts";
import {
  commandJob,
  type Encoder,
  isEmptyCollection,
  jobWriter,
  type KeyJob,
  writeStringRecord,
} from "./_migrate_encode.ts";
import { isPayloadRefused } from "./_payload.ts";
import { copyStringRecords } from "./_copy_strings.ts";
import { SlotStage } from "./_slot_stage.ts";
import { jobFromFrames } from "./_job_frames.ts";
import { copyFunctions } from "./_functions.ts";
import type { SourcePart } from "./_migrate_source.ts";
import { compareKeys } from "./_verify_read.ts";
import type { MigrateProgress, MigrateStats } from "./migrate.ts";

/** Keys per progress report. */
const PROGRESS_EVERY = 10_000;
/** Bytes of jobs encoded into one buffer before they go to the writer. */
const RUN_BYTES = 128 * 1024;

/** Settings of {@link copyParts}. */
export interface CopySettings {
  replace: boolean;
  now: () => number;
  encoder: Encoder;
  /** The encoder writes strings as `SET` (see `writeStringRecord`): take them straight from the store. */
  stringsAsSet?: boolean;
  batchBytes?: number;
  partCount: number;
  onProgress?: (p: MigrateProgress) => void;
}

/** A store's record cursor (its string records as byte ranges), when its iterator offers one. */
function recordCursorOf(entries: Iterable<Entry>): RecordCursor | null {
  const make = (entries as RecordSource)[RECORD_CURSOR];
  return typeof make === "function" ? make.call(entries) : null;
}

/** Did the replies say the key was already on the target? */
function existed(job: KeyJob, replies: Reply[] | null): boolean {
  const r = replies?.[0];
  if (job.exists === "nil") return r === null;
  if (job.exists === "zero") return r === 0;
  return false;
}

/** Keys the writer reported for a second look, per part. */
interface Looks {
  existing: Uint8Array[];
  refused: Uint8Array[];
  /** Keys of groups (MSETNX) not written because some key was there: sent again one by one. */
  regroup: Uint8Array[];
  /** Reported jobs that were not copied (errors, existing, refused). */
  notCopied: number;
}

/**
 * Copies every part into `target`, filling `stats`. Throws the writer's
 * failure (after every other job settled) or a source error.
 */
export async function copyParts(
  target: RedisTarget,
  parts: AsyncIterable<SourcePart> | Iterable<SourcePart>,
  stats: MigrateStats,
  s: CopySettings,
): Promise<void> {
  const looks: Looks = { existing: [], refused: [], regroup: [], notCopied: 0 };
  const writer = new BulkWriter<KeyJob>(target, {
    ...(s.batchBytes !== undefined ? { batchBytes: s.batchBytes } : {}),
    keepReplies: !s.replace,
    // Report only what needs a look: a nil (SET NX) or 0 (the guarded EVAL) means "already there".
    report: s.replace ? () => false : (r) => r === null || r === 0,
    jobOf: jobFromFrames,
    onDone: (job, errors, replies) => {
      const e = errors[0]?.error;
      if (job.keys !== undefined) {
        // A group: all its keys were written, or (a 0 or an error) none of them.
        if (e !== undefined) {
          for (const key of job.keys) stats.errors.push({ key, error: e.message });
        } else if (!s.replace && existed(job, replies)) looks.regroup.push(...job.keys);
        else return;
        looks.notCopied += job.keys.length;
        return;
      }
      if (e !== undefined && errors.length === 1 && job.restore === true && isPayloadRefused(e)) {
        looks.refused.push(job.key);
      } else if (
        e !== undefined && errors.length === 1 && job.exists === "busykey" && e.code === "BUSYKEY"
      ) {
        looks.existing.push(job.key);
      } else if (e !== undefined) {
        stats.errors.push({ key: job.key, error: e.message });
      } else if (!s.replace && existed(job, replies)) {
        looks.existing.push(job.key);
      } else {
        stats.lostPending += job.lost;
        return;
      }
      looks.notCopied++;
    },
  });
  const counted = () => writer.doneUnits - looks.notCopied;
  // A cluster's string records go through one staging buffer, reused part after part.
  const stage = target.isCluster ? new SlotStage() : null;
  try {
    let partsDone = 0;
    const it = Symbol.asyncIterator in parts
      ? (parts as AsyncIterable<SourcePart>)[Symbol.asyncIterator]()
      : (parts as Iterable<SourcePart>)[Symbol.iterator]();
    let next = Promise.resolve(it.next());
    for (;;) {
      const r = await next;
      if (r.done) break;
      const part = r.value;
      // Load the next part while this one is sent: its file reads and decoding run
      // whenever the copy waits for the target, so the target is never left idle
      // while a part loads (at most two parts in memory).
      next = Promise.resolve(it.next());
      next.catch(() => {}); // awaited at the top of the loop; not unhandled meanwhile
      await copyPart(writer, part, stats, s, partsDone, counted, stage);
      await writer.flush();
      await secondLook(target, writer, part, looks, stats, s);
      // Libraries: those an RDB carries beside its keys, else the store's own (FUNCTION LOAD kept as data).
      const libraries = part.functions ?? [...part.store.libraries.values()];
      if (libraries.length > 0) await copyFunctions(target, libraries, stats, s.replace);
      partsDone++;
      stats.keys = counted();
      s.onProgress?.({
        part: part.label,
        partsDone,
        parts: s.partCount,
        keys: stats.keys,
        partKeys: partSize(part),
        partSent: partSize(part),
      });
    }
  } catch (e) {
    // Let every job in flight settle, so the counts are what the target acknowledged.
    await writer.flush().catch(() => {});
    stats.keys = counted();
    throw e;
  }
  stats.keys = counted();
}

/** Keys of a part (its store's and its string records). */
function partSize(part: SourcePart): number {
  return part.store.dbsize() + (part.strings?.size ?? 0);
}

/** A key of a part as an entry, or null. */
function entryOf(part: SourcePart, key: Uint8Array): Entry | null {
  const e = part.store.getEntry(key);
  if (e !== null || part.strings === undefined) return e;
  const i = part.strings.find(key);
  return i < 0 ? null : part.strings.entry(i);
}

/** Encodes and hands over every live entry of one part. */
async function copyPart(
  writer: BulkWriter<KeyJob>,
  part: SourcePart,
  stats: MigrateStats,
  s: CopySettings,
  partsDone: number,
  counted: () => number,
  stage: SlotStage | null,
): Promise<void> {
  const partKeys = partSize(part);
  let sent = 0;
  const w = jobWriter();
  // The current run: per job its slot, end offset and frame count (numbers only);
  // `lost` (rare: streams whose pending entries commands cannot all carry) by index.
  let slots: number[] = [], ends: number[] = [], counts: number[] = [];
  let lost: Map<number, number> | null = null;
  const handOver = async () => {
    if (slots.length === 0) return;
    const buf = w.take();
    let start = 0;
    const [sl, en, co, lo] = [slots, ends, counts, lost];
    slots = [], ends = [], counts = [], lost = null;
    for (let i = 0; i < sl.length; i++) {
      const end = en[i]!;
      const n = lo?.get(i);
      // A job with lost entries goes as an object: it is reported once acknowledged.
      const p = n === undefined
        ? writer.addFrames(sl[i]!, buf, start, end, co[i]!)
        : writer.add({ ...jobFromFrames(buf.slice(start, end), sl[i]!, co[i]!), lost: n });
      start = end;
      if (p !== undefined) await p;
    }
  };
  const cutoff = s.now();
  const encodeOne = (e: Entry): void => {
    const before = w.length;
    const job = s.encoder(e, s.replace, w);
    stats.commands += job.count;
    stats.bytes += w.length - before;
    if (job.lost > 0) (lost ??= new Map()).set(slots.length, job.lost);
    slots.push(job.slot);
    ends.push(w.length);
    counts.push(job.count);
  };
  // Synchronous on purpose: an await per key would cost a promise and a microtask turn each.
  let nextReport = PROGRESS_EVERY;
  const progress = (n = 1): void => {
    sent += n;
    if (sent >= nextReport) {
      nextReport = sent - (sent % PROGRESS_EVERY) + PROGRESS_EVERY;
      stats.keys = counted();
      s.onProgress?.({
        part: part.label,
        partsDone,
        parts: s.partCount,
        keys: stats.keys,
        partKeys,
        partSent: sent,
      });
    }
  };
  /** A string record written as SET: straight into its node's batch when it can. */
  const sendString = (
    kbuf: Uint8Array,
    koff: number,
    klen: number,
    vbuf: Uint8Array,
    voff: number,
    vlen: number,
    d: number | null,
  ): Promise<void> | undefined => {
    const slot = keyHashSlotAt(kbuf, koff, klen);
    const direct = writer.direct(slot);
    // Straight into the node's batch: the bytes are written once.
    const out = direct ?? w;
    const before = out.length;
    writeStringRecord(out, kbuf, koff, klen, vbuf, voff, vlen, d, s.replace);
    stats.commands++;
    stats.bytes += out.length - before;
    progress();
    if (direct !== null) return writer.commit(1);
    slots.push(slot);
    ends.push(w.length);
    counts.push(1);
    return w.length >= RUN_BYTES ? handOver() : undefined;
  };
  const entries = part.store.entries();
  const cursor = s.stringsAsSet ? recordCursorOf(entries) : null;
  if (cursor !== null) {
    // String records straight from the store's arena: no Entry, no argv per key.
    while (cursor.next()) {
      const d = cursor.deadline;
      if (d !== null && d <= cutoff) {
        stats.expired++;
        continue;
      }
      if (
        cursor.entry === null && cursor.members === null && cursor.hbuf === null &&
        !cursor.stream
      ) {
        const { kbuf, koff, klen, vbuf, voff, vlen } = cursor;
        const p = sendString(kbuf, koff, klen, vbuf, voff, vlen, d);
        if (p !== undefined) await p;
        continue;
      }
      const e = cursorEntry(cursor);
      if (isEmptyCollection(e)) {
        stats.empty++;
        continue;
      }
      encodeOne(e);
      progress();
      if (w.length >= RUN_BYTES) await handOver();
    }
  } else {
    for (const e of entries) {
      if (e.deadline !== null && e.deadline <= cutoff) {
        stats.expired++;
        continue;
      }
      if (isEmptyCollection(e)) {
        stats.empty++;
        continue;
      }
      encodeOne(e);
      progress();
      if (w.length >= RUN_BYTES) await handOver();
    }
  }
  if (part.strings !== undefined) {
    // A split load's string records, as byte ranges of the snapshot's chunks.
    if (s.stringsAsSet) {
      await handOver();
      await copyStringRecords(part.strings, {
        writer,
        stats,
        replace: s.replace,
        cutoff,
        stage,
        progress,
      });
    } else {
      const c = part.strings.cursor();
      while (c.next()) {
        const d = c.deadline;
        if (d !== null && d <= cutoff) {
          stats.expired++;
          continue;
        }
        encodeOne(c.entry());
        progress();
        if (w.length >= RUN_BYTES) await handOver();
      }
    }
  }
  await handOver();
}

/** Keys already on the target are compared; keys whose RESTORE payload was refused go as commands. */
async function secondLook(
  target: RedisTarget,
  writer: BulkWriter<KeyJob>,
  part: SourcePart,
  looks: Looks,
  stats: MigrateStats,
  s: CopySettings,
): Promise<void> {
  if (looks.refused.length > 0) {
    const refused = looks.refused;
    looks.refused = [];
    // Their refused first try stays in notCopied; the commands count when acknowledged.
    stats.payloadFallbacks += refused.length;
    const w = jobWriter();
    for (const key of refused) {
      const e = entryOf(part, key);
      if (e === null) continue;
      const start = w.length;
      const job = commandJob(e, s.replace, w);
      const p = writer.add({ ...job, frames: w.bytes().slice(start) });
      if (p !== undefined) await p;
    }
    await writer.flush();
  }
  if (looks.regroup.length > 0) {
    // One by one now: each SET NX says whether its own key was there.
    const keys = looks.regroup;
    looks.regroup = [];
    const w = jobWriter();
    for (const key of keys) {
      const e = entryOf(part, key);
      if (e === null) continue;
      const start = w.length;
      const job = commandJob(e, s.replace, w);
      stats.commands += job.count;
      const p = writer.add({ ...job, frames: w.bytes().slice(start) });
      if (p !== undefined) await p;
    }
    await writer.flush();
  }
  if (looks.existing.length > 0) {
    const entries: Entry[] = [];
    for (const key of looks.existing) {
      const e = entryOf(part, key);
      if (e !== null) entries.push(e);
    }
    looks.existing = [];
    const diffs = await compareKeys(target, entries, s.now);
    const differs = new Set(diffs.map((d) => d.key));
    stats.unchanged += entries.length - differs.size;
    stats.conflicts.push(...diffs);
  }
}
