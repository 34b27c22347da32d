// Private: an RDB hash without field TTLs (types 4, 9, 13, 16) read straight
// into the kevy snapshot hash payload layout (`u32le len, field, u32le len,
// value` per pair), preceded by the key, in one buffer: what the bulk loader
// adopts as a compact hash without an object per field. Same checks as the
// neutral path (_rdb_values.ts): container validation, duplicate fields.
import type { RdbReader } from "./_rdb_reader.ts";
import { sharedListpack } from "./_redis_listpack.ts";
import { ZiplistReader } from "./_redis_ziplist.ts";
import { decodeZipmap } from "./_redis_zipmap.ts";
import { DupCheck } from "./_redis_dups.ts";

/** Hashes up to these sizes are adopted from a reused buffer (the loader copies them). */
const COMPACT_FIELDS = 128;
const COMPACT_BYTES = 64;

/** A hash as one buffer: `buf[0, keyLen)` the key, then `count` pairs up to `end`. */
export interface HashPayload {
  buf: Uint8Array;
  keyLen: number;
  end: number;
  count: number;
  maxLen: number;
}

const dups = new DupCheck();
let scratch: Uint8Array = new Uint8Array(1 << 16);
const F64 = new Float64Array(1);
const F8 = new Uint8Array(F64.buffer);

/** The shared duplicate check (reset per collection). */
export const payloadDups: DupCheck = dups;

/** Keeps a grown buffer as the scratch of later payloads (up to 1 MiB). */
export function keepScratch(b: Uint8Array): void {
  if (b.length > scratch.length && b.length <= 1 << 20) scratch = b;
}

/** The payload under construction (key first, then `u32le len, bytes` items). */
export class Builder {
  buf = scratch;
  pos = 0;
  count = 0;
  maxLen = 0;

  /** Starts a new payload in the shared scratch buffer. */
  reset(): this {
    this.buf = scratch;
    this.pos = this.count = this.maxLen = 0;
    return this;
  }

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
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

  /** A field or value; returns where its bytes start. */
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
}

/** The bulk readers' one builder (reset per value: no object per key; one value at a time). */
export const payloadBuilder: Builder = new Builder();

/**
 * Reads the hash of type `t` (after the key) into a payload whose first
 * bytes are `key`; `null` for an empty hash (Redis skips it). Throws
 * CorruptFileError like the neutral reader.
 */
export function readHashPayload(
  r: RdbReader,
  t: number,
  kb: Uint8Array,
  ko: number,
  kl: number,
): HashPayload | null {
  const w = payloadBuilder.reset();
  w.raw(kb, ko, kl);
  dups.reset();
  // Fields are compared where they were written in the payload (a buffer
  // outgrown keeps its bytes, so earlier entries stay comparable).
  const field = (b: Uint8Array, off: number, len: number): boolean => {
    const at = w.item(b, off, len);
    w.count++;
    return dups.add(w.buf, at, len);
  };
  if (t === 4) {
    const n = r.count("hash size", 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const fb = r.stringAt("hash field");
      const fo = r.sOff;
      const fl = r.sLen;
      if (!field(fb, fo, fl)) throw r.corrupt(at, "hash fields without duplicates");
      const vb = r.stringAt("hash value");
      w.item(vb, r.sOff, r.sLen);
    }
  } else if (t === 9) {
    const pairs = r.inBlob(r.blob("zipmap"), "hash zipmap", decodeZipmap);
    for (const [f, v] of pairs) {
      field(f, 0, f.length);
      w.item(v, 0, v.length);
    }
  } else {
    const blob = r.blob(t === 13 ? "hash ziplist" : "hash listpack");
    r.inBlob(blob, t === 13 ? "hash ziplist" : "hash listpack", (b, s, e) => {
      const z = t === 13 ? new ZiplistReader(b, s, e) : sharedListpack(b, s, e);
      const what = t === 13 ? "hash ziplist" : "hash listpack";
      while (z.next()) {
        let ok: boolean;
        if (z.isInt) {
          const at = w.intItem(z.big ?? z.int);
          w.count++;
          ok = dups.add(w.buf, at, w.pos - at);
        } else ok = field(b, z.sOff, z.sLen);
        if (!ok) z.fail(`${what} fields without duplicates`);
        if (!z.next()) z.fail(`${what}: an even number of elements`);
        if (z.isInt) w.intItem(z.big ?? z.int);
        else w.item(b, z.sOff, z.sLen);
      }
    });
  }
  if (w.count === 0) return null;
  const big = w.count > COMPACT_FIELDS || w.maxLen > COMPACT_BYTES;
  // A large hash keeps views of its buffer: give it its own. A small one is copied by the loader.
  if (big) {
    return { buf: w.buf.slice(0, w.pos), keyLen: kl, end: w.pos, count: w.count, maxLen: w.maxLen };
  }
  keepScratch(w.buf);
  return { buf: w.buf, keyLen: kl, end: w.pos, count: w.count, maxLen: w.maxLen };
}
