/**
 * The checksummed AOF of kevy 5.x (`KEVYAOF2`, SPEC-v5 §3): after the 9-byte
 * header `KEVYAOF2\n`, every record is `[payload_len u32le][crc32c u32le]
 * [payload]`, the payload exactly one RESP multibulk command. Internal frames
 * (a first argument that starts with NUL, which no client can type) mark
 * transactions (`\0KEVYTXNBEGIN` ... `\0KEVYTXNCOMMIT`, applied all or nothing)
 * and evicted row segments (`\0KEVYSEGMENTED <file>`).
 *
 * This module holds the record codec: {@link encodeRecordInto} and
 * {@link parseRecord}, one step of the walk. How a walk ends (clean, torn
 * tail, corruption) is decided by the streaming scanner in `src/persist/`.
 *
 * @module
 */

import { ByteWriter } from "./bytes.ts";
import { writerInternals } from "./bytes_util.ts";
import { crc32cUpdate } from "./crc32c.ts";
import { setUseSimd, useWasm, wasmCrc } from "./_crc32c_wasm.ts";
import { encodeCommandInto, parseFrame } from "./resp.ts";

/**
 * The 9-byte header of a `KEVYAOF2` log: ASCII `KEVYAOF2\n`. Only these exact
 * bytes make a file v2 (a torn prefix of them is a headerless v1 log, like
 * kevy 5.4 reads it).
 *
 * @example
 * ```ts
 * import { AOF2_MAGIC } from "@kevy/persist/codec";
 * new TextDecoder().decode(AOF2_MAGIC); // "KEVYAOF2\n"
 * ```
 */
export const AOF2_MAGIC: Uint8Array = new TextEncoder().encode("KEVYAOF2\n");

/** Bytes before a record's payload: `payload_len u32le`, `crc32c u32le`. */
export const AOF2_RECORD_HEADER = 8;

/**
 * Largest payload a record may declare: 2^30 bytes (kevy 5.4's bound; a
 * larger length, or 0, is corruption).
 *
 * @example
 * ```ts
 * import { AOF2_MAX_PAYLOAD } from "@kevy/persist/codec";
 * AOF2_MAX_PAYLOAD; // 1073741824
 * ```
 */
export const AOF2_MAX_PAYLOAD = 1 << 30;

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The argument of the transaction-opening internal frame, `\0KEVYTXNBEGIN`.
 *
 * @example
 * ```ts
 * import { TXN_BEGIN } from "@kevy/persist/codec";
 * TXN_BEGIN[0]; // 0
 * ```
 */
export const TXN_BEGIN: Uint8Array = ascii("\0KEVYTXNBEGIN");

/**
 * The argument of the transaction-closing internal frame, `\0KEVYTXNCOMMIT`.
 *
 * @example
 * ```ts
 * import { TXN_COMMIT } from "@kevy/persist/codec";
 * TXN_COMMIT.length; // 14
 * ```
 */
export const TXN_COMMIT: Uint8Array = ascii("\0KEVYTXNCOMMIT");

/**
 * The first argument of the row-segment frame `[\0KEVYSEGMENTED, <file>]`
 * (kevy 5.4's cold tier; this library has no segment store).
 *
 * @example
 * ```ts
 * import { SEGMENTED_FRAME } from "@kevy/persist/codec";
 * new TextDecoder().decode(SEGMENTED_FRAME.subarray(1)); // "KEVYSEGMENTED"
 * ```
 */
export const SEGMENTED_FRAME: Uint8Array = ascii("\0KEVYSEGMENTED");

/** What an internal frame means (see {@link internalFrame}). */
export type InternalFrameKind = "begin" | "commit" | "segmented";

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Classifies argv by its whole shape, as kevy 5.4 does: `[\0KEVYTXNBEGIN]`,
 * `[\0KEVYTXNCOMMIT]` (one argument each), `[\0KEVYSEGMENTED, file]` (two).
 * Anything else, including other NUL-prefixed frames, is `null`: an ordinary
 * command.
 *
 * @example
 * ```ts
 * import { internalFrame, TXN_BEGIN } from "@kevy/persist/codec";
 * internalFrame([TXN_BEGIN]); // "begin"
 * internalFrame([TXN_BEGIN, new Uint8Array(1)]); // null
 * ```
 */
export function internalFrame(argv: readonly Uint8Array[]): InternalFrameKind | null {
  const a = argv[0];
  if (a === undefined || a[0] !== 0) return null;
  if (argv.length === 1) {
    if (same(a, TXN_BEGIN)) return "begin";
    if (same(a, TXN_COMMIT)) return "commit";
    return null;
  }
  return argv.length === 2 && same(a, SEGMENTED_FRAME) ? "segmented" : null;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = v >>> 24;
}

