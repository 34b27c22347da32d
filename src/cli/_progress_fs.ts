// Wraps an fs adapter so that every streamed read shows a progress bar on a
// terminal (the Progress class stays quiet for work under about a second).
import type { FsAdapter } from "../fs/types.ts";
import { basename } from "../fs/path.ts";
import { Progress, type Terminal } from "./_io.ts";

/** `fs` with read progress on `io`'s stderr, or `fs` itself when stderr is not a terminal. */
export function withReadProgress(
  fs: FsAdapter,
  io: Terminal,
  now: () => number = Date.now,
): FsAdapter {
  if (!io.stderrIsTTY) return fs;
  return {
    ...fs,
    name: fs.name,
    async *readChunks(path: string, chunkSize?: number): AsyncIterable<Uint8Array> {
      const total = (await fs.stat(path))?.size ?? 0;
      const bar = new Progress(io, `reading ${basename(path)}`, total, now);
      let done = 0;
      try {
        for await (const c of fs.readChunks(path, chunkSize)) {
          done += c.length;
          bar.update(done);
          yield c;
        }
      } finally {
        bar.done();
      }
    },
    *readChunksSync(path: string, chunkSize?: number): Iterable<Uint8Array> {
      const total = fs.statSync(path)?.size ?? 0;
      const bar = new Progress(io, `reading ${basename(path)}`, total, now);
      let done = 0;
      try {
        for (const c of fs.readChunksSync(path, chunkSize)) {
          done += c.length;
          bar.update(done);
          yield c;
        }
      } finally {
        bar.done();
      }
    },
  };
}
