// Private: SCAN cursors and RANDOMKEY of Store, over its KeyIndex.
import { toKey } from "./_keys.ts";
import { globMatch } from "./_glob.ts";
import { type Cursor, HOLE, type KeyIndex } from "./_index.ts";
import type { Expiry } from "./_expiry.ts";

const SCAN_TAG_BITS = 2 ** 20;
const MAX_OPEN_SCANS = 128;

/** A random live key (RANDOMKEY; expired keys met on the way expire, through `ex`), or null. */
export function randomKey(ix: KeyIndex, ex: Expiry): Uint8Array | null {
  // Holes are at most about as many as live entries (the index compacts past that).
  for (let tries = 0; ix.live > 0 && tries < 64; tries++) {
    const ei = Math.floor(Math.random() * ix.n);
    if (ix.kind[ei] === HOLE) continue;
    if (!ex.isExpired(ei)) return ix.key(ei).slice();
    ex.expire(ei);
  }
  for (let ei = 0; ei < ix.n && ix.live > 0; ei++) {
    if (ix.kind[ei] === HOLE) continue;
    if (!ex.isExpired(ei)) return ix.key(ei).slice();
    ex.expire(ei);
  }
  return null;
}

/** Open SCAN cursors: cursor number -> position in entry order. */
export class ScanTable {
  readonly #open = new Map<number, Cursor>();
  #seq = 0;

  scan(
    ix: KeyIndex,
    ex: Expiry,
    cursor: number,
    count: number,
    match: Uint8Array | string | undefined,
  ): [number, Uint8Array[]] {
    let st: Cursor | undefined;
    if (cursor !== 0) {
      st = this.#open.get(cursor);
      this.#open.delete(cursor);
    }
    // Unknown cursors resume by position (entry order).
    st ??= ix.cursor(cursor === 0 ? 0 : Math.floor(cursor / SCAN_TAG_BITS));
    const pat = match === undefined
      ? null
      : toKey(typeof match === "string" ? new TextEncoder().encode(match) : match);
    const out: Uint8Array[] = [];
    const n = Math.max(1, Math.floor(count));
    for (let i = 0; i < n; i++) {
      const ei = ix.advance(st);
      if (ei < 0) return [0, out];
      if (ex.isExpired(ei)) {
        ex.expire(ei);
        continue;
      }
      const k = ix.key(ei);
      if (pat !== null && !globMatch(pat, toKey(k))) continue;
      out.push(k);
    }
    this.#seq = (this.#seq % (SCAN_TAG_BITS - 1)) + 1;
    const next = st.pos * SCAN_TAG_BITS + this.#seq;
    if (this.#open.size >= MAX_OPEN_SCANS) {
      const oldest = this.#open.keys().next();
      if (!oldest.done) this.#open.delete(oldest.value);
    }
    this.#open.set(next, st);
    return [next, out];
  }
}
