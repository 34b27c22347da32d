/**
 * Verifying a snapshot's checksum trailer on its own, without parsing the
 * records: for `check`, and to tell bit rot from a bad writer when a load
 * fails. The trailer (written after the EOF opcode by `encodeSnapshotChunks`;
 * kevy 1.17 and 5.4 never read past EOF) holds a CRC32C per 4 KiB block; its
 * length is in the file's last 12 bytes, so it is found from the end.
 *
 * @module
 */
import { CorruptFileError } from "./errors.ts";
import { readU32LE } from "./aof2.ts";
import { BlockSummer, checkBlocks, parseTrailer, SUM_MAGIC } from "./_snapshot_sum.ts";

/** Bytes at the end of a file that locate its trailer: trailer length u32le, then the magic. */
export const SNAPSHOT_TRAILER_TAIL = 12;

/**
 * The length of the checksum trailer a snapshot of `size` bytes ends with,
 * from its last {@link SNAPSHOT_TRAILER_TAIL} bytes; null when the file does
 * not end in one (a file written by kevy, or a damaged end magic: the
 * decoder still finds that trailer after the EOF opcode).
 *
 * @example
 * ```ts
 * import { snapshotTrailerLength } from "@kevy/persist/codec";
 * snapshotTrailerLength(new Uint8Array(12), 100); // null
 * ```
 */
export function snapshotTrailerLength(tail: Uint8Array, size: number): number | null {
  if (tail.length < SNAPSHOT_TRAILER_TAIL || size < 34) return null;
  const t = tail.subarray(tail.length - SNAPSHOT_TRAILER_TAIL);
  for (let i = 0; i < 8; i++) if (t[4 + i] !== SUM_MAGIC[i]) return null;
  const n = readU32LE(t, 0);
  return n >= 34 && n <= size - 10 ? n : null; // at least a header and an EOF opcode before it
}

/**
 * Checks the bytes a trailer covers, streamed in order: push them, then
 * `finish()` throws {@link SnapshotChecksumError} at the first damaged block
 * (located to the bit when one flipped bit explains it).
 *
 * @example
 * ```ts
 * import { encodeSnapshotChunks } from "@kevy/persist/codec";
 * import { SnapshotChecksumVerifier, snapshotTrailerLength } from "@kevy/persist/codec";
 * const file = [...encodeSnapshotChunks([])].reduce((a, b) => new Uint8Array([...a, ...b]));
 * const n = snapshotTrailerLength(file, file.length)!;
 * const v = new SnapshotChecksumVerifier(file.subarray(file.length - n), file.length - n);
 * v.push(file.subarray(0, file.length - n));
 * v.finish().blocks; // 1
 * ```
 */
export class SnapshotChecksumVerifier {
  /** Bytes the trailer covers (the offset where it starts). */
  readonly covered: number;
  readonly #want: { crcs: Uint32Array; block: number };
  readonly #sum: BlockSummer;
  readonly #path: string | undefined;

  /**
   * A verifier for the bytes before `trailer`.
   *
   * @param trailer the trailer's bytes
   * @param covered where the trailer starts in the file
   * @param path named in errors
   * @throws CorruptFileError when the trailer itself is damaged
   */
  constructor(trailer: Uint8Array, covered: number, path?: string) {
    const t = parseTrailer(trailer, covered);
    if ("problem" in t) {
      throw new CorruptFileError({
        ...(path === undefined ? {} : { path }),
        offset: covered,
        expected: `a checksum trailer (${t.problem})`,
        bytes: trailer,
      });
    }
    this.covered = covered;
    this.#want = t;
    this.#sum = new BlockSummer(Math.log2(t.block));
    this.#path = path;
  }

  /** Feeds the next covered bytes (bytes past `covered` are ignored). */
  push(chunk: Uint8Array): void {
    const room = this.covered - this.#sum.fed;
    this.#sum.feed(chunk, 0, Math.min(room, chunk.length));
  }

  /** Compares every block; returns how many there were. */
  finish(): { blocks: number } {
    if (this.#sum.fed !== this.covered) {
      throw new CorruptFileError({
        ...(this.#path === undefined ? {} : { path: this.#path }),
        offset: this.#sum.fed,
        expected: `${this.covered} bytes before the checksum trailer`,
      });
    }
    const got = this.#sum.crcs();
    checkBlocks(got, this.#want, this.covered, this.#path);
    return { blocks: got.length };
  }
}
