// For the SIGKILL tests' child processes: how they report to the parent.
import { writeSync } from "node:fs";

/**
 * Writes `text` to stdout synchronously, all of it: an "ack" printed is in the pipe before
 * the next operation starts, so a SIGKILL can't lose it (Node queues process.stdout writes
 * to a pipe in the process while a write is pending, and the kill drops that queue).
 */
export function say(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(1, bytes, off);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e; // a non-blocking pipe, full: again
    }
  }
}
