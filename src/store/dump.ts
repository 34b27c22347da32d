/**
 * `dumpKeyspace`: the golden vectors' `keyspace` JSON shape, for comparing a
 * store against `tests/fixtures/vectors/**\/*.expected.json`.
 *
 * @module
 */

import type { Entry, StreamId, StreamValue, ValueType } from "../codec/types.ts";
import { toHex as hex } from "../codec/bytes_util.ts";
import type { Store } from "./store.ts";

/**
 * A u64 as a JSON number when exact, else its decimal string.
 *
 * @example
 * ```ts
 * import { JsonU64 } from "@kevy/persist/store";
 * const n: JsonU64 = "18446744073709551615";
 * ```
 */
export type JsonU64 = number | string;

/**
 * A stream in the vectors' layout: ids `"ms-seq"`, bytes as hex, entries in
 * id order, groups by name, consumers `[name, seen_time_ms]` by name, pending
 * rows `[id, consumer, delivery_time_ms, delivery_count]` by id (rows whose
 * entry was deleted included). A group carries `entries_read` only when its
 * Redis 7 read counter is valid (kevy snapshots do not record it).
 * Consumers' active-time (Redis 7.2) is not part of the dump.
 *
 * @example
 * ```ts
 * import { DumpedStream } from "@kevy/persist/store";
 * const s: DumpedStream = {
 *   last_id: "0-0", max_deleted_id: "0-0", entries_added: 0, entries: [], groups: [],
 * };
 * ```
 */
export interface DumpedStream {
  /** `"ms-seq"`. */
  last_id: string;
  /** `"ms-seq"`. */
  max_deleted_id: string;
  /** Entries ever added. */
  entries_added: JsonU64;
  /** `[[id, [[field, value], ...]], ...]` in id order. */
  entries: Array<[string, Array<[string, string]>]>;
  /** Groups by name; consumers by name; PEL by id. */
  groups: Array<{
    name: string;
    last_delivered: string;
    /** The group's entries-read counter, when valid. */
    entries_read?: JsonU64;
    consumers: Array<[string, JsonU64]>;
    pel: Array<[string, string, JsonU64, number]>;
  }>;
}

/**
 * One key in the vectors' `keyspace` layout (byte strings as lowercase hex).
 *
 * @example
 * ```ts
 * import { DumpedKey } from "@kevy/persist/store";
 * const k: DumpedKey = { key: "6b", type: "string", ttl: null, value: "76" };
 * ```
 */
export interface DumpedKey {
  /** Key, hex. */
  key: string;
  /** Type name. */
  type: ValueType;
  /** Absolute deadline in unix ms, or `null`. */
  ttl: number | null;
  /**
   * string: hex; hash: `[[field, value]]` sorted by field; list: items; set:
   * sorted members; zset: `[[member, score, bits]]`; stream: {@link DumpedStream}.
   */
  value:
    | string
    | string[]
    | Array<[string, string]>
    | Array<[string, string, string]>
    | DumpedStream;
  /** Hash fields with a deadline: `[[field, unix ms]]` sorted by field (absent when none). */
  field_ttls?: Array<[string, number]>;
}

function byFirst<T extends [string, ...unknown[]]>(x: T, y: T): number {
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
}

