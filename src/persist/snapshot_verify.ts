/**
 * Verifying a snapshot file's checksum trailer without parsing its records:
 * `kevy-persist check` runs it first, and a failed load runs it to tell bit
 * rot (a `SnapshotChecksumError` at the damaged byte) from a bad writer.
 *
 * @module
 */
import {
  SNAPSHOT_TRAILER_TAIL,
  SnapshotChecksumVerifier,
  snapshotTrailerLength,
} from "../codec/snapshot.ts";
import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";

/** What {@link verifySnapshotFile} found. */
export type SnapshotVerifyResult =
  | { checksum: "verified"; blocks: number; covered: number; trailerBytes: number }
  | { checksum: "absent" };

/** Keeps the last `n` bytes of the chunks pushed (a copy). */
class Tail {
  readonly #out: Uint8Array;
  #have = 0;
  constructor(n: number) {
    this.#out = new Uint8Array(n);
  }
  push(c: Uint8Array): void {
    const out = this.#out, n = out.length;
    if (c.length >= n) {
      out.set(c.subarray(c.length - n));
      this.#have = n;
      return;
    }
    const keep = Math.min(this.#have, n - c.length);
    out.copyWithin(0, this.#have - keep, this.#have);
    out.set(c, keep);
    this.#have = keep + c.length;
  }
  bytes(): Uint8Array {
    return this.#out.subarray(0, this.#have);
  }
}

function tailOf(chunks: Iterable<Uint8Array>, n: number): Uint8Array {
  const t = new Tail(n);
  for (const c of chunks) t.push(c);
  return t.bytes();
}

async function tailOfAsync(chunks: AsyncIterable<Uint8Array>, n: number): Promise<Uint8Array> {
  const t = new Tail(n);
  for await (const c of chunks) t.push(c);
  return t.bytes();
}

/**
 * Checks the trailer of the snapshot at `path` against every byte before it
 * (two sequential reads: the tail, then the covered bytes). Throws
 * `SnapshotChecksumError` at the first damaged block (to the bit when one
 * flipped bit explains it) and `CorruptFileError` for a damaged trailer;
 * `{ checksum: "absent" }` when the file does not end in a trailer.
 *
 * @example
 * ```ts
 * import { saveSnapshotSync, verifySnapshotFileSync } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * saveSnapshotSync(new Store(), "dump-0.rdb");
 * const r = verifySnapshotFileSync("dump-0.rdb");
 * if (r.checksum === "absent") console.log("written without a checksum (kevy, or checksum: false)");
 * ```
 */
export function verifySnapshotFileSync(
  path: string,
  fs: FsAdapter = defaultFs(),
): SnapshotVerifyResult {
  const st = fs.statSync(path);
  if (st === null) {
    throw Object.assign(new Error(`${path}: snapshot file not found`), { code: "ENOENT" });
  }
  const size = st.size;
  const last = tailOf(fs.readChunksSync(path), SNAPSHOT_TRAILER_TAIL);
  const n = snapshotTrailerLength(last, size);
  if (n === null) return { checksum: "absent" };
  const covered = size - n;
  const trailer = tailOf(fs.readChunksSync(path), n);
  const v = new SnapshotChecksumVerifier(trailer, covered, path);
  for (const c of fs.readChunksSync(path)) v.push(c);
  const { blocks } = v.finish();
  return { checksum: "verified", blocks, covered, trailerBytes: n };
}

/**
 * {@link verifySnapshotFileSync}, reading asynchronously.
 *
 * @example
 * ```ts
 * import { saveSnapshot, verifySnapshotFile } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * await saveSnapshot(new Store(), "dump-0.rdb");
 * const r = await verifySnapshotFile("dump-0.rdb");
 * console.log(r.checksum);
 * ```
 */
export async function verifySnapshotFile(
  path: string,
  fs: FsAdapter = defaultFs(),
): Promise<SnapshotVerifyResult> {
  const st = await fs.stat(path);
  if (st === null) {
    throw Object.assign(new Error(`${path}: snapshot file not found`), { code: "ENOENT" });
  }
  const size = st.size;
  const last = await tailOfAsync(fs.readChunks(path), SNAPSHOT_TRAILER_TAIL);
  const n = snapshotTrailerLength(last, size);
  if (n === null) return { checksum: "absent" };
  const covered = size - n;
  const trailer = await tailOfAsync(fs.readChunks(path), n);
  const v = new SnapshotChecksumVerifier(trailer, covered, path);
  for await (const c of fs.readChunks(path)) v.push(c);
  const { blocks } = v.finish();
  return { checksum: "verified", blocks, covered, trailerBytes: n };
}
