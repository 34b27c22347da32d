// The bulk writer's per-node batch (numbers only per job): appending a job
// (with ASKING before each frame when asked), a job's bytes back, its error
// replies picked out of the batch's; and the retry state of a job taken out
// of one.
import { ByteWriter } from "../codec/bytes.ts";
import type { BatchError } from "./connection.ts";
import type { Reply } from "./reply.ts";
import { forEachFrame } from "./_frames.ts";

const ASKING = new TextEncoder().encode("*1\r\n$6\r\nASKING\r\n");

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
  /** What each job counts for (keys). */
  units: number[];
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

/** An empty batch for `addr` with room for `capacity` bytes (in `w`, an empty writer to reuse, if given). */
export function newBatch<J>(addr: string, capacity: number, w?: ByteWriter): Batch<J> {
  return {
    sent: false,
    addr,
    w: w ?? new ByteWriter(capacity),
    starts: [],
    counts: [],
    slots: [],
    units: [],
    held: null,
    asked: null,
    frames: 0,
  };
}

/**
 * Appends job `buf[start, end)` (`count` frames for `slot`) to `b`; `held` is
 * its object or retry state, if it has one. `asked`: ASKING goes before each
 * frame (the ASKING replies are dropped when settling). `units`: what the job
 * counts for (keys).
 */
export function appendJob<J>(
  b: Batch<J>,
  slot: number,
  buf: Uint8Array,
  start: number,
  end: number,
  count: number,
  held: J | Pending<J> | undefined,
  asked: boolean,
  units: number,
): void {
  const i = b.starts.length;
  b.starts.push(b.w.length);
  b.counts.push(count);
  b.slots.push(slot);
  b.units.push(units);
  if (held !== undefined) {
    b.held ??= [];
    b.held[i] = held;
  }
  if (asked) {
    forEachFrame(buf.subarray(start, end), count, (f) => {
      b.w.writeBytes(ASKING);
      b.w.writeBytes(f);
    });
    (b.asked ??= new Set()).add(i);
    b.frames += count * 2;
  } else {
    b.w.writeBytes(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    b.frames += count;
  }
}

/** Job i's bytes as sent without ASKING (only jobs without a held object come here, never asked). */
export function originalBytes<J>(b: Batch<J>, i: number): Uint8Array {
  const end = i + 1 < b.starts.length ? b.starts[i + 1]! : b.w.length;
  return b.w.bytes().slice(b.starts[i]!, end);
}

/** A batch's error replies taken job by job (they come in reply order). */
export class JobErrors {
  #next = 0;
  readonly #errs: BatchError[];
  constructor(errs: BatchError[]) {
    this.#errs = errs;
  }
  /**
   * The errors among replies `[base, base + len)`, indexed by the job's own
   * commands (an asked job's ASKING replies left out), or null for none.
   */
  take(base: number, len: number, asked: boolean): BatchError[] | null {
    const errs = this.#errs;
    let mine: BatchError[] | null = null;
    while (this.#next < errs.length && errs[this.#next]!.index < base + len) {
      const e = errs[this.#next++]!;
      const local = e.index - base;
      if (asked && local % 2 === 0) continue; // an ASKING reply
      (mine ??= []).push({ index: asked ? local >> 1 : local, error: e.error });
    }
    return mine;
  }
}

/** A job's replies among `replies[base, base + len)` (an asked job's ASKING replies left out). */
export function repliesOf(replies: Reply[], base: number, len: number, asked: boolean): Reply[] {
  const mine = replies.slice(base, base + len);
  return asked ? mine.filter((_, k) => k % 2 === 1) : mine;
}
