/**
 * RESP multibulk frames as stored in a kevy AOF (FORMATS.md section 3): the
 * encoder used for appends and rewrites, and a strict, allocation-bounded
 * parser used by replay.
 *
 * The parser accepts exactly what kevy writes: `*<count>\r\n` followed by
 * `count` elements `$<len>\r\n<len bytes>\r\n`, with plain decimal numbers.
 * It is stricter than kevy v1.17's reader, which also accepts inline text
 * lines, `*0`/`*-1` (empty argv), `+` signs and leading zeros; those are
 * reported here as corrupt, with the offset of the first bad byte.
 *
 * @module
 */

import { ByteWriter, utf8Length } from "./bytes.ts";
import { writerInternals } from "./bytes_util.ts";
import { FRAME_INCOMPLETE, FrameCursor, scanFrame } from "./resp_cursor.ts";

/**
 * The 9-byte header of a kevy AOF, `KEVYAOF1\n` (absent in pre-1.2 files).
 * Shared: do not modify it.
 *
 * @example
 * ```ts
 * import { AOF_MAGIC } from "@kevy/persist/codec";
 * new TextDecoder().decode(AOF_MAGIC); // "KEVYAOF1\n"
 * ```
 */
export const AOF_MAGIC: Uint8Array = new Uint8Array([
  0x4b, // K
  0x45, // E
  0x56, // V
  0x59, // Y
  0x41, // A
  0x4f, // O
  0x46, // F
  0x31, // 1
  0x0a, // \n
]);

export { MAX_BULK_LEN, MAX_FRAME_ARGS } from "./resp_cursor.ts";

const STAR = 0x2a;
const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
const D0 = 0x30;

/**
 * Result of {@link parseFrame}.
 *
 * - `frame`: a complete frame; `argv` holds views into the parsed buffer
 *   (see {@link parseFrame}), `end` is the offset just after it.
 * - `incomplete`: the bytes from `offset` (where the frame starts) to the end
 *   of the buffer are a proper prefix of some valid frame: more bytes are needed.
 * - `corrupt`: no valid frame can start at the given offset; `offset` is the
 *   first byte that cannot belong to one and `expected` says what could.
 *
 * @example
 * ```ts
 * import { type FrameResult, parseFrame } from "@kevy/persist/codec";
 * const r: FrameResult = parseFrame(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"), 0);
 * r.kind; // "frame"
 * ```
 */
export type FrameResult =
  | { kind: "frame"; argv: Uint8Array[]; end: number }
  | { kind: "incomplete"; offset: number }
  | { kind: "corrupt"; offset: number; expected: string };

/**
 * Appends one command as a RESP multibulk frame to `out`, exactly as kevy
 * writes it: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument. Strings
 * are UTF-8 encoded straight into the buffer (no intermediate arrays).
 *
 * @example
 * ```ts
 * import { ByteWriter } from "@kevy/persist/codec";
 * import { encodeCommandInto } from "@kevy/persist/codec";
 * const out = new ByteWriter();
 * encodeCommandInto(out, ["SET", "k", new Uint8Array([0xff])]);
 * new TextDecoder("latin1").decode(out.bytes()); // "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nÿ\r\n"
 * ```
 */
