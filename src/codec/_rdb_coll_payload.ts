// Private: an RDB list (types 1, 10, 14, 18), set (2, 11, 20) or zset (12,
// 17) read straight into the kevy snapshot payload layout of its type (`u32le
// len, bytes` per item; a zset adds its f64le score after each member) by the
// shared payload builder: what the bulk loader adopts as a compact value
// without an object per element. Same checks and messages as the
// neutral path (_rdb_values.ts): container validation, duplicate members,
// NaN scores, non-empty quicklist nodes.
import type { RdbReader } from "./_rdb_reader.ts";
import { type ListpackReader, sharedListpack } from "./_redis_listpack.ts";
import { ZiplistReader } from "./_redis_ziplist.ts";
import { decodeIntset } from "./_redis_intset.ts";
import { parseScore } from "./_redis_num.ts";
import { LIST_OP, payloadBuilder, type RdbPayload, SET_OP, ZSET_OP } from "./_rdb_payload.ts";

/** Payloads up to this size may be compact values. */
const SMALL_BYTES = 16384;

/** The RDB value types read here. */
export function isCollPayloadType(t: number): boolean {
  return t === 1 || t === 10 || t === 14 || t === 18 || t === 2 || t === 11 || t === 20 ||
    t === 12 || t === 17;
}

const w = payloadBuilder;

/** The elements of a list ziplist or listpack node `b[s, e)`, in order. */
function listItems(z: ListpackReader | ZiplistReader, b: Uint8Array): void {
  while (z.next()) {
    if (z.isInt) w.intItem(z.big ?? z.int);
    else w.item(b, z.sOff, z.sLen);
    w.count++;
  }
}

/** A list ziplist (type 10, or a quicklist node) at the reader's blob. */
function listZiplist(r: RdbReader, what: string): void {
  try {
    listItems(new ZiplistReader(r.bB, r.bS, r.bE), r.bB);
  } catch (e) {
    r.blobFail(e, r.bS, r.bAt, r.bLzf, what);
  }
}

/** Members of a set listpack (type 20) at the reader's blob. */
function setListpack(r: RdbReader): void {
  const b = r.bB;
  try {
    const lp = sharedListpack(b, r.bS, r.bE);
    while (lp.next()) {
      if (!(lp.isInt ? w.uniqueInt(lp.big ?? lp.int) : w.unique(b, lp.sOff, lp.sLen))) {
        lp.fail("set listpack members without duplicates");
      }
    }
  } catch (e) {
    r.blobFail(e, r.bS, r.bAt, r.bLzf, "set listpack");
  }
}

/** Member/score pairs of a zset ziplist (type 12) or listpack (17) at the reader's blob. */
function zsetPairs(r: RdbReader, t: number): void {
  const what = t === 12 ? "zset ziplist" : "zset listpack";
  const b = r.bB;
  try {
    const z = t === 12 ? new ZiplistReader(b, r.bS, r.bE) : sharedListpack(b, r.bS, r.bE);
    while (z.next()) {
      if (!(z.isInt ? w.uniqueInt(z.big ?? z.int) : w.unique(b, z.sOff, z.sLen))) {
        z.fail(`${what} members without duplicates`);
      }
      if (!z.next()) {
        z.fail(
          t === 12 ? `${what}: an even number of entries` : `${what}: an even number of elements`,
        );
      }
      const score = z.isInt ? z.int : parseScore(b, z.sOff, z.sLen);
      if (Number.isNaN(score)) z.fail("a zset score that is a number");
      w.score(score);
    }
  } catch (e) {
    r.blobFail(e, r.bS, r.bAt, r.bLzf, what);
  }
}

function intText(v: number | bigint): Uint8Array {
  w.uniqueInt(v);
  return NOT_A_STRING;
}

const NOT_A_STRING = new Uint8Array(0);

/**
 * Reads the value of type `t` (after its key `kb[ko, ko + kl)`) into the
 * shared payload; `null` for an empty value (Redis skips it). Throws
 * CorruptFileError like the neutral reader. The payload is valid until the
 * next value is read.
 */
export function readCollPayload(
  r: RdbReader,
  t: number,
  kb: Uint8Array,
  ko: number,
  kl: number,
): RdbPayload | null {
  w.reset(r.slabs, LIST_OP, kb, ko, kl, kb === r.buf);
  switch (t) {
    case 1: {
      const n = r.count("list length");
      for (let i = 0; i < n; i++) {
        const sb = r.stringAt("list element");
        w.item(sb, r.sOff, r.sLen);
        w.count++;
      }
      break;
    }
    case 10:
      r.blobAt("list ziplist");
      listZiplist(r, "list ziplist");
      break;
    case 14: {
      const n = r.count("quicklist node count");
      for (let i = 0; i < n; i++) {
        r.blobAt("quicklist node");
        if (r.bE === r.bS) throw r.corrupt(r.bAt, "a non-empty quicklist node");
        listZiplist(r, "quicklist ziplist node");
      }
      break;
    }
    case 18: {
      const n = r.count("quicklist node count", 2);
      for (let i = 0; i < n; i++) {
        const cAt = r.pos;
        const container = r.len("quicklist node container");
        if (container !== 1 && container !== 2) {
          throw r.corrupt(cAt, "a quicklist container (1 plain, 2 packed)");
        }
        r.blobAt("quicklist node");
        if (r.bE === r.bS) throw r.corrupt(r.bAt, "a non-empty quicklist node");
        if (container === 1) {
          w.item(r.bB, r.bS, r.bE - r.bS);
          w.count++;
          continue;
        }
        try {
          listItems(sharedListpack(r.bB, r.bS, r.bE), r.bB);
        } catch (e) {
          r.blobFail(e, r.bS, r.bAt, r.bLzf, "quicklist listpack node");
        }
      }
      break;
    }
    case 2: {
      w.op = SET_OP;
      const n = r.count("set size");
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const sb = r.stringAt("set member");
        if (!w.unique(sb, r.sOff, r.sLen)) throw r.corrupt(at, "set members without duplicates");
      }
      break;
    }
    case 11:
      w.op = SET_OP;
      // decodeIntset validates order and width; each member is written as text here.
      r.blobAt("intset");
      try {
        decodeIntset(r.bB, r.bS, r.bE, intText);
      } catch (e) {
        r.blobFail(e, r.bS, r.bAt, r.bLzf, "set intset");
      }
      break;
    case 20:
      w.op = SET_OP;
      r.blobAt("listpack");
      setListpack(r);
      break;
    case 12:
    case 17:
      w.op = ZSET_OP;
      r.blobAt(t === 12 ? "zset ziplist" : "zset listpack");
      zsetPairs(r, t);
      break;
    default:
      throw new RangeError(`RDB type ${t} is not a list, set or zset payload type`);
  }
  if (w.count === 0) return null;
  return w.done(w.pos - w.start > SMALL_BYTES);
}
