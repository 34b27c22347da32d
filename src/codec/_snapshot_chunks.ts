// Private: the chunked byte writer behind encodeSnapshotChunks. Records are
// written into fixed-size chunks; a full chunk is moved to `ready` and a fresh
// one is allocated, so a chunk handed to the consumer is never touched again.
import type { StreamId } from "./types.ts";

const TWO_32 = 4294967296;
const TWO_64 = TWO_32 * TWO_32;
const TWO_53 = 2 ** 53;
const MAX_U32 = 0xffffffff;
const MAX_U64 = 0xffffffffffffffffn;

// One scratch buffer for f64 -> bytes (no per-score DataView).
const f64Scratch = new DataView(new ArrayBuffer(8));

/** Recycled chunk buffers kept at most (a huge value can fill many chunks before a yield). */
const MAX_FREE = 4;

/** Bytes up to this length are copied with a loop (faster than `set` for tiny arrays). */
const SMALL_COPY = 32;

export class ChunkWriter {
  /** Full chunks waiting to be yielded. */
  ready: Uint8Array[] = [];
  private buf: Uint8Array;
  private pos = 0;
  readonly chunkSize: number;
  /** Sees every full chunk once, as it is moved to `ready` (the checksum). */
  onChunk: ((chunk: Uint8Array) => void) | null = null;
  /** Whether full chunks are recycled (see the constructor); else a fresh buffer per chunk. */
  readonly #reuse: boolean;
  /** Recycled buffers (at most MAX_FREE). */
  readonly #free: Uint8Array[] = [];
  /** The chunk handed out last (the consumer may still be writing it). */
  #last: Uint8Array | null = null;

  /**
   * With `reuse`, buffers of chunks handed out are written again (a fresh
   * 256 KiB buffer costs page faults and GC work): a chunk must not be used
   * any more once the consumer asks for the next-but-one (at most one write
   * in flight). Chunks are handed out through {@link shift}.
   */
  constructor(chunkSize: number, reuse = false) {
    this.chunkSize = chunkSize;
    this.buf = new Uint8Array(chunkSize);
    this.#reuse = reuse;
  }

