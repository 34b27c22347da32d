// The copy engine of migrateToRedis and of follow's initial copy: every
// live entry of each part becomes one job (see _migrate_encode.ts), handed
// to a bulk writer in runs that share one buffer, counted only once the
// target acknowledged it.
import type { Entry } from "../codec/types.ts";
import { Store } from "../store/store.ts";
import { BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import type { Reply } from "../net/reply.ts";
import {
  commandJob,
  type Encoder,
  isEmptyCollection,
  jobWriter,
  type KeyJob,
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
  /** Where function libraries go (set by copyParts). */
  target?: RedisTarget;
  replace: boolean;
  now: () => number;
  encoder: Encoder;
  batchBytes?: number;
  partCount: number;
  onProgress?: (p: MigrateProgress) => void;
}

/** A store holding these entries (for a second pass). */
function storeOf(entries: Entry[]): Store {
  const store = new Store({ now: () => 0 });
  for (const e of entries) store.put(e);
  return store;
}

/** Did the replies say the key was already on the target? */
function existed(job: KeyJob, replies: Reply[] | null): boolean {
  const r = replies?.[0];
  if (job.exists === "nil") return r === null;
  if (job.exists === "zero") return r === 0;
  return false;
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
  const existing: Entry[] = [];
  /** Keys whose RESTORE payload the server refused: sent again as commands. */
  const refused: Entry[] = [];
  const writer = new BulkWriter<KeyJob>(target, {
    ...(s.batchBytes !== undefined ? { batchBytes: s.batchBytes } : {}),
    keepReplies: !s.replace,
    onDone: (job, errors, replies) => {
      if (job.restore === true && errors.length === 1 && isPayloadRefused(errors[0]!.error)) {
        refused.push(job.entry!);
        return;
      }
      if (job.exists === "busykey" && errors.length === 1 && errors[0]!.error.code === "BUSYKEY") {
        existing.push(job.entry!);
        return;
      }
      if (errors.length > 0) {
        stats.errors.push({ key: job.key, error: errors[0]!.error.message });
        return;
      }
      if (!s.replace && existed(job, replies)) {
        existing.push(job.entry!);
        return;
      }
      stats.keys++;
      stats.lostPending += job.lost;
    },
  });
  try {
    await copyAll(writer, parts, stats, { ...s, target });
    if (refused.length > 0) {
      stats.payloadFallbacks += refused.length;
      const commands = { ...s, encoder: commandJob, partCount: 1 };
      const store = storeOf(refused);
      refused.length = 0;
      await copyAll(
        writer,
        [{ label: "keys refused as RESTORE payloads", store }],
        stats,
        commands,
      );
    }
  } catch (e) {
    // Let every job in flight settle, so the counts are what the target acknowledged.
    await writer.flush().catch(() => {});
    throw e;
  }
  if (existing.length > 0) {
    const diffs = await compareKeys(target, existing, s.now);
    const differs = new Set(diffs.map((d) => d.key));
    stats.unchanged += existing.length - differs.size;
    stats.conflicts.push(...diffs);
  }
}

async function copyAll(
  writer: BulkWriter<KeyJob>,
  parts: AsyncIterable<SourcePart> | Iterable<SourcePart>,
  stats: MigrateStats,
  s: CopySettings,
): Promise<void> {
  let partsDone = 0;
  for await (const part of parts) {
    const partKeys = part.store.dbsize();
    let sent = 0;
    const report = () =>
      s.onProgress?.({
        part: part.label,
        partsDone,
        parts: s.partCount,
        keys: stats.keys,
        partKeys,
        partSent: sent,
      });
    const w = jobWriter();
    let run: Array<{ job: Omit<KeyJob, "frames">; start: number; end: number }> = [];
    const handOver = async () => {
      if (run.length === 0) return;
      const buf = w.take();
      const jobs = run;
      run = [];
      for (const r of jobs) {
        const job = r.job as KeyJob;
        job.frames = buf.subarray(r.start, r.end);
        stats.commands += job.count;
        stats.bytes += r.end - r.start;
        const p = writer.add(job);
        if (p !== undefined) await p;
      }
    };
    const cutoff = s.now();
    for (const e of part.store.entries()) {
      if (e.deadline !== null && e.deadline <= cutoff) {
        stats.expired++;
        continue;
      }
      if (isEmptyCollection(e)) {
        stats.empty++;
        continue;
      }
      const start = w.length;
      const job = s.encoder(e, s.replace, w);
      run.push({ job, start, end: w.length });
      if (w.length >= RUN_BYTES) await handOver();
      if (++sent % PROGRESS_EVERY === 0) report();
    }
    await handOver();
    await writer.flush();
    if (part.functions !== undefined && part.functions.length > 0) {
      await copyFunctions(s.target!, part.functions, stats, s.replace);
    }
    partsDone++;
    report();
  }
  await writer.flush();
}
