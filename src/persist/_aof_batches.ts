// Private: the frames an AofWriter has buffered but not written, in log order.
// Appends of one turn encode into the active buffer and share one group (one
// promise for all of them); sealing cuts the buffer into a batch. An exclusive
// op (truncate, rewrite, withAppendsHeld) takes a place in the queue (a hold):
// nothing after it is ready to write until it is released, and what the op
// gives to its `first` callback goes into the place, ahead of the appends held
// meanwhile (a split write's part never interleaves with a later one's). Sync
// requests (a flush, the everysec timer) wait here too, for the next drain.
import { ByteWriter } from "../codec/bytes.ts";
import { encodeCommandInto, parseFrame } from "../codec/resp.ts";
import {
  AOF2_RECORD_HEADER,
  encodeRecordInto,
  internalFrame,
  TXN_BEGIN,
  TXN_COMMIT,
  wrapRecordInto,
} from "../codec/aof2.ts";

/** A v1 log's markers around `frames` frames that replay all or nothing (codec/group.ts). */
export type GroupMarkers = (frames: number) => [Uint8Array[], Uint8Array[]];

/** Encodes one command as a frame of a `format` log: a v2 record or a RESP frame. */
export function encodeFrameInto(
  w: ByteWriter,
  argv: ReadonlyArray<Uint8Array>,
  format: 1 | 2,
): void {
  if (format === 2) encodeRecordInto(w, argv);
  else encodeCommandInto(w, argv);
}

/** The promise the appends of one batch (or one sync request) wait on. */
export interface Group {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A new group (its rejection is never unhandled). */
export function group(): Group {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a group nobody awaits must not be an unhandled rejection
  return { promise, resolve, reject };
}

/**
 * A batch of frames cut from the buffer, with the group waiting on it; or the
 * place of a pending exclusive op (`hold`): what its `first` callback gives goes
 * there once it finishes, and nothing after it is written until then.
 */
export interface Batch {
  w: ByteWriter;
  g: Group | null;
  /** Frames in `w`. */
  frames: number;
  /** An exclusive op's place, still pending. */
  hold: boolean;
}

/** The active buffer, the sealed batches (with the holds among them) and the sync requests. */
export class Batches {
  #active: ByteWriter = new ByteWriter();
  #activeFrames = 0;
  #activeGroup: Group | null = null;
  #sealed: Batch[] = [];
  #spares: ByteWriter[] = [];
  #held = 0;
  #syncWaiters: Group[] = [];

