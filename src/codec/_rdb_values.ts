// Private: one RDB value (after its type byte) into the neutral KeyValue
// layout, for every value type Redis has written (RDB v1-v12). Container
// encodings are checked as Redis's sanitize-dump-payload does; duplicates,
// NaN scores and bad field TTLs are refused like Redis refuses them. An empty
// collection comes back as EMPTY (Redis skips such keys and goes on loading).
import type { KeyValue } from "./types.ts";
import type { Blob, RdbReader } from "./_rdb_reader.ts";
import { ListpackReader } from "./_redis_listpack.ts";
import { ZiplistReader } from "./_redis_ziplist.ts";
import { decodeIntset } from "./_redis_intset.ts";
import { decodeZipmap } from "./_redis_zipmap.ts";
import { DupCheck } from "./_redis_dups.ts";
import { parseScore } from "./_redis_num.ts";
import { readStream } from "./_rdb_stream.ts";
import { redisModuleName } from "./rdb_errors.ts";
import { EMPTY, FIELD_TTL_MAX, MODULE, SKIPPED } from "./_rdb_value_kinds.ts";

const dupCheck = new DupCheck();

/** Duplicate detector for the members / fields of one collection. */
class Seen {
  constructor() {
    dupCheck.reset();
  }
  /** False when `b` was seen before (in this collection). */
  add(b: Uint8Array): boolean {
    return dupCheck.add(b, 0, b.length);
  }
}

type Value = KeyValue | typeof EMPTY | typeof SKIPPED | typeof MODULE;

/** Reads the value of type `t`; `skipModules` turns module values into SKIPPED. */
export function readValue(r: RdbReader, t: number, skipModules: boolean): Value {
  switch (t) {
    case 0:
      return { type: "string", value: r.copy("string value") };
    case 1:
      return plainList(r);
    case 2:
      return plainSet(r);
    case 3:
    case 5:
      return plainZset(r, t === 5);
    case 4:
      return plainHash(r);
    case 6: {
      throw r.corrupt(
        r.pos - 1,
        "a supported value type (pre-release module values, type 6, are not)",
      );
    }
    case 7:
      return moduleValue(r, skipModules);
    case 9: {
      const blob = r.blob("zipmap");
      const pairs = r.inBlob(blob, "hash zipmap", decodeZipmap);
      return { type: "hash", value: pairs.map(([f, v]) => [r.slabs.of(f), r.slabs.of(v)]) };
    }
    case 10:
      return listFromZiplists(r, [r.blob("list ziplist")], "list ziplist");
    case 11: {
      const members = r.inBlob(
        r.blob("intset"),
        "set intset",
        (b, st, e) => decodeIntset(b, st, e, (v) => r.slabs.int(v)),
      );
      return { type: "set", value: members };
    }
    case 12:
    case 13:
      return pairsFromZiplist(r, r.blob(t === 12 ? "zset ziplist" : "hash ziplist"), t === 12);
    case 14: {
      const n = r.count("quicklist node count");
      const blobs: Blob[] = [];
      for (let i = 0; i < n; i++) {
        const b = r.blob("quicklist node");
        if (b.end === b.start) throw r.corrupt(b.at, "a non-empty quicklist node");
        blobs.push(b);
      }
      return listFromZiplists(r, blobs, "quicklist ziplist node");
    }
    case 15:
    case 19:
    case 21:
      return { type: "stream", value: readStream(r, t === 15 ? 1 : t === 19 ? 2 : 3) };
    case 16:
    case 17:
    case 20:
      return fromListpack(r, r.blob("listpack"), t);
    case 18:
      return quicklist2(r);
    case 22:
    case 24:
      return hashMetadata(r, t === 24);
    case 23:
    case 25: {
      if (t === 25) r.i64("hash minimum field expire time");
      return hashListpackEx(r, r.blob("hash listpack-ex"));
    }
  }
  throw r.corrupt(r.pos - 1, `a value type (0-7, 9-25; this byte is ${t})`);
}

function plainList(r: RdbReader): Value {
  const n = r.count("list length");
  if (n === 0) return EMPTY;
  const items: Uint8Array[] = [];
  for (let i = 0; i < n; i++) items.push(r.copy("list element"));
  return { type: "list", value: items };
}

function plainSet(r: RdbReader): Value {
  const n = r.count("set size");
  if (n === 0) return EMPTY;
  const seen = new Seen();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const m = r.copy("set member");
    if (!seen.add(m)) throw r.corrupt(at, "set members without duplicates");
    out.push(m);
  }
  return { type: "set", value: out };
}

