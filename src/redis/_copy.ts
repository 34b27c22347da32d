// The copy engine of migrateToRedis and of follow's initial copy: every
// live entry of each part is encoded (see _migrate_encode.ts) into a run
// buffer and handed to the bulk writer as bytes (addFrames: no object per
// key); the writer reports back only the keys that need a look (errors,
// keys already on the target, refused payloads) and counts the rest.
// Those are handled per part, while the part's store is still there.
import { parseFrame } from "../codec/resp.ts";
import type { Entry } from "../codec/types.ts";
import { BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import type { Reply } from "../net/reply.ts";
import type { Store } from "../store/store.ts";
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
  type ExistsSignal,
  isEmptyCollection,
  jobWriter,
  type KeyJob,
  writeStringRecord,
} from "./_migrate_encode.ts";
import { isPayloadRefused } from "./_payload.ts";
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

const td = new TextDecoder();

/** A job rebuilt from its bytes (only for keys the writer reports or retries). */
function jobFromFrames(frames: Uint8Array, slot: number, count: number): KeyJob {
  const f = parseFrame(frames, 0);
  const argv = f.kind === "frame" ? f.argv : [];
  const verb = td.decode(argv[0] ?? new Uint8Array()).toUpperCase();
  const has = (word: string) =>
    argv.some((a, i) => i > 1 && a.length === word.length && td.decode(a).toUpperCase() === word);
  let exists: ExistsSignal = "none";
  if (verb === "SET" && has("NX")) exists = "nil";
  else if (verb === "EVAL") exists = "zero";
  else if (verb === "RESTORE" && !has("REPLACE")) exists = "busykey";
  const key = (verb === "EVAL" ? argv[3] : argv[1]) ?? new Uint8Array();
  return {
    key: key.slice(),
    entry: null,
    slot,
    frames,
    count,
    exists,
    lost: 0,
    restore: verb === "RESTORE",
  };
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
  const looks: Looks = { existing: [], refused: [], notCopied: 0 };
  const writer = new BulkWriter<KeyJob>(target, {
    ...(s.batchBytes !== undefined ? { batchBytes: s.batchBytes } : {}),
    keepReplies: !s.replace,
    // Report only what needs a look: a nil (SET NX) or 0 (the guarded EVAL) means "already there".
    report: s.replace ? () => false : (r) => r === null || r === 0,
    jobOf: jobFromFrames,
    onDone: (job, errors, replies) => {
      const e = errors[0]?.error;
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
  const counted = () => writer.done - looks.notCopied;
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
      await copyPart(writer, part, stats, s, partsDone, counted);
      // Load the next part while the target works through this one's last batches.
      next = Promise.resolve(it.next());
      next.catch(() => {}); // awaited at the top of the loop; not unhandled meanwhile
      await writer.flush();
      await secondLook(target, writer, part.store, looks, stats, s);
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
        partKeys: part.store.dbsize(),
        partSent: part.store.dbsize(),
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

/** Encodes and hands over every live entry of one part. */
async function copyPart(
  writer: BulkWriter<KeyJob>,
  part: SourcePart,
  stats: MigrateStats,
  s: CopySettings,
  partsDone: number,
  counted: () => number,
): Promise<void> {
  const partKeys = part.store.dbsize();
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
  const progress = (): void => {
    if (++sent % PROGRESS_EVERY === 0) {
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
        const slot = keyHashSlotAt(cursor.kbuf, cursor.koff, cursor.klen);
        const { kbuf, koff, klen, vbuf, voff, vlen } = cursor;
        const direct = writer.direct(slot);
        // Straight into the node's batch: the bytes are written once.
        const out = direct ?? w;
        const before = out.length;
        writeStringRecord(out, kbuf, koff, klen, vbuf, voff, vlen, d, s.replace);
        stats.commands++;
        stats.bytes += out.length - before;
        if (direct !== null) {
          progress();
          const p = writer.commit(1);
          if (p !== undefined) await p;
          continue;
        }
        slots.push(slot);
        ends.push(w.length);
        counts.push(1);
      } else {
        const e = cursorEntry(cursor);
        if (isEmptyCollection(e)) {
          stats.empty++;
          continue;
        }
        encodeOne(e);
      }
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
  await handOver();
}

/** Keys already on the target are compared; keys whose RESTORE payload was refused go as commands. */
async function secondLook(
  target: RedisTarget,
  writer: BulkWriter<KeyJob>,
  store: Store,
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
      const e = store.getEntry(key);
      if (e === null) continue;
      const start = w.length;
      const job = commandJob(e, s.replace, w);
      const p = writer.add({ ...job, frames: w.bytes().slice(start) });
      if (p !== undefined) await p;
    }
    await writer.flush();
  }
  if (looks.existing.length > 0) {
    const entries: Entry[] = [];
    for (const key of looks.existing) {
      const e = store.getEntry(key);
      if (e !== null) entries.push(e);
    }
    looks.existing = [];
    const diffs = await compareKeys(target, entries, s.now);
    const differs = new Set(diffs.map((d) => d.key));
    stats.unchanged += entries.length - differs.size;
    stats.conflicts.push(...diffs);
  }
}
