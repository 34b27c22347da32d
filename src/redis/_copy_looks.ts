// A part's writer in a migration's copy (see _copy.ts) and what it reports:
// the keys that need a second look (already on the target, a refused
// RESTORE payload, a group not written because some key was there), and
// that second look, while the part is still in memory.
import type { ByteWriter } from "../codec/bytes.ts";
import type { Entry } from "../codec/types.ts";
import { BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import type { Reply } from "../net/reply.ts";
import { commandJob, jobWriter, type KeyJob } from "./_migrate_encode.ts";
import { isPayloadRefused } from "./_payload.ts";
import { jobFromFrames } from "./_job_frames.ts";
import type { SourcePart } from "./_migrate_source.ts";
import { compareKeys } from "./_verify_read.ts";
import type { MigrateStats } from "./migrate.ts";
import type { CopySettings } from "./_copy.ts";

/** Did the replies say the key was already on the target? */
function existed(job: KeyJob, replies: Reply[] | null): boolean {
  const r = replies?.[0];
  if (job.exists === "nil") return r === null;
  if (job.exists === "zero") return r === 0;
  return false;
}

/** Keys the writer reported for a second look, per part. */
export interface Looks {
  existing: Uint8Array[];
  refused: Uint8Array[];
  /** Keys of groups (MSETNX) not written because some key was there: sent again one by one. */
  regroup: Uint8Array[];
  /** Reported jobs that were not copied (errors, existing, refused). */
  notCopied: number;
}

/** Looks with nothing in them yet. */
export function newLooks(): Looks {
  return { existing: [], refused: [], regroup: [], notCopied: 0 };
}

/** A part's writer: it reports only what needs a look (into the part's looks), counting the rest. */
export function partWriter(
  target: RedisTarget,
  s: CopySettings,
  spare: ByteWriter[],
  looksOf: () => Looks,
  stats: MigrateStats,
): BulkWriter<KeyJob> {
  return new BulkWriter<KeyJob>(target, {
    ...(s.batchBytes !== undefined ? { batchBytes: s.batchBytes } : {}),
    spare,
    keepReplies: !s.replace,
    // Report only what needs a look: a nil (SET NX) or 0 (the guarded EVAL) means "already there".
    report: s.replace ? () => false : (r) => r === null || r === 0,
    jobOf: jobFromFrames,
    onDone: (job, errors, replies) => {
      const looks = looksOf();
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
}

/** A key of a part as an entry, or null. */
function entryOf(part: SourcePart, key: Uint8Array): Entry | null {
  const e = part.store.getEntry(key);
  if (e !== null || part.strings === undefined) return e;
  const i = part.strings.find(key);
  return i < 0 ? null : part.strings.entry(i);
}

/** Keys already on the target are compared; keys whose RESTORE payload was refused go as commands. */
export async function secondLook(
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