function plainZset(r: RdbReader, binary: boolean): Value {
  const n = r.count("zset size", binary ? 9 : 2);
  if (n === 0) return EMPTY;
  const seen = new Seen();
  const out: Array<[Uint8Array, number]> = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const m = r.copy("zset member");
    const sAt = r.pos;
    let score: number;
    if (binary) score = r.f64("zset score");
    else {
      const l = r.u8("zset score length");
      if (l === 253) score = NaN;
      else if (l === 254) score = Infinity;
      else if (l === 255) score = -Infinity;
      else {
        const q = r.take(l, "zset score text");
        score = parseScore(r.buf, q, l);
      }
    }
    if (Number.isNaN(score)) throw r.corrupt(sAt, "a zset score that is a number (NaN is refused)");
    if (!seen.add(m)) throw r.corrupt(at, "zset members without duplicates");
    out.push([m, score]);
  }
  return { type: "zset", value: out };
}

function plainHash(r: RdbReader): Value {
  const n = r.count("hash size", 2);
  if (n === 0) return EMPTY;
  const seen = new Seen();
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const f = r.copy("hash field");
    const v = r.copy("hash value");
    if (!seen.add(f)) throw r.corrupt(at, "hash fields without duplicates");
    out.push([f, v]);
  }
  return { type: "hash", value: out };
}

function moduleValue(r: RdbReader, skip: boolean): Value {
  const at = r.pos;
  const id = r.lenBig("module type id");
  const name = redisModuleName(id);
  if (!skip) {
    MODULE.module = name;
    MODULE.at = at;
    return MODULE;
  }
  skipModuleData(r, name);
  SKIPPED.module = name;
  return SKIPPED;
}

/** Skips a self-describing module value (RDB_TYPE_MODULE_2 / MODULE_AUX): opcodes until EOF. */
export function skipModuleData(r: RdbReader, name: string): void {
  for (;;) {
    const at = r.pos;
    const op = r.len(`module '${name}' value opcode`);
    if (op === 0) return;
    if (op === 1 || op === 2) r.lenBig(`module '${name}' integer`);
    else if (op === 3) r.take(4, `module '${name}' float`);
    else if (op === 4) r.take(8, `module '${name}' double`);
    else if (op === 5) r.string(`module '${name}' string`);
    else throw r.corrupt(at, `a module value opcode 0-5 (module '${name}')`);
  }
}

function listFromZiplists(r: RdbReader, blobs: Blob[], what: string): Value {
  const items: Uint8Array[] = [];
  for (const blob of blobs) {
    r.inBlob(blob, what, (b, s, e) => {
      const z = new ZiplistReader(b, s, e);
      while (z.next()) {
        items.push(z.isInt ? r.slabs.int(z.big ?? z.int) : r.slabs.copy(b, z.sOff, z.sLen));
      }
    });
  }
  return items.length === 0 ? EMPTY : { type: "list", value: items };
}

function pairsFromZiplist(r: RdbReader, blob: Blob, zset: boolean): Value {
  const what = zset ? "zset ziplist" : "hash ziplist";
  return r.inBlob(blob, what, (b, s, e): Value => {
    const z = new ZiplistReader(b, s, e);
    const seen = new Seen();
    const hash: Array<[Uint8Array, Uint8Array]> = [];
    const zs: Array<[Uint8Array, number]> = [];
    while (z.next()) {
      const f = z.isInt ? r.slabs.int(z.big ?? z.int) : r.slabs.copy(b, z.sOff, z.sLen);
      if (!seen.add(f)) z.fail(`${what} ${zset ? "members" : "fields"} without duplicates`);
      if (!z.next()) z.fail(`${what}: an even number of entries`);
      if (zset) {
        const score = z.isInt ? z.int : parseScore(b, z.sOff, z.sLen);
        if (Number.isNaN(score)) z.fail("a zset score that is a number");
        zs.push([f, score]);
      } else {hash.push([
          f,
          z.isInt ? r.slabs.int(z.big ?? z.int) : r.slabs.copy(b, z.sOff, z.sLen),
        ]);}
    }
    if (z.count === 0) return EMPTY;
    return zset ? { type: "zset", value: zs } : { type: "hash", value: hash };
  });
}

/** Listpack-encoded hash (16), zset (17) or set (20). */
function fromListpack(r: RdbReader, blob: Blob, t: number): Value {
  const what = t === 16 ? "hash listpack" : t === 17 ? "zset listpack" : "set listpack";
  return r.inBlob(blob, what, (b, s, e): Value => {
    const lp = new ListpackReader(b, s, e);
    const seen = new Seen();
    const el = () => (lp.isInt ? r.slabs.int(lp.big ?? lp.int) : r.slabs.copy(b, lp.sOff, lp.sLen));
    if (t === 20) {
      const out: Uint8Array[] = [];
      while (lp.next()) {
        const m = el();
        if (!seen.add(m)) lp.fail("set listpack members without duplicates");
        out.push(m);
      }
      return out.length === 0 ? EMPTY : { type: "set", value: out };
    }
    const hash: Array<[Uint8Array, Uint8Array]> = [];
    const zs: Array<[Uint8Array, number]> = [];
    while (lp.next()) {
      const f = el();
      if (!seen.add(f)) lp.fail(`${what} ${t === 17 ? "members" : "fields"} without duplicates`);
      if (!lp.next()) lp.fail(`${what}: an even number of elements`);
      if (t === 17) {
        const score = lp.isInt ? lp.int : parseScore(b, lp.sOff, lp.sLen);
        if (Number.isNaN(score)) lp.fail("a zset score that is a number");
        zs.push([f, score]);
      } else hash.push([f, el()]);
    }
    if (lp.count === 0) return EMPTY;
    return t === 17 ? { type: "zset", value: zs } : { type: "hash", value: hash };
  });
}

