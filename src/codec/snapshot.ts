/**
 * The kevy snapshot format (`KEVYSNAP`, FORMATS.md §2, SPEC-v5 §2): a
 * streaming encoder that writes version 4, 5 or 6 as kevy 5.4 chooses (6 when
 * a hash has field TTLs, 5 when a feed cursor is given, else 4) followed by a
 * checksum trailer, and (in `snapshot_decoder.ts`) a streaming decoder that
 * reads versions 2 to 7. No I/O and no clock: callers pass `now`.
 *
 * @module
 */
import type { Entry, StreamGroup } from "./types.ts";
import {
  ChunkWriter,
  type FieldTtlSink,
  type GroupSink,
  HAS_FIELD_TTLS,
  RECORD_CURSOR,
  type RecordSource,
  writeCursor,
  writeEntry,
  writeFieldTtls,
} from "./snapshot_writer.ts";
import { MAGIC } from "./_snapshot_reader.ts";
import { BlockSummer, encodeTrailer, SUM_BLOCK_LOG2 } from "./_snapshot_sum.ts";
import {
  type InternalEncodeOptions,
  REUSE_CHUNKS,
  type SegmentStub,
  type SnapshotCursor,
  type SnapshotDecoderOptions,
  type SnapshotDecodeStats,
  type StringRecordSink,
} from "./snapshot_types.ts";
import { SnapshotDecoder } from "./snapshot_decoder.ts";
import { type FieldTtlOutcome, FieldTtlTable } from "./field_ttls.ts";

export { SnapshotDecoder } from "./snapshot_decoder.ts";
export { SegmentStubError, SnapshotChecksumError } from "./snapshot_errors.ts";
export {
  SNAPSHOT_TRAILER_TAIL,
  SnapshotChecksumVerifier,
  snapshotTrailerLength,
} from "./snapshot_checksum.ts";
export type {
  SegmentStub,
  SnapshotCursor,
  SnapshotDecoderOptions,
  SnapshotDecodeStats,
  StringRecordSink,
};
/**
 * The 8 magic bytes every snapshot starts with: ASCII `KEVYSNAP`.
 *
 * @example
 * ```ts
 * import { SNAPSHOT_MAGIC } from "@kevy/persist/codec";
 * new TextDecoder().decode(SNAPSHOT_MAGIC); // "KEVYSNAP"
 * ```
 */
export const SNAPSHOT_MAGIC: Uint8Array = MAGIC.slice();

/**
 * The format version the encoder writes when nothing newer is needed (byte 8
 * of the file; 5 with a feed cursor, 6 with hash-field TTLs). The decoder
 * accepts 2 (TTL stored as remaining ms) to 7.
 *
 * @example
 * ```ts
 * import { SNAPSHOT_VERSION } from "@kevy/persist/codec";
 * SNAPSHOT_VERSION; // 4
 * ```
 */
export const SNAPSHOT_VERSION = 4;

/** Default size of the chunks {@link encodeSnapshotChunks} yields: 1 MiB, like kevy's writer buffer. */
const DEFAULT_CHUNK = 1 << 20;

/** Options of {@link encodeSnapshotChunks}. */
export interface SnapshotEncodeOptions {
  /** Entries (and hash fields) whose deadline is `<= now` are skipped; without it nothing is. */
  now?: number;
  /** Size of every chunk but the last (default 1 MiB, min 64). */
  chunkBytes?: number;
  /** @deprecated Use `chunkBytes`, the chunk size option's name in every API. */
  chunkSize?: number;
  /** A kevy 5.x feed cursor to write (version >= 5); default none. */
  cursor?: SnapshotCursor | null;
  /**
   * The version to write; default: kevy 5.4's choice (6 if any hash has
   * field TTLs, else 5 if a cursor is given, else 4). Versions 4 and 5
   * cannot hold field TTLs (a RangeError); 5 and 6 write 16 zero bytes
   * without a cursor. Field TTLs are found in an array or a store's entries;
   * another iterable is pulled once, lazily, so pass `version: 6` with it.
   */
  version?: 4 | 5 | 6;
  /**
   * Append the checksum trailer after the EOF opcode (default true): kevy
   * 1.17 and 5.4 never read past EOF, so they load the file as before, and
   * this library's reader detects any damaged bit. `false` writes kevy's
   * bytes exactly.
   */
  checksum?: boolean;
  /**
   * Called with the key and the consumer groups of each stream written (one that has
   * groups), as it is written: what the format has no place for (a group's entries-read,
   * Redis 7's lag counter) can be kept elsewhere, e.g. in the log that follows the snapshot.
   */
  onStreamGroups?: (key: Uint8Array, groups: readonly StreamGroup[]) => void;
}

