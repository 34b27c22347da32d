// Private: the entry columns of KeyIndex (_index.ts) grow without a stall.
// At 5/8 of a large index's capacity, columns twice the size are allocated
// and each insert (or delete) copies the next COLUMN_STEP entries into them;
// a write to an entry already copied is mirrored there (KeyIndex.mirror), so
// the new columns equal the old ones wherever copied. Once the copy reaches
// the last entry the new columns take over: no write copies all of them.
// Entry numbers never change here, so snapshot views are unaffected.

import type { KeyIndex } from "./_index.ts";

/** Indexes up to this many entries grow their columns by one copy (cheap). */
const SMALL_COLUMNS = 1 << 16;
/** Entries copied per write while the columns grow. */
const COLUMN_STEP = 256;

/** Columns being filled while an index grows (the first `copied` entries equal the index's). */
export class Growing {
  readonly cap: number;
  readonly koff: Uint32Array;
  readonly klen: Uint32Array;
  readonly voff: Uint32Array;
  readonly vlen: Uint32Array;
  readonly kind: Uint8Array;
  dl: Float64Array | null = null;
  tpos: Int32Array | null = null;
  acc: Uint32Array | null = null;
  objs: unknown[] | null = null;
  /** Entries copied (and mirrored since). */
  copied = 0;
  /** Deadline slots set to "none" so far (NaN / -1), when there are deadlines. */
  filled = 0;
  constructor(cap: number) {
    this.cap = cap;
    // One buffer for all five: above glibc's mmap threshold (32 MiB at most) it comes as fresh
    // zero pages, where five smaller ones may come from the heap and be cleared up front.
    const b = new ArrayBuffer(cap * 17);
    this.koff = new Uint32Array(b, 0, cap);
    this.klen = new Uint32Array(b, cap * 4, cap);
    this.voff = new Uint32Array(b, cap * 8, cap);
    this.vlen = new Uint32Array(b, cap * 12, cap);
    this.kind = new Uint8Array(b, cap * 16, cap);
  }
}

/** Entry `ei` changed: its copy in the growing columns follows, if copied already. */
export function mirrorEntry(ix: KeyIndex, g: Growing, ei: number): void {
  if (ei >= g.copied) return;
  g.koff[ei] = ix.koff[ei]!;
  g.voff[ei] = ix.voff[ei]!;
  g.vlen[ei] = ix.vlen[ei]!;
  g.kind[ei] = ix.kind[ei]!;
  if (g.dl !== null) {
    g.dl[ei] = ix.dl![ei]!;
    g.tpos![ei] = ix.tpos![ei]!;
  }
  if (g.acc !== null) g.acc[ei] = ix.acc![ei]!;
  if (g.objs !== null) g.objs[ei] = ix.objs![ei];
}

/**
 * Entry count at which an index with `cap` entries of room takes the slow
 * path of insert: 5/8 of it, where a growth starts (not at the slot table's
 * 3/4 load, which falls on the same counts: two big allocations in one write
 * cost the runtime more than one).
 */
export function columnLimit(cap: number): number {
  return cap <= SMALL_COLUMNS ? cap : cap - (cap >> 2) - (cap >> 3);
}

/**
 * Optional columns the index gained since the growth started (its first
 * deadline, object or access clock) are added, copied up to `copied`.
 */
function addMissing(ix: KeyIndex, g: Growing): void {
  const c = g.copied;
  if (ix.dl !== null && g.dl === null) {
    g.dl = new Float64Array(g.cap);
    g.tpos = new Int32Array(g.cap);
    g.dl.set(ix.dl.subarray(0, c));
    g.tpos.set(ix.tpos!.subarray(0, c));
    g.filled = c;
  }
  if (ix.acc !== null && g.acc === null) {
    g.acc = new Uint32Array(g.cap);
    g.acc.set(ix.acc.subarray(0, c));
  }
  if (ix.objs !== null && g.objs === null) {
    const o = g.objs = new Array<unknown>(g.cap), src = ix.objs;
    for (let i = 0; i < c; i++) o[i] = src[i];
  }
}

