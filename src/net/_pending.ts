// A request waiting for its replies (one command, or a batch of frames),
// and how an error reply in a batch is matched to the command that caused
// it: the i-th frame is found by parsing, with a cursor that moves forward
// (errors come in order).
import { parseFrame } from "../codec/resp.ts";
import type { Arg, BatchError } from "./connection_types.ts";
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
