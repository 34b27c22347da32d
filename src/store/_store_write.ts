// Private: the write path of Store (store.ts) over its index and expiry:
// finding a live key (lazy expiry, eviction's access clock), the entry for
// a key inserted if missing, and storing a string or an object there all or
// nothing.

import { hashBytes, INLINE_MAX, type KeyIndex } from "./_index.ts";
import type { Expiry } from "./_expiry.ts";
import type { HandedStreams } from "./_handed_streams.ts";
import { HashValue } from "./values.ts";
import { StreamData } from "./stream.ts";

/** Entry number of a live key (lazy expiry), or -1. */
export function findLive(
  ix: KeyIndex,
  ex: Expiry,
  b: Uint8Array,
  off: number,
  len: number,
): number {
  const ei = ix.find(b, off, len, hashBytes(b, off, len));
  if (ei < 0) return ei;
  const r = ex.check(ei);
  if (ix.access !== null && r >= 0) {
    ix.access.touch(ix.acc!, r); // eviction's LRU/LFU
    if (ix.growing !== null) ix.mirror(r);
  }
  return r;
}

/** Whether the last {@link slot} inserted its key. */
let fresh = false;

/** The entry for key bytes, inserted if missing (`fresh`); an expired key expires first. */
function slot(ix: KeyIndex, ex: Expiry, b: Uint8Array, off: number, len: number): number {
  const h = hashBytes(b, off, len);
  let ei = ix.find(b, off, len, h);
  if (ei >= 0 && ex.isExpired(ei)) {
    // An expired old key expires now (its event fires) and lends nothing: TTL, position.
    ex.expire(ei);
    ei = ix.find(b, off, len, h);
  }
  fresh = ei < 0;
  if (ei >= 0) {
    if (ix.access !== null) {
      ix.access.touch(ix.acc!, ei);
      if (ix.growing !== null) ix.mirror(ei);
    }
    return ei;
  }
  const r = ix.insert(b, off, len, h);
  if (ix.access !== null) ix.acc![r] = ix.access.initial();
  return r;
}

/**
 * Stores a copy of `vb[vo, vo + vl)` at the key bytes (above 64 KiB as its
 * own array). All or nothing: a failure (the arena limit) leaves the key as
 * it was, or absent.
 */
export function writeStr(
  ix: KeyIndex,
  ex: Expiry,
  b: Uint8Array,
  off: number,
  len: number,
  keepTtl: boolean,
  vb: Uint8Array,
  vo: number,
  vl: number,
): number {
  const big = vl > INLINE_MAX ? vb.slice(vo, vo + vl) : null;
  const ei = slot(ix, ex, b, off, len);
  if (big !== null) ix.setObj(ei, big);
  else {
    if (ix.hooks !== null) ix.willChange(ei); // a capture in progress saves the old value
    try {
      ix.setStr(ei, vb, vo, vl);
      if (ix.growing !== null) ix.mirror(ei); // kept out of setStr (its size decides its inlining)
    } catch (e) {
      if (fresh) ix.remove(ei);
      throw e;
    }
  }
  if (!keepTtl) ix.clearDeadline(ei);
  return ei;
}

/** Stores a container (or a string array kept by reference) at the key bytes. */
export function writeObj(
  ix: KeyIndex,
  ex: Expiry,
  streams: HandedStreams,
  b: Uint8Array,
  off: number,
  len: number,
  keepTtl: boolean,
  v: unknown,
): number {
  const ei = slot(ix, ex, b, off, len);
  ix.setObj(ei, v);
  if (!keepTtl) ix.clearDeadline(ei);
  if (v instanceof HashValue && v.hasFieldTtls) ex.fields.track(ix.key(ei));
  else if (v instanceof StreamData) streams.add(v); // may change still
  return ei;
}

/** A load of the key bytes with a past deadline (outside loading mode) deletes it instead. */
export function dropIfPast(
  ix: KeyIndex,
  ex: Expiry,
  b: Uint8Array,
  off: number,
  len: number,
  deadline: number | null,
): boolean {
  if (deadline === null || !ex.past(deadline)) return false;
  const ei = ix.find(b, off, len, hashBytes(b, off, len));
  if (ei >= 0) ix.remove(ei);
  return true;
}
