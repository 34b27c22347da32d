// Private: bulk-load sinks that fill a Store from a snapshot decoder and
// pre-size its index. Growing a 1M-key table by doubling rehashes every key
// about twice and copies the arena as often; here the first SAMPLE records
// give the average record size, and the rest of the input (its total size is
// known) is reserved for at once: keys capped at MAX_HINT_KEYS, arena bytes
// at MAX_HINT_BYTES and at the bytes left (string bytes cannot exceed them).
//
// Hash records arrive as raw payload bytes: a small one (within the compact
// limits) becomes a compact HashValue over ONE copy of its payload, taken
// into shared slabs (no per-field objects, no per-hash buffer).
import type { RdbPayload } from "../codec/redis_rdb.ts";
import {
  type HashRecordSink,
  type HashRunSink,
  type StreamRecordSink,
  STRING_RUN,
  type StringRecordSink,
  type StringRunSink,
} from "../codec/snapshot_types.ts";
import type { FieldTtlOutcome, FieldTtlTable } from "../codec/field_ttls.ts";
import type { Entry } from "../codec/types.ts";
import { expiryOf, indexOf } from "./internals.ts";
import { hashBytes, INLINE_MAX } from "./_index.ts";
import { insertFresh } from "./_load_fresh.ts";
import { hashInternals, type HashValue } from "./_hash_value.ts";
import { COMPACT_MAX_BYTES, COMPACT_MAX_FIELDS, rd32 } from "./_listpack.ts";
import { toKey } from "./_keys.ts";
import { Slabs } from "./_slabs.ts";

export { Slabs };
import { fromNeutral } from "./_neutral.ts";
import { LIST_COMPACT_BYTES, listInternals, type ListValue } from "./_list_value.ts";
import { setInternals, type SetValue } from "./_set_value.ts";
import { type SortedSet, zsetInternals } from "./_sorted_set.ts";
import { ZSET_COMPACT_BYTES, ZSET_COMPACT_ENTRIES } from "./_zset_compact.ts";
import type { Store } from "./store.ts";
import { streamFromRecord } from "./_stream_record.ts";

/**
 * A HashValue from a validated hash payload `b[off, off + len)` of `n` pairs
 * (longest element `maxLen`): compact over a copy when within the limits
 * (over `b` itself when `own`: the bytes are the value's to keep), else a
 * Map whose values are views of `b` (private to the decoder). `unique`: the
 * caller checked that no field appears twice.
 */
function hashFromPayload(
  slabs: Slabs,
  b: Uint8Array,
  off: number,
  len: number,
  n: number,
  maxLen: number,
  own = false,
  unique = false,
): HashValue {
  if (n <= COMPACT_MAX_FIELDS && maxLen <= COMPACT_MAX_BYTES) {
    if (own && unique) return hashInternals.adoptAt(b, off, off + len, n);
    const bytes = own ? b.subarray(off, off + len) : slabs.copy(b, off, len);
    return hashInternals.adopt(bytes, n, true, unique);
  }
  const m = new Map<string, Uint8Array>();
  const end = off + len;
  let p = off;
  while (p < end) {
    const v = p + 4 + rd32(b, p);
    const e = v + 4 + rd32(b, v);
    m.set(toKey(b.subarray(p + 4, v)), b.subarray(v + 4, e));
    p = e;
  }
  return hashInternals.adoptMap(m);
}

