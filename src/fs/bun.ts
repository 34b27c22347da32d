/**
 * The Bun adapter: the node adapter with `readFile` on `Bun.file(p).bytes()`.
 *
 * Everything else stays on `node:fs` (Bun implements it natively): Bun has no fsync, and
 * `Bun.file().writer()` on an existing file writes from offset 0, so it must never be used for
 * appends. No `Bun` types are referenced (the npm build compiles this file with plain `tsc`):
 * the global is read through the local {@link BunLike} interface at call time.
 *
 * Measured with bench/fs_bench.ts (Bun 1.4.5, ext4, shared noisy VM; best of 3, three runs):
 * | op                        | node:fs                   | Bun native                  |
 * | ------------------------- | ------------------------- | --------------------------- |
 * | readFile 64 MiB           | 1477 / 4849 / 2168 MB/s   | 990 / 4774 / 2385 MB/s      |
 * | readFile 4 KiB            | 76k / 54k / 64k ops/s     | 60k / 92k / 54k ops/s       |
 * | append 100 B, async write | 85k / 112k / 64k ops/s (fd); FileHandle 86k / 111k / 75k |
 * | append 100 B, writeSync   | 1.2M / 1.1M / 1.7M ops/s  | (no native append)          |
 * | append 100 B + fdatasync  | 6.6k / 10.9k / 7.0k ops/s | (no native fsync)           |
 * readFile is a tie within noise; Bun.file().bytes() is kept (the brief's choice). Appends and
 * syncs have no Bun-native equivalent, so they stay on node:fs.
 *
 * @module
 */
import { nodeFs } from "./node.ts";
import type { FsAdapter } from "./types.ts";

/** The subset of the `Bun` namespace this adapter uses. */
interface BunLike {
  file(path: string): { bytes(): Promise<Uint8Array> };
}

/**
 * Create the Bun adapter. Call it only under Bun (see `defaultFs()` in detect.ts).
 *
 * @example
 * ```ts
 * import { createBunFs, runtimeName } from "@kevy/persist/fs";
 * if (runtimeName() === "bun") {
 *   const fs = createBunFs();
 *   console.log(await fs.stat("."));
 * }
 * ```
 */
export function createBunFs(): FsAdapter {
  const B = (globalThis as unknown as { Bun: BunLike }).Bun;
  return {
    ...nodeFs,
    name: "bun",
    // Bun.file() errors carry code "ENOENT" like node:fs; a FIFO or device is refused first
    // (the node adapter's check, through its stat).
    readFile: async (path) => {
      const st = await nodeFs.stat(path);
      if (st !== null && !st.isFile) {
        await nodeFs.readFile(path); // throws NotAFileError naming what it is
      }
      return await B.file(path).bytes();
    },
  };
}
