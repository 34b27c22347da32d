// Private: one neutral value as an RDB value of the target RDB version, in
// the encoding Redis itself would pick with its default limits, so the
// server loading it keeps the same OBJECT ENCODING:
//
// - strings: integer-encoded, LZF or raw (see RdbOut.string);
// - lists: quicklist 2 of listpack nodes of up to 8 KiB (v10+; elements of
//   1 GiB and more in plain nodes), a plain list before (v9);
// - sets: an intset for up to 512 integers, a listpack (v11+) for up to 128
//   members of up to 64 bytes, else a plain set;
// - zsets: a listpack (v10+) for up to 128 members of up to 64 bytes, sorted
//   by score then member; else binary scores (type 5), highest first;
// - hashes: a listpack (v10+) for up to 128 fields and values of up to 64
//   bytes, else plain; with field TTLs (v12 only) listpack-ex or metadata;
// - streams: see _rdb_write_stream.ts.
//
// Values Redis cannot hold are refused with a RangeError (NaN score, field
// TTLs before v12 or outside 1..2^48-1).
import type { KeyValue } from "./types.ts";
import type { RdbOut } from "./_rdb_out.ts";
import { listpackEntrySize, ListpackWriter } from "./_redis_listpack.ts";
import { encodeIntset } from "./_redis_intset.ts";
import { ascii, canonicalInt, scoreText } from "./_redis_num.ts";
import { writeStream } from "./_rdb_write_stream.ts";
import { FIELD_TTL_MAX } from "./_rdb_value_kinds.ts";

const SMALL_ENTRIES = 128;
const SMALL_VALUE = 64;
const INTSET_ENTRIES = 512;
const LIST_NODE_BYTES = 8192;
const PLAIN_NODE_BYTES = 1 << 30;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Redis zset order: score (-0 equal to 0), then member bytes. */
function zsetOrder(a: [Uint8Array, number], b: [Uint8Array, number]): number {
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : compareBytes(a[0], b[0]);
}

/** True for a value Redis cannot hold (it skips empty keys when loading). */
export function isEmptyValue(kv: KeyValue): boolean {
  return kv.type !== "string" && kv.type !== "stream" && kv.value.length === 0;
}

/** The type byte, then the key (none in a DUMP payload). */
function head(out: RdbOut, t: number, key: Uint8Array | null): void {
  out.u8(t);
  if (key !== null) out.string(key);
}

/**
 * Writes the type byte, the key (when given: RDB records have one, DUMP
 * payloads do not) and the value; returns the type byte.
 */
export function writeValue(
  out: RdbOut,
  key: Uint8Array | null,
  kv: KeyValue,
  version: number,
): number {
  switch (kv.type) {
    case "string":
      head(out, 0, key);
      out.string(kv.value);
      return 0;
    case "list":
      return writeList(out, key, kv.value, version);
    case "set":
      return writeSet(out, key, kv.value, version);
    case "zset":
      return writeZset(out, key, kv.value, version);
    case "hash":
      return writeHash(out, key, kv.value, kv.fieldDeadlines, version);
    case "stream": {
      const t = version >= 11 ? 21 : version === 10 ? 19 : 15;
      head(out, t, key);
      writeStream(out, kv.value, version);
      return t;
    }
  }
}

function writeList(
  out: RdbOut,
  key: Uint8Array | null,
  items: Uint8Array[],
  version: number,
): number {
  if (version < 10) {
    head(out, 1, key);
    out.len(items.length);
    for (const x of items) out.string(x);
    return 1;
  }
  const nodes: Array<[1 | 2, Uint8Array]> = [];
  let lp: ListpackWriter | null = null;
  for (const x of items) {
    if (x.length >= PLAIN_NODE_BYTES) {
      if (lp !== null) nodes.push([2, lp.finish()]);
      lp = null;
      nodes.push([1, x]);
      continue;
    }
    const add = listpackEntrySize(x);
    if (lp !== null && lp.size + add > LIST_NODE_BYTES) {
      nodes.push([2, lp.finish()]);
      lp = null;
    }
    lp ??= new ListpackWriter(Math.min(LIST_NODE_BYTES, 64 + add));
    lp.append(x);
  }
  if (lp !== null) nodes.push([2, lp.finish()]);
  head(out, 18, key);
  out.len(nodes.length);
  for (const [container, data] of nodes) {
    out.len(container);
    out.string(data);
  }
  return 18;
}

