// Private: the read side of Store (store.ts) over its index: an entry's
// value, deadline and neutral copy, and the walks over the live entries
// (iterators with lazy expiry, the record cursor for snapshots and rewrites).

import type { Entry } from "../codec/types.ts";
import { HAS_FIELD_TTLS, RECORD_CURSOR, type RecordCursor } from "../codec/snapshot_writer.ts";
import { type Cursor, type KeyIndex, STR } from "./_index.ts";
import type { Expiry } from "./_expiry.ts";
import { toNeutral } from "./_neutral.ts";
import { captureRecords } from "./_capture.ts";
import type { StoreValue } from "./_value_type.ts";
import { ListValue } from "./values.ts";
import { StreamData } from "./stream.ts";

/** The value of live entry `ei` (a string is a view that never changes). */
export function valueAt(ix: KeyIndex, ei: number): StoreValue {
  return ix.kind[ei] === STR ? ix.str(ei) : ix.objs![ei] as StoreValue;
}

/** The deadline of entry `ei`, or `null`. */
export function deadlineAt(ix: KeyIndex, ei: number): number | null {
  const d = ix.deadline(ei);
  return d === d ? d : null;
}

/** A neutral copy of live entry `ei` (zset ordered). */
export function entryAt(ix: KeyIndex, ei: number): Entry {
  return {
    key: ix.key(ei),
    value: ix.kind[ei] === STR ? { type: "string", value: ix.str(ei) } : toNeutral(ix.objs![ei]),
    deadline: deadlineAt(ix, ei),
  };
}

/** Next live entry number at the cursor (lazy expiry), or -1. */
function nextLive(ix: KeyIndex, ex: Expiry, c: Cursor): number {
  for (;;) {
    const ei = ix.advance(c);
    if (ei < 0 || ex.check(ei) >= 0) return ei;
  }
}

/**
 * Every live entry in the neutral layout, also offering the record cursor
 * (snapshots, rewrites: keys and strings are views that never change).
 */
export function liveEntries(ix: KeyIndex, ex: Expiry): IterableIterator<Entry> {
  return Object.assign(walk(ix, ex), {
    [RECORD_CURSOR]: (): RecordCursor => {
      ex.fields.all(); // due hash fields (O(hashes with field TTLs)); due keys: the walk skips them
      return captureRecords(ix, ex.now());
    },
    [HAS_FIELD_TTLS]: (): boolean => {
      ex.fields.all();
      return ex.fields.active;
    },
  });
}

function* walk(ix: KeyIndex, ex: Expiry): Generator<Entry, undefined, undefined> {
  const c = ix.cursor();
  for (let ei = nextLive(ix, ex, c); ei >= 0; ei = nextLive(ix, ex, c)) yield entryAt(ix, ei);
  return undefined;
}

/** Every live key. */
export function* liveKeys(ix: KeyIndex, ex: Expiry): IterableIterator<Uint8Array> {
  const c = ix.cursor();
  for (let ei = nextLive(ix, ex, c); ei >= 0; ei = nextLive(ix, ex, c)) yield ix.key(ei);
}

/** Whether `v` is a collection with no members (streams and strings never are). */
export function isEmptyCollection(v: StoreValue): boolean {
  if (v instanceof Uint8Array || v instanceof StreamData) return false;
  return (v instanceof ListValue ? v.length : v.size) === 0;
}
