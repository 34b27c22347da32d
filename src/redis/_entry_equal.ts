// Whether two entries hold the same key state: type, deadline and value.
// Hash fields and set members compare as sets (their order depends on the
// history of the store, not on the data); lists, zsets (ordered by score)
// and streams compare in order.
import type { Entry, KeyValue, StreamId, StreamValue } from "../codec/types.ts";

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function id(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function idEq(a: StreamId, b: StreamId): boolean {
  return a.ms === b.ms && a.seq === b.seq;
}

/** True when both entries are the same key state (keys are not compared). */
export function sameState(a: Entry | null, b: Entry | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.deadline !== b.deadline) return false;
  return sameValue(a.value, b.value);
}

/** True when both values are equal. */
export function sameValue(a: KeyValue, b: KeyValue): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "string":
      return bytesEq(a.value, (b as typeof a).value);
    case "list": {
      const bv = (b as typeof a).value;
      return a.value.length === bv.length && a.value.every((x, i) => bytesEq(x, bv[i]!));
    }
    case "set": {
      const bv = (b as typeof a).value;
      if (a.value.length !== bv.length) return false;
      const have = new Set(a.value.map(id));
      return bv.every((x) => have.has(id(x)));
    }
    case "hash": {
      const bb = b as typeof a;
      if (a.value.length !== bb.value.length) return false;
      const have = new Map<string, [Uint8Array, number | null]>();
      a.value.forEach(([f, v], i) => have.set(id(f), [v, a.fieldDeadlines?.[i] ?? null]));
      return bb.value.every(([f, v], i) => {
        const h = have.get(id(f));
        return h !== undefined && bytesEq(h[0], v) && h[1] === (bb.fieldDeadlines?.[i] ?? null);
      });
    }
    case "zset": {
      const bv = (b as typeof a).value;
      return a.value.length === bv.length &&
        a.value.every(([m, s], i) => bytesEq(m, bv[i]![0]) && Object.is(s, bv[i]![1]));
    }
    case "stream":
      return sameStream(a.value, (b as typeof a).value);
  }
}

function sameStream(a: StreamValue, b: StreamValue): boolean {
  if (!idEq(a.lastId, b.lastId) || !idEq(a.maxDeletedId, b.maxDeletedId)) return false;
  if (a.entriesAdded !== b.entriesAdded || a.entries.length !== b.entries.length) return false;
  for (let i = 0; i < a.entries.length; i++) {
    const x = a.entries[i]!, y = b.entries[i]!;
    if (!idEq(x.id, y.id) || x.fields.length !== y.fields.length) return false;
    for (let j = 0; j < x.fields.length; j++) {
      if (
        !bytesEq(x.fields[j]![0], y.fields[j]![0]) || !bytesEq(x.fields[j]![1], y.fields[j]![1])
      ) return false;
    }
  }
  if (a.groups.length !== b.groups.length) return false;
  for (let i = 0; i < a.groups.length; i++) {
    const g = a.groups[i]!, h = b.groups[i]!;
    if (!bytesEq(g.name, h.name) || !idEq(g.lastDelivered, h.lastDelivered)) return false;
    if ((g.entriesRead ?? null) !== (h.entriesRead ?? null)) return false;
    if (g.consumers.length !== h.consumers.length || g.pel.length !== h.pel.length) return false;
    for (let j = 0; j < g.consumers.length; j++) {
      const c = g.consumers[j]!, d = h.consumers[j]!;
      if (!bytesEq(c.name, d.name) || c.seenTime !== d.seenTime) return false;
    }
    for (let j = 0; j < g.pel.length; j++) {
      const p = g.pel[j]!, q = h.pel[j]!;
      if (
        !idEq(p.id, q.id) || !bytesEq(p.consumer, q.consumer) ||
        p.deliveryTime !== q.deliveryTime ||
        p.deliveryCount !== q.deliveryCount
      ) return false;
    }
  }
  return true;
}
