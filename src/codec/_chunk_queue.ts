// Private: the bytes a chunked decoder (SnapshotDecoder, RedisRdbDecoder) was
// pushed but has not decoded yet: the tail of the record a run stopped inside,
// plus copies of the chunks pushed since. The next run starts once the queue
// holds what the failed read needed and at least twice that tail (so the cost
// of retries stays linear in the input), or once the input is complete.

/** What a run reads through: both decoders' readers (RdbReader, SnapshotReader) have it. */
export interface RunWindow {
  /** The bytes of this run. */
  buf: Uint8Array;
  /** End of the bytes in `buf`. */
  end: number;
  /** Read position in `buf`. */
  pos: number;
  /** The input offset of `buf[0]`. */
  base: number;
  /** The input offset no read may pass (the input's end when known). */
  limit: number;
}

/** Points `r` at `buf` for one run: the final run ends with `buf`, others at `totalSize`. */
export function openRun(r: RunWindow, buf: Uint8Array, final: boolean, totalSize: number): void {
  r.buf = buf;
  r.end = buf.length;
  r.pos = 0;
  r.limit = final ? r.base + buf.length : totalSize;
}

/** Pushed bytes waiting for the next decoding run. */
export class ChunkQueue {
  #parts: Uint8Array[] = [];
  #length = 0;
  #want = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  /**
   * Takes a pushed chunk (copied: the caller may reuse it). Returns the bytes
   * to decode now — a copy of `chunk` when nothing is queued; everything queued
   * once the next run has enough (`base`: the input offset of the first queued
   * byte; `totalSize`: the input's length, `Infinity` when unknown) — or `null`
   * to wait for more. `owned`: `chunk` is the queue's to keep (not copied).
   */
  push(chunk: Uint8Array, base: number, totalSize: number, owned = false): Uint8Array | null {
    if (this.#length === 0) return owned ? chunk : chunk.slice();
    this.#parts.push(owned ? chunk : chunk.slice());
    this.#length += chunk.length;
    if (this.#length < this.#want && base + this.#length < totalSize) return null;
    return this.take();
  }

  /**
   * With only a kept tail queued (see `keep`): the tail followed by the first
   * bytes of `chunk`, as many as the next run wants (at least 4 KiB), in one
   * buffer, and the queue emptied: the run can finish the record the tail
   * holds there and go on in `chunk` itself, without a copy of all of it.
   * Null (queue unchanged) when that would take the whole chunk anyway.
   */
  bridge(chunk: Uint8Array): Uint8Array | null {
    if (this.#parts.length !== 1) return null;
    const tail = this.#parts[0]!;
    const k = Math.max(this.#want - tail.length, tail.length, 4096);
    if (k >= chunk.length) return null;
    const b = new Uint8Array(tail.length + k);
    b.set(tail);
    b.set(chunk.subarray(0, k), tail.length);
    this.#parts = [];
    this.#length = 0;
    return b;
  }

  /** Drops what is queued. */
  clear(): void {
    this.#parts = [];
    this.#length = 0;
    this.#want = 0;
  }

  /** Everything queued as one buffer (a single part is returned as it is); empties the queue. */
  take(): Uint8Array {
    const parts = this.#parts;
    let buf: Uint8Array;
    if (parts.length === 1) buf = parts[0]!;
    else {
      buf = new Uint8Array(this.#length);
      let o = 0;
      for (const p of parts) {
        buf.set(p, o);
        o += p.length;
      }
    }
    this.#parts = [];
    this.#length = 0;
    return buf;
  }

  /**
   * A run stopped inside a record: keeps its `tail` (a buffer private to the
   * decoder: not copied) and wants `need` bytes from the tail's start, and at
   * least twice the tail, before the next run. Called on an empty queue.
   */
  keep(tail: Uint8Array, need: number): void {
    this.#want = Math.max(need, 2 * tail.length, 1);
    if (tail.length > 0) {
      this.#parts = [tail];
      this.#length = tail.length;
    }
  }

  /**
   * A run over `buf` stopped inside the record starting at `start` (the read
   * that failed needed up to `at`): keeps the record's bytes for the next run
   * and moves `r` past what was consumed, holding no buffer.
   */
  stopped(r: RunWindow, buf: Uint8Array, start: number, at: number): void {
    r.base += start;
    r.buf = new Uint8Array(0);
    this.keep(buf.subarray(start), at - start);
  }
}
