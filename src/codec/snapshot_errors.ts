/**
 * Typed errors of the snapshot decoder beyond plain bad bytes: a checksum
 * mismatch (bit rot) and a kevy 5.x row-segment stub this library cannot load.
 *
 * @module
 */
import { CorruptFileError } from "./errors.ts";

/**
 * A snapshot's checksum trailer does not match its bytes: bit rot or a
 * damaged copy. `offset` is the flipped byte when a single flipped bit
 * explains the mismatch (`flip`), else the start of the first damaged block.
 *
 * @example
 * ```ts
 * import { SnapshotChecksumError } from "@kevy/persist/codec";
 * const e = new SnapshotChecksumError({ path: "dump-0.rdb", blockStart: 0, blockEnd: 4096, flip: { offset: 17, bit: 3 } });
 * e.offset; // 17
 * ```
 */
export class SnapshotChecksumError extends CorruptFileError {
  /** Always `"SnapshotChecksumError"`. */
  override name = "SnapshotChecksumError";
  /** First byte of the first block whose CRC32C does not match. */
  readonly blockStart: number;
  /** End (exclusive) of that block. */
  readonly blockEnd: number;
  /** The flipped bit (byte offset in the file, bit 0 = least significant), when one bit explains it. */
  readonly flip: { offset: number; bit: number } | null;

  /**
   * Builds the error and its message.
   *
   * @param info the damaged block and the located bit, if any.
   */
  constructor(
    info: {
      path?: string;
      blockStart: number;
      blockEnd: number;
      flip: { offset: number; bit: number } | null;
    },
  ) {
    const f = info.flip;
    super({
      ...(info.path === undefined ? {} : { path: info.path }),
      offset: f === null ? info.blockStart : f.offset,
      expected: f === null
        ? `bytes ${info.blockStart}..${info.blockEnd} matching the snapshot checksum ` +
          `(CRC32C mismatch in that block)`
        : `the byte the snapshot checksum records (bit ${f.bit} of byte ${f.offset} is flipped; ` +
          `block ${info.blockStart}..${info.blockEnd})`,
    });
    this.blockStart = info.blockStart;
    this.blockEnd = info.blockEnd;
    this.flip = f;
  }
}

/**
 * A kevy 5.x snapshot record (opcode 8) that is a row-segment stub: the key's
 * value lives in the shard's segment directory `segs-{i}/`, which this
 * library cannot read. Loading it would yield a key without a value, so the
 * load is refused.
 *
 * @example
 * ```ts
 * import { SegmentStubError } from "@kevy/persist/codec";
 * const e = new SegmentStubError({ path: "/data/dump-2.rdb", offset: 25, key: new TextEncoder().encode("row:1"), seq: 3 });
 * e.segmentDir; // "/data/segs-2"
 * ```
 */
export class SegmentStubError extends Error {
  /** Always `"SegmentStubError"`. */
  override name = "SegmentStubError";
  /** The snapshot file. */
  readonly path: string;
  /** Byte offset of the stub record. */
  readonly offset: number;
  /** The key whose row is in the segment. */
  readonly key: Uint8Array;
  /** The segment's sequence number. */
  readonly seq: number;
  /** The segment directory the row lives in (`segs-{i}` beside `dump-{i}.rdb`). */
  readonly segmentDir: string;

  /**
   * Builds the error and its message (which names the segment directory).
   *
   * @param info where the stub is and what it names.
   */
  constructor(info: { path?: string; offset: number; key: Uint8Array; seq: number }) {
    const path = info.path ?? "<buffer>";
    const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
    const m = /^dump-(\d+)\.rdb/.exec(path.slice(cut));
    const segmentDir = `${path.slice(0, cut)}segs-${m === null ? "{i}" : m[1]}`;
    const key = new TextDecoder("utf-8", { fatal: false }).decode(info.key);
    super(
      `${path}: the record at byte ${info.offset} is a kevy 5.x row-segment stub ` +
        `(key ${JSON.stringify(key)}, segment seq ${info.seq}): its value lives in ` +
        `${segmentDir}/, kevy's row-segment tier, which this library cannot read`,
    );
    this.path = path;
    this.offset = info.offset;
    this.key = info.key;
    this.seq = info.seq;
    this.segmentDir = segmentDir;
  }
}
