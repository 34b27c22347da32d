// Immutable file contents for CrashFs, cheap to snapshot after every operation.
// Versions share one growable backing buffer; a version may append in place only when it ends
// exactly at the backing's high-water mark, so bytes visible to any earlier version never change.
// Overwrites in the middle copy. Appends (the AOF pattern) are amortised O(bytes).

class Backing {
  constructor(public buf: Uint8Array, public used: number) {}
}

/** One immutable version of a file's bytes. */
export class Content {
  private constructor(private readonly backing: Backing, readonly length: number) {}

  /** A new empty content with its own backing. */
  static empty(): Content {
    return new Content(new Backing(new Uint8Array(64), 0), 0);
  }

  /** A content holding a copy of `bytes`. */
  static of(bytes: Uint8Array): Content {
    return Content.empty().append(bytes);
  }

  /** A read-only view (callers must not mutate it; copy before handing out). */
  view(): Uint8Array {
    return this.backing.buf.subarray(0, this.length);
  }

  /** This content followed by `data`. */
  append(data: Uint8Array): Content {
    if (data.length === 0) return this;
    let b = this.backing;
    if (b.used !== this.length) {
      b = new Backing(new Uint8Array(Math.max(64, (this.length + data.length) * 2)), this.length);
      b.buf.set(this.view());
    } else if (b.used + data.length > b.buf.length) {
      const grown = new Uint8Array(Math.max(b.buf.length * 2, b.used + data.length));
      grown.set(b.buf.subarray(0, b.used));
      b.buf = grown; // older versions keep views of the old buffer, which is never written again
    }
    b.buf.set(data, this.length);
    b.used = this.length + data.length;
    return new Content(b, b.used);
  }

  /** `data` written at `pos` (zero-filling a gap past the end). */
  writeAt(pos: number, data: Uint8Array): Content {
    if (pos >= this.length) return this.resize(pos).append(data);
    const end = Math.max(this.length, pos + data.length);
    const out = new Uint8Array(end);
    out.set(this.view());
    out.set(data, pos);
    return Content.of(out);
  }

  /** Cut to `n` bytes, or extend with zeros. */
  resize(n: number): Content {
    if (n <= this.length) return new Content(this.backing, n);
    return this.append(new Uint8Array(n - this.length));
  }

  /** Length of the common prefix of two contents. */
  commonPrefix(other: Content): number {
    const a = this.view();
    const b = other.view();
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a[i] === b[i]) i++;
    return i;
  }
}

/** Two 32-bit FNV-1a style hashes of bytes, as a hex string (for de-duplicating crash images). */
export function digest(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    const x = bytes[i]!;
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}:${bytes.length}`;
}
