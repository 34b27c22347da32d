/**
 * Errors of `KEVYAOF2` replay that are not bad bytes.
 *
 * @module
 */

/**
 * A kevy 5.x log holds `[\0KEVYSEGMENTED, <segment>]`: rows of that segment
 * were evicted to the shard's `segs-{i}/` directory at this point. This
 * library has no segment store, so it cannot honour the frame; replaying
 * past it would leave those rows in the wrong state, so the replay stops.
 *
 * @example
 * ```ts
 * import { SegmentedFrameError } from "@kevy/persist/persist";
 * const e = new SegmentedFrameError("/data/aof-1.aof", 57, new TextEncoder().encode("seg-3.kseg"));
 * e.segmentDir; // "/data/segs-1"
 * ```
 */
export class SegmentedFrameError extends Error {
  /** Always `"SegmentedFrameError"`. */
  override name = "SegmentedFrameError";
  /** The log. */
  readonly path: string;
  /** Byte offset of the record. */
  readonly offset: number;
  /** The segment file the frame names. */
  readonly segment: string;
  /** The segment directory (`segs-{i}` beside `aof-{i}.aof`). */
  readonly segmentDir: string;

  /**
   * Builds the error and its message.
   *
   * @param path the log
   * @param offset the record's byte offset
   * @param segment the segment file name from the frame
   */
  constructor(path: string, offset: number, segment: Uint8Array) {
    const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
    const m = /^aof-(\d+)\.aof/.exec(path.slice(cut));
    const segmentDir = `${path.slice(0, cut)}segs-${m === null ? "{i}" : m[1]}`;
    const name = new TextDecoder().decode(segment);
    super(
      `${path}: the record at byte ${offset} says segment ${JSON.stringify(name)} holds ` +
        `evicted rows (a kevy 5.x \\0KEVYSEGMENTED frame); they live in ${segmentDir}/, ` +
        `kevy's row-segment tier, which this library cannot read`,
    );
    this.path = path;
    this.offset = offset;
    this.segment = name;
    this.segmentDir = segmentDir;
  }
}
