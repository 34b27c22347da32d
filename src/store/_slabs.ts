// Private: small byte arrays carved out of shared slabs. On Deno a
// `new Uint8Array(n)` costs ~1.5 µs (an ArrayBuffer with its own backing
// store), a view of a slab ~50 ns: bulk loaders take the bytes of small
// compact values (hashes, sets, lists, zsets) from here. A slab lives as long
// as any view of it: values built on such bytes treat them as shared (copy
// before the first write).

/** Size of the slabs. */
const SLAB = 1 << 18;

/** Copies of small payloads, packed into shared slabs. */
export class Slabs {
  #slab = new Uint8Array(0);
  #pos = 0;

  /** `len` zero bytes of a slab (nothing else writes them; larger ones get their own array). */
  readonly alloc = (len: number): Uint8Array => {
    if (len > SLAB >> 4) return new Uint8Array(len);
    if (this.#slab.length - this.#pos < len) {
      this.#slab = new Uint8Array(SLAB);
      this.#pos = 0;
    }
    const at = this.#pos;
    this.#pos = at + len;
    return this.#slab.subarray(at, at + len);
  };

  /** A copy of `b[off, off + len)`: a view that nothing else writes. */
  copy(b: Uint8Array, off: number, len: number): Uint8Array {
    const d = this.alloc(len);
    // A loop up to 1 KiB: a subarray for set() costs more than the copy (Bun).
    if (len <= 1024) { for (let i = 0; i < len; i++) d[i] = b[off + i]!; }
    else d.set(b.subarray(off, off + len));
    return d;
  }
}
