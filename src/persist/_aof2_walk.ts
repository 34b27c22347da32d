// Private: the KEVYAOF2 side of the one AOF scanner (_aof_scan.ts). The
// scanner owns the chunks and the buffer; this walks checksummed records in
// a contiguous region, holds transaction frames until their COMMIT, and
// decides at the end of the file whether a bad spot is a torn tail or
// corruption, stricter than kevy 5.4 (SPEC-v5 §6.1-2, 6.6-7):
//
// - torn = a record cut short (the file ends inside it, optionally followed
//   by the zero run a power cut leaves) with no intact record after it;
// - a damaged length, a bad CRC or a payload that is not one command, with
//   anything intact after it or explained by damage rather than a cut, is
//   corruption: the caller refuses the file and changes nothing;
// - a BEGIN without COMMIT at the end is a torn transaction: its frames are
//   not applied, and the tail is cut from the BEGIN (kevy 5.4 keeps it and
//   then loses every later write);
// - a BEGIN while one is open means the first never committed (kevy 5.4
//   drops it silently): an error unless the caller opted in to discard.
import { CorruptFileError } from "../codec/errors.ts";
import {
  AOF2_MAX_PAYLOAD,
  AOF2_RECORD_HEADER,
  internalFrame,
  readU32LE,
  TXN_BEGIN,
  wrapRecordInto,
} from "../codec/aof2.ts";
import { ByteWriter } from "../codec/bytes.ts";
import { crc32cUpdate } from "../codec/crc32c.ts";
import { encodeCommand, parseFrame } from "../codec/resp.ts";
import {
  FRAME_CORRUPT,
  FRAME_INCOMPLETE,
  type FrameCursor,
  scanFrame,
} from "../codec/resp_cursor.ts";
import type { Store } from "../store/store.ts";
import { applyPlainSet } from "./_plain_set.ts";
import { SegmentedFrameError } from "./aof2_errors.ts";

/** step(): the region ends inside the record at p. */
export const SHORT = -1;
/** step(): the record at p is damaged (see `problem`). */
export const BAD = -2;

const STAR = 0x2a, CR = 0x0d, LF = 0x0a;

/** Gets each frame as offsets in a reused cursor (valid during the call) and its file offset. */
export type FrameVisitor = (frame: FrameCursor, offset: number) => void;

/** A frame held inside an open transaction: its payload (a copy) and record offset. */
interface Held {
  payload: Uint8Array;
  offset: number;
}

/** A transaction discarded because another BEGIN came before its COMMIT. */
export interface DiscardedTxn {
  /** Offset of its BEGIN record. */
  offset: number;
  /** Frames it held. */
  frames: number;
}

export class V2Walk {
  /** The open transaction: BEGIN offset and held frames, or null. */
  #open: { offset: number; held: Held[] } | null = null;
  /** Set by step() when it returns BAD. */
  problem: { reason: string; detail: string; need: number } | null = null;
  /** Transactions dropped by `onUncommitted: "discard"`. */
  readonly discarded: DiscardedTxn[] = [];
  /** Committed transactions applied. */
  committed = 0;

  constructor(
    private readonly path: string,
    /** Hands a frame on (the scanner's emit). */
    private readonly emit: FrameVisitor,
    /** The scanner's cursor, shared. */
    private readonly cur: FrameCursor,
    private readonly target: Store | null,
    private readonly discardUncommitted: boolean,
  ) {}

  /** The BEGIN offset and held frame count of a transaction still open, or null. */
  get openTxn(): { offset: number; frames: number } | null {
    const o = this.#open;
    return o === null ? null : { offset: o.offset, frames: o.held.length };
  }

