/**
 * Loading a Redis RDB file (`dump.rdb`, an AOF `.base.rdb`) into one `Store`
 * per database, with Redis's loading semantics: nothing expires while the
 * file is read; once it is read, keys whose deadline has passed are dropped
 * (Redis drops them as it loads a `dump.rdb`; the outcome is the same), unless
 * `keepExpired` is set. A key stored twice in one database is refused, as
 * Redis refuses it ("Duplicated key found in RDB file").
 *
 * @module
 */
import { CorruptFileError } from "../codec/errors.ts";
import { RedisRdbDecoder, type RedisRdbFunction, type RedisRdbStats } from "../codec/redis_rdb.ts";
import type { Entry } from "../codec/types.ts";
import { defaultFs } from "../fs/detect.ts";
import type { FsAdapter } from "../fs/types.ts";
import { indexOf } from "../store/_internals.ts";
import { Store } from "../store/store.ts";

/** Default read size when streaming an RDB file (1 MiB). */
export const REDIS_RDB_CHUNK_BYTES: number = 1 << 20;

/** Options of {@link loadRedisRdb}. */
export interface RedisRdbLoadOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock of the returned stores, unix ms (default `Date.now`); deadlines are judged by it after loading. */
  now?: () => number;
  /**
   * Keep keys whose deadline passed before the file was loaded (default
   * false: they are dropped and counted in `expired`). The stores still judge
   * deadlines by their clock when a key is read: pair this with a `now` set
   * before the deadlines to see such keys.
   */
  keepExpired?: boolean;
  /** Leave module values (and module aux data) out, counted, instead of refusing the file. */
  skipModules?: boolean;
  /** Check the CRC-64 (default true). */
  verifyChecksum?: boolean;
  /** Read size (default {@link REDIS_RDB_CHUNK_BYTES}). */
  chunkBytes?: number;
}

/** What {@link loadRedisRdb} returns. */
export interface RedisRdbLoad {
  /** RDB format version of the file (1-12). */
  version: number;
  /** `AUX` fields in file order: name (ASCII) and raw value. */
  aux: Array<[string, Uint8Array]>;
  /** Stored function libraries. */
  functions: RedisRdbFunction[];
  /** One store per database that holds keys, by database number. */
  dbs: Map<number, Store>;
  /** What the decoder read, plus `expired` (dropped after loading) and `loaded` (keys in the stores). */
  stats: RedisRdbStats & { expired: number; loaded: number };
}

const latin1 = (b: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** Records read before estimating the arena a database needs. */
const SAMPLE = 1024;
/** Most keys one RESIZEDB hint reserves for. */
const MAX_HINT_KEYS = 1 << 22;

/** Fills one store per database from decoder callbacks; shared by the file and buffer loaders. */
export class RdbStoreSink {
  readonly dbs = new Map<number, Store>();
  readonly aux: Array<[string, Uint8Array]> = [];
  readonly functions: RedisRdbFunction[] = [];
  #frozen = true;
  readonly #now: () => number;
  readonly #path: string;
  #store: Store | null = null;
  #storeDb = -1;
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

  readonly onFunction = (f: RedisRdbFunction): void => {
    this.functions.push(f);
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
    s.put(e);
    if (ix.live === before) this.#dup(e.key, info.db, info.offset);
    this.#sample(s, info.offset, e.key.length);
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
      if (after === 0) this.dbs.delete(db);
    }
    return { expired, loaded };
  }
}

/**
 * Loads a Redis RDB file: its version, aux fields, functions and one `Store`
 * per database. Rejects with `CorruptFileError` (path, offset, expected),
 * `RedisRdbVersionError` or `RedisRdbModuleError`; a missing file is an
 * ENOENT error naming it.
 *
 * @example
 * ```ts
 * import { loadRedisRdb } from "./rdb_load.ts";
 * import { CrashFs } from "../fs/crash.ts";
 * const fs = new CrashFs();
 * // REDIS0010, SELECTDB 0, "k" = "v", EOF, checksum disabled
 * const bytes = new Uint8Array([...new TextEncoder().encode("REDIS0010"), 0xfe, 0, 0, 1, 0x6b, 1, 0x76, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
 * fs.writeFileDurable("/dump.rdb", bytes);
 * const { version, dbs } = await loadRedisRdb("/dump.rdb", { fs });
 * version; // 10
 * dbs.get(0)!.dbsize(); // 1
 * ```
 */
export async function loadRedisRdb(
  path: string,
  opts: RedisRdbLoadOptions = {},
): Promise<RedisRdbLoad> {
  const fs = opts.fs ?? defaultFs();
  const chunk = opts.chunkBytes ?? REDIS_RDB_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunk}`);
  }
  const st = await fs.stat(path);
  if (st === null || !st.isFile) {
    throw Object.assign(new Error(`${path}: RDB file not found`), { code: "ENOENT" });
  }
  const sink = new RdbStoreSink(opts.now ?? Date.now, path);
  sink.bytesLeft = (offset) => st.size - offset;
  const dec = new RedisRdbDecoder({
    path,
    totalSize: st.size,
    onEntry: sink.onEntry,
    onString: sink.onString,
    onAux: sink.onAux,
    onFunction: sink.onFunction,
    onDb: sink.onDb,
    ...(opts.skipModules === undefined ? {} : { skipModules: opts.skipModules }),
    ...(opts.verifyChecksum === undefined ? {} : { verifyChecksum: opts.verifyChecksum }),
  });
  for await (const c of fs.readChunks(path, chunk)) {
    dec.push(c);
    if (dec.done) break;
  }
  const stats = dec.finish();
  const end = sink.finish(opts.keepExpired === true);
  return {
    version: stats.version,
    aux: sink.aux,
    functions: sink.functions,
    dbs: sink.dbs,
    stats: { ...stats, ...end, trailingBytes: st.size - stats.rdbBytes },
  };
}
