// Private: fills one Store per database from RedisRdbDecoder callbacks
// (string records straight into the index, no objects), frozen while loading,
// refusing a key stored twice in one database; shared by loadRedisRdb and the
// AOF replay of an RDB base.
import { CorruptFileError } from "../codec/errors.ts";
import type { RedisRdbFunction } from "../codec/redis_rdb.ts";
import type { Entry } from "../codec/types.ts";
import { indexOf } from "../store/internals.ts";
import { CommandApplier } from "../store/apply.ts";
import { Store } from "../store/store.ts";
import type { RdbPayload } from "../codec/redis_rdb.ts";
import { putEntry, putPayload, Slabs } from "../store/loader.ts";

/**
 * Loads a function library into `store.libraries` as `FUNCTION LOAD` does
 * (name from its `#!engine name=...` line); a library FUNCTION LOAD refuses,
 * or one stored twice, is a `CorruptFileError` at `offset` (Redis refuses
 * the file).
 */
export function loadLibrary(store: Store, code: Uint8Array, path: string, offset: number): void {
  const r = new CommandApplier(store).apply([FUNCTION, LOAD, code]);
  if (r.ok) return;
  throw new CorruptFileError({
    path,
    offset,
    expected: `a function library FUNCTION LOAD accepts (${r.error})`,
    bytes: code.subarray(0, 16),
  });
}
const FUNCTION = new TextEncoder().encode("FUNCTION");
const LOAD = new TextEncoder().encode("LOAD");

const latin1 = (b: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** Records read before estimating the arena a database needs. */
const SAMPLE = 1024;
/** Most keys one RESIZEDB hint reserves for. */
const MAX_HINT_KEYS = 1 << 22;

export class RdbStoreSink {
  readonly dbs = new Map<number, Store>();
  readonly aux: Array<[string, Uint8Array]> = [];
  readonly functions: RedisRdbFunction[] = [];
  #frozen = true;
  readonly #now: () => number;
  readonly #path: string;
  #store: Store | null = null;
  #storeDb = -1;
  readonly #slabs = new Slabs();
  // Arena estimate for the current database (from RESIZEDB and the first records).
  #hintKeys = 0;
  #sampled = 0;
  #sampleBytes = 0;
  #firstOffset = 0;
  /** Bytes left in the input when known (bounds the hints). */
  bytesLeft: (offset: number) => number = () => Infinity;

  constructor(now: () => number, path: string) {
    this.#now = now;
    this.#path = path;
  }

  /** The store of `db`, created on first use with a clock frozen while loading. */
  store(db: number): Store {
    if (db === this.#storeDb) return this.#store!;
    let s = this.dbs.get(db);
    if (s === undefined) {
      const clock = this.#now;
      s = new Store({ now: () => (this.#frozen ? -Infinity : clock()) });
      this.dbs.set(db, s);
    }
    this.#store = s;
    this.#storeDb = db;
    return s;
  }

  readonly onDb = (_db: number, hint: { keys: number; expires: number } | null): void => {
    this.#hintKeys = hint === null ? 0 : hint.keys;
    this.#sampled = 0;
    this.#sampleBytes = 0;
  };

  readonly onAux = (k: Uint8Array, v: Uint8Array): void => {
    this.aux.push([latin1(k), v]);
  };

  /** A library: kept in `functions`, and (FUNCTION2) in database 0's `libraries` as FUNCTION LOAD does. */
  readonly onFunction = (f: RedisRdbFunction, offset: number): void => {
    this.functions.push(f);
    // 7.0-rc records hold a bare body FUNCTION LOAD cannot take (Redis 7.0 GA refuses them too).
    if (f.legacy === undefined) loadLibrary(this.store(0), f.code, this.#path, offset);
  };

  #dup(key: Uint8Array, db: number, offset: number): never {
    throw new CorruptFileError({
      path: this.#path,
      offset,
      expected: `each key once per database (key ${
        JSON.stringify(latin1(key.subarray(0, 64)))
      } is stored twice in db ${db})`,
    });
  }

  // After the first SAMPLE keys of a database: reserve index and arena for
  // the rest of its RESIZEDB count, bounded by what the bytes left can hold
  // at the sampled bytes per record (a damaged hint cannot over-allocate).
  #sample(store: Store, offset: number, bytes: number): void {
    const n = ++this.#sampled;
    if (n > SAMPLE) return;
    if (n === 1) this.#firstOffset = offset;
    this.#sampleBytes += bytes;
    if (n < SAMPLE || this.#hintKeys <= SAMPLE) return;
    const perRecord = (offset - this.#firstOffset) / (SAMPLE - 1);
    const left = this.bytesLeft(offset);
    if (!(perRecord > 0) || !(left > 0) || !Number.isFinite(left)) return;
    const keys = Math.min(
      MAX_HINT_KEYS,
      this.#hintKeys - SAMPLE,
      Math.ceil((left / perRecord) * 1.05),
    );
    const arena = Math.min(left, Math.ceil((this.#sampleBytes / SAMPLE) * keys * 1.05));
    indexOf(store).reserve(keys, arena);
  }

  readonly onString = (
    db: number,
    kb: Uint8Array,
    ko: number,
    kl: number,
    vb: Uint8Array,
    vo: number,
    vl: number,
    deadline: number | null,
    offset: number,
  ): void => {
    const s = this.store(db);
    const ix = indexOf(s);
    const before = ix.live;
    s.putString(kb, ko, kl, vb, vo, vl, deadline);
    if (ix.live === before) this.#dup(kb.subarray(ko, ko + kl), db, offset);
    this.#sample(s, offset, kl + vl);
  };

  readonly onEntry = (e: Entry, info: { db: number; offset: number }): void => {
    const s = this.store(info.db);
    const ix = indexOf(s);
    const before = ix.live;
    putEntry(s, e, this.#slabs);
    if (ix.live === before) this.#dup(e.key, info.db, info.offset);
    this.#sample(s, info.offset, e.key.length);
  };

  /** A hash, list, set or zset as its payload (the decoder refused duplicate fields/members, as Redis does). */
  readonly onPayload = (
    db: number,
    p: RdbPayload,
    deadline: number | null,
    offset: number,
  ): void => {
    const s = this.store(db);
    const ix = indexOf(s);
    const before = ix.live;
    putPayload(s, p, this.#slabs, true, deadline);
    if (ix.live === before) this.#dup(p.key.subarray(p.keyOff, p.keyOff + p.keyLen), db, offset);
    this.#sample(s, offset, p.keyLen);
  };

  /** Ends loading: unfreezes the clocks; drops expired keys unless `keep`; returns how many. */
  finish(keep: boolean): { expired: number; loaded: number } {
    this.#frozen = false;
    let expired = 0;
    let loaded = 0;
    for (const [db, s] of [...this.dbs]) {
      const before = indexOf(s).live;
      const after = keep ? before : s.dbsize();
      expired += before - after;
      loaded += after;
      if (after === 0 && s.libraries.size === 0) this.dbs.delete(db);
    }
    return { expired, loaded };
  }
}