/** A list, set or sorted set from its validated payload (see StoreLoader.onColl). */
function collFromPayload(
  slabs: Slabs,
  op: number,
  b: Uint8Array,
  p: number,
  pl: number,
  n: number,
  maxLen: number,
  own: boolean,
  unique: boolean,
): ListValue | SetValue | SortedSet {
  // Bytes of their own and no duplicates: adopted where they are, without a view.
  const at = own && unique;
  if (op === 3) {
    if (pl <= LIST_COMPACT_BYTES) {
      if (own) return listInternals.adoptAt(b, p, p + pl, n);
      return listInternals.adopt(slabs.copy(b, p, pl), n, true);
    }
    return listInternals.adopt(own ? b.subarray(p, p + pl) : b.slice(p, p + pl), n, false);
  }
  if (op === 4) {
    if (at) return setInternals.adoptAt(b, p, p + pl, n);
    return setInternals.adopt(b.subarray(p, p + pl), n, own ? null : slabs.alloc, unique);
  }
  if (n <= ZSET_COMPACT_ENTRIES && maxLen <= ZSET_COMPACT_BYTES) {
    if (at) return zsetInternals.adoptAt(b, p, p + pl, n);
    const bytes = own ? b.subarray(p, p + pl) : slabs.copy(b, p, pl);
    return zsetInternals.adopt(bytes, n, true, unique);
  }
  return zsetInternals.adopt(b.subarray(p, p + pl), n, false, unique);
}

/**
 * A hash (op 2), list (3), set (4) or zset (5) read as one payload: its key
 * `key[keyOff, keyOff + keyLen)` and `count` elements in `buf[start, end)`
 * (the kevy snapshot payload layout), longest `maxLen`; `own`: those bytes
 * are the receiver's to keep (nothing writes them again).
 */
export type BulkPayload = RdbPayload; // one shape: the RDB reader hands it over as is

/**
 * `store.put` of the value of a validated payload `p` (see
 * {@link BulkPayload}), compact when within the limits (small copies into
 * `slabs` unless `p.own`); `unique`: the caller checked that no field or
 * member appears twice.
 */
export function putPayload(
  store: Store,
  p: BulkPayload,
  slabs: Slabs,
  unique: boolean,
  deadline: number | null,
): void {
  const pl = p.end - p.start;
  const v = p.op === 2
    ? hashFromPayload(slabs, p.buf, p.start, pl, p.count, p.maxLen, p.own, unique)
    : collFromPayload(slabs, p.op, p.buf, p.start, pl, p.count, p.maxLen, p.own, unique);
  putObj(store, p.key, p.keyOff, p.keyLen, v, deadline);
}

/** `store.put` of a container under the key bytes `b[k, k + kl)` (same semantics). */
function putObj(
  store: Store,
  b: Uint8Array,
  k: number,
  kl: number,
  h: unknown,
  deadline: number | null,
): void {
  const ix = indexOf(store);
  const hh = hashBytes(b, k, kl);
  let ei = ix.find(b, k, kl, hh);
  if (deadline !== null && expiryOf(store).past(deadline)) {
    if (ei >= 0) ix.remove(ei);
    return;
  }
  if (ei >= 0) ix.clearDeadline(ei);
  else {
    ei = ix.insert(b, k, kl, hh);
    if (ix.access !== null) ix.acc![ei] = ix.access.initial();
  }
  ix.setObj(ei, h);
  if (deadline !== null) ix.setDeadline(ei, deadline);
}

/**
 * `store.put(e)`, with small lists, sets and sorted sets built compact in
 * `slabs` (one shared copy, no per-element objects).
 */
export function putEntry(store: Store, e: Entry, slabs: Slabs): void {
  const kv = e.value;
  if (kv.type !== "zset" && kv.type !== "list" && kv.type !== "set") {
    store.put(e);
    return;
  }
  putObj(store, e.key, 0, e.key.length, fromNeutral(kv, slabs.alloc), e.deadline);
}

/**
 * Applies a snapshot's field TTLs to the loaded `store` (after every entry,
 * so record order cannot lose one): through `getEntry`/`put` with
 * `fieldDeadlines`; due fields are removed, a hash left empty is deleted.
 */
export function applyFieldTtls(store: Store, table: FieldTtlTable, now: number): FieldTtlOutcome {
  const out: FieldTtlOutcome = { applied: 0, expiredFields: 0, emptiedKeys: 0, orphans: 0 };
  for (const { key } of table.byKey()) {
    const e = store.getEntry(key);
    const one: Entry[] = e === null ? [] : [e];
    const r = table.applyToEntries(one, now, key);
    out.applied += r.applied;
    out.expiredFields += r.expiredFields;
    out.emptiedKeys += r.emptiedKeys;
    out.orphans += r.orphans;
    if (e === null || r.applied + r.expiredFields === 0) continue;
    if (one.length === 0) store.delete(key);
    else store.put(e);
  }
  return out;
}

