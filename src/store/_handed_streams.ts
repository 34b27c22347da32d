// Private: the streams a Store handed out (lookup, setValue). A stream may
// change anywhere (nodes, groups, PELs), so rather than charge each change
// it is measured again at the next usedMemory().

import type { Meter } from "./_meter.ts";
import type { StreamData } from "./stream.ts";
import { streamBytes } from "./_stream_memory.ts";

/** Streams handed out since the last measure. */
export class HandedStreams {
  #set: Set<StreamData> | null = null;

  add(s: StreamData): void {
    (this.#set ??= new Set()).add(s);
  }

  /** Measures the streams handed out again (those still held by `m`'s store). */
  remeasure(m: Meter): void {
    if (this.#set === null) return;
    for (const s of this.#set) {
      if (s.meter !== m) continue; // gone from this store meanwhile
      const b = streamBytes(s);
      m.used += b - s.memoryBytes;
      s.memoryBytes = b;
    }
    this.#set = null;
  }

  swapWith(other: HandedStreams): void {
    [this.#set, other.#set] = [other.#set, this.#set];
  }
}