/** The grown columns take over. */
function swap(ix: KeyIndex, g: Growing): void {
  ix.koff = g.koff;
  ix.klen = g.klen;
  ix.voff = g.voff;
  ix.vlen = g.vlen;
  ix.kind = g.kind;
  ix.dl = g.dl;
  ix.tpos = g.tpos;
  ix.acc = g.acc;
  ix.objs = g.objs;
  ix.cap = g.cap;
  ix.growing = null;
  ix.colLimit = columnLimit(g.cap);
}

/** One step of a growth in progress: `steps` more deadline slots set to none, or entries copied. */
export function columnsStep(ix: KeyIndex, steps = COLUMN_STEP): void {
  const g = ix.growing!;
  addMissing(ix, g);
  if (g.dl !== null && g.filled < g.cap) {
    // Deadline columns mean "none" by NaN / -1: set ahead of the copy (which overwrites its part).
    const e = Math.min(g.cap, g.filled + 4 * steps);
    g.dl.fill(NaN, g.filled, e);
    g.tpos!.fill(-1, g.filled, e);
    g.filled = e;
    return;
  }
  const c = g.copied, e = Math.min(ix.n, c + steps);
  if (e > c) {
    g.koff.set(ix.koff.subarray(c, e), c);
    g.klen.set(ix.klen.subarray(c, e), c);
    g.voff.set(ix.voff.subarray(c, e), c);
    g.vlen.set(ix.vlen.subarray(c, e), c);
    g.kind.set(ix.kind.subarray(c, e), c);
    if (g.dl !== null) {
      g.dl.set(ix.dl!.subarray(c, e), c);
      g.tpos!.set(ix.tpos!.subarray(c, e), c);
    }
    if (g.acc !== null) g.acc.set(ix.acc!.subarray(c, e), c);
    if (g.objs !== null) {
      const o = g.objs, src = ix.objs!;
      for (let i = c; i < e; i++) o[i] = src[i];
    }
    g.copied = e;
  }
  if (e === ix.n) swap(ix, g);
}

/**
 * Before an insert at `ix.n` (past `colLimit`): a growth step, a growth
 * started, or a full index made room; true when the caller must compact
 * holes away instead (half of a full index, and no capture in progress).
 */
export function columnsRoom(ix: KeyIndex): boolean {
  if (ix.growing !== null) {
    columnsStep(ix, COLUMN_STEP);
    // Full before the copy ended (cannot happen with inserts alone): finish it now.
    if (ix.n === ix.cap) finishColumns(ix);
    return false;
  }
  if (ix.n === ix.cap) {
    if (ix.live * 2 <= ix.cap && ix.hooks === null) return true;
    growNow(ix, ix.cap * 2);
    return false;
  }
  // At 5/8: grow step by step, unless churn left many holes (compacted once full instead).
  if (ix.live * 4 >= ix.n * 3) {
    ix.growing = new Growing(ix.cap * 2);
    ix.colLimit = 0;
    columnsStep(ix, COLUMN_STEP);
  } else ix.colLimit = Math.min(ix.cap, ix.n + (ix.cap >> 4));
  return false;
}

/** Copies the entry columns into ones holding `cap` entries at once (entry numbers stay). */
export function growNow(ix: KeyIndex, cap: number): void {
  const g = ix.growing = new Growing(cap);
  addMissing(ix, g); // copied is 0: allocates the optional columns the index has
  if (g.dl !== null) {
    g.dl.fill(NaN);
    g.tpos!.fill(-1);
    g.filled = cap;
  }
  columnsStep(ix, ix.n); // copies every entry, then swaps
}

/** A growth in progress is given up (the index's columns are whole; it starts again at the next insert). */
export function dropGrowth(ix: KeyIndex): void {
  ix.growing = null;
  ix.colLimit = columnLimit(ix.cap);
}

/** A growth in progress ends now (before a step that rewrites every entry's columns). */
export function finishColumns(ix: KeyIndex): void {
  while (ix.growing !== null) columnsStep(ix, ix.cap);
}
