// Private: a point-in-time view of the store's records for the snapshot
// encoder and the AOF rewrite, taken in O(1) whatever the store's size: the
// view registers a write hook on the index and walks the entries that
// existed when it was taken (leaving out those expired at the call); an entry the walk has not reached yet is saved
// as it was right before its first change (copy-on-write per key). While a
// view is live the index keeps entry numbers (no rebuild compacts holes
// away), so an entry number means the same key for the whole walk.
//
// String records are immutable arena bytes (the arena is append-only;
// growth and compaction copy into a fresh buffer), so saving one keeps a
// buffer and two numbers. A collection is copied when saved, or when the
// walk reaches it unchanged: a compact hash as its pair bytes (frozen: the
// hash copies them before its next write), Map hashes and sets as arrays of
// their binary-string members, the rest (hashes with field TTLs included)
// in the neutral layout. Containers are only changed through the index or
// after `Store.lookup` / a field-expiry sweep, which tell the hook first.
import type { RecordCursor } from "../codec/snapshot_writer.ts";
import type { Entry, ValueType } from "../codec/types.ts";
import { HOLE, STR, TYPE_BITS, type WriteHook } from "./_entry.ts";
import type { KeyIndex } from "./_index.ts";
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

type Copy = Entry | Flat | Compact | Streamed | Uint8Array;

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

/** A copy of an object value that later writes cannot change. */
function copyObj(v: unknown, key: Uint8Array, deadline: number): Copy {
  if (v instanceof Uint8Array) return v; // big strings are never mutated in place
  if (v instanceof HashValue && !v.hasFieldTtls) {
    const b = hashInternals.compact(v); // frozen: the hash copies before its next write
    return b === null ? flatHash(v) : new Compact(b, v.size);
  }
  if (v instanceof SetValue) return new Flat(Array.from(v.rawMembers()), null);
  if (v instanceof StreamData) return new Streamed(streamRecord(v));
  return { key, value: toNeutral(v), deadline: deadline === deadline ? deadline : null };
}

/** The columns a view reads: the live index's, or the ones it dropped (clear). */
interface Columns {
  readonly kind: Uint8Array;
  readonly koff: Uint32Array;
  readonly klen: Uint32Array;
  readonly voff: Uint32Array;
  readonly vlen: Uint32Array;
  readonly dl: Float64Array | null;
  readonly objs: unknown[] | null;
  readonly arena: Uint8Array;
}

/** An entry as it was before its first change: key, deadline, string bytes or a copied object. */
class Saved {
  readonly kbuf: Uint8Array;
  readonly koff: number;
  readonly klen: number;
  readonly deadline: number;
  readonly vbuf: Uint8Array;
  readonly voff: number;
  readonly vlen: number;
  readonly obj: Copy | null;
  constructor(c: Columns, ei: number) {
    this.kbuf = c.arena;
    this.koff = c.koff[ei]!;
    this.klen = c.klen[ei]!;
    this.deadline = c.dl === null ? NaN : c.dl[ei]!;
    this.vbuf = c.arena;
    this.voff = c.voff[ei]!;
    this.vlen = c.vlen[ei]!;
    this.obj = c.kind[ei] === STR ? null : copyObj(
      c.objs![ei],
      c.arena.subarray(this.koff, this.koff + this.klen),
      this.deadline,
    );
  }
}

function addHook(ix: KeyIndex, h: WriteHook): void {
  (ix.hooks ??= []).push(h);
}

function removeHook(ix: KeyIndex, h: WriteHook): void {
  const hs = ix.hooks;
  if (hs === null) return;
  const i = hs.indexOf(h);
  if (i >= 0) hs.splice(i, 1);
  if (hs.length === 0) ix.hooks = null;
}

/** The index's hook for a view; lets go of it once nobody holds the view (never read to the end). */
class HookRef implements WriteHook {
  readonly #ref: WeakRef<Captured>;
  readonly #ix: KeyIndex;
  constructor(c: Captured, ix: KeyIndex) {
    this.#ref = new WeakRef(c);
    this.#ix = ix;
  }
  pre(ei: number): void {
    const c = this.#ref.deref();
    if (c === undefined) removeHook(this.#ix, this);
    else c.pre(ei);
  }
  detach(): void {
    this.#ref.deref()?.detach();
  }
}

class Captured implements RecordCursor {
  entry: Entry | null = null;
  members: readonly string[] | null = null;
  values: readonly Uint8Array[] | null = null;
  hbuf: Uint8Array | null = null;
  hcount = 0;
  stream: StreamRecord | null = null;
  deadline: number | null = null;
  kbuf: Uint8Array = EMPTY;
  koff = 0;
  klen = 0;
  vbuf: Uint8Array = EMPTY;
  voff = 0;
  vlen = 0;
  /** The index while attached; null once done or detached. */
  #ix: KeyIndex | null;
  #src: Columns;
  /** Next entry to hand out; the ones below it were. */
  #pos = 0;
  /** Entries at the time of the view; later ones are not part of it. */
  readonly #end: number;
  /** One bit per entry saved before its first change (allocated at the first). */
  #bits: Uint32Array | null = null;
  readonly #saved = new Map<number, Saved>();
  readonly #types: number;
  /** Entries whose deadline is <= this are left out (expired at the call). */
  readonly #now: number;
  #hook: HookRef | null = null;

