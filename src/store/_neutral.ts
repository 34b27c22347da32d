// Private: conversions between the store's containers and the neutral
// KeyValue layout of snapshots and rewrites.
import type { KeyValue } from "../codec/types.ts";
import { HashValue, ListValue, SetValue, StreamBox } from "./values.ts";
import { hashFromPairs } from "./_hash_value.ts";
import { SortedSet } from "./zset.ts";

/** A container (or a large string kept as its own array) in the neutral layout. */
export function toNeutral(v: unknown): KeyValue {
  if (v instanceof Uint8Array) return { type: "string", value: v };
  if (v instanceof HashValue) return { type: "hash", value: [...v.entries()] };
  if (v instanceof ListValue) return { type: "list", value: v.slice() };
  if (v instanceof SetValue) return { type: "set", value: [...v.members()] };
  if (v instanceof SortedSet) return { type: "zset", value: [...v.entries()] };
  return { type: "stream", value: (v as StreamBox).value };
}

/** A neutral non-string value as a fresh container. */
export function fromNeutral(
  kv: Exclude<KeyValue, { type: "string" }>,
): HashValue | ListValue | SetValue | SortedSet | StreamBox {
  switch (kv.type) {
    case "hash":
      return hashFromPairs(kv.value);
    case "list":
      return new ListValue(kv.value);
    case "set": {
      const s = new SetValue();
      for (const m of kv.value) s.add(m);
      return s;
    }
    case "zset": {
      const z = new SortedSet();
      for (const [m, sc] of kv.value) z.add(m, sc);
      return z;
    }
    case "stream":
      return new StreamBox(kv.value);
  }
}
