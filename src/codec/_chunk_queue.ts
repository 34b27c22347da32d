// Private: the bytes a chunked decoder (SnapshotDecoder, RedisRdbDecoder) was
// pushed but has not decoded yet: the tail of the record a run stopped inside,
// plus copies of the chunks pushed since. The next run starts once the queue
// holds what the failed read needed and at least twice that tail (so the cost
// of retries stays linear in the input), or once the input is complete.

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
   * to wait for more.
   */
  push(chunk: Uint8Array, base: number, totalSize: number): Uint8Array | null {
    if (this.#length === 0) return chunk.slice();
    this.#parts.push(chunk.slice());
    this.#length += chunk.length;
    if (this.#length < this.#want && base + this.#length < totalSize) return null;
    return this.take();
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
}
