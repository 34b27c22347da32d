// Private: the slot table of KeyIndex (_index.ts): deletion by backward
// shift, and growth without a stall.
// When it is full (3/4 of its slots), a table twice its size takes over and
// the old one's slots move REHASH_STEP at a time, one step per insert or
// delete. Meanwhile a lookup probes the new table, then the old one's part
// not moved yet (moving what it finds there, so that every later step —
// insert, overwrite, delete — meets the entry in the new table only). Old
// slots are never cleared during a rehash (a found entry leaves a MOVED
// mark), so the old table's probe runs stay whole. Entry numbers never
// change here, so snapshot views are unaffected.

import type { KeyIndex } from "./_index.ts";

/** Old slots moved per step: at least 2 (a rehash must end before the new table is full). */
const REHASH_STEP = 64;
/** An old slot whose entry a lookup moved to the new table (probes go on past it). */
const MOVED = -1;

/**
 * During a rehash: the entry of the key bytes in the old table's part not
 * moved yet, or -1; one found moves into the new table's free slot that the
 * lookup's probe of it ended at (`lastSlot`).
 */
export function findOld(ix: KeyIndex, b: Uint8Array, off: number, len: number, h: number): number {
  const old = ix.old!, mask = ix.oldMask, mig = ix.mig, a = ix.arena;
  let s = h & mask;
  for (;;) {
    const e = old[2 * s]!;
    if (e === 0) return -1;
    // Below `mig` the slots were moved (they stay as they were, keeping probe runs whole).
    if (e > 0 && s >= mig && old[2 * s + 1] === h && ix.klen[e - 1] === len) {
      const ko = ix.koff[e - 1]!;
      let i = 0;
      while (i < len && a[ko + i] === b[off + i]) i++;
      if (i === len) {
        old[2 * s] = MOVED;
        ix.slots[2 * ix.lastSlot] = e;
        ix.slots[2 * ix.lastSlot + 1] = h;
        return e - 1;
      }
    }
    s = (s + 1) & mask;
  }
}

/** Moves the next `steps` slots of the old table (ending the rehash at its end). */
export function rehashStep(ix: KeyIndex, steps = REHASH_STEP): void {
  const old = ix.old!, end = ix.oldMask + 1;
  const slots = ix.slots, mask = ix.mask;
  let s = ix.mig;
  const stop = Math.min(end, s + steps);
  for (; s < stop; s++) {
    const e = old[2 * s]!;
    if (e <= 0) continue;
    const h = old[2 * s + 1]!;
    let t = h & mask;
    while (slots[2 * t] !== 0) t = (t + 1) & mask;
    slots[2 * t] = e;
    slots[2 * t + 1] = h;
  }
  ix.mig = s;
  if (s === end) {
    ix.old = null;
    ix.oldMask = 0;
    ix.mig = 0;
  }
}

/** The slot table is full: one twice its size takes over (the old one's slots move step by step). */
function startRehash(ix: KeyIndex): void {
  ix.finishRehash(); // cannot be in progress still: steps outpace the inserts that fill a table
  const size = (ix.mask + 1) * 2;
  ix.old = ix.slots;
  ix.oldMask = ix.mask;
  ix.mig = 0;
  ix.slots = new Int32Array(size * 2);
  ix.mask = size - 1;
  ix.grow = (size * 3) >> 2;
}

/** Before an insert of hash `h` (absent): a rehash step (or a new rehash); `lastSlot` becomes its free slot. */
export function slotRoom(ix: KeyIndex, h: number): void {
  if (ix.live >= ix.grow) startRehash(ix);
  rehashStep(ix);
  const slots = ix.slots, mask = ix.mask;
  let s = h & mask; // the key is absent: its slot is the first free one of its run
  while (slots[2 * s] !== 0) s = (s + 1) & mask;
  ix.lastSlot = s;
}

/** Empties slot `i` of a table by backward shift: later members of its probe run move into the gap. */
export function clearSlot(slots: Int32Array, mask: number, i: number): void {
  for (;;) {
    slots[2 * i] = 0;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = slots[2 * j]!;
      if (e === 0) return;
      const h = slots[2 * j + 1]!;
      const home = h & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      slots[2 * i] = e;
      slots[2 * i + 1] = h;
      i = j;
      break;
    }
  }
}