function quicklist2(r: RdbReader): Value {
  const n = r.count("quicklist node count", 2);
  const items: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const cAt = r.pos;
    const container = r.len("quicklist node container");
    if (container !== 1 && container !== 2) {
      throw r.corrupt(cAt, "a quicklist container (1 plain, 2 packed)");
    }
    const blob = r.blob("quicklist node");
    if (blob.end === blob.start) throw r.corrupt(blob.at, "a non-empty quicklist node");
    if (container === 1) {
      items.push(blob.lzf ? blob.b : r.slabs.copy(blob.b, blob.start, blob.end - blob.start));
      continue;
    }
    r.inBlob(blob, "quicklist listpack node", (b, s, e) => {
      const lp = new ListpackReader(b, s, e);
      while (lp.next()) {
        items.push(lp.isInt ? r.slabs.int(lp.big ?? lp.int) : r.slabs.copy(b, lp.sOff, lp.sLen));
      }
    });
  }
  return items.length === 0 ? EMPTY : { type: "list", value: items };
}

function withDeadlines(
  pairs: Array<[Uint8Array, Uint8Array]>,
  deadlines: Array<number | null>,
): Value {
  if (pairs.length === 0) return EMPTY;
  const kv: KeyValue = { type: "hash", value: pairs };
  if (deadlines.some((d) => d !== null)) kv.fieldDeadlines = deadlines;
  return kv;
}

/** Hash with field TTLs, one field at a time (22: absolute TTLs; 24: relative to a minimum). */
function hashMetadata(r: RdbReader, relative: boolean): Value {
  let min = 0;
  if (relative) {
    const at = r.pos;
    min = r.i64("hash minimum field expire time");
    if (min < 0 || min > FIELD_TTL_MAX + 1) {
      throw r.corrupt(at, "a hash minimum expire time (0 to 2^48)");
    }
  }
  const n = r.count("hash size", 3);
  const seen = new Seen();
  const pairs: Array<[Uint8Array, Uint8Array]> = [];
  const deadlines: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const ttl = r.len("hash field TTL");
    const when = ttl === 0 ? 0 : relative ? ttl + min - 1 : ttl;
    if (when > FIELD_TTL_MAX) {
      throw r.corrupt(at, `a hash field expire time up to 2^48 - 1 (this is ${when})`);
    }
    const fAt = r.pos;
    const f = r.copy("hash field");
    const v = r.copy("hash value");
    if (!seen.add(f)) throw r.corrupt(fAt, "hash fields without duplicates");
    pairs.push([f, v]);
    deadlines.push(when === 0 ? null : when);
  }
  return withDeadlines(pairs, deadlines);
}

/** Listpack of field, value, TTL triples (0: no TTL; TTL fields first, ascending). */
function hashListpackEx(r: RdbReader, blob: Blob): Value {
  return r.inBlob(blob, "hash listpack-ex", (b, s, e): Value => {
    const lp = new ListpackReader(b, s, e);
    const seen = new Seen();
    const pairs: Array<[Uint8Array, Uint8Array]> = [];
    const deadlines: Array<number | null> = [];
    let last = -1;
    const el = () => (lp.isInt ? r.slabs.int(lp.big ?? lp.int) : r.slabs.copy(b, lp.sOff, lp.sLen));
    while (lp.next()) {
      const f = el();
      if (!seen.add(f)) lp.fail("hash listpack-ex fields without duplicates");
      if (!lp.next()) lp.fail("hash listpack-ex: a value after the field");
      const v = el();
      if (!lp.next()) lp.fail("hash listpack-ex: a TTL after the value");
      if (!lp.isInt || lp.int < 0 || lp.int > FIELD_TTL_MAX) {
        lp.fail("a hash field TTL: an integer from 0 to 2^48 - 1");
      }
      const when = lp.int;
      if (when !== 0 && (last === 0 || when < last)) {
        lp.fail("hash field TTLs in ascending order, before the fields without one");
      }
      last = when;
      pairs.push([f, v]);
      deadlines.push(when === 0 ? null : when);
    }
    return withDeadlines(pairs, deadlines);
  });
}