function byStr(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A zset score as the vectors print it: JS `String(x)`, except `"-0"` for
 * negative zero.
 *
 * @example
 * ```ts
 * import { scoreText } from "./dump.ts";
 * scoreText(-0); // "-0"
 * scoreText(-Infinity); // "-Infinity"
 * ```
 */
export function scoreText(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

/**
 * The f64 bit pattern of `x` as 16 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { scoreBits } from "./dump.ts";
 * scoreBits(1); // "3ff0000000000000"
 * ```
 */
export function scoreBits(x: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0).toString(16).padStart(16, "0");
}

function id(i: StreamId): string {
  return `${i.ms}-${i.seq}`;
}

function cmpId(x: StreamId, y: StreamId): number {
  return x.ms !== y.ms ? (x.ms < y.ms ? -1 : 1) : x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0;
}

function u64(x: bigint): JsonU64 {
  return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
}

function dumpStream(v: StreamValue): DumpedStream {
  return {
    last_id: id(v.lastId),
    max_deleted_id: id(v.maxDeletedId),
    entries_added: u64(v.entriesAdded),
    entries: [...v.entries].sort((x, y) => cmpId(x.id, y.id)).map((e) => [
      id(e.id),
      e.fields.map(([f, x]) => [hex(f), hex(x)] as [string, string]),
    ]),
    groups: v.groups.map((g) => ({
      name: hex(g.name),
      last_delivered: id(g.lastDelivered),
      ...(g.entriesRead === undefined || g.entriesRead === null
        ? {}
        : { entries_read: u64(g.entriesRead) }),
      consumers: g.consumers.map((c) => [hex(c.name), u64(c.seenTime)] as [string, JsonU64])
        .sort(byFirst),
      pel: [...g.pel].sort((x, y) => cmpId(x.id, y.id)).map((p) =>
        [id(p.id), hex(p.consumer), u64(p.deliveryTime), p.deliveryCount] as [
          string,
          string,
          JsonU64,
          number,
        ]
      ),
    })).sort((x, y) => byStr(x.name, y.name)),
  };
}

/**
 * Every live key of `store` in the vectors' `keyspace` layout, sorted by key
 * bytes (hex order equals byte order).
 *
 * @example
 * ```ts
 * import { applyCommand, dumpKeyspace, Store } from "@kevy/persist/store";
 * const s = new Store();
 * applyCommand(s, ["SET", "k", "v"]);
 * dumpKeyspace(s); // [{ key: "6b", type: "string", ttl: null, value: "76" }]
 * ```
 */
export function dumpKeyspace(store: Store): DumpedKey[] {
  const out: DumpedKey[] = [];
  for (const e of store.entries()) out.push(dumpEntry(e));
  return out.sort((x, y) => byStr(x.key, y.key));
}

/**
 * One key in the {@link dumpKeyspace} layout.
 *
 * @example
 * ```ts
 * import { dumpEntry } from "@kevy/persist/store";
 * const te = new TextEncoder();
 * dumpEntry({ key: te.encode("k"), value: { type: "list", value: [te.encode("a")] }, deadline: null });
 * // { key: "6b", type: "list", ttl: null, value: ["61"] }
 * ```
 */
export function dumpEntry(e: Entry): DumpedKey {
  const kv = e.value;
  let value: DumpedKey["value"];
  let fieldTtls: Array<[string, number]> | undefined;
  switch (kv.type) {
    case "string":
      value = hex(kv.value);
      break;
    case "hash": {
      value = kv.value.map(([f, x]) => [hex(f), hex(x)] as [string, string]).sort(byFirst);
      const d = kv.fieldDeadlines;
      if (d !== undefined) {
        fieldTtls = [];
        kv.value.forEach(([f], i) => {
          const ms = d[i];
          if (ms !== null && ms !== undefined) fieldTtls!.push([hex(f), ms]);
        });
        fieldTtls.sort(byFirst);
      }
      break;
    }
    case "list":
      value = kv.value.map(hex);
      break;
    case "set":
      value = kv.value.map(hex).sort(byStr);
      break;
    case "zset":
      value = kv.value.map(([m, s]) =>
        [hex(m), scoreText(s), scoreBits(s)] as [string, string, string]
      );
      break;
    case "stream":
      value = dumpStream(kv.value);
      break;
  }
  const k: DumpedKey = { key: hex(e.key), type: kv.type, ttl: e.deadline, value };
  if (fieldTtls !== undefined && fieldTtls.length > 0) k.field_ttls = fieldTtls;
  return k;
}