function writeSet(
  out: RdbOut,
  key: Uint8Array | null,
  members: Uint8Array[],
  version: number,
): number {
  if (members.length <= INTSET_ENTRIES) {
    const ints: Array<number | bigint> = [];
    for (const m of members) {
      const v = canonicalInt(m, 0, m.length);
      if (v === null) break;
      ints.push(v);
    }
    if (ints.length === members.length) {
      head(out, 11, key);
      out.string(encodeIntset(ints));
      return 11;
    }
  }
  if (
    version >= 11 && members.length <= SMALL_ENTRIES &&
    members.every((m) => m.length <= SMALL_VALUE)
  ) {
    const lp = new ListpackWriter();
    for (const m of members) lp.append(m);
    head(out, 20, key);
    out.string(lp.finish());
    return 20;
  }
  head(out, 2, key);
  out.len(members.length);
  for (const m of members) out.string(m);
  return 2;
}

function writeZset(
  out: RdbOut,
  key: Uint8Array | null,
  pairs: Array<[Uint8Array, number]>,
  version: number,
): number {
  for (const [, s] of pairs) if (Number.isNaN(s)) throw new RangeError("RDB: a zset score is NaN");
  const sorted = [...pairs].sort(zsetOrder);
  if (
    version >= 10 && sorted.length <= SMALL_ENTRIES &&
    sorted.every(([m]) => m.length <= SMALL_VALUE)
  ) {
    const lp = new ListpackWriter();
    for (const [m, s] of sorted) {
      lp.append(m);
      lp.append(ascii(scoreText(s)));
    }
    head(out, 17, key);
    out.string(lp.finish());
    return 17;
  }
  head(out, 5, key);
  out.len(sorted.length);
  for (let i = sorted.length - 1; i >= 0; i--) {
    out.string(sorted[i]![0]);
    out.f64(sorted[i]![1]);
  }
  return 5;
}

function small(pairs: Array<[Uint8Array, Uint8Array]>): boolean {
  return pairs.length <= SMALL_ENTRIES &&
    pairs.every(([f, v]) => f.length <= SMALL_VALUE && v.length <= SMALL_VALUE);
}

function writeHash(
  out: RdbOut,
  key: Uint8Array | null,
  pairs: Array<[Uint8Array, Uint8Array]>,
  deadlines: Array<number | null> | undefined,
  version: number,
): number {
  const ttls = deadlines !== undefined && deadlines.some((d) => d !== null && d !== undefined);
  if (!ttls) {
    if (version >= 10 && small(pairs)) {
      const lp = new ListpackWriter();
      for (const [f, v] of pairs) {
        lp.append(f);
        lp.append(v);
      }
      head(out, 16, key);
      out.string(lp.finish());
      return 16;
    }
    head(out, 4, key);
    out.len(pairs.length);
    for (const [f, v] of pairs) {
      out.string(f);
      out.string(v);
    }
    return 4;
  }
  if (version < 12) {
    throw new RangeError(
      `RDB version ${version} cannot hold hash field TTLs (they need version 12, Redis 7.4)`,
    );
  }
  let min = Infinity;
  for (const d of deadlines!) {
    if (d === null || d === undefined) continue;
    if (!Number.isInteger(d) || d < 1 || d > FIELD_TTL_MAX) {
      throw new RangeError(`RDB: hash field deadline ${d} outside 1..2^48-1 ms`);
    }
    if (d < min) min = d;
  }
  const when = (i: number) => deadlines![i] ?? 0;
  if (small(pairs)) {
    // TTL fields first, by deadline; then the fields without one (Redis checks this order).
    const order = pairs.map((_, i) => i).sort((a, b) => {
      const da = when(a) || Infinity;
      const db = when(b) || Infinity;
      return da < db ? -1 : da > db ? 1 : a - b;
    });
    const lp = new ListpackWriter();
    for (const i of order) {
      lp.append(pairs[i]![0]);
      lp.append(pairs[i]![1]);
      lp.appendInt(when(i));
    }
    head(out, 25, key);
    out.i64(min);
    out.string(lp.finish());
    return 25;
  }
  head(out, 24, key);
  out.i64(min);
  out.len(pairs.length);
  pairs.forEach(([f, v], i) => {
    const d = when(i);
    out.len(d === 0 ? 0 : d - min + 1);
    out.string(f);
    out.string(v);
  });
  return 24;
}
