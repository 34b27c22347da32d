/**
 * Runtime-neutral value types shared by the codecs, the keyspace and the
 * persistence layer. Bytes are always `Uint8Array` (binary-safe, byte-exact).
 *
 * @module
 */

/** A stream entry id `ms-seq` (both u64, hence bigint). */
export interface StreamId {
  /** Milliseconds part. */
  ms: bigint;
  /** Sequence part. */
  seq: bigint;
}

/** One stream entry: id and field/value pairs in insertion order. */
export interface StreamEntry {
  /** The entry id. */
  id: StreamId;
  /** Field/value pairs. */
  fields: Array<[Uint8Array, Uint8Array]>;
}

/** A consumer of a stream group. */
export interface StreamConsumer {
  /** Consumer name. */
  name: Uint8Array;
  /** Last-seen time, unix ms. */
  seenTime: bigint;
  /**
   * Last time the consumer read or claimed successfully, unix ms (Redis 7.2+,
   * RDB stream v3); absent when the source does not carry it. Redis writes
   * `-1` for "never active".
   */
  activeTime?: bigint;
}

/** A pending-entries-list row of a consumer group. */
export interface StreamPendingEntry {
  /** Entry id (may name an entry that no longer exists: a tombstone). */
  id: StreamId;
  /** Owning consumer. */
  consumer: Uint8Array;
  /** Last delivery time, unix ms. */
  deliveryTime: bigint;
  /** Delivery count (u32). */
  deliveryCount: number;
}

/** A consumer group. */
export interface StreamGroup {
  /** Group name. */
  name: Uint8Array;
  /** Last delivered id. */
  lastDelivered: StreamId;
  /** Consumers in file order. */
  consumers: StreamConsumer[];
  /** Pending entries in file order. */
  pel: StreamPendingEntry[];
  /**
   * Entries the group has read (Redis 7.0+ `entries-read`, used for the lag);
   * `null` when Redis marked it invalid; absent when the source does not carry
   * it (kevy snapshots, RDB before v10).
   */
  entriesRead?: bigint | null;
}

/**
 * A stream in the neutral layout shared by every reader and writer (kevy
 * snapshots, Redis RDB, DUMP payloads, the store).
 */
export interface StreamValue {
  /** Last generated id. */
  lastId: StreamId;
  /** Largest deleted id. */
  maxDeletedId: StreamId;
  /** Entries ever added. */
  entriesAdded: bigint;
  /** Entries in ascending id order. */
  entries: StreamEntry[];
  /** Consumer groups (empty for snapshot versions 2 and 3). */
  groups: StreamGroup[];
}

/**
 * A value of any type, in a neutral layout (what snapshot records hold).
 * Hash fields, set and zset members are unique; zsets are ordered by
 * (score total order, member bytes) when produced by the store.
 */
export type KeyValue =
  | { type: "string"; value: Uint8Array }
  | {
    type: "hash";
    value: Array<[Uint8Array, Uint8Array]>;
    /**
     * Per-field absolute deadlines (unix ms) or `null`, index-aligned with
     * `value` (Redis 7.4 HEXPIRE, kevy 5.x opcode 7); absent when no field
     * has one.
     */
    fieldDeadlines?: Array<number | null>;
  }
  | { type: "list"; value: Uint8Array[] }
  | { type: "set"; value: Uint8Array[] }
  | { type: "zset"; value: Array<[Uint8Array, number]> }
  | { type: "stream"; value: StreamValue };

/** The type names of {@link KeyValue}. */
export type ValueType = KeyValue["type"];

/** One key with its value and absolute deadline (unix ms) or `null` for no TTL. */
export interface Entry {
  /** The key bytes. */
  key: Uint8Array;
  /** The value. */
  value: KeyValue;
  /** Absolute expiry in unix milliseconds, or `null`. */
  deadline: number | null;
}
