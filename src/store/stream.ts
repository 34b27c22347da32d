/**
 * {@link StreamData}: a Redis 7 stream as a store value. Entries are kept in
 * nodes laid out like Redis's stream listpacks (up to 100 entries or 4096
 * listpack bytes each, field names shared with the node's first entry), so
 * appends are O(1), lookups and range starts are binary searches, trimming
 * with `~` removes whole nodes exactly where Redis would, and a large stream
 * costs a few dozen bytes per entry beyond its data. The stream also keeps
 * Redis's scalars (last id, max deleted id, entries added, recorded first id)
 * and its consumer groups ({@link ConsumerGroup}).
 *
 * Ids are `(ms, seq)` pairs of {@link U64}: a `number` when safe, a `bigint`
 * beyond 2^53. Snapshots and RDB files carry the neutral `StreamValue`
 * (src/codec/types.ts); `Store.put` / `Store.getEntry` convert.
 *
 * @module
 */

import { toKey } from "./_keys.ts";
import { add, cmpId, type EntryId, MAX_ID, sub, type U64 } from "./_stream_id.ts";
import { NODE_MAX_BYTES, NODE_MAX_ENTRIES } from "./_stream_lp.ts";
import { StreamNode } from "./_stream_node.ts";
import { ConsumerGroup } from "./stream_group.ts";
import type { Meter } from "./memory.ts";

export type { EntryId, U64 } from "./_stream_id.ts";
export { IdMap, type Keyed } from "./_id_map.ts";
export { Consumer, ConsumerGroup, PendingEntry } from "./stream_group.ts";
export { StreamNode } from "./_stream_node.ts";

/**
 * A trim request (XADD / XTRIM options): `maxlen` or `minid` strategy,
 * `approx` for `~` (whole nodes only), `limit` (0 = none) on entries removed.
 *
 * @example
 * ```ts
 * import type { TrimSpec } from "@kevy/persist/store";
 * const t: TrimSpec = { strategy: "maxlen", maxlen: 1000, approx: true, limit: 10000 };
 * ```
 */
export type TrimSpec =
  & { approx: boolean; limit: number }
  & ({ strategy: "maxlen"; maxlen: number } | { strategy: "minid"; minid: EntryId });

/**
 * What a range scan visits: a node and an entry index in it; return false to stop.
 *
 * @example
 * ```ts
 * import type { EntryVisitor } from "@kevy/persist/store";
 * const ids: string[] = [];
 * const visit: EntryVisitor = (n, i) => (ids.push(`${n.ms(i)}-${n.seq(i)}`), true);
 * ```
 */
export type EntryVisitor = (node: StreamNode, i: number) => boolean;

/**
 * A stream (see the module docs).
 *
 * @example
 * ```ts
 * import { StreamData } from "@kevy/persist/store";
 * const s = new StreamData();
 * const f = [new TextEncoder().encode("temp"), new TextEncoder().encode("21")];
 * s.append(1700000000000, 0, f, 0, 1);
 * s.length; // 1
 * s.edge(true); // { ms: 1700000000000, seq: 0 }
 * ```
 */
export class StreamData {
  /** Nodes in id order (Redis's radix-tree keys). */
  nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  /** Last generated id. */
  lastMs: U64 = 0;
  /** See {@link StreamData.lastMs}. */
  lastSeq: U64 = 0;
  /** Largest id ever deleted by XDEL (or set by XSETID). */
  maxDelMs: U64 = 0;
  /** See {@link StreamData.maxDelMs}. */
  maxDelSeq: U64 = 0;
  /** Recorded first entry id (0-0 when empty), as Redis maintains it. */
  firstMs: U64 = 0;
  /** See {@link StreamData.firstMs}. */
  firstSeq: U64 = 0;
  /** Entries ever added. */
  entriesAdded: U64 = 0;
  #groups: Map<string, ConsumerGroup> | null = null;
  #sortedGroups: ConsumerGroup[] | null = null;
  /** The memory account of the store holding this stream (set by the store), or null. */
  meter: Meter | null = null;
  /** The bytes the store counts for this stream (it measures them: see Store.usedMemory). */
  memoryBytes = 0;

  /**
   * Appends entry `(ms, seq)` with `nf` field/value pairs `a[from..from+2nf)`
   * (copied). The id must be greater than {@link StreamData.lastMs}-lastSeq.
   */
  append(ms: U64, seq: U64, a: ReadonlyArray<Uint8Array>, from: number, nf: number): void {
    let total = 0;
    for (let i = from; i < from + 2 * nf; i++) total += a[i]!.length;
    let tail = this.#tailFor(total);
    if (tail === undefined) {
      tail = new StreamNode(ms, seq, a, from, nf);
      this.nodes.push(tail);
    }
    tail.append(ms, seq, a, from, nf);
    this.#appended(ms, seq);
  }