  /** The next full chunk to hand out (call while `ready` is not empty). */
  shift(): Uint8Array {
    const c = this.ready.shift()!;
    if (this.#reuse) {
      // The chunk handed out before this one is free once the generator resumes after yielding
      // this one, which is before any rotate can take it.
      const prev = this.#last;
      if (prev !== null && this.#free.length < MAX_FREE) this.#free.push(prev);
      this.#last = c;
    }
    return c;
  }

  /** The bytes of the current, not yet full chunk (a view; valid until the next write). */
  partial(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private rotate(): void {
    this.onChunk?.(this.buf);
    this.ready.push(this.buf);
    this.buf = this.#free.pop() ?? new Uint8Array(this.chunkSize);
    this.pos = 0;
  }

  /**
   * A string record (`01`, TTL flag and deadline, `u32 klen` key, `u32 vlen`
   * value) in one go when it fits the current chunk; false (nothing written)
   * when it does not. Lengths are the caller's (a store's: u32 by construction).
   */
  strRecord(
    kb: Uint8Array,
    ko: number,
    kl: number,
    vb: Uint8Array,
    vo: number,
    vl: number,
    d: number | null,
  ): boolean {
    let p = this.pos;
    if (this.chunkSize - p < 18 + kl + vl) return false;
    const b = this.buf;
    b[p++] = 1;
    if (d === null) b[p++] = 0;
    else {
      if (!(Number.isInteger(d) && d >= 0 && d < TWO_53)) return false; // the general path checks
      b[p++] = 1;
      const hi = Math.floor(d / TWO_32), lo = d - hi * TWO_32;
      b[p++] = lo & 0xff;
      b[p++] = (lo >>> 8) & 0xff;
      b[p++] = (lo >>> 16) & 0xff;
      b[p++] = lo >>> 24;
      b[p++] = hi & 0xff;
      b[p++] = (hi >>> 8) & 0xff;
      b[p++] = (hi >>> 16) & 0xff;
      b[p++] = hi >>> 24;
    }
    b[p++] = kl & 0xff;
    b[p++] = (kl >>> 8) & 0xff;
    b[p++] = (kl >>> 16) & 0xff;
    b[p++] = kl >>> 24;
    if (kl <= SMALL_COPY) { for (let i = ko, e = ko + kl; i < e; i++) b[p++] = kb[i]!; }
    else {
      b.set(kb.subarray(ko, ko + kl), p);
      p += kl;
    }
    b[p++] = vl & 0xff;
    b[p++] = (vl >>> 8) & 0xff;
    b[p++] = (vl >>> 16) & 0xff;
    b[p++] = vl >>> 24;
    if (vl <= SMALL_COPY) { for (let i = vo, e = vo + vl; i < e; i++) b[p++] = vb[i]!; }
    else {
      b.set(vb.subarray(vo, vo + vl), p);
      p += vl;
    }
    this.pos = p;
    return true;
  }

  /** The partial last chunk (or undefined if empty); the writer is spent afterwards. */
  takeRest(): Uint8Array | undefined {
    if (this.pos === 0) return undefined;
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(0);
    this.pos = 0;
    return out;
  }

  u8(v: number): void {
    if (this.pos === this.chunkSize) this.rotate();
    this.buf[this.pos++] = v;
  }

  u32(v: number, what: string): void {
    if (!(v >= 0 && v <= MAX_U32 && Number.isInteger(v))) {
      throw new RangeError(`snapshot: ${what} ${v} does not fit a u32`);
    }
    if (this.chunkSize - this.pos < 4) {
      this.u8(v & 0xff);
      this.u8((v >>> 8) & 0xff);
      this.u8((v >>> 16) & 0xff);
      this.u8(v >>> 24);
      return;
    }
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = v >>> 24;
    this.pos = p;
  }

  /** u64 from a non-negative integer number (deadlines). */
  u64n(v: number, what: string): void {
    if (!(Number.isInteger(v) && v >= 0 && v <= 18446744073709551615)) {
      throw new RangeError(`snapshot: ${what} ${v} is not a u64 integer`);
    }
    if (v >= TWO_64) {
      // The u64 max literal above rounds to 2^64 as a double: write the true u64 max.
      this.u32(MAX_U32, what);
      this.u32(MAX_U32, what);
      return;
    }
    const hi = Math.floor(v / TWO_32);
    this.u32(v - hi * TWO_32, what);
    this.u32(hi, what);
  }

  /** u64 from a bigint (stream ids and times). */
  u64b(v: bigint, what: string): void {
    if (typeof v !== "bigint" || v < 0n || v > MAX_U64) {
      throw new RangeError(`snapshot: ${what} ${String(v)} is not a u64`);
    }
    this.u32(Number(v & 0xffffffffn), what);
    this.u32(Number(v >> 32n), what);
  }

  f64(v: number): void {
    f64Scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.u8(f64Scratch.getUint8(i));
  }

  /** Raw bytes, split across chunks as needed. */
  raw(src: Uint8Array): void {
    const n = src.length;
    if (n > SMALL_COPY && n <= this.chunkSize - this.pos) {
      this.buf.set(src, this.pos); // whole array: no subarray view
      this.pos += n;
    } else this.range(src, 0, n);
  }

  /** `src[off, off + n)`, split across chunks as needed. */
  range(src: Uint8Array, off: number, n: number): void {
    let room = this.chunkSize - this.pos;
    if (n <= room) {
      if (n <= SMALL_COPY) {
        const b = this.buf;
        let p = this.pos;
        for (let i = off, e = off + n; i < e; i++) b[p++] = src[i]!;
        this.pos = p;
      } else {
        this.buf.set(src.subarray(off, off + n), this.pos);
        this.pos += n;
      }
      return;
    }
    const end = off + n;
    while (off < end) {
      if (room === 0) {
        this.rotate();
        room = this.chunkSize;
      }
      const take = Math.min(room, end - off);
      this.buf.set(src.subarray(off, off + take), this.pos);
      this.pos += take;
      off += take;
      room -= take;
    }
  }

  /** Record head: opcode, TTL flag and (absolute) deadline. */
  head(op: number, d: number | null): void {
    this.u8(op);
    if (d === null) this.u8(0);
    else {
      this.u8(1);
      this.u64n(d, "deadline");
    }
  }

  /** `u32le length` + a binary string's bytes (one char per byte, 0..255). */
  binStr(s: string, what: string): void {
    const n = s.length;
    this.u32(n, what);
    if (n <= this.chunkSize - this.pos) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else for (let i = 0; i < n; i++) this.u8(s.charCodeAt(i));
  }

  /** `u32le length` + bytes. */
  bytes(src: Uint8Array, what: string): void {
    this.u32(src.length, what);
    this.raw(src);
  }

  id(v: StreamId, what: string): void {
    this.u64b(v.ms, what);
    this.u64b(v.seq, what);
  }
}