  /**
   * Consumes the record at `p` of `buf` (bytes up to `end`; `base` is the file
   * offset of buf[0]): returns the offset after it, SHORT, or BAD. `checked`:
   * the caller has verified this record's framing and CRC already
   * (checkedRecordsEnd over the whole chunk), so it is not checksummed again.
   */
  step(buf: Uint8Array, p: number, end: number, base: number, checked: boolean): number {
    if (end - p < AOF2_RECORD_HEADER) return SHORT;
    const len = readU32LE(buf, p);
    if (len === 0 || len > AOF2_MAX_PAYLOAD) {
      this.problem = {
        reason: "record length out of range",
        detail: `record length 1..${AOF2_MAX_PAYLOAD} (found ${len})`,
        need: 4,
      };
      return BAD;
    }
    const s = p + AOF2_RECORD_HEADER;
    const stop = s + len;
    if (stop > end) return SHORT;
    if (!checked && crc32cUpdate(0, buf, s, stop) !== readU32LE(buf, p + 4)) {
      this.problem = {
        reason: "record checksum mismatch",
        detail: "the record's CRC32C",
        need: AOF2_RECORD_HEADER + len,
      };
      return BAD;
    }
    const t = this.target;
    if (t !== null && this.#open === null) {
      // The plain-SET path straight from the buffer (no argv).
      const e = applyPlainSet(t, buf, s, stop);
      if (e === stop) return stop;
      if (e >= 0) return this.#notOne(stop, "one RESP command (bytes follow a SET)");
    }
    const cur = this.cur;
    const e = scanFrame(buf, s, stop, cur);
    if (e !== stop) {
      return this.#notOne(
        stop,
        e === FRAME_CORRUPT
          ? `one RESP command (${cur.expected} at byte ${base + cur.errAt})`
          : e === FRAME_INCOMPLETE
          ? "one RESP command (the payload ends inside it)"
          : `one RESP command (${stop - e} bytes follow it)`,
      );
    }
    this.#consume(cur, buf, s, stop, base + p);
    return stop;
  }

  #notOne(stop: number, detail: string): number {
    this.problem = {
      reason: "checksummed record does not hold exactly one command",
      detail,
      need: stop,
    };
    return BAD;
  }

  #consume(cur: FrameCursor, buf: Uint8Array, s: number, stop: number, offset: number): void {
    // Internal frames have one or two arguments, the first starting with a 0 byte.
    const argv = cur.argc <= 2 && cur.len[0]! > 0 && buf[cur.start[0]!] === 0 ? cur.argv() : null;
    const kind = argv === null ? null : internalFrame(argv);
    if (kind === "begin") {
      const o = this.#open;
      if (o !== null) {
        if (!this.discardUncommitted) {
          throw new CorruptFileError({
            path: this.path,
            offset,
            expected: `a COMMIT for the transaction opened at byte ${o.offset} before another ` +
              `BEGIN (its ${o.held.length} frames never committed; kevy 5.4 drops them without ` +
              `a word, SPEC-v5 §6.1/§6.14; replay with onUncommitted: "discard" to do the same)`,
            bytes: buf.subarray(s - AOF2_RECORD_HEADER, stop),
          });
        }
        this.discarded.push({ offset: o.offset, frames: o.held.length });
      }
      this.#open = { offset, held: [] };
      return;
    }
    if (kind === "commit") {
      const o = this.#open;
      if (o === null) return; // nothing to commit (kevy 5.4 ignores it too)
      this.#open = null;
      this.committed++;
      for (const h of o.held) this.#apply(h.payload, h.offset);
      return;
    }
    if (this.#open !== null) {
      this.#open.held.push({ payload: buf.slice(s, stop), offset });
      return;
    }
    if (kind === "segmented") throw new SegmentedFrameError(this.path, offset, argv![1]!);
    this.emit(cur, offset);
  }

  #apply(payload: Uint8Array, offset: number): void {
    const t = this.target;
    if (t !== null && applyPlainSet(t, payload, 0, payload.length) === payload.length) return;
    const cur = this.cur;
    if (scanFrame(payload, 0, payload.length, cur) < 0) return; // checked when it was held
    if (cur.argc === 2 && cur.len[0]! > 0 && payload[cur.start[0]!] === 0) {
      const argv = cur.argv();
      if (internalFrame(argv) === "segmented") {
        throw new SegmentedFrameError(this.path, offset, argv[1]!);
      }
    }
    this.emit(cur, offset);
  }

  /** The records of the open transaction, re-encoded (byte-identical): the start of a torn tail. */
  openTxnBytes(): Uint8Array {
    const o = this.#open!;
    const w = new ByteWriter(256);
    const begin = encodeCommand([TXN_BEGIN]);
    wrapRecordInto(w, begin, 0, begin.length);
    for (const h of o.held) wrapRecordInto(w, h.payload, 0, h.payload.length);
    return w.bytes().slice();
  }

  /** The transaction cut with a torn tail: forget it. */
  dropOpen(): void {
    this.#open = null;
  }

  /** The error for the damaged record at file offset `at`. */
  corrupt(at: number, bytes: Uint8Array, why = ""): CorruptFileError {
    const pr = this.problem!;
    return new CorruptFileError({
      path: this.path,
      offset: at,
      expected: `${pr.detail}: ${pr.reason}${why}`,
      bytes,
    });
  }

  /**
   * End of file with a record at `p` that is not intact (`short` if the file
   * ends inside it): returns the offset where the zero run a crash may leave
   * begins (the torn bytes are [p, end)), or throws CorruptFileError when the
   * bytes show damage rather than a cut.
   */
  tail(buf: Uint8Array, p: number, end: number, base: number, short: boolean): void {
    let z = end;
    while (z > p && buf[z - 1] === 0) z--;
    const view = buf.subarray(p, end);
    // A cut leaves a prefix of the record being written: fewer than its 8 + len bytes before the zeros.
    if (!short) {
      const need = this.problem!.need;
      if (z - p >= need) {
        throw this.corrupt(base + p, view, this.#flipNote(buf, p, end));
      }
    }
    if (z - p >= AOF2_RECORD_HEADER) {
      const len = readU32LE(buf, p);
      if (len === 0 || len > AOF2_MAX_PAYLOAD) {
        this.problem = {
          reason: "record length out of range",
          detail: `record length 1..${AOF2_MAX_PAYLOAD} (found ${len})`,
          need: 4,
        };
        throw this.corrupt(base + p, view);
      }
      // A damaged length: the bytes to the end are one whole command under the stored CRC.
      const s = p + AOF2_RECORD_HEADER;
      if (crc32cUpdate(0, buf, s, z) === readU32LE(buf, p + 4)) {
        const f = parseFrame(buf, s, z);
        if (f.kind === "frame" && f.end === z) {
          throw new CorruptFileError({
            path: this.path,
            offset: base + p,
            expected: `a record length that fits the file: the record says ${len} payload bytes, ` +
              `but its CRC32C matches the ${z - s} that follow (a damaged length, not a torn tail)`,
            bytes: view,
          });
        }
      }
    }
    const next = intactAfter(buf, p + 1, z);
    if (next >= 0) {
      throw new CorruptFileError({
        path: this.path,
        offset: base + p,
        expected: `a record that ends inside the file: this one does not, but an intact record ` +
          `starts at byte ${base + next} (a damaged length in the middle of the log, not a torn ` +
          `tail; kevy 5.4 would quarantine everything after it, SPEC-v5 §6.2)`,
        bytes: view,
      });
    }
  }

  /** ", bit b of byte x is flipped" when one flipped bit explains a complete record's CRC mismatch. */
  #flipNote(buf: Uint8Array, p: number, end: number): string {
    if (this.problem?.reason !== "record checksum mismatch") return "";
    const len = readU32LE(buf, p);
    const s = p + AOF2_RECORD_HEADER;
    if (s + len > end || len > 1 << 20) return "";
    const syn = (crc32cUpdate(0, buf, s, s + len) ^ readU32LE(buf, p + 4)) >>> 0;
    if ((syn & (syn - 1)) === 0) return " (one flipped bit in the stored CRC32C)";
    return " (damage in a complete record, not a cut)";
  }
}

/** Offset of the first intact record (CRC and one command) starting in [from, to), or -1. */
export function intactAfter(buf: Uint8Array, from: number, to: number): number {
  for (let q = from; q + AOF2_RECORD_HEADER < to; q++) {
    const len = readU32LE(buf, q);
    const s = q + AOF2_RECORD_HEADER;
    if (len < 4 || len > to - s) continue;
    // Cheap shape checks first: a multibulk payload starts with '*' and ends with CRLF.
    if (buf[s] !== STAR || buf[s + len - 2] !== CR || buf[s + len - 1] !== LF) continue;
    if (crc32cUpdate(0, buf, s, s + len) !== readU32LE(buf, q + 4)) continue;
    const f = parseFrame(buf, s, s + len);
    if (f.kind === "frame" && f.end === s + len) return q;
  }
  return -1;
}
