/**
 * The one RESP multibulk frame scanner, offsets only: {@link scanFrame}
 * checks a frame and leaves where its arguments are in a reused
 * {@link FrameCursor} (no argv array, no views, nothing allocated per frame).
 * `parseFrame` is this scanner plus views; code that only looks at a few
 * bytes of a frame (a parse-only replay, a verb count) takes the cursor
 * itself.
 *
 * @module
 */

/** Largest multibulk count the parser accepts. */
export const MAX_FRAME_ARGS = 1_048_576;
/** Largest bulk length the parser accepts (512 MiB, Redis' proto-max-bulk-len default). */
export const MAX_BULK_LEN = 512 * 1024 * 1024;

/** {@link scanFrame}: the bytes end inside a frame that could still become valid. */
export const FRAME_INCOMPLETE: number = -1;
/** {@link scanFrame}: no valid frame starts here (the cursor says where and why). */
export const FRAME_CORRUPT: number = -2;

const NO_BYTES = new Uint8Array(0);
const STAR = 0x2a, DOLLAR = 0x24, CR = 0x0d, LF = 0x0a, D0 = 0x30, D1 = 0x31, D9 = 0x39;

/**
 * Where the arguments of the frame last scanned are: argument `i` is
 * `buf[start[i], start[i] + len[i])`. Reused frame after frame: valid only
 * until the next scan, and `buf` is the caller's buffer (not copied).
 *
 * @example
 * ```ts
 * import { FrameCursor, scanFrame } from "@kevy/persist/codec";
 * const cur = new FrameCursor();
 * const buf = new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
 * scanFrame(buf, 0, buf.length, cur); // 20
 * cur.argc; // 2
 * cur.len[0]; // 3
 * ```
 */
export class FrameCursor {
  /** The buffer the offsets point into. */
  buf: Uint8Array = NO_BYTES;
  /** Arguments of the frame. */
  argc = 0;
  /** Offset in `buf` of each argument (the first `argc` entries). */
  start: Int32Array = new Int32Array(8);
  /** Length of each argument. */
  len: Int32Array = new Int32Array(8);
  /** After FRAME_CORRUPT: the first byte that rules every valid frame out. */
  errAt = 0;
  /** After FRAME_CORRUPT: what a valid frame would have there. */
  expected = "";

  /** Argument `i` as a view into `buf` (no copy). */
  arg(i: number): Uint8Array {
    const b = this.buf;
    return new Uint8Array(b.buffer, b.byteOffset + this.start[i]!, this.len[i]!);
  }

  /** All arguments as views into `buf` (what `parseFrame` hands out). */
  argv(): Uint8Array[] {
    const b = this.buf, ab = b.buffer, base = b.byteOffset, st = this.start, ln = this.len;
    const n = this.argc;
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = new Uint8Array(ab, base + st[i]!, ln[i]!);
    return out;
  }

  /** Forgets the buffer (so it is not kept reachable) and shrinks offset arrays a huge frame grew. */
  release(): void {
    this.buf = NO_BYTES;
    this.argc = 0;
    if (this.start.length > 64) {
      this.start = new Int32Array(8);
      this.len = new Int32Array(8);
    }
  }

  /** Room for one more argument (grown as arguments are parsed, so never past the bytes seen). */
  grow(): void {
    const s = new Int32Array(this.start.length * 2), l = new Int32Array(this.len.length * 2);
    s.set(this.start);
    l.set(this.len);
    this.start = s;
    this.len = l;
  }
}

function bad(cur: FrameCursor, at: number, expected: string): number {
  cur.errAt = at;
  cur.expected = expected;
  return FRAME_CORRUPT;
}

/**
 * Scans one RESP multibulk frame at `offset` of `buf` (bytes up to `end`):
 * returns the offset just after it (its arguments' offsets in `cur`),
 * {@link FRAME_INCOMPLETE} when the bytes are a proper prefix of some valid
 * frame, or {@link FRAME_CORRUPT} (`cur.errAt`, `cur.expected`). Strict as
 * documented on `parseFrame`; never allocates more than the bytes present.
 *
 * @example
 * ```ts
 * import { FRAME_INCOMPLETE, FrameCursor, scanFrame } from "@kevy/persist/codec";
 * const buf = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n");
 * scanFrame(buf, 0, 10, new FrameCursor()) === FRAME_INCOMPLETE; // true
 * ```
 */
export function scanFrame(buf: Uint8Array, offset: number, end: number, cur: FrameCursor): number {
  let p = offset;
  if (p >= end) return FRAME_INCOMPLETE;
  if (buf[p] !== STAR) return bad(cur, p, "'*' (multibulk frame)");
  p++;

  // Count: 1..MAX_FRAME_ARGS, no sign, no leading zero.
  if (p >= end) return FRAME_INCOMPLETE;
  let c = buf[p]!;
  if (c < D1 || c > D9) return bad(cur, p, "multibulk count (digits 1-9 first)");
  let count = c - D0;
  p++;
  for (;;) {
    if (p >= end) return FRAME_INCOMPLETE;
    c = buf[p]!;
    if (c >= D0 && c <= D9) {
      count = count * 10 + (c - D0);
      if (count > MAX_FRAME_ARGS) return bad(cur, p, `multibulk count <= ${MAX_FRAME_ARGS}`);
      p++;
    } else if (c === CR) {
      break;
    } else {
      return bad(cur, p, "digit or CRLF after multibulk count");
    }
  }
  p++;
  if (p >= end) return FRAME_INCOMPLETE;
  if (buf[p] !== LF) return bad(cur, p, "LF after multibulk count");
  p++;

  for (let i = 0; i < count; i++) {
    if (p >= end) return FRAME_INCOMPLETE;
    if (buf[p] !== DOLLAR) return bad(cur, p, "'$' (bulk string)");
    p++;

    // Length: "0" or 1..MAX_BULK_LEN without leading zeros.
    if (p >= end) return FRAME_INCOMPLETE;
    c = buf[p]!;
    if (c < D0 || c > D9) return bad(cur, p, "bulk length digit");
    let len = c - D0;
    p++;
    for (;;) {
      if (p >= end) return FRAME_INCOMPLETE;
      c = buf[p]!;
      if (c === CR) break;
      if (c < D0 || c > D9 || len === 0) {
        return bad(
          cur,
          p,
          len === 0 ? "CRLF after bulk length 0" : "digit or CRLF after bulk length",
        );
      }
      len = len * 10 + (c - D0);
      if (len > MAX_BULK_LEN) return bad(cur, p, `bulk length <= ${MAX_BULK_LEN}`);
      p++;
    }
    p++;
    if (p >= end) return FRAME_INCOMPLETE;
    if (buf[p] !== LF) return bad(cur, p, "LF after bulk length");
    p++;

    // Payload, then CRLF.
    const stop = p + len;
    if (stop >= end) return FRAME_INCOMPLETE;
    if (buf[stop] !== CR) return bad(cur, stop, "CRLF after bulk payload");
    if (stop + 1 >= end) return FRAME_INCOMPLETE;
    if (buf[stop + 1] !== LF) return bad(cur, stop + 1, "LF after bulk payload");
    if (i === cur.start.length) cur.grow();
    cur.start[i] = p;
    cur.len[i] = len;
    p = stop + 2;
  }
  cur.buf = buf;
  cur.argc = count;
  return p;
}