/** Records read before estimating. */
export const SAMPLE = 1024;
/** Most entries one hint reserves. */
export const MAX_HINT_KEYS = 1 << 22;
/** Most arena bytes one hint reserves. */
const MAX_HINT_BYTES = 1 << 30;
/** Estimates are padded by this factor. */
const PAD = 1.05;

export class StoreLoader {
  /** Records put. */
  count = 0;
  /** Records put whose deadline had already passed (they expire once loading is over). */
  past = 0;
  readonly #store: Store;
  readonly #total: number;
  #first = -1;
  #bytes = 0;
  readonly #slabs = new Slabs();
  readonly #now: number;
  /** Key hashes of a string run. */
  readonly #hashes = new Int32Array(STRING_RUN);
  /** What the slot reads of the last run gave (kept so that they are not optimised away). */
  touched = 0;

  /** Loads into `store`; `totalSize` is the input's size (Infinity: no hint). */
  constructor(store: Store, totalSize: number) {
    this.#store = store;
    this.#total = totalSize;
    this.#now = store.now();
  }

  /** Records put that are live by the store's clock at the start of the load. */
  get live(): number {
    return this.count - this.past;
  }

  /** A string record as byte ranges. */
  readonly onString: StringRecordSink = (b, k, kl, v, vl, d, offset) => {
    this.#store.putString(b, k, kl, b, v, vl, d);
    if (d !== null && d <= this.#now) this.past++;
    if (++this.count <= SAMPLE) this.#sample(offset, kl + (vl <= INLINE_MAX ? vl : 0));
  };

  /**
   * A run of string records: the keys are hashed and their slots read first
   * (independent loads whose cache misses overlap; inserting one by one waits
   * for each in turn), then each record is put as {@link onString} would: a
   * new key without a past deadline is inserted right away, anything else
   * goes through `putString`.
   */
  readonly onRun: StringRunSink = (b, run) => {
    const n = run.n, ko = run.key, kl = run.keyLen, vo = run.value, vl = run.valueLen;
    const dl = run.deadline;
    const ix = indexOf(this.#store), hs = this.#hashes;
    for (let i = 0; i < n; i++) hs[i] = hashBytes(b, ko[i]!, kl[i]!);
    const slots = ix.slots, mask = ix.mask;
    let t = 0;
    for (let i = 0; i < n; i++) t |= slots[2 * (hs[i]! & mask)]!;
    this.touched = t;
    const ex = expiryOf(this.#store);
    const plain = ix.access === null && ix.hooks === null;
    for (let i = 0; i < n; i++) {
      const k = ko[i]!, klen = kl[i]!, v = vo[i]!, vlen = vl[i]!, dd = dl[i]!;
      const d = dd === dd ? dd : null;
      if (
        !(plain && vlen <= INLINE_MAX && (d === null || !ex.past(d)) &&
          insertFresh(ix, b, k, klen, hs[i]!, v, vlen, d))
      ) {
        this.#store.putString(b, k, klen, b, v, vlen, d);
      }
      if (d !== null && d <= this.#now) this.past++;
      if (++this.count <= SAMPLE) {
        this.#sample(run.offset[i]!, klen + (vlen <= INLINE_MAX ? vlen : 0));
      }
    }
  };

  /** A hash record as its raw payload. */
  readonly onHash: HashRecordSink = (b, k, kl, p, pl, n, maxLen, d, offset) => {
    putObj(this.#store, b, k, kl, hashFromPayload(this.#slabs, b, p, pl, n, maxLen), d);
    if (d !== null && d <= this.#now) this.past++;
    if (++this.count <= SAMPLE) this.#sample(offset, kl);
  };

  /**
   * A run of hash records: when every one is within the compact limits, the
   * run's bytes are copied in one go and each hash adopts the view of its
   * payload in that copy (the keys and record heads between ride along: ~8 %
   * of a 10-field hash); otherwise each record is put as {@link onHash} does.
   */
  readonly onHashRun: HashRunSink = (b, run) => {
    const n = run.n, count = run.count, maxLen = run.maxLen;
    const key = run.key, keyLen = run.keyLen, pay = run.payload, payLen = run.payloadLen;
    const dl = run.deadline, offset = run.offset;
    let compact = true;
    for (let i = 0; i < n && compact; i++) {
      compact = count[i]! <= COMPACT_MAX_FIELDS && maxLen[i]! <= COMPACT_MAX_BYTES;
    }
    if (!compact) {
      for (let i = 0; i < n; i++) {
        const dd = dl[i]!;
        this.onHash(
          b,
          key[i]!,
          keyLen[i]!,
          pay[i]!,
          payLen[i]!,
          count[i]!,
          maxLen[i]!,
          dd === dd ? dd : null,
          offset[i]!,
        );
      }
      return;
    }
    const from = run.from;
    const copy = b.slice(from, run.to);
    for (let i = 0; i < n; i++) {
      const p = pay[i]! - from, dd = dl[i]!;
      const d = dd === dd ? dd : null;
      const h = hashInternals.adopt(copy.subarray(p, p + payLen[i]!), count[i]!, true);
      putObj(this.#store, b, key[i]!, keyLen[i]!, h, d);
      if (d !== null && d <= this.#now) this.past++;
      if (++this.count <= SAMPLE) this.#sample(offset[i]!, keyLen[i]!);
    }
  };

  /** A stream record, its entries read in place. */
  readonly onStream: StreamRecordSink = (b, k, kl, head, start, count, d, offset) => {
    putObj(this.#store, b, k, kl, streamFromRecord(b, start, count, head), d);
    if (d !== null && d <= this.#now) this.past++;
    if (++this.count <= SAMPLE) this.#sample(offset, kl);
  };

  /**
   * A list (op 3), set (4) or zset (5) as its payload `b[p, p + pl)` of `n`
   * elements, longest `maxLen`, without duplicate members when `unique`;
   * `own`: `b` is the caller's to give away (a big value keeps views of it).
   */
  onColl(
    op: number,
    b: Uint8Array,
    k: number,
    kl: number,
    p: number,
    pl: number,
    n: number,
    maxLen: number,
    own: boolean,
    unique: boolean,
    d: number | null,
    offset: number,
  ): void {
    putObj(
      this.#store,
      b,
      k,
      kl,
      collFromPayload(this.#slabs, op, b, p, pl, n, maxLen, own, unique),
      d,
    );
    if (d !== null && d <= this.#now) this.past++;
    if (++this.count <= SAMPLE) this.#sample(offset, kl);
  }

  /** Any other record. */
  put(e: Entry, offset: number): void {
    putEntry(this.#store, e, this.#slabs);
    if (e.deadline !== null && e.deadline <= this.#now) this.past++;
    if (++this.count <= SAMPLE) this.#sample(offset, e.key.length);
  }

  #sample(offset: number, bytes: number): void {
    if (this.#first < 0) this.#first = offset;
    if (this.count < SAMPLE) {
      this.#bytes += bytes;
      return;
    }
    // Offsets of records 1 and SAMPLE span the first SAMPLE - 1 records.
    const span = offset - this.#first;
    const left = this.#total - offset;
    if (!(span > 0 && left > 0 && Number.isFinite(left))) return;
    const keys = Math.min(MAX_HINT_KEYS, Math.ceil((left / span) * (SAMPLE - 1) * PAD));
    const arena = Math.min(left, MAX_HINT_BYTES, Math.ceil((left / span) * this.#bytes * PAD));
    indexOf(this.#store).reserve(keys, arena);
  }
}
