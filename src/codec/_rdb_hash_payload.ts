// Private: an RDB hash without field TTLs (types 4, 9, 13, 16) read straight
// into the kevy snapshot hash payload layout (`u32le len, field, u32le len,
// value` per pair) by the shared payload builder: what the bulk loader adopts
// as a compact hash without an object per field. Same checks as the neutral
// path (_rdb_values.ts): container validation, duplicate fields.
import type { RdbReader } from "./_rdb_reader.ts";
import { sharedListpack } from "./_redis_listpack.ts";
import { ZiplistReader } from "./_redis_ziplist.ts";
import { decodeZipmap } from "./_redis_zipmap.ts";
import { HASH_OP, payloadBuilder as w, type RdbPayload } from "./_rdb_payload.ts";

/** Hashes within these sizes are compact values (Redis's hash-max-listpack-*). */
const COMPACT_FIELDS = 128;
const COMPACT_BYTES = 64;

/** The RDB value types read here. */
export function isHashPayloadType(t: number): boolean {
  return t === 4 || t === 9 || t === 13 || t === 16;
}

/**
 * Reads the hash of type `t` (after its key `kb[ko, ko + kl)`) into the
 * shared payload; `null` for an empty hash (Redis skips it). Throws
 * CorruptFileError like the neutral reader. The payload is valid until the
 * next value is read.
 */
export function readHashPayload(
  r: RdbReader,
  t: number,
  kb: Uint8Array,
  ko: number,
  kl: number,
): RdbPayload | null {
  w.reset(r.slabs, HASH_OP, kb, ko, kl, kb === r.buf);
  // Fields are compared where they were written in the payload (a buffer
  // outgrown keeps its bytes, so earlier entries stay comparable).
  if (t === 4) {
    const n = r.count("hash size", 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const fb = r.stringAt("hash field");
      if (!w.unique(fb, r.sOff, r.sLen)) throw r.corrupt(at, "hash fields without duplicates");
      const vb = r.stringAt("hash value");
      w.item(vb, r.sOff, r.sLen);
    }
  } else if (t === 9) {
    const pairs = r.inBlob(r.blob("zipmap"), "hash zipmap", decodeZipmap);
    for (const [f, v] of pairs) {
      w.unique(f, 0, f.length);
      w.item(v, 0, v.length);
    }
  } else {
    const what = t === 13 ? "hash ziplist" : "hash listpack";
    r.blobAt(what);
    const b = r.bB;
    try {
      const z = t === 13 ? new ZiplistReader(b, r.bS, r.bE) : sharedListpack(b, r.bS, r.bE);
      while (z.next()) {
        if (!(z.isInt ? w.uniqueInt(z.big ?? z.int) : w.unique(b, z.sOff, z.sLen))) {
          z.fail(`${what} fields without duplicates`);
        }
        if (!z.next()) z.fail(`${what}: an even number of elements`);
        if (z.isInt) w.intItem(z.big ?? z.int);
        else w.item(b, z.sOff, z.sLen);
      }
    } catch (e) {
      r.blobFail(e, r.bS, r.bAt, r.bLzf, what);
    }
  }
  if (w.count === 0) return null;
  return w.done(w.count > COMPACT_FIELDS || w.maxLen > COMPACT_BYTES);
}
