// Streaming AOF scanner shared by replayAof and Aof.open: fed chunk by chunk
// (by the drivers in _aof_scan_file.ts), it validates the header, hands every
// complete frame to a callback and classifies the end of the file. Memory
// stays at one chunk plus the largest frame. A `KEVYAOF2\n` header switches it
// to checksummed records (the record walk and its end rules: _aof2_walk.ts).
import { AOF_MAGIC, findFrameAfter } from "../codec/resp.ts";
import { FRAME_INCOMPLETE, FrameCursor, scanFrame } from "../codec/resp_cursor.ts";
import { AOF2_MAGIC, checkedRecordsEnd, setRecordCheckSimd } from "../codec/aof2.ts";
import { runtimeName } from "../fs/detect.ts";
import { type FrameVisitor, SHORT, V2Walk } from "./_aof2_walk.ts";
import { CorruptFileError } from "../codec/errors.ts";
import type { Store } from "../store/store.ts";
import { applyPlainSet, storeOf } from "./_plain_set.ts";
import { allZero, isPrefixOf, type ScanEnd } from "./_aof_scan_end.ts";

export type { FrameVisitor, ScanEnd };

// JavaScriptCore runs the SIMD record check at ~0.6x of the scalar one (V8 at
// 1.4-1.9x): on Bun a v2 replay checks records with the scalar wasm kernel.
if (runtimeName() === "bun") setRecordCheckSimd(false);

/** Bytes of a new chunk appended to complete a pending frame before parsing the rest in place. */
const PIECE = 4096;

/** The chunk-fed scanner. */
export class AofScanner {
  private buf: Uint8Array;
  private start = 0;
  private end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private headerDone = false;
  private header = false;
  private frames = 0;
  /** Set once a corrupt frame is followed only by zeros so far. */
  private zeroMode: { at: number; err: CorruptFileError; prefix: Uint8Array } | null = null;
  private zeros = 0;
  /** The record walk of a `KEVYAOF2` log (null for v1 and legacy logs). */
  private v2: V2Walk | null = null;
  /** The one frame scanner's cursor, reused for every frame. */
  private readonly cur = new FrameCursor();
  /** Hands a scanned frame on: to `visit`, or as argv views to onFrame. */
  private readonly emit: FrameVisitor;

  constructor(
    private readonly path: string,
    /** Gets each frame with its file offset. */
    private readonly onFrame: (argv: Uint8Array[], offset: number) => void,
    initialCapacity = 1 << 20,
    /** When set, plain SET frames go straight into it (see _plain_set.ts), the rest to onFrame. */
    private readonly target: Store | null = storeOf(onFrame),
    /** v2: a BEGIN before the previous one's COMMIT drops that transaction instead of failing. */
    private readonly discardUncommitted = false,
    /** When set, frames go to it as offsets (a reused cursor) and onFrame is not called. */
    visit: FrameVisitor | null = null,
  ) {
    this.buf = new Uint8Array(initialCapacity);
    this.emit = visit ?? ((cur, offset) => onFrame(cur.argv(), offset));
  }

  /** Offset just past the last complete frame handed over (a log being followed resumes here). */
  get consumed(): number {
    return this.base + this.start;
  }

  /** Complete frames seen so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** The frame just handed to onFrame was no command (a group marker): not counted. */
  uncount(): void {
    this.frames--;
  }

  /** Feed the next chunk of the file. Throws CorruptFileError on mid-file corruption. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.zeroMode !== null) {
      if (!allZero(chunk, 0, chunk.length)) throw this.zeroMode.err;
      this.zeros += chunk.length;
      return;
    }
    if (!this.headerDone) {
      this.append(chunk);
      this.drain(false);
      return;
    }
    const chunkAt = this.base + this.end; // file offset of chunk[0]
    let from = 0;
    if (this.start < this.end) {
      // A frame is pending: complete it with a piece of the chunk, then parse
      // the rest of the chunk in place instead of copying all of it.
      const piece = chunk.length <= PIECE ? chunk : chunk.subarray(0, PIECE);
      this.append(piece);
      this.drain(false);
      if (this.zeroMode !== null) return this.zeroTail(chunk, piece.length);
      if (piece.length === chunk.length) return;
      const at = this.base + this.start;
      if (at < chunkAt) {
        // Still inside the pending frame (a big one): buffer the rest too.
        this.append(chunk.subarray(piece.length));
        this.drain(false);
        return;
      }
      from = at - chunkAt;
    }
    // The buffer is consumed: drop it and parse the chunk where it is.
    this.base = chunkAt;
    this.start = this.end = 0;
    this.parseInPlace(chunk, from);
  }

  /** Parses complete frames of `chunk` from `from` without copying; buffers the rest. */
  private parseInPlace(chunk: Uint8Array, from: number): void {
    // Here the buffer is empty and chunk[0] is at file offset this.base.
    let p = from;
    const t = this.target;
    const n = chunk.length;
    const v2 = this.v2;
    const cur = this.cur, emit = this.emit;
    if (v2 !== null) {
      // The chunk's records are checksummed in one pass first (see checkedRecordsEnd).
      let ok = p;
      for (;;) {
        if (p >= ok) ok = checkedRecordsEnd(chunk, p, n);
        const e = v2.step(chunk, p, n, this.base, p < ok);
        if (e < 0) break;
        this.frames++;
        p = e;
      }
    } else {
      for (;;) {
        if (t !== null) {
          const e = applyPlainSet(t, chunk, p, n);
          if (e >= 0) {
            this.frames++;
            p = e;
            continue;
          }
        }
        const e = scanFrame(chunk, p, n, cur);
        if (e < 0) break;
        this.frames++;
        const at = p;
        p = e;
        emit(cur, this.base + at);
      }
    }
    this.base += p;
    if (p === chunk.length) return;
    // An incomplete (or corrupt) frame: buffer it and let drain() classify it.
    this.append(chunk.subarray(p));
    this.drain(false);
  }