export function encodeCommandInto(
  out: ByteWriter,
  argv: ReadonlyArray<Uint8Array | string>,
): void {
  const argc = argv.length;
  if (argc === 0) throw new RangeError("encodeCommandInto: a command needs at least one argument");
  // Size the whole frame first (validating every length before anything is
  // written), reserve it once, then store by index: no per-byte bounds checks
  // or calls, and a bad argument leaves `out` unchanged.
  let total = 3 + decimalLength(argc);
  for (let i = 0; i < argc; i++) {
    const a = argv[i]!;
    let n: number;
    if (typeof a === "string") {
      n = utf8Length(a);
      if (strLens.length <= i) strLens.length = i + 1;
      strLens[i] = n;
    } else {
      n = a.length;
      if (!(n >= 0 && Number.isSafeInteger(n))) badLength(n);
    }
    total += 5 + decimalLength(n) + n;
  }
  let p = writerInternals.reserve(out, total);
  const buf = writerInternals.buffer(out);
  buf[p] = STAR;
  p = putDecimal(buf, p + 1, argc);
  buf[p] = CR;
  buf[p + 1] = LF;
  p += 2;
  for (let i = 0; i < argc; i++) {
    const a = argv[i]!;
    buf[p] = DOLLAR;
    if (typeof a === "string") {
      const n = strLens[i]!;
      p = putDecimal(buf, p + 1, n);
      buf[p] = CR;
      buf[p + 1] = LF;
      p += 2;
      if (n === a.length) {
        for (let j = 0; j < n; j++) buf[p + j] = a.charCodeAt(j);
      } else {
        encoder.encodeInto(a, buf.subarray(p, p + n));
      }
      p += n;
    } else {
      const n = a.length;
      p = putDecimal(buf, p + 1, n);
      buf[p] = CR;
      buf[p + 1] = LF;
      p += 2;
      if (n < COPY_LOOP_MAX) {
        // A loop beats set() for the short keys and values typical of AOF frames.
        for (let j = 0; j < n; j++) buf[p + j] = a[j]!;
      } else {
        buf.set(a, p);
      }
      p += n;
    }
    buf[p] = CR;
    buf[p + 1] = LF;
    p += 2;
  }
}

const encoder = new TextEncoder();
/** UTF-8 lengths of the string arguments of the frame being encoded (reused). */
const strLens: number[] = [];
/** Payloads shorter than this are copied by a loop, longer ones by `set()`. */
const COPY_LOOP_MAX = 16;

function badLength(n: unknown): never {
  throw new RangeError(`writeDecimal: expected a non-negative safe integer, got ${n}`);
}

/** Writes `n` (a non-negative safe integer) as decimal at `p`; returns the offset after it. */
function putDecimal(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = D0 + n;
    return p + 1;
  }
  if (n < 100) {
    const t = (n / 10) >>> 0;
    buf[p] = D0 + t;
    buf[p + 1] = D0 + n - t * 10;
    return p + 2;
  }
  let end = p + decimalLength(n);
  const stop = end;
  let v = n;
  if (v < 4294967296) {
    v >>>= 0;
    while (v >= 10) {
      const q = (v / 10) >>> 0;
      buf[--end] = D0 + v - q * 10;
      v = q;
    }
  } else {
    while (v >= 10) {
      const q = Math.floor(v / 10);
      buf[--end] = D0 + v - q * 10;
      v = q;
    }
  }
  buf[--end] = D0 + v;
  return stop;
}

function decimalLength(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (n = Math.floor(n / 100000); n > 0; n = Math.floor(n / 10)) d++;
  return d;
}

/**
 * Encodes one command as a new RESP multibulk frame (see {@link encodeCommandInto}).
 * Strings are UTF-8 encoded. Throws `RangeError` for an empty argv.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "@kevy/persist/codec";
 * new TextDecoder().decode(encodeCommand(["DEL", "k"])); // "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"
 * ```
 */
export function encodeCommand(argv: ReadonlyArray<Uint8Array | string>): Uint8Array {
  let size = 3 + decimalLength(argv.length);
  for (const a of argv) {
    const n = typeof a === "string" ? utf8Length(a) : a.length;
    size += 5 + decimalLength(n) + n;
  }
  const w = new ByteWriter(size);
  encodeCommandInto(w, argv);
  return w.bytes();
}

