/**
 * Consumer groups of a {@link StreamData}: {@link ConsumerGroup} (last
 * delivered id, `entries-read`, pending entries list, consumers),
 * {@link Consumer} (seen-time, active-time, its own pending ids) and
 * {@link PendingEntry} (owner, last delivery time, delivery count), with Redis
 * 7 semantics. Names are byte-exact; groups and consumers iterate in byte
 * order of their names and pending entries in id order, as Redis does.
 *
 * @module
 */

import { IdMap } from "./_id_map.ts";
import { fromKey, toKey } from "./_keys.ts";
import type { U64 } from "./_stream_id.ts";

/**
 * One row of a pending entries list: an id delivered to a consumer and not
 * acknowledged yet. The same object is in the group's and its consumer's list.
 *
 * @example
 * ```ts
 * import { ConsumerGroup } from "@kevy/persist/store";
 * const g = new ConsumerGroup(new TextEncoder().encode("g"), 0, 0, -1);
 * const c = g.createConsumer(new TextEncoder().encode("alice"), 1000)!;
 * g.deliver(5, 0, c, 1000);
 * g.pel.get(5, 0)?.deliveryCount; // 1
 * ```
 */
export class PendingEntry {
  /** Entry id, milliseconds part ({@link U64}: number, or bigint beyond 2^53). */
  readonly ms: U64;
  /** Entry id, sequence part. */
  readonly seq: U64;
  /** Owner; `null` only transiently (XCLAIM FORCE creating a row). */
  consumer: Consumer | null;
  /** Last delivery, unix ms. */
  deliveryTime: number;
  /** Times delivered. */
  deliveryCount: number;

  /** A row for id `ms-seq`. */
  constructor(ms: U64, seq: U64, consumer: Consumer | null, deliveryTime: number, count = 1) {
    this.ms = ms;
    this.seq = seq;
    this.consumer = consumer;
    this.deliveryTime = deliveryTime;
    this.deliveryCount = count;
  }
}

/**
 * A consumer of a group.
 *
 * @example
 * ```ts
 * import { ConsumerGroup } from "@kevy/persist/store";
 * const g = new ConsumerGroup(new TextEncoder().encode("g"), 0, 0, -1);
 * const c = g.createConsumer(new TextEncoder().encode("bob"), 1000)!;
 * c.pel.size; // 0
 * ```
 */
export class Consumer {
  /** Consumer name (bytes). */
  readonly name: Uint8Array;
  /** Last time the consumer was seen by a command (unix ms). */
  seenTime: number;
  /**
   * Last successful read or claim (unix ms), -1 if never (Redis 7.2
   * active-time); `null` when the consumer came from a source that does not
   * record it (kevy snapshots, RDB before version 11) and has not read since.
   */
  activeTime: number | null;
  /** Its pending entries, by id. */
  readonly pel: IdMap<PendingEntry> = new IdMap();

  /** A consumer seen at `seenTime`. */
  constructor(name: Uint8Array, seenTime: number, activeTime: number | null = -1) {
    this.name = name;
    this.seenTime = seenTime;
    this.activeTime = activeTime;
  }
}

/**
 * A consumer group: its last delivered id, its `entries-read` counter (-1 when
 * Redis considers it invalid), its pending entries list and its consumers.
 *
 * @example
 * ```ts
 * import { ConsumerGroup } from "@kevy/persist/store";
 * const g = new ConsumerGroup(new TextEncoder().encode("g"), 0, 0, 0);
 * g.createConsumer(new TextEncoder().encode("c"), 0);
 * [...g.consumerList()].length; // 1
 * ```
 */
export class ConsumerGroup {
  /** Group name (bytes). */
  readonly name: Uint8Array;
  /** Last delivered id, milliseconds part. */
  lastMs: U64;
  /** Last delivered id, sequence part. */
  lastSeq: U64;
  /** Entries read (Redis 7 `entries-read`); -1 when invalid. */
  entriesRead: U64;
  /** Pending entries of the whole group, by id. */
  readonly pel: IdMap<PendingEntry> = new IdMap();
  readonly #consumers = new Map<string, Consumer>();
  #sorted: Consumer[] | null = null;

  /** A group whose last delivered id is `lastMs-lastSeq`. */
  constructor(name: Uint8Array, lastMs: U64, lastSeq: U64, entriesRead: U64) {
    this.name = name;
    this.lastMs = lastMs;
    this.lastSeq = lastSeq;
    this.entriesRead = entriesRead;
  }

  /** Number of consumers. */
  get consumerCount(): number {
    return this.#consumers.size;
  }

  /** The consumer called `name`. */
  consumer(name: Uint8Array): Consumer | undefined {
    return this.#consumers.get(toKey(name));
  }

  /** Creates consumer `name` seen at `now`; `null` if it exists. */
  createConsumer(name: Uint8Array, now: number): Consumer | null {
    const k = toKey(name);
    if (this.#consumers.has(k)) return null;
    const c = new Consumer(fromKey(k), now);
    this.#consumers.set(k, c);
    this.#sorted = null;
    return c;
  }

  /** Adds an existing consumer object (loading); replaces one of the same name. */
  addConsumer(c: Consumer): void {
    this.#consumers.set(toKey(c.name), c);
    this.#sorted = null;
  }

  /** Deletes a consumer and its pending entries; returns how many were pending. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const p of c.pel) this.pel.delete(p.ms, p.seq);
    this.#consumers.delete(toKey(c.name));
    this.#sorted = null;
    return n;
  }

  /** Consumers in name order. */
  consumerList(): readonly Consumer[] {
    if (this.#sorted === null) {
      const keys = [...this.#consumers.keys()].sort();
      this.#sorted = keys.map((k) => this.#consumers.get(k)!);
    }
    return this.#sorted;
  }

  /**
   * Records a delivery of `ms-seq` to `c` at `now` (XREADGROUP): a new row, or
   * an existing one moved to `c` with its count reset to 1.
   */
  deliver(ms: U64, seq: U64, c: Consumer, now: number): PendingEntry {
    const p = new PendingEntry(ms, seq, c, now);
    if (this.pel.insert(p)) {
      c.pel.insert(p);
      return p;
    }
    const old = this.pel.get(ms, seq)!;
    old.consumer?.pel.delete(ms, seq);
    old.consumer = c;
    old.deliveryTime = now;
    old.deliveryCount = 1;
    c.pel.insert(old);
    return old;
  }

  /** Removes the row `ms-seq` from the group and its owner; returns it. */
  ack(ms: U64, seq: U64): PendingEntry | undefined {
    const p = this.pel.delete(ms, seq);
    if (p !== undefined) p.consumer?.pel.delete(ms, seq);
    return p;
  }

  /** Moves row `p` to consumer `c`. */
  assign(p: PendingEntry, c: Consumer): void {
    if (p.consumer === c) return;
    p.consumer?.pel.delete(p.ms, p.seq);
    p.consumer = c;
    c.pel.insert(p);
  }
}
