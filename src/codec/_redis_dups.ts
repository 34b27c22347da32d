// Private: the duplicate check of the RDB container decoders (Redis refuses
// a set member or hash field that appears twice). Byte ranges are hashed into
// an open-addressing table that is reused from one collection to the next:
// no string per element, no allocation for small collections.

export class DupCheck {
  #mask = 63;
  #slots = new Int32Array(64); // element index + 1, 0 = empty
  #hashes = new Int32Array(64);
  #bufs: Uint8Array[] = [];
  #offs: number[] = [];
  #lens: number[] = [];
  #n = 0;

  /** Forgets every element (call before each collection). */
  reset(): void {
    if (this.#n > 0) this.#slots.fill(0);
    if (this.#slots.length > 1024) {
      this.#slots = new Int32Array(64);
      this.#hashes = new Int32Array(64);
      this.#mask = 63;
    }
    this.#n = 0;
    this.#bufs.length = 0;
    this.#offs.length = 0;
    this.#lens.length = 0;
  }

  /** False when `b[off, off + len)` was added before (since the last reset). */
  add(b: Uint8Array, off: number, len: number): boolean {
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ b[off + i]!, 0x01000193);
    if ((this.#n + 1) * 2 > this.#mask) this.#grow();
    const mask = this.#mask;
    let s = h & mask;
    for (;;) {
      const e = this.#slots[s]!;
      if (e === 0) break;
      if (this.#hashes[s] === h && this.#same(e - 1, b, off, len)) return false;
      s = (s + 1) & mask;
    }
    const idx = this.#n++;
    this.#bufs.push(b);
    this.#offs.push(off);
    this.#lens.push(len);
    this.#slots[s] = idx + 1;
    this.#hashes[s] = h;
    return true;
  }

  #same(i: number, b: Uint8Array, off: number, len: number): boolean {
    if (this.#lens[i] !== len) return false;
    const c = this.#bufs[i]!;
    const o = this.#offs[i]!;
    for (let k = 0; k < len; k++) if (c[o + k] !== b[off + k]) return false;
    return true;
  }

  #grow(): void {
    const size = (this.#mask + 1) * 2;
    const slots = new Int32Array(size);
    const hashes = new Int32Array(size);
    const mask = size - 1;
    for (let s = 0; s <= this.#mask; s++) {
      const e = this.#slots[s]!;
      if (e === 0) continue;
      let t = this.#hashes[s]! & mask;
      while (slots[t] !== 0) t = (t + 1) & mask;
      slots[t] = e;
      hashes[t] = this.#hashes[s]!;
    }
    this.#slots = slots;
    this.#hashes = hashes;
    this.#mask = mask;
  }
}
