/**
 * The job and option types of the bulk writer (`BulkWriter`, kept apart from the
 * writer itself).
 *
 * @module
 */

import type { ByteWriter } from "../codec/bytes.ts";
import type { BatchError } from "./connection_types.ts";
import type { Reply } from "./reply.ts";

/** One unit of work: the encoded commands of one key (or of a group of keys, see `units`). */
export interface BulkJob {
  /** The key's hash slot (any value for a single server). */
  slot: number;
  /** The RESP frames (kept for retries: do not reuse the bytes). */
  frames: Uint8Array;
  /** How many frames `frames` holds. */
  count: number;
  /** What the job counts for in {@link BulkWriter.doneUnits} (keys; default 1). */
  units?: number;
}

/** Options of {@link BulkWriter}. */
export interface BulkWriterOptions<J extends BulkJob> {
  /** Send a node's batch once it holds this many bytes (default 256 KiB). */
  batchBytes?: number;
  /** Hand every reply to onDone, not only the errors (default false). */
  keepReplies?: boolean;
  /**
   * Where settled batches' byte writers wait to serve later batches: pass
   * one array to writers that follow each other into the same target, so
   * a new writer starts with the buffers of the one before (default: the
   * writer's own).
   */
  spare?: ByteWriter[];
  /** Keep per-key order across retries (default false). */
  ordered?: boolean;
  /** Most MOVED/ASK redirections per job (default 16). */
  maxRedirects?: number;
  /**
   * Report an `BulkWriter.addFrames` job without errors only when
   * this says so about its first reply (undefined without `keepReplies`);
   * default: report every job. Jobs given as objects are always reported.
   */
  report?: (firstReply: Reply | undefined) => boolean;
  /** Makes the job object of an `BulkWriter.addFrames` job (default: a plain {@link BulkJob}). */
  jobOf?: (frames: Uint8Array, slot: number, count: number) => J;
  /** A job was answered; `errors` are its error replies (indexes within the job). */
  onDone(job: J, errors: BatchError[], replies: Reply[] | null): void;
  /** A job gave up (its effect on the server is unknown). */
  onFail?(job: J, error: Error): void;
}
