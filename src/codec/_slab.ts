// Private: copies of small byte ranges packed into shared slabs, so decoded
// values neither keep a whole input buffer alive nor cost one allocation each.

const SLAB = 1 << 18;

/** Hands out copies of byte ranges; each copy is a view nothing else writes. */
export class Slabs {
  #slab = new Uint8Array(0);
  #pos = 0;

  /** A copy of `b[off, off + len)`. */
  copy(b: Uint8Array, off: number, len: number): Uint8Array {
    if (len > SLAB >> 4) return b.slice(off, off + len);
    if (this.#slab.length - this.#pos < len) this.#fresh();
    const at = this.#pos;
    const s = this.#slab;
    // A loop up to 1 KiB: a subarray for set() costs more than the copy (Bun).
    if (len <= 1024) { for (let i = 0; i < len; i++) s[at + i] = b[off + i]!; }
    else s.set(b.subarray(off, off + len), at);
    this.#pos = at + len;
    return s.subarray(at, at + len);
  }

  /** The decimal text of an integer (as Redis gives a listpack/intset integer back), in a slab. */
  int(n: number | bigint): Uint8Array {
    if (typeof n === "number" && n >= 0 && n < 10) {
      // The commonest case of all: one digit.
      if (this.#slab.length - this.#pos < 1) this.#fresh();
      const at = this.#pos++;
      this.#slab[at] = 0x30 + n;
      return this.#slab.subarray(at, at + 1);
    }
    const t = String(n);
    const len = t.length;
    if (this.#slab.length - this.#pos < len) this.#fresh();
    const at = this.#pos;
    const s = this.#slab;
    for (let i = 0; i < len; i++) s[at + i] = t.charCodeAt(i);
    this.#pos = at + len;
    return s.subarray(at, at + len);
  }

  /**
   * The current slab, with at least `min` bytes free from {@link Slabs.pos}
   * (a fresh one otherwise): a writer fills them in place, then `commit`s
   * what it keeps. Nothing else may write the slab in between.
   */
  open(min: number): Uint8Array {
    if (this.#slab.length - this.#pos < min) this.#fresh();
    return this.#slab;
  }

  /** First free byte of the current slab. */
  get pos(): number {
    return this.#pos;
  }

  /** The bytes of the current slab below `end` (after `open`) are taken for good. */
  commit(end: number): void {
    this.#pos = end;
  }

  #fresh(): void {
    this.#slab = new Uint8Array(SLAB);
    this.#pos = 0;
  }

  #markSlab = this.#slab;
  #markPos = 0;

  /** Remembers the current position, to undo the copies of an attempt that is retried. */
  mark(): void {
    this.#markSlab = this.#slab;
    this.#markPos = this.#pos;
  }

  /** Undoes the copies made since `mark()` when they are still in the same slab. */
  rewind(): void {
    if (this.#markSlab === this.#slab) this.#pos = this.#markPos;
  }

  /** A copy of all of `b`. */
  of(b: Uint8Array): Uint8Array {
    return this.copy(b, 0, b.length);
  }
}
