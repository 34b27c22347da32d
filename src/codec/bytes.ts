/**
 * Byte helpers: a reusable growable output buffer ({@link ByteWriter}) and a
 * few small functions on `Uint8Array`s (defined in `bytes_util.ts`, re-exported
 * here). Used on hot paths (AOF append, snapshot encode), so the writer
 * allocates only when it has to grow.
 *
 * @module
 */

import { setWriterInternals, utf8Length } from "./bytes_util.ts";

export { bytesEqual, concatBytes, toHex, utf8Encode, utf8Length } from "./bytes_util.ts";

const TWO_32 = 4294967296;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** `reset()` drops a buffer that grew beyond this (and beyond the initial capacity). */
const SHRINK_ABOVE = 16 * 1024 * 1024;

const encoder = new TextEncoder();

/**
 * A growable byte buffer that is reused between messages: write, read the
 * result with {@link ByteWriter.bytes} (a view) or {@link ByteWriter.take}
 * (a copy, then reset), and write again. It doubles its capacity when full and
 * otherwise never allocates.
 *
 * @example
 * ```ts
 * import { ByteWriter } from "@kevy/persist/codec";
 * const w = new ByteWriter(64);
 * w.writeAscii("$");
 * w.writeDecimal(3);
 * w.writeAscii("\r\nSET\r\n");
 * w.take(); // Uint8Array of "$3\r\nSET\r\n"; the writer is empty again
 * ```
 */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView | null = null;
  #pos = 0;
  readonly #initial: number;

  static {
    // Encoders in this package (resp.ts) size a frame, reserve it once and
    // store by index instead of a bounds-checked call per byte.
    setWriterInternals({
      reserve(w: ByteWriter, n: number): number {
        const p = w.#pos;
        const need = p + n;
        if (need > w.#buf.length) w.#grow(need);
        w.#pos = need;
        return p;
      },
      buffer: (w: ByteWriter): Uint8Array => w.#buf,
    });
  }

  /**
   * Creates an empty writer.
   *
   * @param initialCapacity bytes allocated up front (default 64 KiB).
   */
  constructor(initialCapacity = 65536) {
    if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 0) {
      throw new RangeError(
        `initialCapacity must be a non-negative integer, got ${initialCapacity}`,
      );
    }
    this.#initial = initialCapacity;
    this.#buf = new Uint8Array(initialCapacity);
  }

  /** Number of bytes written since the last reset. */
  get length(): number {
    return this.#pos;
  }

  /** Current capacity of the underlying buffer. */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Makes room for `n` more bytes (grows by doubling, keeping what was written).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter(4);
   * w.ensure(100);
   * w.capacity >= 100; // true
   * ```
   */
  ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    this.#grow(need);
  }

  #grow(need: number): void {
    let cap = this.#buf.length === 0 ? 64 : this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = null;
  }

  /**
   * Appends one byte (the low 8 bits of `b`).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeByte(0x2a);
   * w.bytes(); // Uint8Array [ 42 ]
   * ```
   */
  writeByte(b: number): void {
    if (this.#pos >= this.#buf.length) this.#grow(this.#pos + 1);
    this.#buf[this.#pos++] = b;
  }

  /**
   * Appends raw bytes.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeBytes(new Uint8Array([1, 2, 3]));
   * w.length; // 3
   * ```
   */
  writeBytes(u8: Uint8Array): void {
    const n = u8.length;
    if (this.#pos + n > this.#buf.length) this.#grow(this.#pos + n);
    if (n < 16) {
      // A loop beats set() for the short keys and values typical of AOF frames.
      const buf = this.#buf;
      let p = this.#pos;
      for (let i = 0; i < n; i++) buf[p++] = u8[i]!;
    } else {
      this.#buf.set(u8, this.#pos);
    }
    this.#pos += n;
  }

  /**
   * Appends an ASCII string, one byte per character. Throws `RangeError` for a
   * character above U+007F (use {@link ByteWriter.writeUtf8} for text).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeAscii("*3\r\n");
   * w.length; // 4
   * ```
   */
  writeAscii(s: string): void {
    const n = s.length;
    if (this.#pos + n > this.#buf.length) this.#grow(this.#pos + n);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) throw new RangeError(`writeAscii: non-ASCII character at index ${i}`);
      buf[p++] = c;
    }
    this.#pos = p;
  }

  /**
   * Appends a string as UTF-8 (lone surrogates become U+FFFD, as with
   * `TextEncoder`) and returns the number of bytes written.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeUtf8("é"); // 2
   * ```
   */
  writeUtf8(s: string): number {
    const n = utf8Length(s);
    if (this.#pos + n > this.#buf.length) this.#grow(this.#pos + n);
    if (n === s.length) {
      const buf = this.#buf;
      let p = this.#pos;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    } else {
      encoder.encodeInto(s, this.#buf.subarray(this.#pos, this.#pos + n));
    }
    this.#pos += n;
    return n;
  }

  /**
   * Appends a non-negative safe integer as plain decimal text (no sign, no
   * leading zeros) without allocating. Throws `RangeError` otherwise.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeDecimal(1024);
   * new TextDecoder().decode(w.bytes()); // "1024"
   * ```
   */
  writeDecimal(n: number): void {
    if (!(n >= 0 && Number.isSafeInteger(n))) {
      throw new RangeError(`writeDecimal: expected a non-negative safe integer, got ${n}`);
    }
    if (n < 10) {
      this.writeByte(0x30 + n);
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    if (this.#pos + digits > this.#buf.length) this.#grow(this.#pos + digits);
    const buf = this.#buf;
    let p = this.#pos + digits;
    if (n < TWO_32) {
      let v = n >>> 0;
      while (v >= 10) {
        const q = (v / 10) >>> 0;
        buf[--p] = 0x30 + (v - q * 10);
        v = q;
      }
      buf[--p] = 0x30 + v;
    } else {
      let v = n;
      while (v >= 10) {
        const q = Math.floor(v / 10);
        buf[--p] = 0x30 + (v - q * 10);
        v = q;
      }
      buf[--p] = 0x30 + v;
    }
    this.#pos += digits;
  }

  /**
   * Appends an unsigned 32-bit integer, little-endian.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeU32LE(1);
   * w.bytes(); // Uint8Array [ 1, 0, 0, 0 ]
   * ```
   */
  writeU32LE(n: number): void {
    if (!(n >= 0 && n < TWO_32 && Number.isInteger(n))) {
      throw new RangeError(`writeU32LE: expected an integer in [0, 2^32), got ${n}`);
    }
    if (this.#pos + 4 > this.#buf.length) this.#grow(this.#pos + 4);
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = n;
    buf[p + 1] = n >>> 8;
    buf[p + 2] = n >>> 16;
    buf[p + 3] = n >>> 24;
    this.#pos = p + 4;
  }

  /**
   * Appends an unsigned 64-bit integer, little-endian. A `number` must be a
   * non-negative safe integer; a `bigint` must be in [0, 2^64).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeU64LE(2n ** 64n - 1n);
   * w.length; // 8
   * ```
   */
  writeU64LE(n: number | bigint): void {
    let lo: number, hi: number;
    if (typeof n === "bigint") {
      if (n < 0n || n > U64_MAX) {
        throw new RangeError(`writeU64LE: expected a bigint in [0, 2^64), got ${n}`);
      }
      lo = Number(n & 0xffff_ffffn);
      hi = Number(n >> 32n);
    } else {
      if (!(n >= 0 && Number.isSafeInteger(n))) {
        throw new RangeError(`writeU64LE: expected a non-negative safe integer, got ${n}`);
      }
      lo = n % TWO_32;
      hi = (n - lo) / TWO_32;
    }
    if (this.#pos + 8 > this.#buf.length) this.#grow(this.#pos + 8);
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = lo;
    buf[p + 1] = lo >>> 8;
    buf[p + 2] = lo >>> 16;
    buf[p + 3] = lo >>> 24;
    buf[p + 4] = hi;
    buf[p + 5] = hi >>> 8;
    buf[p + 6] = hi >>> 16;
    buf[p + 7] = hi >>> 24;
    this.#pos = p + 8;
  }

  /**
   * Appends an IEEE 754 double, little-endian, bit-exact (including -0 and NaN payloads
   * as far as the runtime preserves them).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeF64LE(1.5);
   * w.bytes(); // Uint8Array [ 0, 0, 0, 0, 0, 0, 248, 63 ]
   * ```
   */
  writeF64LE(x: number): void {
    if (this.#pos + 8 > this.#buf.length) this.#grow(this.#pos + 8);
    let view = this.#view;
    if (view === null) {
      view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
      this.#view = view;
    }
    view.setFloat64(this.#pos, x, true);
    this.#pos += 8;
  }

  /**
   * A view of the bytes written so far. It shares memory with the writer:
   * valid until the next write, `take()` or `reset()`.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeAscii("ok");
   * w.bytes().length; // 2
   * ```
   */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /**
   * A copy of the bytes written so far; the writer is then reset (its buffer is kept).
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeAscii("ok");
   * const out = w.take(); // "ok" as bytes
   * w.length; // 0
   * ```
   */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#pos);
    this.reset();
    return out;
  }

  /**
   * Forgets what was written. The buffer is kept for reuse unless it grew past
   * 16 MiB (and past the initial capacity), so one huge value does not pin memory.
   *
   * @example
   * ```ts
   * import { ByteWriter } from "@kevy/persist/codec";
   * const w = new ByteWriter();
   * w.writeAscii("x");
   * w.reset();
   * w.length; // 0
   * ```
   */
  reset(): void {
    this.#pos = 0;
    if (this.#buf.length > SHRINK_ABOVE && this.#buf.length > this.#initial) {
      this.#buf = new Uint8Array(this.#initial);
      this.#view = null;
    }
  }
}
