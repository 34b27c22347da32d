// Private: the duplicate check of the RDB container decoders (Redis refuses
// a set member or hash field that appears twice). Byte ranges are hashed into
// an open-addressing table that is reused from one collection to the next:
// no string per element, no allocation for small collections, and no clearing
// either (a slot counts only when its stamp is the current collection's).

const SMALL = 64;

export class DupCheck {
  #mask = SMALL - 1;
  #slots = new Int32Array(SMALL); // element index + 1
  #hashes = new Int32Array(SMALL);
  #stamps = new Int32Array(SMALL); // a slot is in use when its stamp is #gen
  #gen = 1;
  #bufs: Uint8Array[] = [];
  #offs = new Int32Array(SMALL >> 1);
  #lens = new Int32Array(SMALL >> 1);
  #n = 0;

  /** Forgets every element (call before each collection). */
  reset(): void {
    this.#n = 0;
    if (this.#slots.length > 1024) {
      this.#slots = new Int32Array(SMALL);
      this.#hashes = new Int32Array(SMALL);
      this.#stamps = new Int32Array(SMALL);
      this.#offs = new Int32Array(SMALL >> 1);
      this.#lens = new Int32Array(SMALL >> 1);
      this.#bufs = [];
      this.#mask = SMALL - 1;
    }
    if (++this.#gen === 0x7fffffff) {
      this.#stamps.fill(0);
      this.#gen = 1;
    }
  }

  /** False when `b[off, off + len)` was added before (since the last reset). */
  add(b: Uint8Array, off: number, len: number): boolean {
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ b[off + i]!, 0x01000193);
    if ((this.#n + 1) * 2 > this.#mask) this.#grow();
    const mask = this.#mask, gen = this.#gen, stamps = this.#stamps;
    let s = h & mask;
    while (stamps[s] === gen) {
      if (this.#hashes[s] === h && this.#same(this.#slots[s]! - 1, b, off, len)) return false;
      s = (s + 1) & mask;
    }
    const idx = this.#n++;
    this.#bufs[idx] = b;
    this.#offs[idx] = off;
    this.#lens[idx] = len;
    stamps[s] = gen;
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
    const stamps = new Int32Array(size);
    const mask = size - 1;
    const gen = this.#gen;
    for (let s = 0; s <= this.#mask; s++) {
      if (this.#stamps[s] !== gen) continue;
      let t = this.#hashes[s]! & mask;
      while (stamps[t] === gen) t = (t + 1) & mask;
      stamps[t] = gen;
      slots[t] = this.#slots[s]!;
      hashes[t] = this.#hashes[s]!;
    }
    this.#slots = slots;
    this.#hashes = hashes;
    this.#stamps = stamps;
    this.#mask = mask;
    const offs = new Int32Array(size >> 1);
    offs.set(this.#offs);
    this.#offs = offs;
    const lens = new Int32Array(size >> 1);
    lens.set(this.#lens);
    this.#lens = lens;
  }
}
