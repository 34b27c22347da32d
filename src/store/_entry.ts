// Private: entry kinds, size limits, and the epochs and cursors of KeyIndex (_index.ts).

/** Entry kinds. */
export const HOLE = 0;
export const STR = 1;
export const OBJ = 2;

/** Strings longer than this are kept as their own Uint8Array, not in the arena. */
export const INLINE_MAX = 1 << 16;
export const MIN_SLOTS = 16;
export const MIN_ARENA = 1 << 12;
/** Arena compaction runs once dead bytes exceed both this and the live bytes. */
export const MIN_DEAD = 1 << 12;
export const MAX_ARENA = 0xffffffff;

/** One generation of entry numbering; `map` (set when superseded) maps old -> new. */
export class Epoch {
  next: Epoch | null = null;
  map: Int32Array | null = null;
}

/** A position in entry order that survives compaction. */
export interface Cursor {
  epoch: Epoch;
  pos: number;
}

/** Moves a cursor of an older epoch to the same place in the newest one. */
export function catchUp(c: Cursor): void {
  let ep = c.epoch, p = c.pos;
  while (ep.next !== null) {
    const m = ep.map!;
    p = p < m.length ? m[p]! : m[m.length - 1]!;
    ep = ep.next;
  }
  c.epoch = ep;
  c.pos = p;
}

/**
 * A view taken by a capture in progress (_capture.ts): told before a live
 * entry changes (value, deadline, removal, a container handed out to be
 * mutated), and when the index drops its columns (clear) so it keeps them.
 */
export interface WriteHook {
  pre(ei: number): void;
  detach(): void;
}

/** Type bits of {@link KeyIndex}'s per-type object counts (and of captures). */
export const TYPE_BITS = { string: 0, hash: 1, list: 2, set: 3, zset: 4, stream: 5 } as const;
