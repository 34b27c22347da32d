// The bulk writer's per-node batch (numbers only per job) and the retry
// state of a job taken out of one.
import { ByteWriter } from "../codec/bytes.ts";

/** Retry state of a job taken out of a batch. */
export class Pending<J> {
  attempts = 0;
  redirects = 0;
  /** Send once to this node with ASKING. */
  ask: string | null = null;
  lastError: Error | null = null;
  constructor(readonly job: J) {}
}

/** A node's batch: the bytes, and per job its offset, frame count and slot (numbers only). */
export interface Batch<J> {
  /** Set once handed to #send (a batch is sent once). */
  sent: boolean;
  addr: string;
  w: ByteWriter;
  starts: number[];
  counts: number[];
  slots: number[];
  /** The job objects (or retry states) of jobs that have one; null when none has. */
  held: Array<J | Pending<J> | undefined> | null;
  /** Jobs sent with ASKING before each frame (their replies come in pairs). */
  asked: Set<number> | null;
  frames: number;
}

/** A job's retry state. */
export function pending<J>(job: J): Pending<J> {
  return new Pending(job);
}

/** An empty batch for `addr` with room for `capacity` bytes. */
export function newBatch<J>(addr: string, capacity: number): Batch<J> {
  return {
    sent: false,
    addr,
    w: new ByteWriter(capacity),
    starts: [],
    counts: [],
    slots: [],
    held: null,
    asked: null,
    frames: 0,
  };
}