  /** zeroMode began inside `chunk[0, used)`: what is left of the chunk must be zeros too. */
  private zeroTail(chunk: Uint8Array, used: number): void {
    if (!allZero(chunk, used, chunk.length)) throw this.zeroMode!.err;
    this.zeros += chunk.length - used;
  }

  /** End of file: how the scan ended. Throws CorruptFileError if the end is not a clean or torn tail. */
  finish(): ScanEnd {
    if (this.v2 !== null) return this.finishV2();
    if (this.zeroMode !== null) {
      const z = this.zeroMode;
      return this.result(z.at, z.prefix, this.zeros);
    }
    this.drain(true);
    const left = this.end - this.start;
    if (left === 0) return this.result(null, new Uint8Array(0), 0);
    this.refuseSwallowed(this.start, this.end);
    return this.result(this.base + this.start, this.buf.slice(this.start, this.end), 0);
  }

  /** v2 end of file: clean, torn (a record cut short, nothing intact after it), or corrupt. */
  private finishV2(): ScanEnd {
    const v2 = this.v2!;
    let at: number | null = null;
    let prefix: Uint8Array = new Uint8Array(0);
    let zeros = 0;
    if (this.zeroMode !== null) {
      const z = this.zeroMode;
      v2.tail(z.prefix, 0, z.prefix.length, z.at, true);
      at = z.at;
      prefix = z.prefix;
      zeros = this.zeros;
    } else if (this.start < this.end) {
      v2.tail(this.buf, this.start, this.end, this.base, true);
      at = this.base + this.start;
      prefix = this.buf.slice(this.start, this.end);
    }
    const txn = v2.openTxn;
    if (txn !== null) {
      // A BEGIN without its COMMIT: cut the tail from the BEGIN (its records are whole).
      const held = v2.openTxnBytes();
      const whole = new Uint8Array(held.length + prefix.length);
      whole.set(held);
      whole.set(prefix, held.length);
      v2.dropOpen();
      return this.result(txn.offset, whole, zeros, txn);
    }
    return this.result(at, prefix, zeros);
  }

  /**
   * The frame at buf[from] runs to the end of the file. A crash leaves a prefix
   * of the frame being written, never a whole frame after it: if one follows,
   * a length was damaged and swallowed acknowledged frames — corruption, not a torn tail.
   */
  private refuseSwallowed(from: number, to: number): void {
    const view = this.buf.subarray(from, to);
    const next = findFrameAfter(view, 1);
    if (next < 0) return;
    throw new CorruptFileError({
      path: this.path,
      offset: this.base + from,
      expected: `a frame that ends inside the file: this one runs past the end, but a ` +
        `well-formed frame starts at byte ${this.base + from + next} (a damaged length in ` +
        `the middle of the log, not a torn tail)`,
      bytes: view,
    });
  }

  private result(
    tornAt: number | null,
    prefix: Uint8Array,
    zeros: number,
    tornTxn: { offset: number; frames: number } | null = null,
  ): ScanEnd {
    const bytes = tornAt ?? this.base + this.end;
    return {
      frames: this.frames,
      bytes,
      header: this.header,
      format: this.v2 !== null ? "v2" : this.header ? "v1" : "legacy",
      tornTxn,
      discardedTxns: this.v2?.discarded ?? [],
      tornAt,
      tornBytes: tornAt === null ? 0 : prefix.length + zeros,
      tornPrefix: prefix,
      tornZeros: zeros,
    };
  }

