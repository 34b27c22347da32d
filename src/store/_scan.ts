// Private: SCAN cursors and the TTL sweeps of Store, over its KeyIndex.
import { toKey } from "./_keys.ts";
import { globMatch } from "./_glob.ts";
import { type Cursor, HOLE, type KeyIndex } from "./_index.ts";

const SCAN_TAG_BITS = 2 ** 20;
const MAX_OPEN_SCANS = 128;

/** Whether entry `ei` has a deadline that has passed (the clock is read only if it has one). */
export function expired(ix: KeyIndex, ei: number, clock: () => number): boolean {
  if (ix.ttlCount === 0) return false;
  const d = ix.dl![ei]!;
  return d === d && d <= clock();
}

/** A random live key (RANDOMKEY; expired keys met on the way expire), or null. */
export function randomKey(ix: KeyIndex, clock: () => number): Uint8Array | null {
  // Holes are at most about as many as live entries (the index compacts past that).
  for (let tries = 0; ix.live > 0 && tries < 64; tries++) {
    const ei = Math.floor(Math.random() * ix.n);
    if (ix.kind[ei] === HOLE) continue;
    if (!expired(ix, ei, clock)) return ix.key(ei).slice();
    ix.expire(ei);
  }
  for (let ei = 0; ei < ix.n && ix.live > 0; ei++) {
    if (ix.kind[ei] === HOLE) continue;
    if (!expired(ix, ei, clock)) return ix.key(ei).slice();
    ix.expire(ei);
  }
  return null;
}

/** Removes every key whose deadline is <= now. */
export function expireAll(ix: KeyIndex, clock: () => number): void {
  if (ix.ttlCount === 0) return;
  const now = clock();
  // Downwards: a removal swaps the (already checked) last item into place.
  for (let p = ix.ttlCount - 1; p >= 0; p--) {
    if (p >= ix.ttlCount) continue;
    const ei = ix.ttl[p]!;
    if (ix.dl![ei]! <= now) ix.expire(ei);
  }
}

/** Round-robin active expiry over the TTL list from `pos`; returns [removed, next pos]. */
export function expireStep(
  ix: KeyIndex,
  pos: number,
  now: number,
  maxChecks: number,
): [number, number] {
  let removed = 0;
  let restarted = false;
  for (let i = 0; i < maxChecks; i++) {
    if (pos >= ix.ttlCount) {
      pos = 0;
      if (restarted || ix.ttlCount === 0) break;
      restarted = true;
      i--;
      continue;
    }
    const ei = ix.ttl[pos]!;
    if (ix.dl![ei]! <= now) {
      ix.expire(ei); // swaps an unchecked key into this position
      removed++;
    } else pos++;
  }
  return [removed, pos];
}

/** Open SCAN cursors: cursor number -> position in entry order. */
export class ScanTable {
  readonly #open = new Map<number, Cursor>();
  #seq = 0;

  scan(
    ix: KeyIndex,
    clock: () => number,
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
      if (expired(ix, ei, clock)) {
        ix.expire(ei);
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
