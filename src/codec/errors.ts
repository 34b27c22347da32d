/**
 * The error family for bad bytes on disk.
 *
 * @module
 */

import { toHex as hex } from "./bytes_util.ts";

/** How many bytes {@link CorruptFileError.preview} shows. */
const PREVIEW_BYTES = 16;

/**
 * Bytes in a file (or buffer) that are not what the format allows: which file,
 * which byte offset, what was expected, and a short hex preview of what is there.
 *
 * @example
 * ```ts
 * import { CorruptFileError } from "@kevy/persist/codec";
 * const err = new CorruptFileError({
 *   path: "aof-0.aof", offset: 9, expected: "'*' (multibulk frame)",
 *   bytes: new TextEncoder().encode("PING\r\n"),
 * });
 * err.message; // "aof-0.aof: corrupt at byte 9: expected '*' (multibulk frame), found 50494e470d0a"
 * ```
 */
export class CorruptFileError extends Error {
  /** Always `"CorruptFileError"`. */
  override name = "CorruptFileError";
  /** The file, or `"<buffer>"` when decoding memory. */
  readonly path: string;
  /** Byte offset of the first bad byte, from the start of the file. */
  readonly offset: number;
  /** What the format requires at that offset. */
  readonly expected: string;
  /** Up to 16 bytes found at `offset`, lowercase hex. */
  readonly preview: string;

  /**
   * Builds the error and its message.
   *
   * @param info `bytes` is the data starting at `offset` (only its first 16 bytes are kept).
   */
  constructor(
    info: { path?: string; offset: number; expected: string; bytes?: Uint8Array },
  ) {
    const path = info.path ?? "<buffer>";
    const preview = info.bytes ? hex(info.bytes.subarray(0, PREVIEW_BYTES)) : "";
    super(
      `${path}: corrupt at byte ${info.offset}: expected ${info.expected}, found ${
        preview === "" ? "end of data" : preview
      }`,
    );
    this.path = path;
    this.offset = info.offset;
    this.expected = info.expected;
    this.preview = preview;
  }

  /** A copy naming another path and shifted by `base` bytes (decoders work on buffers; callers know the file). */
  withPath(path: string, base = 0): CorruptFileError {
    const e = new CorruptFileError({ path, offset: this.offset + base, expected: this.expected });
    (e as { preview: string }).preview = this.preview;
    e.message = `${path}: corrupt at byte ${e.offset}: expected ${this.expected}, found ${
      this.preview === "" ? "end of data" : this.preview
    }`;
    return e;
  }
}