/** u32le at `p`. */
export function readU32LE(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/**
 * Appends one command as a `KEVYAOF2` record to `out`: the RESP frame is
 * encoded in place after an 8-byte gap that is then filled with its length
 * and CRC32C (no copy of the payload). Throws `RangeError` for an empty argv
 * or a frame above {@link AOF2_MAX_PAYLOAD} (leaving `out` as it was).
 *
 * @example
 * ```ts
 * import { ByteWriter } from "@kevy/persist/codec";
 * import { toHex } from "./bytes.ts";
 * import { encodeRecordInto } from "@kevy/persist/codec";
 * const w = new ByteWriter();
 * encodeRecordInto(w, ["SET", "k", "v"]);
 * toHex(w.bytes().subarray(0, 8)); // "1b0000006b956664"
 * ```
 */
export function encodeRecordInto(out: ByteWriter, argv: ReadonlyArray<Uint8Array | string>): void {
  if (argv.length === 0) throw new RangeError("encodeRecordInto: a command needs an argument");
  const at = writerInternals.reserve(out, AOF2_RECORD_HEADER);
  encodeCommandInto(out, argv);
  const end = out.length;
  const len = end - at - AOF2_RECORD_HEADER;
  const buf = writerInternals.buffer(out);
  if (len > AOF2_MAX_PAYLOAD) {
    writerInternals.reserve(out, at - end); // give the bytes back
    throw new RangeError(
      `encodeRecordInto: a ${len}-byte frame exceeds the 2^30-byte record limit`,
    );
  }
  put32(buf, at, len);
  put32(buf, at + 4, crc32cUpdate(0, buf, at + AOF2_RECORD_HEADER, end));
}

/**
 * Wraps an already encoded RESP payload `src[from, to)` as one record written
 * to `out` (a copy). Used where frames exist as bytes (a v1 log being
 * rewritten as v2, held transaction frames).
 *
 * @example
 * ```ts
 * import { ByteWriter } from "@kevy/persist/codec";
 * import { encodeCommand } from "@kevy/persist/codec";
 * import { wrapRecordInto } from "@kevy/persist/codec";
 * const f = encodeCommand(["PING"]);
 * const w = new ByteWriter();
 * wrapRecordInto(w, f, 0, f.length);
 * w.length; // 8 + 14
 * ```
 */
export function wrapRecordInto(out: ByteWriter, src: Uint8Array, from: number, to: number): void {
  const len = to - from;
  if (!(len >= 1 && len <= AOF2_MAX_PAYLOAD)) {
    throw new RangeError(`wrapRecordInto: payload length ${len} is outside 1..2^30`);
  }
  const at = writerInternals.reserve(out, AOF2_RECORD_HEADER + len);
  const buf = writerInternals.buffer(out);
  buf.set(src.subarray(from, to), at + AOF2_RECORD_HEADER);
  put32(buf, at, len);
  put32(buf, at + 4, crc32cUpdate(0, src, from, to));
}

/**
 * The whole record of one command (see {@link encodeRecordInto}).
 *
 * @example
 * ```ts
 * import { encodeRecord } from "@kevy/persist/codec";
 * encodeRecord(["SET", "k", "v"]).length; // 8 + 27
 * ```
 */
export function encodeRecord(argv: ReadonlyArray<Uint8Array | string>): Uint8Array {
  const w = new ByteWriter(64);
  encodeRecordInto(w, argv);
  return w.take();
}

/**
 * One step of a `KEVYAOF2` walk at `offset` of `buf` (bytes up to `end`,
 * default `buf.length`), checked in kevy 5.4's order: length range, payload
 * present, CRC32C, exactly one command.
 *
 * - `record`: a verified record; `argv` are views into `buf`, `end` is the
 *   offset after it.
 * - `short`: fewer than 8 header bytes, or fewer payload bytes than the length
 *   says (`need` = the record's full size when the header is there, else 8).
 *   Whether that is a torn tail or a damaged length is the caller's call.
 * - `corrupt`: a length of 0 or above 2^30, a CRC mismatch, or a payload that
 *   is not exactly one RESP multibulk command (`offset` = the record start,
 *   `reason` in kevy 5.4's words, `detail` what our parser saw).
 *
 * Payloads are held to this library's strict frame parser: kevy 5.4 also
 * accepts an inline command or `*0\r\n` + a command inside a record (no 5.4
 * writer produces either); here they are corrupt.
 *
 * @example
 * ```ts
 * import { encodeRecord, parseRecord } from "@kevy/persist/codec";
 * const r = parseRecord(encodeRecord(["PING"]), 0);
 * r.kind; // "record"
 * ```
 */
export function parseRecord(buf: Uint8Array, offset: number, end = buf.length): RecordStep {
  if (end - offset < AOF2_RECORD_HEADER) return { kind: "short", need: AOF2_RECORD_HEADER };
  const len = readU32LE(buf, offset);
  if (len === 0 || len > AOF2_MAX_PAYLOAD) {
    return {
      kind: "corrupt",
      offset,
      reason: "record length out of range",
      detail: `record length 1..${AOF2_MAX_PAYLOAD} (found ${len})`,
    };
  }
  const p = offset + AOF2_RECORD_HEADER;
  if (end - p < len) return { kind: "short", need: AOF2_RECORD_HEADER + len };
  const stop = p + len;
  if (crc32cUpdate(0, buf, p, stop) !== readU32LE(buf, offset + 4)) {
    return {
      kind: "corrupt",
      offset,
      reason: "record checksum mismatch",
      detail: "the CRC32C stored in the record header",
    };
  }
  const f = parseFrame(buf, p, stop);
  if (f.kind !== "frame" || f.end !== stop) {
    return {
      kind: "corrupt",
      offset,
      reason: "checksummed record does not hold exactly one command",
      detail: f.kind === "corrupt"
        ? `one RESP command (${f.expected} at byte ${f.offset})`
        : f.kind === "incomplete"
        ? "one RESP command (the payload ends inside it)"
        : `one RESP command (${stop - f.end} bytes follow it)`,
    };
  }
  return { kind: "record", argv: f.argv, end: stop };
}

/**
 * How far the records of a `KEVYAOF2` region check out: walking
 * `[len][crc32c][payload]` records of `buf` from `from`, the offset of the
 * first one that is not complete by `to`, has a length out of 1..2^30, or
 * fails its CRC32C (`to` when every record is intact). Only the framing and
 * the checksum are checked, not the payload's RESP. A replay checks a whole
 * chunk in one call (in the WebAssembly CRC32C, one copy per chunk) and then
 * parses the records before the result without checksumming them again; at
 * the result it takes the record step by step ({@link parseRecord}) to say
 * what is wrong there.
 *
 * @example
 * ```ts
 * import { checkedRecordsEnd, encodeRecord } from "@kevy/persist/codec";
 * const a = encodeRecord(["SET", "k", "v"]), b = encodeRecord(["DEL", "k"]);
 * const log = new Uint8Array([...a, ...b]);
 * checkedRecordsEnd(log, 0, log.length) === log.length; // true
 * log[a.length + 9]! ^= 1; // a flipped bit in the second payload
 * checkedRecordsEnd(log, 0, log.length) === a.length; // true
 * ```
 */
export function checkedRecordsEnd(buf: Uint8Array, from: number, to: number): number {
  let p = from;
  for (;;) {
    let len = fitting(buf, p, to);
    if (len < 0) return p;
    if (useWasm) {
      p = wasmCrc!.verifyRecords(buf, p, to);
      // Stopped at a bad or short record, or at one too big for its window.
      len = fitting(buf, p, to);
      if (len < 0) return p;
    }
    const s = p + AOF2_RECORD_HEADER;
    if (crc32cUpdate(0, buf, s, s + len) !== readU32LE(buf, p + 4)) return p;
    p = s + len;
  }
}

/**
 * Turns the SIMD record check of {@link checkedRecordsEnd} on or off; returns
 * the previous setting. Where the engine has WebAssembly SIMD it is on by
 * default: it checks 16 records' CRC32Cs at a time (byte lanes, nibble-table
 * swizzles), ~1.4-1.9x the scalar wasm kernel on V8 (Deno, Node). On
 * JavaScriptCore (Bun) it measured ~0.6x of the scalar one (its byte
 * shuffles are slow), so the AOF replay turns it off there. The results are
 * the same either way; without SIMD `on` has no effect.
 *
 * @example
 * ```ts
 * import { checkedRecordsEnd, encodeRecord, setRecordCheckSimd } from "@kevy/persist/codec";
 * const log = encodeRecord(["SET", "k", "v"]);
 * const was = setRecordCheckSimd(false);
 * checkedRecordsEnd(log, 0, log.length) === log.length; // true
 * setRecordCheckSimd(was);
 * ```
 */
export function setRecordCheckSimd(on: boolean): boolean {
  return setUseSimd(on);
}

/** The payload length of the record at `p` if it is in range and ends by `to`, else -1. */
function fitting(buf: Uint8Array, p: number, to: number): number {
  if (to - p < AOF2_RECORD_HEADER) return -1;
  const len = readU32LE(buf, p);
  return len === 0 || len > AOF2_MAX_PAYLOAD || len > to - p - AOF2_RECORD_HEADER ? -1 : len;
}

/** Result of {@link parseRecord}. */
export type RecordStep =
  | { kind: "record"; argv: Uint8Array[]; end: number }
  | { kind: "short"; need: number }
  | { kind: "corrupt"; offset: number; reason: string; detail: string };