/**
 * Whether some hash in `entries` has a field TTL: asked of a source that
 * can tell ({@link HAS_FIELD_TTLS}), scanned in an array; any other iterable
 * is not pulled twice (it stays lazy), so it counts as none.
 */
function fieldTtlsIn(entries: Iterable<Entry>): boolean {
  const probe = (entries as RecordSource)[HAS_FIELD_TTLS];
  if (typeof probe === "function") return probe.call(entries) === true;
  if (!Array.isArray(entries)) return false;
  return (entries as Entry[]).some((e) =>
    e.value.type === "hash" && e.value.fieldDeadlines?.some((d) => d !== null) === true
  );
}

/**
 * Encodes entries as a snapshot, pulled chunk by chunk so a caller can
 * `await file.write(chunk)` between chunks and never hold the whole file.
 *
 * - Version: see {@link SnapshotEncodeOptions.version}. Field TTLs
 *   (`fieldDeadlines` of hash values) become opcode-7 records after every
 *   entry, like kevy 5.4 writes them.
 * - Records are written in the order given; hash fields, list items, set and
 *   zset members in the order given (the store supplies zsets in kevy's
 *   (score, member) order). Duplicates are written as given.
 * - `now`: entries whose `deadline <= now` are skipped, and so are hash
 *   fields whose field deadline is (a hash left empty is skipped). Without
 *   `now` nothing is skipped (the codec has no clock); deadlines are written
 *   as absolute unix ms (TTL flag 1), entries without one get flag 0.
 * - `chunkBytes` (default 1 MiB, min 64): every chunk but the last has exactly
 *   this length (the trailer comes as its own last chunk). Each yielded chunk
 *   is a fresh `Uint8Array` that the encoder never touches again, so it may be
 *   kept or written asynchronously. A value larger than a chunk is spread over
 *   several chunks as it is yielded, so a single huge collection never needs a
 *   buffer of its own size.
 * - A checksum trailer follows the EOF opcode unless `checksum: false`.
 * - Bad input (a length or count above u32, a negative or fractional
 *   deadline, a stream id outside u64) throws `RangeError` while encoding.
 *
 * @example
 * ```ts
 * import { encodeSnapshotChunks } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const entries = [{ key: te.encode("k"), value: { type: "string" as const, value: te.encode("v") }, deadline: null }];
 * let size = 0;
 * for (const chunk of encodeSnapshotChunks(entries, { now: Date.now(), checksum: false })) size += chunk.length;
 * size; // 8 magic + 1 version + (1 + 1 + 5 + 5) record + 1 EOF = 22
 * ```
 */
export function* encodeSnapshotChunks(
  entries: Iterable<Entry>,
  opts: SnapshotEncodeOptions = {},
): Generator<Uint8Array, void, undefined> {
  if (
    opts.chunkBytes !== undefined && opts.chunkSize !== undefined &&
    opts.chunkBytes !== opts.chunkSize
  ) {
    throw new TypeError(
      "encodeSnapshotChunks: give chunkBytes (or its old name chunkSize), not both",
    );
  }
  const chunkSize = opts.chunkBytes ?? opts.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 64) {
    throw new RangeError(
      `encodeSnapshotChunks: chunkBytes must be an integer >= 64, got ${chunkSize}`,
    );
  }
  const cursor = opts.cursor ?? null;
  let version = opts.version;
  if (version !== undefined && version !== 4 && version !== 5 && version !== 6) {
    throw new RangeError(`encodeSnapshotChunks: version must be 4, 5 or 6, got ${version}`);
  }
  if (cursor !== null && version === 4) {
    throw new RangeError("encodeSnapshotChunks: a feed cursor needs version 5 or 6");
  }
  if (version === undefined) version = fieldTtlsIn(entries) ? 6 : cursor !== null ? 5 : 4;
  yield* records(
    entries,
    opts.now,
    chunkSize,
    version,
    cursor,
    opts.checksum !== false,
    opts.onStreamGroups ?? null,
    (opts as InternalEncodeOptions)[REUSE_CHUNKS] === true,
  );
}