  /**
   * {@link StreamData.append} of an entry given as ranges of `b`
   * (`field start, field length, value start, value length` per pair, see
   * `StreamNode.appendAt`): a snapshot's entries, read in place.
   */
  appendAt(ms: U64, seq: U64, b: Uint8Array, r: ArrayLike<number>, nf: number): void {
    let total = 0;
    for (let i = 0; i < 4 * nf; i += 2) total += r[i + 1]!;
    let tail = this.#tailFor(total);
    if (tail === undefined) {
      // A new node keeps its master field names: copies, not views of `b`.
      const a: Uint8Array[] = new Array(2 * nf);
      for (let i = 0; i < nf; i++) {
        a[2 * i] = b.slice(r[4 * i]!, r[4 * i]! + r[4 * i + 1]!);
        a[2 * i + 1] = b.subarray(r[4 * i + 2]!, r[4 * i + 2]! + r[4 * i + 3]!);
      }
      tail = new StreamNode(ms, seq, a, 0, nf);
      this.nodes.push(tail);
      tail.append(ms, seq, a, 0, nf);
    } else tail.appendAt(ms, seq, b, r, nf);
    this.#appended(ms, seq);
  }

  /** The tail node if an entry of `total` field and value bytes still goes there (Redis's rule). */
  #tailFor(total: number): StreamNode | undefined {
    const tail = this.nodes[this.nodes.length - 1];
    if (tail === undefined) return undefined;
    if (tail.lpBytes + total >= NODE_MAX_BYTES || tail.live + tail.dead >= NODE_MAX_ENTRIES) {
      tail.seal();
      return undefined;
    }
    return tail;
  }

  #appended(ms: U64, seq: U64): void {
    this.length++;
    this.entriesAdded = add(this.entriesAdded, 1);
    this.lastMs = ms;
    this.lastSeq = seq;
    if (this.length === 1) {
      this.firstMs = ms;
      this.firstSeq = seq;
    }
  }

  /** Index of the last node whose master id is <= `(ms, seq)`, or -1. */
  nodeAt(ms: U64, seq: U64): number {
    const ns = this.nodes;
    let lo = 0, hi = ns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = ns[mid]!;
      if (cmpId(n.ms0, n.seq0, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The live entry `(ms, seq)` as `[node index, entry index]`, or null. */
  find(ms: U64, seq: U64): [number, number] | null {
    const ni = this.nodeAt(ms, seq);
    const node = this.nodes[ni];
    if (node === undefined) return null;
    const i = node.lowerBound(ms, seq);
    if (i >= node.n || node.ms(i) !== ms || node.seq(i) !== seq || node.deleted(i)) return null;
    return [ni, i];
  }

  /** Whether the live entry `(ms, seq)` exists. */
  has(ms: U64, seq: U64): boolean {
    return this.find(ms, seq) !== null;
  }

  /**
   * Visits the live entries with `start <= id <= end`, ascending (or
   * descending when `rev`), until `visit` returns false.
   */
  scan(start: EntryId, end: EntryId, rev: boolean, visit: EntryVisitor): void {
    const ns = this.nodes;
    if (!rev) {
      for (let ni = Math.max(0, this.nodeAt(start.ms, start.seq)); ni < ns.length; ni++) {
        const node = ns[ni]!;
        for (let i = node.lowerBound(start.ms, start.seq); i < node.n; i++) {
          if (node.deleted(i)) continue;
          if (cmpId(node.ms(i), node.seq(i), end.ms, end.seq) > 0) return;
          if (!visit(node, i)) return;
        }
      }
      return;
    }
    for (let ni = this.nodeAt(end.ms, end.seq); ni >= 0; ni--) {
      const node = ns[ni]!;
      let i = node.lowerBound(end.ms, end.seq);
      if (i >= node.n || cmpId(node.ms(i), node.seq(i), end.ms, end.seq) > 0) i--;
      for (; i >= 0; i--) {
        if (node.deleted(i)) continue;
        if (cmpId(node.ms(i), node.seq(i), start.ms, start.seq) < 0) return;
        if (!visit(node, i)) return;
      }
    }
  }

  /** The first (or last) live id, or null when empty. */
  edge(first: boolean): EntryId | null {
    let out: EntryId | null = null;
    this.scan({ ms: 0, seq: 0 }, MAX_ID, !first, (n, i) => {
      out = { ms: n.ms(i), seq: n.seq(i) };
      return false;
    });
    return out;
  }

  /** The first id of the first node, a tombstone or not (Redis streamGetEdgeID(s,1,0)). */
  firstAny(): EntryId {
    const n = this.nodes[0];
    return n === undefined || n.n === 0 ? { ...MAX_ID } : { ms: n.ms(0), seq: n.seq(0) };
  }

  #refreshFirst(): void {
    const f = this.length === 0 ? null : this.edge(true);
    this.firstMs = f?.ms ?? 0;
    this.firstSeq = f?.seq ?? 0;
  }

  /** Deletes the live entry `(ms, seq)` (XDEL): its node goes when it was the last live one. */
  delete(ms: U64, seq: U64): boolean {
    const at = this.find(ms, seq);
    if (at === null) return false;
    const [ni, i] = at;
    const node = this.nodes[ni]!;
    if (node.live === 1) this.nodes.splice(ni, 1);
    else node.markDeleted(i);
    this.length--;
    if (cmpId(ms, seq, this.maxDelMs, this.maxDelSeq) > 0) {
      this.maxDelMs = ms;
      this.maxDelSeq = seq;
    }
    if (this.length === 0) {
      this.firstMs = 0;
      this.firstSeq = 0;
    } else if (ms === this.firstMs && seq === this.firstSeq) this.#refreshFirst();
    return true;
  }

  /** Trims like Redis streamTrim; returns the number of entries removed. */
  trim(t: TrimSpec): number {
    const ns = this.nodes;
    let deleted = 0, drop = 0;
    for (; drop < ns.length; drop++) {
      if (t.strategy === "maxlen" && this.length <= t.maxlen) break;
      const node = ns[drop]!;
      const entries = node.live;
      if (t.limit && deleted + entries > t.limit) break;
      const remove = t.strategy === "maxlen"
        ? this.length - entries >= t.maxlen
        : cmpId(node.ms(node.n - 1), node.seq(node.n - 1), t.minid.ms, t.minid.seq) < 0;
      if (remove) {
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (t.approx) break;
      for (let i = 0; i < node.n; i++) {
        const stop = t.strategy === "maxlen"
          ? this.length <= t.maxlen
          : cmpId(node.ms(i), node.seq(i), t.minid.ms, t.minid.seq) >= 0;
        if (stop) break;
        if (!node.deleted(i)) {
          node.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (drop > 0) ns.splice(0, drop);
    if (this.length === 0) {
      this.firstMs = 0;
      this.firstSeq = 0;
    } else if (deleted > 0) this.#refreshFirst();
    return deleted;
  }

  // --- consumer groups -------------------------------------------------------

  /** Number of consumer groups. */
  get groupCount(): number {
    return this.#groups?.size ?? 0;
  }

  /** The group called `name`. */
  group(name: Uint8Array): ConsumerGroup | undefined {
    return this.#groups?.get(toKey(name));
  }

  /** Creates a group; `null` if one of that name exists. */
  createGroup(name: Uint8Array, lastMs: U64, lastSeq: U64, entriesRead: U64): ConsumerGroup | null {
    const k = toKey(name);
    const gs = this.#groups ??= new Map();
    if (gs.has(k)) return null;
    const g = new ConsumerGroup(name.slice(), lastMs, lastSeq, entriesRead);
    gs.set(k, g);
    this.#sortedGroups = null;
    return g;
  }

  /** Adds a group object (loading); replaces one of the same name. */
  addGroup(g: ConsumerGroup): void {
    (this.#groups ??= new Map()).set(toKey(g.name), g);
    this.#sortedGroups = null;
  }

  /** Deletes a group; whether it existed. */
  destroyGroup(name: Uint8Array): boolean {
    const ok = this.#groups?.delete(toKey(name)) ?? false;
    if (ok) this.#sortedGroups = null;
    return ok;
  }

  /** Groups in name order. */
  groupList(): readonly ConsumerGroup[] {
    if (this.#groups === null) return [];
    if (this.#sortedGroups === null) {
      const gs = this.#groups;
      this.#sortedGroups = [...gs.keys()].sort().map((k) => gs.get(k)!);
    }
    return this.#sortedGroups;
  }

  /** Whether ids in `[startMs-startSeq, +]` may include a tombstone (streamRangeHasTombstones). */
  tombstonesFrom(startMs: U64, startSeq: U64): boolean {
    if (this.length === 0 || (this.maxDelMs === 0 && this.maxDelSeq === 0)) return false;
    if (cmpId(this.firstMs, this.firstSeq, this.maxDelMs, this.maxDelSeq) > 0) return false;
    return cmpId(startMs, startSeq, this.maxDelMs, this.maxDelSeq) <= 0;
  }

  /**
   * The logical read counter of id `ms-seq` (streamEstimateDistanceFromFirstEverEntry),
   * or -1 when it cannot be known.
   */
  estimateDistance(ms: U64, seq: U64): U64 {
    if (this.entriesAdded === 0) return 0;
    const cmpLast = cmpId(ms, seq, this.lastMs, this.lastSeq);
    if (this.length === 0 && cmpLast < 1) return this.entriesAdded;
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1;
    const cmpFirst = cmpId(ms, seq, this.firstMs, this.firstSeq);
    const noDel = this.maxDelMs === 0 && this.maxDelSeq === 0;
    if (noDel || cmpId(this.maxDelMs, this.maxDelSeq, this.firstMs, this.firstSeq) < 0) {
      if (cmpFirst < 0) return sub(this.entriesAdded, this.length);
      if (cmpFirst === 0) return sub(this.entriesAdded, this.length - 1);
    }
    return -1;
  }

  /** A group's lag (entries not yet delivered), or null when unknown (streamReplyWithCGLag). */
  lag(g: ConsumerGroup): U64 | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== -1 && !this.tombstonesFrom(g.lastMs, g.lastSeq)) {
      return sub(this.entriesAdded, g.entriesRead);
    }
    const er = this.estimateDistance(g.lastMs, g.lastSeq);
    return er === -1 ? null : sub(this.entriesAdded, er);
  }
}
