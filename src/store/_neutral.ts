// Private: conversions between the store's containers and the neutral
// KeyValue layout of snapshots and rewrites.
import type { KeyValue } from "../codec/types.ts";
import { HashValue, ListValue, SetValue } from "./values.ts";
import type { StreamData } from "./stream.ts";
import { streamFromNeutral, streamToNeutral } from "./_stream_neutral.ts";
import { hashFromPairs } from "./_hash_value.ts";
import { listInternals } from "./_list_value.ts";
import { setInternals } from "./_set_value.ts";
import { zsetInternals } from "./_sorted_set.ts";
import { SortedSet } from "./zset.ts";

const own = (n: number): Uint8Array => new Uint8Array(n);

/** A container (or a large string kept as its own array) in the neutral layout. */
export function toNeutral(v: unknown): KeyValue {
  if (v instanceof Uint8Array) return { type: "string", value: v };
  if (v instanceof HashValue) {
    const fieldDeadlines = v.entryDeadlines(); // first: entries() freezes a compact buffer
    const value = [...v.entries()];
    return fieldDeadlines === undefined
      ? { type: "hash", value }
      : { type: "hash", value, fieldDeadlines };
  }
  if (v instanceof ListValue) return { type: "list", value: v.slice() };
  if (v instanceof SetValue) return { type: "set", value: [...v.members()] };
  if (v instanceof SortedSet) return { type: "zset", value: [...v.entries()] };
  return { type: "stream", value: streamToNeutral(v as StreamData) };
}

/**
 * A neutral non-string value as a fresh container; small lists, sets and
 * zsets are built compact in bytes from `alloc` (default: their own array).
 */
export function fromNeutral(
  kv: Exclude<KeyValue, { type: "string" }>,
  alloc: (n: number) => Uint8Array = own,
): HashValue | ListValue | SetValue | SortedSet | StreamData {
  switch (kv.type) {
    case "hash": {
      const h = hashFromPairs(kv.value);
      const d = kv.fieldDeadlines;
      if (d !== undefined) {
        for (let i = 0; i < d.length; i++) {
          const x = d[i];
          if (x !== null && x !== undefined && i < kv.value.length) {
            h.setFieldDeadline(kv.value[i]![0], x);
          }
        }
      }
      return h;
    }
    case "list":
      return listInternals.fromItems(kv.value, alloc);
    case "set":
      return setInternals.fromMembers(kv.value, alloc);
    case "zset":
      return zsetInternals.fromPairs(kv.value, alloc);
    case "stream":
      return streamFromNeutral(kv.value);
  }
}