/**
 * Parses one RESP multibulk frame starting at `offset` in `buf`. Never throws
 * for bad input and never allocates more than the bytes present: counts and
 * lengths are checked against their bounds ({@link MAX_FRAME_ARGS},
 * {@link MAX_BULK_LEN}) digit by digit, and argv grows one parsed element at a time.
 *
 * Each `argv` element is a **view** into `buf` (no copy): the caller must not
 * modify or reuse `buf` while it uses argv, and should copy (`slice`) what it
 * keeps long-term, or the whole of `buf` stays reachable. Views because
 * allocating a fresh `Uint8Array` per argument is 5-10x slower (about 1 M/s
 * on Deno 2.9), which would miss the replay target of 4 M frames/s.
 *
 * Classification: anything that could still become a valid frame if more
 * bytes were appended is `incomplete` (offset = the frame start); otherwise
 * `corrupt` at the first byte that rules every valid frame out. An offset at
 * or past the end of `buf` is `incomplete` (no bytes yet). `end` (default
 * `buf.length`) bounds the bytes looked at, so a frame inside a larger buffer
 * (a `KEVYAOF2` record's payload) needs no subarray.
 *
 * @example
 * ```ts
 * import { parseFrame } from "@kevy/persist/codec";
 * const buf = new TextEncoder().encode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1x");
 * const r = parseFrame(buf, 0); // { kind: "frame", argv: [GET, k], end: 20 }
 * parseFrame(buf, 20); // { kind: "corrupt", offset: 22, expected: "digit or CRLF after multibulk count" }
 * parseFrame(buf.subarray(0, 10), 0); // { kind: "incomplete", offset: 0 }
 * ```
 */
export function parseFrame(buf: Uint8Array, offset: number, end = buf.length): FrameResult {
  const cur = shared;
  const e = scanFrame(buf, offset, end, cur);
  if (e >= 0) {
    const argv = cur.argv();
    cur.release(); // the shared cursor keeps no caller's buffer alive
    return { kind: "frame", argv, end: e };
  }
  if (e === FRAME_INCOMPLETE) return { kind: "incomplete", offset };
  return { kind: "corrupt", offset: cur.errAt, expected: cur.expected };
}

/** parseFrame's cursor: its argv is built before it returns, so one is enough. */
const shared = new FrameCursor();

/**
 * Whether every byte from `offset` to the end of `buf` is 0x00 (true for an
 * empty range). A power cut can leave a zero-filled tail after the last
 * complete frame; replay treats it as torn, not corrupt.
 *
 * @example
 * ```ts
 * import { isZeroTail } from "./resp.ts";
 * isZeroTail(new Uint8Array([0x2a, 0, 0]), 1); // true
 * isZeroTail(new Uint8Array([0x2a, 0, 1]), 1); // false
 * ```
 */
export function isZeroTail(buf: Uint8Array, offset: number): boolean {
  for (let i = Math.max(0, offset); i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Offset of the first complete, well-formed frame that starts at a line
 * boundary (right after CRLF) at or after `from` in `buf`, or -1. This is what
 * tells a torn tail from mid-file corruption: a crash leaves a *prefix* of the
 * frame being written, so an incomplete frame whose bytes hold a further whole
 * frame most likely had a length damaged (`$1` -> `$99999`) and swallowed the
 * frames after it. Both AOF scanners (kevy and Redis) refuse such a tail.
 *
 * @example
 * ```ts
 * import { findFrameAfter } from "./resp.ts";
 * const enc = new TextEncoder();
 * // "$99" swallowed the next frame: it is found at byte 13.
 * findFrameAfter(enc.encode("*1\r\n$99\r\nab\r\n*1\r\n$1\r\nx\r\n"), 1); // 13
 * findFrameAfter(enc.encode("*1\r\n$99\r\nab"), 1); // -1 (a plain torn tail)
 * ```
 */
export function findFrameAfter(buf: Uint8Array, from: number): number {
  let p = Math.max(2, from);
  // A candidate that runs to the end costs a walk to the end: give up after a
  // few so that crafted input stays linear (the tail is then taken as torn and kept).
  let reachedEnd = 0;
  for (;;) {
    const star = buf.indexOf(STAR, p);
    if (star < 0) return -1;
    if (buf[star - 1] === LF && buf[star - 2] === CR) {
      const r = parseFrame(buf, star);
      if (r.kind === "frame") return star;
      if (r.kind === "incomplete" && ++reachedEnd >= 16) return -1;
    }
    p = star + 1;
  }
}
