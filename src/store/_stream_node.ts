// Private: one node of a stream, laid out like a Redis stream listpack: a
// master id and master field names (the first entry's), then up to 100
// entries in id order, each flagged deleted and/or "same fields as the
// master" (then only its values are stored). Entry bytes live in one packed
// buffer per node (varint length + bytes each), ids in a flat number array
// (two slots per entry), so a large stream costs a few dozen bytes per entry
// beyond its data. Written bytes are never changed (a delete only flips a
// flag), so views handed out by `fields()` stay valid.
import { cmpId, type U64 } from "./_stream_id.ts";
import { deltaSize, intSize, LP_EMPTY, strSize, strSizeAt } from "./_stream_lp.ts";

/** Entry flag: deleted (a tombstone inside the node). */
export const F_DELETED = 1;
/** Entry flag: its field names are the node's master fields. */
export const F_SAME = 2;

function varintLen(n: number): number {
  let k = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    k++;
  }
  return k;
}

/**
 * One node of a stream, laid out like a Redis stream listpack: a master id
 * and field names (its first entry's), up to 100 entries in id order flagged
 * deleted or "same fields", their bytes packed in one buffer. Entries are
 * addressed by index `0..n-1` (deleted ones included).
 *
 * @example
 * ```ts
 * import { StreamNode } from "@kevy/persist/store";
 * const f = [new TextEncoder().encode("temp"), new TextEncoder().encode("21")];
 * const node = new StreamNode(1, 0, f, 0, 1);
 * node.append(1, 0, f, 0, 1);
 * node.fields(0).length; // 2: field, value
 * ```
 */
export class StreamNode {
  /** Master id (the node's first entry, also its radix-tree key in Redis). */
  readonly ms0: U64;
  /** See {@link StreamNode.ms0}. */
  readonly seq0: U64;
  /** Master field names. */
  readonly master: Uint8Array[];
  /** Entries in the node, deleted ones included. */
  n = 0;
  /** Live entries. */
  live = 0;
  /** Entries flagged deleted. */
  dead = 0;
  /** Ids: `[ms0, seq0, ms1, seq1, ...]`. */
  readonly ids: U64[] = [];
  /** Per-entry flags. */
  flags: Uint8Array = new Uint8Array(8);
  /** Per-entry start offset in `buf` (`offs[n]` is the end of the data). */
  offs: Uint32Array = new Uint32Array(9);
  /** Packed entry data. */
  buf: Uint8Array;
  /** The size Redis's listpack for this node would have. */
  lpBytes: number;

  /** A node whose master entry is the entry `(ms, seq)` with fields `a[from], a[from+2], ...`. */
  constructor(ms: U64, seq: U64, a: ReadonlyArray<Uint8Array>, from: number, nf: number) {
    this.ms0 = ms;
    this.seq0 = seq;
    const master: Uint8Array[] = new Array(nf);
    let lp = LP_EMPTY + 2 + 2 + intSize(nf) + 2; // count, deleted, num-fields, ..., terminator
    let bytes = 0;
    for (let i = 0; i < nf; i++) {
      const f = a[from + 2 * i]!;
      master[i] = f;
      lp += strSize(f);
      bytes += a[from + 2 * i + 1]!.length + 5;
    }
    this.master = master;
    this.lpBytes = lp;
    this.buf = new Uint8Array(Math.max(64, bytes));
  }

