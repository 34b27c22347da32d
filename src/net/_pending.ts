// A request waiting for its replies (one command, or a batch of frames), how
// each reply is taken and the request settled, and how an error reply in a
// batch is matched to the command that caused it: the i-th frame is found by
// parsing, with a cursor that moves forward (errors come in order).
import { parseFrame } from "../codec/resp.ts";
import type { Arg, BatchError, BatchResult } from "./connection_types.ts";
import { RedisReplyError } from "./errors.ts";
import type { Reply } from "./reply.ts";

/** One request on the wire. */
export interface Pending {
  /** Replies this request waits for. */
  count: number;
  got: number;
  bytes: number;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Single command: its argv (for naming an error). */
  argv: ReadonlyArray<Arg> | null;
  /** Batch: the encoded frames (errors are named by parsing the i-th frame). */
  frames: Uint8Array | null;
  replies: Reply[] | null;
  errors: BatchError[] | null;
  /** Cursor into `frames` for naming errors in order. */
  cursorIndex: number;
  cursorAt: number;
}

/** The argv of the i-th frame of a batch request. */
export function frameAt(p: Pending, i: number): Uint8Array[] {
  if (i < p.cursorIndex) {
    p.cursorIndex = 0;
    p.cursorAt = 0;
  }
  for (;;) {
    const f = parseFrame(p.frames!, p.cursorAt);
    if (f.kind !== "frame") return [new TextEncoder().encode("<unparsable frame>")];
    if (p.cursorIndex === i) return f.argv;
    p.cursorIndex++;
    p.cursorAt = f.end;
  }
}

/**
 * Counts reply `r` for `p`, the oldest request; true once `p` has all its
 * replies. In a batch an error reply is named after its command and listed
 * in `errors`; `replies` keeps every reply when the batch asked for them.
 */
export function takeReply(p: Pending, r: Reply, address: string): boolean {
  const i = p.got++;
  if (p.frames === null) return true;
  let value = r;
  if (r instanceof RedisReplyError) {
    const named = r.withCommand(frameAt(p, i), address);
    p.errors!.push({ index: i, error: named });
    value = named;
  }
  p.replies?.push(value);
  return p.got >= p.count;
}

/**
 * Settles a complete request: a single command with its reply `r` (an error
 * reply rejects, naming the command), a batch with its {@link BatchResult}.
 */
export function settle(p: Pending, r: Reply, address: string): void {
  if (p.frames === null) {
    if (r instanceof RedisReplyError) p.reject(r.withCommand(p.argv!, address));
    else p.resolve(r);
    return;
  }
  p.resolve({ replies: p.replies, errors: p.errors! } satisfies BatchResult);
}
