// The copy engine of migrateToRedis and of follow's initial copy: every
// live entry of each part is encoded (see _migrate_encode.ts) into a run
// buffer and handed to the bulk writer as bytes (addFrames: no object per
// key); the writer reports back only the keys that need a look (errors,
// keys already on the target, refused payloads) and counts the rest.
// Those are handled per part, while the part's store is still there
// (see _copy_looks.ts).
import type { ByteWriter } from "../codec/bytes.ts";
import type { Entry } from "../codec/types.ts";
import type { BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import { keyHashSlotAt } from "../shard/routing.ts";
import {
  cursorEntry,
  RECORD_CURSOR,
  type RecordCursor,
  type RecordSource,
} from "../codec/snapshot_writer.ts";
import {
  type Encoder,
  isEmptyCollection,
  jobWriter,
  type KeyJob,
  writeStringRecord,
} from "./_migrate_encode.ts";
import { copyStringRecords } from "./_copy_strings.ts";
import { SlotStage } from "./_slot_stage.ts";
import { jobFromFrames } from "./_job_frames.ts";
import { copyFunctions } from "./_functions.ts";
import { type Looks, newLooks, partWriter, secondLook } from "./_copy_looks.ts";
import type { SourcePart } from "./_migrate_source.ts";
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

/** One part on its way: its own writer (so its jobs can be waited for alone) and what it reported. */
interface PartCopy {
  part: SourcePart;
  writer: BulkWriter<KeyJob>;
  looks: Looks;
  /** Every job handed over (partial batches sent) and answered: `writer.flush()`. */
  drained: Promise<void> | null;
}

/**
 * Copies every part into `target`, filling `stats`. Throws the writer's
 * failure (after every other job settled) or a source error.
 *
 * Parts overlap: once a part is handed over, the next one is copied while
 * the first one's last replies come back (each part has its own writer over
 * the same connections, so its jobs are waited for alone), and its second
 * look follows when the next part is handed over. So no node waits for the
 * client at a part's end. At most two parts are in memory: the next part
 * loads once the part before the one being copied is released.
 */
export async function copyParts(
  target: RedisTarget,
  parts: AsyncIterable<SourcePart> | Iterable<SourcePart>,
  stats: MigrateStats,
  s: CopySettings,
): Promise<void> {
  /** Keys acknowledged by the writers of finished parts. */
  let base = 0;
  const live: PartCopy[] = [];
  const counted = () => live.reduce((n, c) => n + c.writer.doneUnits - c.looks.notCopied, base);
  // Batch buffers pass from one part's writer to the next.
  const spare: ByteWriter[] = [];
  // A cluster's string records go through one staging buffer, reused part after part.
  const stage = target.isCluster ? new SlotStage() : null;
  let partsDone = 0;
  /**
   * Waits for a part's jobs, gives it its second look, and lets it go;
   * reported as progress of `current`, the part handed over last (all sent).
   */
  const finish = async (c: PartCopy, current: PartCopy): Promise<void> => {
    await c.drained;
    await secondLook(target, c.writer, c.part, c.looks, stats, s);
    // Libraries: those an RDB carries beside its keys, else the store's own (FUNCTION LOAD kept as data).
    const libraries = c.part.functions ?? [...c.part.store.libraries.values()];
    if (libraries.length > 0) await copyFunctions(target, libraries, stats, s.replace);
    live.splice(live.indexOf(c), 1);
    base += c.writer.doneUnits - c.looks.notCopied;
    partsDone++;
    stats.keys = counted();
    s.onProgress?.({
      part: current.part.label,
      partsDone,
      parts: s.partCount,
      keys: stats.keys,
      partKeys: partSize(current.part),
      partSent: partSize(current.part),
    });
  };
  try {
    const it = Symbol.asyncIterator in parts
      ? (parts as AsyncIterable<SourcePart>)[Symbol.asyncIterator]()
      : (parts as Iterable<SourcePart>)[Symbol.iterator]();
    let next: Promise<IteratorResult<SourcePart>> | null = Promise.resolve(it.next());
    let prev: PartCopy | null = null;
    for (;;) {
      const r: IteratorResult<SourcePart> = await next!;
      next = null;
      if (r.done) break;
      const c: PartCopy = {
        part: r.value,
        writer: partWriter(target, s, spare, () => c.looks, stats),
        looks: newLooks(),
        drained: null,
      };
      live.push(c);
      // Load the next part while this one is sent (its file reads and decoding run
      // whenever the copy waits for the target), unless the one before is still held.
      const prefetch = (): void => {
        next = Promise.resolve(it.next());
        next.catch(() => {}); // awaited at the top of the loop; not unhandled meanwhile
      };
      if (prev === null) prefetch();
      await copyPart(c.writer, c.part, stats, s, partsDone, counted, stage);
      c.drained = c.writer.flush();
      c.drained.catch(() => {}); // awaited in finish (or when stopping)
      if (prev !== null) {
        await finish(prev, c);
        prefetch();
      }
      prev = c;
    }
    if (prev !== null) await finish(prev, prev);
  } catch (e) {
    // Let every job in flight settle, so the counts are what the target acknowledged.
    for (const c of live) await c.writer.flush().catch(() => {});
    stats.keys = counted();
    throw e;
  }
  stats.keys = counted();
}

/** Keys of a part (its store's and its string records). */
function partSize(part: SourcePart): number {
  return part.store.dbsize() + (part.strings?.size ?? 0);
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