  private append(chunk: Uint8Array): void {
    const need = this.end - this.start + chunk.length;
    if (this.start > 0 && (need > this.buf.length || this.start === this.end)) {
      // Compact: only the unconsumed bytes move (at most one frame's worth).
      this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end + chunk.length > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.end + chunk.length) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The v2 loop over the buffer: records, and a bad one either corrupt or the start of a zero run. */
  private drainV2(): void {
    const v2 = this.v2!;
    const view = this.buf.subarray(0, this.end);
    let ok = this.start;
    while (this.start < this.end) {
      if (this.start >= ok) ok = checkedRecordsEnd(view, this.start, this.end);
      const e = v2.step(view, this.start, this.end, this.base, this.start < ok);
      if (e >= 0) {
        this.frames++;
        this.start = e;
        continue;
      }
      if (e === SHORT) return; // more bytes, or finish() decides
      // BAD. A power cut can zero-fill the end of what was being written: if
      // the zero run starts inside this record and runs to what we have, it
      // may be a torn tail (the rest of the file must be zeros too).
      let z = this.end;
      while (z > this.start && view[z - 1] === 0) z--;
      const at = this.base + this.start;
      const err = v2.corrupt(at, view.subarray(this.start));
      if (z === this.end || z - this.start >= v2.problem!.need) throw err;
      this.zeroMode = { at, err, prefix: view.slice(this.start, z) };
      this.zeros = this.end - z;
      this.start = this.end;
      return;
    }
  }

  private drain(eof: boolean): void {
    const view = this.buf.subarray(0, this.end);
    if (!this.headerDone) {
      const have = view.subarray(this.start, this.end);
      if (
        have.length < AOF_MAGIC.length &&
        (isPrefixOf(have, AOF_MAGIC) || isPrefixOf(have, AOF2_MAGIC))
      ) {
        if (!eof) return; // wait for the whole header
        // At the end of the file a torn one (of either version: kevy 5.4 reads
        // a torn v2 magic as a v1 log too) is a torn tail at 0 that finish() reports.
        return;
      }
      this.headerDone = true;
      if (isPrefixOf(have.subarray(0, AOF2_MAGIC.length), AOF2_MAGIC)) {
        this.header = true;
        this.start += AOF2_MAGIC.length;
        this.v2 = new V2Walk(
          this.path,
          this.emit,
          this.cur,
          this.target,
          this.discardUncommitted,
        );
        return this.drainV2();
      }
      if (
        have.length >= AOF_MAGIC.length && isPrefixOf(have.subarray(0, AOF_MAGIC.length), AOF_MAGIC)
      ) {
        this.header = true;
        this.start += AOF_MAGIC.length;
      } else {
        // A torn header padded with zeros (a power cut while the new log's header was
        // written, "KEVY" then zeros): a torn tail at 0 if only zeros follow to the end.
        let p = 0;
        while (p < AOF_MAGIC.length && have[p] === AOF_MAGIC[p]) p++;
        if (p > 0 && allZero(have, p, have.length)) {
          this.zeroMode = {
            at: this.base + this.start,
            err: new CorruptFileError({
              path: this.path,
              offset: this.base + this.start,
              expected: "a KEVYAOF1 header (a torn header may be followed by zeros only)",
              bytes: have,
            }),
            prefix: have.slice(0, p),
          };
          this.zeros = have.length - p;
          this.start = this.end;
          return;
        }
      }
    }
    if (this.v2 !== null) return this.drainV2();
    const t = this.target;
    const cur = this.cur;
    while (this.start < this.end) {
      if (t !== null) {
        const e = applyPlainSet(t, view, this.start, this.end);
        if (e >= 0) {
          this.frames++;
          this.start = e;
          continue;
        }
      }
      const e = scanFrame(view, this.start, this.end, cur);
      if (e >= 0) {
        this.frames++;
        const at = this.base + this.start;
        this.start = e;
        this.emit(cur, at);
        continue;
      }
      if (e === FRAME_INCOMPLETE) return;
      // Corrupt. A crash can leave a run of zeros (size extended, data never
      // written): if everything from the bad byte on is zero, it may be a torn tail.
      const bad = Math.max(cur.errAt, this.start);
      const err = new CorruptFileError({
        path: this.path,
        offset: this.base + this.start,
        expected: cur.errAt > this.start
          ? `${cur.expected} (at byte ${this.base + cur.errAt}, in the frame starting here)`
          : cur.expected,
        bytes: view.subarray(this.start),
      });
      if (!allZero(view, bad, this.end)) throw err;
      this.refuseSwallowed(this.start, bad);
      this.zeroMode = {
        at: this.base + this.start,
        err,
        prefix: view.slice(this.start, bad),
      };
      this.zeros = this.end - bad;
      this.start = this.end;
      return;
    }
  }
}
