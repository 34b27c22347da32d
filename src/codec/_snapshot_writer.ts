// Private: the chunked byte writer behind encodeSnapshotChunks. Records are
// written into fixed-size chunks; a full chunk is moved to `ready` and a fresh
// one is allocated, so a chunk handed to the consumer is never touched again.
import type { StreamId, StreamValue } from "./types.ts";

const TWO_32 = 4294967296;
const TWO_64 = TWO_32 * TWO_32;
const MAX_U32 = 0xffffffff;
const MAX_U64 = 0xffffffffffffffffn;

// One scratch buffer for f64 -> bytes (no per-score DataView).
const f64Scratch = new DataView(new ArrayBuffer(8));

/** Bytes up to this length are copied with a loop (faster than `set` for tiny arrays). */
const SMALL_COPY = 32;

export class ChunkWriter {
  /** Full chunks waiting to be yielded. */
  ready: Uint8Array[] = [];
  private buf: Uint8Array;
  private pos = 0;
  readonly chunkSize: number;

  constructor(chunkSize: number) {
    this.chunkSize = chunkSize;
    this.buf = new Uint8Array(chunkSize);
  }

  private rotate(): void {
    this.ready.push(this.buf);
    this.buf = new Uint8Array(this.chunkSize);
    this.pos = 0;
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
    let room = this.chunkSize - this.pos;
    if (n <= room) {
      if (n <= SMALL_COPY) {
        const b = this.buf;
        let p = this.pos;
        for (let i = 0; i < n; i++) b[p++] = src[i]!;
        this.pos = p;
      } else {
        this.buf.set(src, this.pos);
        this.pos += n;
      }
      return;
    }
    let off = 0;
    while (off < n) {
      if (room === 0) {
        this.rotate();
        room = this.chunkSize;
      }
      const take = Math.min(room, n - off);
      this.buf.set(src.subarray(off, off + take), this.pos);
      this.pos += take;
      off += take;
      room -= take;
    }
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

/** Writes a stream payload (v4 layout incl. the group section). */
export function writeStream(w: ChunkWriter, s: StreamValue): void {
  w.id(s.lastId, "stream last id");
  w.id(s.maxDeletedId, "stream max deleted id");
  w.u64b(s.entriesAdded, "stream entries added");
  w.u32(s.entries.length, "stream entry count");
  for (const e of s.entries) {
    w.id(e.id, "stream entry id");
    w.u32(e.fields.length, "stream field count");
    for (const [f, v] of e.fields) {
      w.bytes(f, "stream field length");
      w.bytes(v, "stream value length");
    }
  }
  w.u32(s.groups.length, "stream group count");
  for (const g of s.groups) {
    w.bytes(g.name, "group name length");
    w.id(g.lastDelivered, "group last delivered id");
    w.u32(g.consumers.length, "consumer count");
    for (const c of g.consumers) {
      w.bytes(c.name, "consumer name length");
      w.u64b(c.seenTime, "consumer seen time");
    }
    w.u32(g.pel.length, "pending entry count");
    for (const p of g.pel) {
      w.id(p.id, "pending entry id");
      w.bytes(p.consumer, "pending consumer length");
      w.u64b(p.deliveryTime, "pending delivery time");
      w.u32(p.deliveryCount, "pending delivery count");
    }
  }
}