  constructor(ix: KeyIndex, now: number) {
    this.#ix = ix;
    this.#now = now;
    this.#src = ix;
    this.#end = ix.n;
    let types = 0, objects = 0;
    for (let b = 0; b < 6; b++) {
      const c = ix.types[b]!;
      objects += c;
      if (c > 0) types |= 1 << b;
    }
    if (ix.live > objects) types |= 1 << TYPE_BITS.string;
    this.#types = types;
    if (this.#end > 0) {
      this.#hook = new HookRef(this, ix);
      addHook(ix, this.#hook);
    }
  }

  /** Saves entry `ei` before its first change, if it is part of the view and not handed out yet. */
  pre(ei: number): void {
    if (ei >= this.#end || ei < this.#pos) return;
    const bits = this.#bits ??= new Uint32Array((this.#end + 31) >>> 5);
    const w = ei >>> 5, m = 1 << (ei & 31);
    if ((bits[w]! & m) !== 0) return;
    bits[w] = bits[w]! | m;
    if (this.#src.kind[ei] !== HOLE) this.#saved.set(ei, new Saved(this.#src, ei));
  }

  /** The index drops its columns (clear): keep reading them; nothing writes them again. */
  detach(): void {
    const ix = this.#ix;
    if (ix === null) return;
    this.#src = {
      kind: ix.kind,
      koff: ix.koff,
      klen: ix.klen,
      voff: ix.voff,
      vlen: ix.vlen,
      dl: ix.dl,
      objs: ix.objs,
      arena: ix.arena,
    };
    this.#release();
  }

  #release(): void {
    if (this.#hook !== null && this.#ix !== null) removeHook(this.#ix, this.#hook);
    this.#hook = null;
    this.#ix = null;
  }

  has(type: ValueType): boolean {
    return (this.#types & (1 << TYPE_BITS[type])) !== 0;
  }

  next(): boolean {
    for (;;) {
      const i = this.#pos;
      if (i >= this.#end) {
        this.#release();
        this.#saved.clear();
        this.#bits = null;
        return false;
      }
      this.#pos = i + 1;
      const bits = this.#bits;
      if (bits !== null && (bits[i >>> 5]! & (1 << (i & 31))) !== 0) {
        const s = this.#saved.get(i);
        if (s === undefined) continue; // a hole
        this.#saved.delete(i);
        if (s.deadline <= this.#now) continue; // expired at the call
        this.kbuf = s.kbuf;
        this.koff = s.koff;
        this.klen = s.klen;
        this.#emit(s.deadline, s.obj, s.vbuf, s.voff, s.vlen);
        return true;
      }
      const c = this.#src;
      const k = c.kind[i]!;
      if (k === HOLE) continue;
      const d = c.dl === null ? NaN : c.dl[i]!;
      if (d <= this.#now) continue; // expired at the call (NaN: no deadline)
      const ko = c.koff[i]!, kl = c.klen[i]!;
      this.kbuf = c.arena;
      this.koff = ko;
      this.klen = kl;
      const o = k === STR ? null : copyObj(c.objs![i], c.arena.subarray(ko, ko + kl), d);
      this.#emit(d, o, c.arena, c.voff[i]!, c.vlen[i]!);
      return true;
    }
  }

  #emit(d: number, o: Copy | null, vbuf: Uint8Array, voff: number, vlen: number): void {
    this.deadline = d === d ? d : null;
    this.hbuf = null;
    this.stream = null;
    this.entry = null;
    this.members = null;
    if (o === null) {
      this.vbuf = vbuf;
      this.voff = voff;
      this.vlen = vlen;
    } else if (o instanceof Uint8Array) {
      this.vbuf = o;
      this.voff = 0;
      this.vlen = o.length;
    } else if (o instanceof Compact) {
      this.hbuf = o.bytes;
      this.hcount = o.count;
    } else if (o instanceof Flat) {
      this.members = o.members;
      this.values = o.values;
    } else if (o instanceof Streamed) this.stream = o.record;
    else this.entry = o;
  }
}

/**
 * The live records of `ix` as they are now, in O(1): later writes save what
 * they change first. Keys whose deadline is `<= now` are left out as the
 * walk meets them (no sweep up front: that grew with the keys that have a
 * TTL); pass -Infinity while loading (nothing expires).
 */
export function captureRecords(ix: KeyIndex, now: number): RecordCursor {
  return new Captured(ix, now);
}
