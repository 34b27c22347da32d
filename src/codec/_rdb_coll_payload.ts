// Private: an RDB list (types 1, 10, 14, 18), set (2, 11, 20) or zset (12,
// 17) read straight into the kevy snapshot payload layout of its type (`u32le
// len, bytes` per item; a zset adds its f64le score after each member),
// preceded by the key, in one buffer: what the bulk loader adopts as a compact
// value without an object per element. Same checks and messages as the
// neutral path (_rdb_values.ts): container validation, duplicate members,
// NaN scores, non-empty quicklist nodes.
import type { RdbReader } from "./_rdb_reader.ts";
import { type ListpackReader, sharedListpack } from "./_redis_listpack.ts";
import { ZiplistReader } from "./_redis_ziplist.ts";
import { decodeIntset } from "./_redis_intset.ts";
import { parseScore } from "./_redis_num.ts";
import { keepScratch, payloadBuilder, payloadDups as dups } from "./_rdb_hash_payload.ts";

/** Kevy snapshot opcodes of the payloads. */
export const LIST_OP = 3;
export const SET_OP = 4;
export const ZSET_OP = 5;

/** Payloads up to this size come in the reused buffer (the loader copies the small ones it keeps). */
const SMALL_BYTES = 16384;

/** The RDB value types read here. */
export function isCollPayloadType(t: number): boolean {
  return t === 1 || t === 10 || t === 14 || t === 18 || t === 2 || t === 11 || t === 20 ||
    t === 12 || t === 17;
}

/** A collection as one buffer: `buf[0, keyLen)` the key, then `count` items up to `end`. */
export interface CollPayload {
  /** Kevy snapshot opcode: 3 list, 4 set, 5 zset. */
  op: number;
  buf: Uint8Array;
  keyLen: number;
  end: number;
  count: number;
  /** Longest item (member). */
  maxLen: number;
  /** `buf` is this payload's own (views of it may be kept); else it is reused after the call. */
  own: boolean;
}

const NOT_A_STRING = new Uint8Array(0);

/**
 * Reads the value of type `t` (after the key) into a payload whose first
 * bytes are `key`; `null` for an empty value (Redis skips it). Throws
 * CorruptFileError like the neutral reader.
 */
export function readCollPayload(
  r: RdbReader,
  t: number,
  kb: Uint8Array,
  ko: number,
  kl: number,
): CollPayload | null {
  const w = payloadBuilder.reset();
  w.raw(kb, ko, kl);
  dups.reset();
  let op = LIST_OP;
  const member = (b: Uint8Array, off: number, len: number): boolean => {
    const at = w.item(b, off, len);
    w.count++;
    return dups.add(w.buf, at, len);
  };
  const intMember = (v: number | bigint): boolean => {
    const at = w.intItem(v);
    w.count++;
    return dups.add(w.buf, at, w.pos - at);
  };
  const listItem = (z: ListpackReader | ZiplistReader, b: Uint8Array) => {
    if (z.isInt) w.intItem(z.big ?? z.int);
    else w.item(b, z.sOff, z.sLen);
    w.count++;
  };
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
      r.inBlob(r.blob("list ziplist"), "list ziplist", (b, s, e) => {
        const z = new ZiplistReader(b, s, e);
        while (z.next()) listItem(z, b);
      });
      break;
    case 14: {
      const n = r.count("quicklist node count");
      for (let i = 0; i < n; i++) {
        const blob = r.blob("quicklist node");
        if (blob.end === blob.start) throw r.corrupt(blob.at, "a non-empty quicklist node");
        r.inBlob(blob, "quicklist ziplist node", (b, s, e) => {
          const z = new ZiplistReader(b, s, e);
          while (z.next()) listItem(z, b);
        });
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
        const blob = r.blob("quicklist node");
        if (blob.end === blob.start) throw r.corrupt(blob.at, "a non-empty quicklist node");
        if (container === 1) {
          if (blob.lzf) w.item(blob.b, 0, blob.b.length);
          else w.item(blob.b, blob.start, blob.end - blob.start);
          w.count++;
          continue;
        }
        r.inBlob(blob, "quicklist listpack node", (b, s, e) => {
          const lp = sharedListpack(b, s, e);
          while (lp.next()) listItem(lp, b);
        });
      }
      break;
    }
    case 2: {
      op = SET_OP;
      const n = r.count("set size");
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const sb = r.stringAt("set member");
        if (!member(sb, r.sOff, r.sLen)) throw r.corrupt(at, "set members without duplicates");
      }
      break;
    }
    case 11:
      op = SET_OP;
      // decodeIntset validates order and width; each member is written as text here.
      r.inBlob(r.blob("intset"), "set intset", (b, s, e) =>
        decodeIntset(b, s, e, (v) => {
          intMember(v);
          return NOT_A_STRING;
        }));
      break;
    case 20:
      op = SET_OP;
      r.inBlob(r.blob("listpack"), "set listpack", (b, s, e) => {
        const lp = sharedListpack(b, s, e);
        while (lp.next()) {
          const ok = lp.isInt ? intMember(lp.big ?? lp.int) : member(b, lp.sOff, lp.sLen);
          if (!ok) lp.fail("set listpack members without duplicates");
        }
      });
      break;
    case 12:
    case 17: {
      op = ZSET_OP;
      const what = t === 12 ? "zset ziplist" : "zset listpack";
      r.inBlob(r.blob(what), what, (b, s, e) => {
        const z = t === 12 ? new ZiplistReader(b, s, e) : sharedListpack(b, s, e);
        while (z.next()) {
          const ok = z.isInt ? intMember(z.big ?? z.int) : member(b, z.sOff, z.sLen);
          if (!ok) z.fail(`${what} members without duplicates`);
          if (!z.next()) {
            z.fail(
              t === 12
                ? `${what}: an even number of entries`
                : `${what}: an even number of elements`,
            );
          }
          const score = z.isInt ? z.int : parseScore(b, z.sOff, z.sLen);
          if (Number.isNaN(score)) z.fail("a zset score that is a number");
          w.score(score);
        }
      });
      break;
    }
    default:
      throw new RangeError(`RDB type ${t} is not a list, set or zset payload type`);
  }
  if (w.count === 0) return null;
  const keyLen = kl;
  if (w.pos - kl > SMALL_BYTES) {
    // Too big to be compact: the loader may keep views of its own buffer.
    const buf = w.buf.slice(0, w.pos);
    return { op, buf, keyLen, end: w.pos, count: w.count, maxLen: w.maxLen, own: true };
  }
  keepScratch(w.buf);
  return { op, buf: w.buf, keyLen, end: w.pos, count: w.count, maxLen: w.maxLen, own: false };
}
