/**
 * The frozen stream record a store hands the snapshot and rewrite writers
 * (package-internal, shared by codec, store and persist).
 *
 * @module
 */
import type { StreamEntry, StreamGroup, StreamId, StreamValue } from "./types.ts";

/**
 * A stream a store hands the encoder (RecordCursor.stream) without building
 * its entry array: `entries()` produces them one at a time from the store's
 * frozen copy (it can be called again), so a big stream never exists twice in
 * memory. Otherwise as {@link StreamValue}.
 */
export interface StreamRecord {
  /** Last generated id. */
  lastId: StreamId;
  /** Largest deleted id. */
  maxDeletedId: StreamId;
  /** Entries ever added. */
  entriesAdded: bigint;
  /** Number of entries `entries()` yields. */
  entryCount: number;
  /** Entries in ascending id order. */
  entries(): Iterable<StreamEntry>;
  /** Whether the entry `id` exists. */
  hasEntry(id: StreamId): boolean;
  /** Consumer groups. */
  groups: StreamGroup[];
}

/** A snapshot stream record's scalars and groups, its entries left in the file's bytes. */
export type StreamRecordHead = Omit<StreamValue, "entries">;