  /** Exclusive ops whose place is still held. */
  get held(): number {
    return this.#held;
  }
  /** Bytes in the active buffer. */
  get activeBytes(): number {
    return this.#active.length;
  }
  /** Bytes appended but not yet written. */
  get bufferedBytes(): number {
    let n = this.#active.length;
    for (const b of this.#sealed) n += b.w.length;
    return n;
  }
  /** Whether frames are buffered (active or sealed). */
  get hasFrames(): boolean {
    return this.#active.length > 0 || this.#sealed.length > 0;
  }
  /** Whether anything waits to be written: frames, a group of this turn, or a sync request. */
  get pending(): boolean {
    return this.hasFrames || this.#activeGroup !== null || this.#syncWaiters.length > 0;
  }

  /** A sync request: resolves once everything before it is written and fdatasynced. */
  waitForSync(): Promise<void> {
    const g = group();
    this.#syncWaiters.push(g);
    return g.promise;
  }

  /** The sync requests a drain serves now: none while an exclusive op holds (what they cover is held). */
  takeSyncWaiters(): Group[] {
    return this.#held === 0 ? this.#syncWaiters.splice(0) : [];
  }

  /** Rejects the sync requests with `e`. */
  rejectSyncWaiters(e: unknown): void {
    for (const g of this.#syncWaiters.splice(0)) g.reject(e);
  }

  /** Rejects every sealed batch's group (holds included, all removed) and every sync request. */
  rejectAll(e: unknown): void {
    for (const b of this.takeAll()) b.g?.reject(e);
    this.rejectSyncWaiters(e);
  }

  /** Buffers one frame; the promise of this turn's group. */
  add(argv: ReadonlyArray<Uint8Array>, format: 1 | 2): Promise<void> {
    encodeFrameInto(this.#active, argv, format);
    this.#activeFrames++;
    // Every append of a turn shares the group's promise: no allocation per frame.
    let g = this.#activeGroup;
    if (g === null) g = this.#activeGroup = group();
    return g.promise;
  }

  /** Buffers commands that replay all or nothing (v2: between BEGIN and COMMIT records). */
  addGroup(argvs: ReadonlyArray<ReadonlyArray<Uint8Array>>, format: 1 | 2): Promise<void> {
    const w = this.#active;
    const v2 = format === 2 && argvs.length > 1;
    if (v2) encodeRecordInto(w, [TXN_BEGIN]);
    for (const argv of argvs) encodeFrameInto(w, argv, format);
    if (v2) encodeRecordInto(w, [TXN_COMMIT]);
    this.#activeFrames += argvs.length + (v2 ? 2 : 0);
    let g = this.#activeGroup;
    if (g === null) g = this.#activeGroup = group();
    return g.promise;
  }

  /** Cuts the active buffer (and its group) into a sealed batch. */
  seal(): void {
    if (this.#active.length === 0 && this.#activeGroup === null) return;
    this.#sealed.push({
      w: this.#active,
      g: this.#activeGroup,
      frames: this.#activeFrames,
      hold: false,
    });
    this.#active = this.#spares.pop() ?? new ByteWriter();
    this.#activeGroup = null;
    this.#activeFrames = 0;
  }

  /** The queued batches before the first pending exclusive op's place (removed from the queue). */
  takeReady(): Batch[] {
    const i = this.#sealed.findIndex((b) => b.hold);
    return this.#sealed.splice(0, i < 0 ? this.#sealed.length : i);
  }

  /** Every sealed batch, holds included (removed from the queue). */
  takeAll(): Batch[] {
    return this.#sealed.splice(0);
  }

  /** Puts unwritten batches back in front of the queue. */
  requeue(batches: Batch[]): void {
    this.#sealed.unshift(...batches);
  }

  /** Resolves the batches' groups and keeps up to two buffers for reuse. */
  resolve(batches: Batch[]): void {
    for (const b of batches) {
      b.g?.resolve();
      b.w.reset();
      if (this.#spares.length < 2) this.#spares.push(b.w);
    }
  }

  /**
   * A failed write of `batches`: their groups and the sync waiters reject with
   * `e`; the batches that were written whole keep their buffers for reuse.
   */
  settleFailed(batches: Batch[], e: unknown): void {
    for (const b of batches) {
      b.g?.reject(e);
      b.g = null;
    }
    this.rejectSyncWaiters(e);
    this.resolve(batches.filter((b) => b.w.length === 0));
  }

  /** Drops the active buffer unwritten; its group rejects with `e`. */
  dropActive(e: unknown): void {
    this.#activeGroup?.reject(e);
    this.#activeGroup = null;
    this.#active.reset();
    this.#activeFrames = 0;
  }

  /** Frames and bytes not yet in the file. */
  unwritten(): { frames: number; bytes: number } {
    let frames = this.#activeFrames;
    let bytes = this.#active.length;
    for (const b of this.#sealed) {
      frames += b.frames;
      bytes += b.w.length;
    }
    return { frames, bytes };
  }

  /**
   * Re-encodes every buffered frame for a log that switched format under an exclusive op
   * (a rewrite or truncate wrote the new file in the configured format while appends were
   * held in the old one): v1 frames become v2 records one for one; v2 records become v1
   * frames, a transaction's between the `markers` of a v1 group (bare without them).
   */
  reformat(to: 1 | 2, markers: GroupMarkers | null): void {
    for (const b of this.#sealed) {
      const r = reencode(b.w.bytes(), to, markers);
      b.w = r.w;
      b.frames = r.frames;
    }
    const r = reencode(this.#active.bytes(), to, markers);
    this.#active = r.w;
    this.#activeFrames = r.frames;
  }

  /** Takes an exclusive op's place after everything buffered (seal first). */
  hold(): Batch {
    const place: Batch = { w: new ByteWriter(64), g: null, frames: 0, hold: true };
    this.#sealed.push(place);
    this.#held++;
    return place;
  }

  /** Buffers a frame the op puts in its place (ahead of the appends held while it ran). */
  first(place: Batch, argv: ReadonlyArray<Uint8Array>, format: 1 | 2): void {
    encodeFrameInto(place.w, argv, format);
    place.frames++;
  }

  /** The op finished: its place is written in order (or removed when empty). */
  release(place: Batch): void {
    place.hold = false;
    if (place.frames === 0) {
      const i = this.#sealed.indexOf(place);
      if (i >= 0) this.#sealed.splice(i, 1);
    }
    this.#held--;
  }
}

/** Frames encoded for one format, encoded for the other (see {@link Batches.reformat}). */
function reencode(
  src: Uint8Array,
  to: 1 | 2,
  markers: GroupMarkers | null,
): { w: ByteWriter; frames: number } {
  const w = new ByteWriter(Math.max(64, src.length + (src.length >> 3)));
  let frames = 0;
  const next = (from: number, end: number) => {
    const r = parseFrame(src, from, end);
    if (r.kind !== "frame") throw new Error(`AOF buffer: not a frame at ${from} (${r.kind})`);
    return r;
  };
  if (to === 2) {
    for (let p = 0; p < src.length;) {
      const end = next(p, src.length).end;
      wrapRecordInto(w, src, p, end);
      frames++;
      p = end;
    }
    return { w, frames };
  }
  let txn: Array<[number, number]> | null = null;
  for (let p = 0; p < src.length;) {
    const len = src[p]! | src[p + 1]! << 8 | src[p + 2]! << 16 | src[p + 3]! << 24;
    const from = p + AOF2_RECORD_HEADER;
    const end = from + (len >>> 0);
    const kind = internalFrame(next(from, end).argv);
    if (kind === "begin") txn = [];
    else if (kind === "commit" && txn !== null) {
      const m = markers?.(txn.length) ?? null;
      if (m !== null) encodeCommandInto(w, m[0]);
      for (const [a, b] of txn) w.writeBytes(src.subarray(a, b));
      if (m !== null) encodeCommandInto(w, m[1]);
      frames += txn.length + (m === null ? 0 : 2);
      txn = null;
    } else if (txn !== null) txn.push([from, end]);
    else {
      w.writeBytes(src.subarray(from, end));
      frames++;
    }
    p = end;
  }
  return { w, frames };
}
