// Private: a point-in-time copy of the store's records for the snapshot
// encoder and the AOF rewrite. String records stay byte ranges of the
// (append-only, so frozen) arena; collections are copied now, because they
// are mutated in place later: a compact hash as its pair bytes (frozen: the
// hash copies them before its next write, so nothing is copied now), Map
// hashes and sets as arrays of their binary-string members (no per-member
// objects), the rest (hashes with field TTLs included) in the neutral layout. Cost: a few typed-array copies,
// no per-key objects for strings.
import type { RecordCursor } from "../codec/snapshot_writer.ts";
import type { Entry, ValueType } from "../codec/types.ts";
import { HOLE, type KeyIndex, STR } from "./_index.ts";
import { toNeutral } from "./_neutral.ts";
import { streamRecord } from "./_stream_neutral.ts";
import { StreamData } from "./stream.ts";
import type { StreamRecord } from "../codec/stream_record.ts";
import { HashValue, SetValue } from "./values.ts";
import { hashInternals } from "./_hash_value.ts";

const EMPTY = new Uint8Array(0);

/** A compact hash: its frozen pair bytes (snapshot payload layout) and pair count. */
class Compact {
  readonly bytes: Uint8Array;
  readonly count: number;
  constructor(bytes: Uint8Array, count: number) {
    this.bytes = bytes;
    this.count = count;
  }
}

/** A stream frozen for the encoder. */
class Streamed {
  readonly record: StreamRecord;
  constructor(record: StreamRecord) {
    this.record = record;
  }
}

/** A hash (values set) or set (values null) copied as arrays. */
class Flat {
  readonly members: string[];
  readonly values: Uint8Array[] | null;
  constructor(members: string[], values: Uint8Array[] | null) {
    this.members = members;
    this.values = values;
  }
}

function captureHash(h: HashValue): Flat | Compact {
  const b = hashInternals.compact(h); // frozen: the hash copies before its next write
  return b === null ? flatHash(h) : new Compact(b, h.size);
}

function flatHash(h: HashValue): Flat {
  const n = h.map.size;
  const m = new Array<string>(n), v = new Array<Uint8Array>(n);
  let i = 0;
  for (const [f, x] of h.map) {
    m[i] = f;
    v[i++] = x;
  }
  return new Flat(m, v);
}

const TYPE_BIT: Record<ValueType, number> = {
  string: 1,
  hash: 2,
  list: 4,
  set: 8,
  zset: 16,
  stream: 32,
};

class Captured implements RecordCursor {
  entry: Entry | null = null;
  members: readonly string[] | null = null;
  values: readonly Uint8Array[] | null = null;
  hbuf: Uint8Array | null = null;
  hcount = 0;
  stream: StreamRecord | null = null;
  deadline: number | null = null;
  kbuf: Uint8Array;
  koff = 0;
  klen = 0;
  vbuf: Uint8Array = EMPTY;
  voff = 0;
  vlen = 0;
  #i = -1;
  readonly #n: number;
  readonly #kind: Uint8Array;
  readonly #koff: Uint32Array;
  readonly #klen: Uint32Array;
  readonly #voff: Uint32Array;
  readonly #vlen: Uint32Array;
  readonly #dl: Float64Array | null;
  readonly #objs: Array<Entry | Flat | Compact | Streamed | Uint8Array | undefined> | null;
  #types = 0;

  constructor(ix: KeyIndex) {
    const n = ix.n;
    this.#n = n;
    this.kbuf = ix.arena;
    this.#kind = ix.kind.slice(0, n);
    this.#koff = ix.koff.slice(0, n);
    this.#klen = ix.klen.slice(0, n);
    this.#voff = ix.voff.slice(0, n);
    this.#vlen = ix.vlen.slice(0, n);
    this.#dl = ix.ttlCount === 0 || ix.dl === null ? null : ix.dl.slice(0, n);
    const objs = ix.objs;
    let types = 0;
    if (objs === null) this.#objs = null;
    else {
      const out = this.#objs = new Array<
        Entry | Flat | Compact | Streamed | Uint8Array | undefined
      >(n);
      for (let i = 0; i < n; i++) {
        const k = this.#kind[i]!;
        if (k === HOLE) continue;
        if (k === STR) {
          types |= 1;
          continue;
        }
        const v = objs[i];
        if (v instanceof Uint8Array) {
          out[i] = v;
          types |= 1;
        } else if (v instanceof HashValue && !v.hasFieldTtls) {
          out[i] = captureHash(v);
          types |= 2;
        } else if (v instanceof SetValue) {
          out[i] = new Flat(Array.from(v.rawMembers()), null);
          types |= 8;
        } else if (v instanceof StreamData) {
          out[i] = new Streamed(streamRecord(v));
          types |= 32;
        } else {
          const d = this.#dl === null ? NaN : this.#dl[i]!;
          const e: Entry = { key: ix.key(i), value: toNeutral(v), deadline: d === d ? d : null };
          out[i] = e;
          types |= TYPE_BIT[e.value.type];
        }
      }
    }
    this.#types = objs === null && ix.live > 0 ? 1 : types;
  }

  has(type: ValueType): boolean {
    return (this.#types & TYPE_BIT[type]) !== 0;
  }

  next(): boolean {
    const kind = this.#kind;
    let i = this.#i + 1;
    while (i < this.#n && kind[i] === HOLE) i++;
    this.#i = i;
    if (i >= this.#n) return false;
    const dl = this.#dl;
    const d = dl === null ? NaN : dl[i]!;
    this.deadline = d === d ? d : null;
    this.koff = this.#koff[i]!;
    this.klen = this.#klen[i]!;
    this.hbuf = null;
    this.stream = null;
    if (kind[i] === STR) {
      this.entry = null;
      this.members = null;
      this.vbuf = this.kbuf;
      this.voff = this.#voff[i]!;
      this.vlen = this.#vlen[i]!;
      return true;
    }
    const o = this.#objs![i]!;
    if (o instanceof Uint8Array) {
      this.entry = null;
      this.members = null;
      this.vbuf = o;
      this.voff = 0;
      this.vlen = o.length;
    } else if (o instanceof Compact) {
      this.entry = null;
      this.members = null;
      this.hbuf = o.bytes;
      this.hcount = o.count;
    } else if (o instanceof Flat) {
      this.entry = null;
      this.members = o.members;
      this.values = o.values;
    } else if (o instanceof Streamed) {
      this.entry = null;
      this.members = null;
      this.stream = o.record;
    } else {
      this.entry = o;
      this.members = null;
    }
    return true;
  }
}

/** The live records of `ix` now (expired ones must have been removed). */
export function captureRecords(ix: KeyIndex): RecordCursor {
  return new Captured(ix);
}
