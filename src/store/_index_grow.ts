// Private: the bulk steps of KeyIndex (_index.ts) that touch every entry or
// every arena byte: a rebuild of the slot table and entry columns (growth,
// shrinking, compacting holes away), load hints, and arena growth and
// compaction.

import { HOLE, MIN_ARENA, MIN_DEAD, STR } from "./_entry.ts";
import { copyBytes } from "./_hash.ts";
import type { KeyIndex } from "./_index.ts";
import { columnLimit, dropGrowth } from "./_index_columns.ts";

/** A load hint: room for `keys` more entries and `bytes` more arena bytes (never shrinks). */
export function reserveFor(ix: KeyIndex, keys: number, bytes: number): void {
  let s = ix.mask + 1;
  while ((s * 3) >> 2 < ix.n + keys && s < 1 << 30) s *= 2;
  if (s > ix.mask + 1) rebuild(ix, s);
  const need = Math.min(ix.maxArena, ix.used + bytes);
  if (need > ix.arena.length) {
    const next = new Uint8Array(need);
    next.set(ix.arena.subarray(0, ix.used));
    setArena(ix, next);
  }
  // What the hint made room for is not grown into ahead (halfway) as it fills.
  if (ix.growing === null) ix.colLimit = Math.min(ix.cap, Math.max(ix.colLimit, ix.n + keys));
  if (ix.next === null) ix.limit = Math.min(ix.arena.length, Math.max(ix.limit, ix.used + bytes));
}

// Byte counts go past 2^31 here: no `>>` on them (it wraps to a negative int32).

/** Arenas up to this size grow by one copy (cheap); larger ones a step per write. */
const SMALL_ARENA = 1 << 20;
/** Bytes a write copies into a growing arena, at least (and 8 times its own bytes). */
const GROW_STEP = 1 << 17;

/** `a` becomes the arena (a growth in progress is dropped); the next growth starts halfway to its end. */
function setArena(ix: KeyIndex, a: Uint8Array): void {
  ix.arena = a;
  ix.next = null;
  ix.copied = 0;
  const len = a.length;
  ix.limit = len <= SMALL_ARENA || len >= ix.maxArena
    ? len
    : ix.used + Math.floor((len - ix.used) / 2);
}

/** Copies `bytes` more of the arena into the growing one; once it holds them all it takes over. */
function growStep(ix: KeyIndex, bytes: number): void {
  const next = ix.next!, end = Math.min(ix.used, ix.copied + bytes);
  next.set(ix.arena.subarray(ix.copied, end), ix.copied);
  ix.copied = end;
  if (end === ix.used) setArena(ix, next);
}

/**
 * Makes room for `n` more arena bytes (nothing is used yet); throws
 * `RangeError` beyond {@link KeyIndex.maxArena}. Past halfway (`limit`) a
 * large arena starts growing into one twice its size, and each write copies
 * a step of the bytes below `used` (never written again) until the new one
 * holds them all and takes over: no write copies the whole arena.
 */
export function makeRoom(ix: KeyIndex, n: number): void {
  const need = ix.used + n;
  if (ix.next !== null) {
    // Growing: a step of at least 8 times the bytes written, so the copy ends before the room does.
    growStep(ix, need <= ix.arena.length ? Math.max(GROW_STEP, 8 * n) : ix.used);
    if (need <= ix.arena.length) return;
  }
  if (need <= ix.arena.length) {
    // Halfway to the end of a large arena: churn compacts it (below), else a growth starts.
    if (ix.dead > MIN_DEAD && ix.dead >= ix.used / 4) compactArena(ix, n);
    else if (ix.arena.length < ix.maxArena) {
      const len = Math.min(ix.maxArena, ix.arena.length * 2);
      ix.next = new Uint8Array(len);
      ix.copied = 0;
      ix.limit = -1;
      growStep(ix, Math.max(GROW_STEP, 8 * n));
    } else ix.limit = ix.arena.length;
    return;
  }
  // Churn (overwrites, deletes, evictions) leaves dead bytes: a quarter of them or more,
  // and the live bytes move to a fresh buffer instead of a doubled one mostly garbage.
  if (ix.dead > MIN_DEAD && ix.dead >= ix.used / 4) {
    compactArena(ix, n);
    if (ix.used + n <= ix.arena.length) return;
  }
  const max = ix.maxArena;
  if (need > max) throw new RangeError(`Store: key/value arena exceeds ${max} bytes`);
  const next = new Uint8Array(Math.min(max, Math.max(need, ix.arena.length * 2)));
  next.set(ix.arena.subarray(0, ix.used));
  setArena(ix, next);
}

