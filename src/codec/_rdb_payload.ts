// Private: the one payload builder of the RDB bulk readers (_rdb_hash_payload,
// _rdb_coll_payload): a hash, list, set or zset is written element by element
// in the kevy snapshot payload layout (`u32le len, bytes` per item; a zset
// adds its f64le score after each member) straight into the reader's slab,
// where the loader keeps it as the compact value's bytes (no copy, no buffer
// per value). A payload that outgrows the slab's free room moves to a scratch
// buffer (the loader copies it, or gets its own copy when big). The builder
// is also the payload handed to the sink: one object for every value.
import type { Slabs } from "./_slab.ts";
import { DupCheck } from "./_redis_dups.ts";

/** Kevy snapshot opcodes of the payloads. */
export const HASH_OP = 2;
export const LIST_OP = 3;
export const SET_OP = 4;
export const ZSET_OP = 5;

/** Free slab room a payload starts with (larger ones move to the scratch buffer). */
const MIN_ROOM = 4096;

/**
 * A value read from an RDB as one payload: its key `key[keyOff, keyOff +
 * keyLen)` and its `count` elements in `buf[start, end)` (the kevy snapshot
 * payload layout of `op`). Valid during the sink call only; when `own`, the
 * bytes `buf[start, end)` are the receiver's to keep (nothing writes them
 * again), else they are reused after the call.
 */
export interface RdbPayload {
  /** Kevy snapshot opcode: 2 hash, 3 list, 4 set, 5 zset. */
  op: number;
  key: Uint8Array;
  keyOff: number;
  keyLen: number;
  buf: Uint8Array;
  start: number;
  end: number;
  count: number;
  /** Longest element (field, value, member, item). */
  maxLen: number;
  own: boolean;
}

const EMPTY = new Uint8Array(0);
const dups = new DupCheck();
let scratch: Uint8Array = new Uint8Array(1 << 16);
const F64 = new Float64Array(1);
const F8 = new Uint8Array(F64.buffer);

export class Builder implements RdbPayload {
  op = 0;
  key: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  buf: Uint8Array = EMPTY;
  start = 0;
  /** Write position in `buf`. */
  pos = 0;
  end = 0;
  count = 0;
  maxLen = 0;
  own = false;
  /** The slab being written into, or null once the payload moved to a scratch buffer. */
  #slabs: Slabs | null = null;
  #keyCopy = new Uint8Array(64);

  /**
   * Starts a payload of kind `op` for the key `kb[ko, ko + kl)` in `slabs`;
   * `stable`: the key bytes stay put until the sink call (else they are copied).
   */
  reset(slabs: Slabs, op: number, kb: Uint8Array, ko: number, kl: number, stable: boolean): this {
    this.op = op;
    if (stable) {
      this.key = kb;
      this.keyOff = ko;
    } else {
      if (this.#keyCopy.length < kl) this.#keyCopy = new Uint8Array(Math.max(kl, 128));
      const d = this.#keyCopy;
      for (let i = 0; i < kl; i++) d[i] = kb[ko + i]!;
      this.key = d;
      this.keyOff = 0;
    }
    this.keyLen = kl;
    this.#slabs = slabs;
    this.buf = slabs.open(MIN_ROOM);
    this.start = this.pos = slabs.pos;
    this.count = this.maxLen = 0;
    dups.reset();
    return this;
  }

  /** Ends the payload; `big`: not a compact value (out of a scratch buffer it gets its own copy). */
  done(big: boolean): this {
    this.end = this.pos;
    if (this.#slabs !== null) {
      this.#slabs.commit(this.pos);
      this.own = true;
    } else if (big) {
      this.buf = this.buf.slice(this.start, this.pos);
      this.end -= this.start;
      this.start = 0;
      this.own = true;
    } else {
      if (this.buf.length > scratch.length && this.buf.length <= 1 << 20) scratch = this.buf;
      this.own = false;
    }
    return this;
  }

  /** Room for `n` more bytes: past the slab's free room the payload moves to a scratch buffer. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const len = this.pos - this.start;
    let next = scratch;
    if (this.#slabs === null || next.length < len + n) {
      next = new Uint8Array(Math.max(this.buf.length * 2, (len + n) * 2));
    }
    // Bytes already written stay where they were too: the duplicate check compares them there.
    next.set(this.buf.subarray(this.start, this.pos));
    this.buf = next;
    this.start = 0;
    this.pos = len;
    this.#slabs = null;
  }

  raw(b: Uint8Array, off: number, len: number): void {
    this.room(len);
    const d = this.buf;
    const p = this.pos;
    if (len <= 32) { for (let i = 0; i < len; i++) d[p + i] = b[off + i]!; }
    else d.set(b.subarray(off, off + len), p);
    this.pos = p + len;
  }

  /** An integer element as its decimal text (no array per element); returns where the text starts. */
  intItem(v: number | bigint): number {
    if (typeof v === "number" && v >= 0 && v < 10) {
      this.room(5);
      const d = this.buf;
      const p = this.pos;
      d[p] = 1;
      d[p + 1] = d[p + 2] = d[p + 3] = 0;
      d[p + 4] = 0x30 + v;
      this.pos = p + 5;
      if (this.maxLen < 1) this.maxLen = 1;
      return p + 4;
    }
    this.room(4 + 20);
    const d = this.buf;
    const p = this.pos;
    let len: number;
    if (typeof v === "number" && Number.isSafeInteger(v)) {
      // Digits written backwards from the end, no string (listpack integers are int64).
      let x = v < 0 ? -v : v;
      let digits = 1;
      for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
      len = digits + (v < 0 ? 1 : 0);
      let q = p + 4 + len;
      do {
        d[--q] = 0x30 + (x % 10);
        x = Math.floor(x / 10);
      } while (x > 0);
      if (v < 0) d[--q] = 0x2d;
    } else {
      const t = String(v);
      len = t.length;
      for (let i = 0; i < len; i++) d[p + 4 + i] = t.charCodeAt(i);
    }
    d[p] = len;
    d[p + 1] = d[p + 2] = d[p + 3] = 0;
    this.pos = p + 4 + len;
    if (len > this.maxLen) this.maxLen = len;
    return p + 4;
  }

  /** A zset score after its member (f64le). */
  score(v: number): void {
    this.room(8);
    F64[0] = v;
    const d = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) d[p + i] = F8[i]!;
    this.pos = p + 8;
  }

  /** A field, value or item; returns where its bytes start. */
  item(b: Uint8Array, off: number, len: number): number {
    this.room(4 + len);
    const d = this.buf;
    const p = this.pos;
    d[p] = len & 0xff;
    d[p + 1] = (len >>> 8) & 0xff;
    d[p + 2] = (len >>> 16) & 0xff;
    d[p + 3] = len >>> 24;
    this.pos = p + 4;
    this.raw(b, off, len);
    if (len > this.maxLen) this.maxLen = len;
    return p + 4;
  }

  /** A field or set member (duplicates refused): false when it was seen before. */
  unique(b: Uint8Array, off: number, len: number): boolean {
    const at = this.item(b, off, len);
    this.count++;
    return dups.add(this.buf, at, len);
  }

  /** An integer field or set member as text (duplicates refused). */
  uniqueInt(v: number | bigint): boolean {
    const at = this.intItem(v);
    this.count++;
    return dups.add(this.buf, at, this.pos - at);
  }
}

/** The bulk readers' one builder (one value at a time). */
export const payloadBuilder: Builder = new Builder();