function* records(
  entries: Iterable<Entry>,
  now: number | undefined,
  chunkSize: number,
  version: 4 | 5 | 6,
  cursor: SnapshotCursor | null,
  checksum: boolean,
  onGroups: GroupSink,
  reuse: boolean,
): Generator<Uint8Array, void, undefined> {
  const w = new ChunkWriter(chunkSize, reuse);
  const sum = checksum ? new BlockSummer(SUM_BLOCK_LOG2) : null;
  if (sum !== null) w.onChunk = (c) => sum.feed(c, 0, c.length);
  w.raw(MAGIC);
  w.u8(version);
  if (version >= 5) {
    w.u64b(cursor?.generation ?? 0n, "feed cursor generation");
    w.u64b(cursor?.offset ?? 0n, "feed cursor offset");
  }
  const ft: FieldTtlSink = version === 6 ? [] : null;
  const make = (entries as RecordSource)[RECORD_CURSOR];
  if (typeof make === "function") yield* writeCursor(w, make.call(entries), now, ft, onGroups);
  else {
    for (const e of entries) {
      const d = e.deadline;
      if (d !== null && now !== undefined && d <= now) continue;
      const v = e.value;
      if (onGroups !== null && v.type === "stream" && v.value.groups.length > 0) {
        onGroups(e.key, v.value.groups);
      }
      if (v.type === "string") {
        w.head(1, d);
        w.bytes(e.key, "key length");
        w.bytes(v.value, "string length");
      } else yield* writeEntry(w, e, ft, now);
      while (w.ready.length > 0) yield w.shift();
    }
  }
  if (ft !== null) yield* writeFieldTtls(w, ft);
  w.u8(0);
  if (sum !== null) {
    const last = w.partial();
    sum.feed(last, 0, last.length);
    w.onChunk = null;
    w.raw(encodeTrailer(sum));
  }
  while (w.ready.length > 0) yield w.shift();
  const rest = w.takeRest();
  if (rest !== undefined) yield rest;
}

/** What {@link decodeEntries} returns. */
export interface DecodedSnapshot extends SnapshotDecodeStats {
  /** Live entries in file order, field TTLs applied (`fieldDeadlines`). */
  entries: Entry[];
  /** What became of the file's field TTLs (see {@link FieldTtlTable.applyToEntries}). */
  fieldTtlOutcome: FieldTtlOutcome;
}

/**
 * Decodes a whole in-memory snapshot (see {@link SnapshotDecoder} for the
 * rules). Field TTLs are applied once every entry is read: a due one removes
 * its field (and a hash left empty), one without a live hash field is an
 * orphan (counted, dropped). Row-segment stubs throw `SegmentStubError`.
 *
 * @example
 * ```ts
 * import { decodeEntries, encodeSnapshotChunks } from "@kevy/persist/codec";
 * const te = new TextEncoder();
 * const parts = [...encodeSnapshotChunks([
 *   { key: te.encode("k"), value: { type: "set", value: [te.encode("m")] }, deadline: null },
 * ])];
 * const { version, entries } = decodeEntries(parts[0]!, { now: Date.now() });
 * version; // 4
 * entries.length; // 1
 * ```
 */
export function decodeEntries(
  bytes: Uint8Array,
  opts: { now: number; path?: string },
): DecodedSnapshot {
  const entries: Entry[] = [];
  const ttls = new FieldTtlTable();
  const dec = new SnapshotDecoder({
    now: opts.now,
    onEntry: (e) => entries.push(e),
    onFieldTtl: (k, f, d) => ttls.add(k, f, d),
    totalSize: bytes.length,
    ...(opts.path === undefined ? {} : { path: opts.path }),
  });
  dec.push(bytes);
  const stats = dec.finish();
  const fieldTtlOutcome = ttls.applyToEntries(entries, opts.now);
  return { ...stats, entries, fieldTtlOutcome };
}