  /** Whether an entry with these field names would be stored as "same fields". */
  #same(a: ReadonlyArray<Uint8Array>, from: number, nf: number): boolean {
    const m = this.master;
    if (m.length !== nf) return false;
    for (let i = 0; i < nf; i++) {
      const x = m[i]!, y = a[from + 2 * i]!;
      if (x.length !== y.length) return false;
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
    }
    return true;
  }

  /** {@link StreamNode.appendAt}'s "same fields" test. */
  #sameAt(b: Uint8Array, r: ArrayLike<number>, nf: number): boolean {
    const m = this.master;
    if (m.length !== nf) return false;
    for (let i = 0; i < nf; i++) {
      const x = m[i]!, p = r[4 * i]!;
      if (x.length !== r[4 * i + 1]) return false;
      for (let j = 0; j < x.length; j++) if (x[j] !== b[p + j]) return false;
    }
    return true;
  }

  #reserve(extra: number): void {
    const used = this.offs[this.n]!;
    if (used + extra > this.buf.length) {
      const b = new Uint8Array(Math.max(used + extra, this.buf.length * 2));
      b.set(this.buf.subarray(0, used));
      this.buf = b;
    }
    if (this.n + 1 >= this.flags.length) {
      const f = new Uint8Array(this.flags.length * 2);
      f.set(this.flags);
      this.flags = f;
      const o = new Uint32Array(this.offs.length * 2);
      o.set(this.offs);
      this.offs = o;
    }
  }

  #put(at: number, b: Uint8Array): number {
    let len = b.length;
    const buf = this.buf;
    while (len >= 0x80) {
      buf[at++] = (len & 0x7f) | 0x80;
      len = Math.floor(len / 128);
    }
    buf[at++] = len;
    buf.set(b, at);
    return at + b.length;
  }

  #putCount(at: number, k: number): number {
    const buf = this.buf;
    while (k >= 0x80) {
      buf[at++] = (k & 0x7f) | 0x80;
      k = Math.floor(k / 128);
    }
    buf[at++] = k;
    return at;
  }

  #putAt(at: number, b: Uint8Array, p: number, n: number): number {
    let len = n;
    const buf = this.buf;
    while (len >= 0x80) {
      buf[at++] = (len & 0x7f) | 0x80;
      len = Math.floor(len / 128);
    }
    buf[at++] = len;
    if (n <= 32) { for (let j = 0; j < n; j++) buf[at + j] = b[p + j]!; }
    else buf.set(b.subarray(p, p + n), at);
    return at + n;
  }

  /** Appends entry `(ms, seq)` (greater than every id in the node). */
  append(ms: U64, seq: U64, a: ReadonlyArray<Uint8Array>, from: number, nf: number): void {
    const same = this.n === 0 || this.#same(a, from, nf);
    let need = same ? 0 : varintLen(nf);
    let lp = 2 + deltaSize(ms, this.ms0) + deltaSize(seq, this.seq0) + (same ? 0 : intSize(nf));
    for (let i = 0; i < nf; i++) {
      const f = a[from + 2 * i]!, v = a[from + 2 * i + 1]!;
      need += varintLen(v.length) + v.length;
      lp += strSize(v);
      if (!same) {
        need += varintLen(f.length) + f.length;
        lp += strSize(f);
      }
    }
    lp += intSize(nf + 3 + (same ? 0 : nf + 1));
    this.#reserve(need);
    let at = this.offs[this.n]!;
    if (!same) at = this.#putCount(at, nf);
    for (let i = 0; i < nf; i++) {
      if (!same) at = this.#put(at, a[from + 2 * i]!);
      at = this.#put(at, a[from + 2 * i + 1]!);
    }
    this.#finish(ms, seq, same, at, lp);
  }

  /**
   * {@link StreamNode.append} of an entry whose `nf` fields and values are
   * ranges of `b`: `r` holds `field start, field length, value start, value
   * length` per pair (a snapshot's bytes, read in place). The node must
   * already have its master entry.
   */
  appendAt(ms: U64, seq: U64, b: Uint8Array, r: ArrayLike<number>, nf: number): void {
    const same = this.#sameAt(b, r, nf);
    let need = same ? 0 : varintLen(nf);
    let lp = 2 + deltaSize(ms, this.ms0) + deltaSize(seq, this.seq0) + (same ? 0 : intSize(nf));
    for (let i = 0; i < 4 * nf; i += 4) {
      const vl = r[i + 3]!;
      need += varintLen(vl) + vl;
      lp += strSizeAt(b, r[i + 2]!, vl);
      if (!same) {
        const fl = r[i + 1]!;
        need += varintLen(fl) + fl;
        lp += strSizeAt(b, r[i]!, fl);
      }
    }
    lp += intSize(nf + 3 + (same ? 0 : nf + 1));
    this.#reserve(need);
    let at = this.offs[this.n]!;
    if (!same) at = this.#putCount(at, nf);
    for (let i = 0; i < 4 * nf; i += 4) {
      if (!same) at = this.#putAt(at, b, r[i]!, r[i + 1]!);
      at = this.#putAt(at, b, r[i + 2]!, r[i + 3]!);
    }
    this.#finish(ms, seq, same, at, lp);
  }

  #finish(ms: U64, seq: U64, same: boolean, at: number, lp: number): void {
    this.ids.push(ms, seq);
    this.flags[this.n] = same ? F_SAME : 0;
    this.n++;
    this.offs[this.n] = at;
    this.live++;
    this.lpBytes += lp;
  }

  /** Drops the spare capacity (the node is no longer the tail). */
  seal(): void {
    const used = this.offs[this.n]!;
    if (this.buf.length > used) this.buf = this.buf.slice(0, used);
  }

  /** Entry `i`'s id parts. */
  ms(i: number): U64 {
    return this.ids[2 * i]!;
  }
  /** See {@link StreamNode.ms}. */
  seq(i: number): U64 {
    return this.ids[2 * i + 1]!;
  }

  /** Whether entry `i` is deleted. */
  deleted(i: number): boolean {
    return (this.flags[i]! & F_DELETED) !== 0;
  }

  /** Flags entry `i` deleted (it must be live). */
  markDeleted(i: number): void {
    this.flags[i] = this.flags[i]! | F_DELETED;
    this.live--;
    this.dead++;
  }

  /** Entry `i`'s fields and values, flat: `[f1, v1, f2, v2, ...]` (views, do not mutate). */
  fields(i: number): Uint8Array[] {
    const buf = this.buf;
    let at = this.offs[i]!;
    const same = (this.flags[i]! & F_SAME) !== 0;
    const m = this.master;
    let nf = m.length;
    if (!same) {
      let mul = 1, c: number;
      nf = 0;
      do {
        c = buf[at++]!;
        nf += (c & 0x7f) * mul;
        mul *= 128;
      } while (c & 0x80);
    }
    const out: Uint8Array[] = new Array(2 * nf);
    for (let k = same ? 1 : 0; k < 2 * nf; k += same ? 2 : 1) {
      if (same) out[k - 1] = m[k >> 1]!;
      let len = buf[at++]!;
      if (len & 0x80) {
        len &= 0x7f;
        let mul = 128, c: number;
        do {
          c = buf[at++]!;
          len += (c & 0x7f) * mul;
          mul *= 128;
        } while (c & 0x80);
      }
      out[k] = buf.subarray(at, at + len);
      at += len;
    }
    return out;
  }

  /** Index of the first entry with id >= `(ms, seq)` (`n` if none). */
  lowerBound(ms: U64, seq: U64): number {
    let lo = 0, hi = this.n;
    const ids = this.ids;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpId(ids[2 * mid]!, ids[2 * mid + 1]!, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A copy (COPY); with `shareBytes` a read-only one sharing the entry bytes (frozen captures). */
  clone(shareBytes = false): StreamNode {
    const c = Object.create(StreamNode.prototype) as StreamNode;
    Object.assign(c, {
      ms0: this.ms0,
      seq0: this.seq0,
      master: this.master,
      n: this.n,
      live: this.live,
      dead: this.dead,
      ids: this.ids.slice(),
      flags: this.flags.slice(),
      offs: this.offs.slice(),
      buf: shareBytes ? this.buf : this.buf.slice(0, this.offs[this.n]!),
      lpBytes: this.lpBytes,
    });
    return c;
  }
}