/**
 * Compacts holes away into entry arrays sized for `slotCount` slots (keeps
 * them, and so every entry number, while a capture is in progress) and a
 * fresh slot table of that size.
 */
export function rebuild(ix: KeyIndex, slotCount: number): void {
  ix.finishRehash();
  dropGrowth(ix); // new columns come from the index's own
  const n = ix.n, cap = Math.max(n, (slotCount * 3) >> 2);
  const koff = new Uint32Array(cap), klen = new Uint32Array(cap);
  const voff = new Uint32Array(cap), vlen = new Uint32Array(cap), kind = new Uint8Array(cap);
  const objs = ix.objs === null ? null : new Array<unknown>(cap);
  const dl = ix.dl === null ? null : new Float64Array(cap).fill(NaN);
  const tpos = ix.dl === null ? null : new Int32Array(cap).fill(-1);
  const acc = ix.acc === null ? null : new Uint32Array(cap);
  let map: Int32Array | null = null;
  let w = 0;
  if (n === ix.live || ix.hooks !== null) {
    // No holes (or a capture in progress): entry numbers stay, columns are plain copies.
    koff.set(ix.koff.subarray(0, n));
    klen.set(ix.klen.subarray(0, n));
    voff.set(ix.voff.subarray(0, n));
    vlen.set(ix.vlen.subarray(0, n));
    kind.set(ix.kind.subarray(0, n));
    if (dl !== null) {
      dl.set(ix.dl!.subarray(0, n));
      tpos!.set(ix.tpos!.subarray(0, n));
    }
    if (objs !== null) { for (let r = 0; r < n; r++) objs[r] = ix.objs![r]; }
    if (acc !== null) acc.set(ix.acc!.subarray(0, n));
    w = n;
  } else {
    map = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) {
      map[r] = w;
      if (ix.kind[r] === HOLE) continue;
      koff[w] = ix.koff[r]!;
      klen[w] = ix.klen[r]!;
      voff[w] = ix.voff[r]!;
      vlen[w] = ix.vlen[r]!;
      kind[w] = ix.kind[r]!;
      if (objs !== null) objs[w] = ix.objs![r];
      if (acc !== null) acc[w] = ix.acc![r]!;
      if (dl !== null) {
        dl[w] = ix.dl![r]!;
        tpos![w] = ix.tpos![r]!;
      }
      w++;
    }
    map[n] = w;
    for (let p = 0; p < ix.ttlCount; p++) ix.ttl[p] = map[ix.ttl[p]!]!;
    ix.newEpoch(map);
  }
  const old = ix.slots, oldSize = ix.mask + 1;
  const slots = new Int32Array(slotCount * 2), mask = slotCount - 1;
  for (let o = 0; o < oldSize; o++) {
    const e = old[2 * o]!;
    if (e === 0) continue;
    const h = old[2 * o + 1]!;
    let s = h & mask;
    while (slots[2 * s] !== 0) s = (s + 1) & mask;
    slots[2 * s] = map === null ? e : map[e - 1]! + 1;
    slots[2 * s + 1] = h;
  }
  Object.assign(ix, {
    koff,
    klen,
    voff,
    vlen,
    kind,
    objs,
    dl,
    tpos,
    acc,
    cap,
    n: w,
    slots,
    mask,
    grow: (slotCount * 3) >> 2,
    colLimit: columnLimit(cap),
  });
  if (ix.dead > MIN_DEAD && ix.dead > ix.used - ix.dead) compactArena(ix);
}

/** Copies live key and string bytes into a fresh arena (views handed out keep the old one). */
export function compactArena(ix: KeyIndex, extra = 0): void {
  dropGrowth(ix); // every entry's offsets change: a growth in progress starts again later
  const want = ix.used - ix.dead + extra;
  const next = new Uint8Array(Math.min(ix.maxArena, Math.max(MIN_ARENA, Math.floor(want * 1.5))));
  const a = ix.arena;
  let w = 0;
  for (let e = 0; e < ix.n; e++) {
    const k = ix.kind[e]!;
    if (k === HOLE) continue;
    const kl = ix.klen[e]!;
    copyBytes(a, ix.koff[e]!, next, w, kl);
    ix.koff[e] = w;
    w += kl;
    if (k === STR) {
      const vl = ix.vlen[e]!;
      copyBytes(a, ix.voff[e]!, next, w, vl);
      ix.voff[e] = w;
      w += vl;
    }
  }
  ix.used = w;
  ix.dead = 0;
  setArena(ix, next);
}
