// Private: a StreamData straight from a snapshot's stream record, its entries
// read in place (the decoder's STREAM_SINK): no entry objects, no BigInt ids
// below 2^53, no view per field; each entry's bytes are copied once, into its
// node. Entries out of order (a file no kevy writes, but one we accept) take
// the neutral path, which sorts them and refuses a repeated id.
import type { StreamRecordHead } from "../codec/stream_record.ts";
import type { StreamEntry } from "../codec/types.ts";
import { cmpId, type U64 } from "./_stream_id.ts";
import { applyHead, streamFromNeutral } from "./_stream_neutral.ts";
import { StreamData } from "./stream.ts";

function rd32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** The u64le at `p` as a {@link U64} (a number below 2^53). */
function u64At(b: Uint8Array, p: number): U64 {
  const lo = rd32(b, p), hi = rd32(b, p + 4);
  return hi < 0x200000 ? hi * 4294967296 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

function big64(b: Uint8Array, p: number): bigint {
  return (BigInt(rd32(b, p + 4)) << 32n) | BigInt(rd32(b, p));
}

/**
 * The stream of a snapshot record: `count` entries at `b[start..]` in the
 * snapshot layout (validated by the reader), then `head`'s scalars and groups.
 * The result does not keep views of `b`.
 */
export function streamFromRecord(
  b: Uint8Array,
  start: number,
  count: number,
  head: StreamRecordHead,
): StreamData {
  const s = new StreamData();
  let r = new Float64Array(32);
  let p = start;
  for (let i = 0; i < count; i++) {
    const ms = u64At(b, p), seq = u64At(b, p + 8);
    if (i > 0 && cmpId(ms, seq, s.lastMs, s.lastSeq) <= 0) {
      return streamFromNeutral({ ...head, entries: neutralEntries(b, start, count) });
    }
    const nf = rd32(b, p + 16);
    p += 20;
    if (4 * nf > r.length) r = new Float64Array(4 * nf);
    for (let k = 0; k < 4 * nf; k += 2) {
      const len = rd32(b, p);
      r[k] = p + 4;
      r[k + 1] = len;
      p += 4 + len;
    }
    s.appendAt(ms, seq, b, r, nf);
  }
  applyHead(s, head);
  return s;
}

/** The record's entries as neutral entries (views of `b`), for the sorting path. */
function neutralEntries(b: Uint8Array, start: number, count: number): StreamEntry[] {
  const out: StreamEntry[] = [];
  let p = start;
  for (let i = 0; i < count; i++) {
    const id = { ms: big64(b, p), seq: big64(b, p + 8) };
    const nf = rd32(b, p + 16);
    p += 20;
    const fields: Array<[Uint8Array, Uint8Array]> = [];
    for (let k = 0; k < nf; k++) {
      const fl = rd32(b, p), f = b.subarray(p + 4, p + 4 + fl);
      p += 4 + fl;
      const vl = rd32(b, p);
      fields.push([f, b.subarray(p + 4, p + 4 + vl)]);
      p += 4 + vl;
    }
    out.push({ id, fields });
  }
  return out;
}
