// Private: what every stream command handler shares: typed key access,
// Redis's error formatting, id arguments and entry replies.
import { fail, type Reply, WRONGTYPE } from "./_apply_common.ts";
import type { Store } from "./store.ts";
import {
  type EntryId,
  idBytes,
  nextId,
  type ParsedId,
  parseId,
  prevId,
  type U64,
} from "./_stream_id.ts";
import type { StreamNode } from "./_stream_node.ts";
import { StreamData } from "./stream.ts";

/** Redis's reply to a malformed id argument. */
export const INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

/** The stream at `key`, `null` when missing; WRONGTYPE for another type. */
export function getStream(store: Store, key: Uint8Array): StreamData | null {
  const v = store.lookup(key);
  if (v === null) return null;
  if (!(v instanceof StreamData)) fail(WRONGTYPE);
  return v;
}

const dec = new TextDecoder();

/** `%s` of an argument in a Redis error: its C-string prefix. */
export function cstr(b: Uint8Array, max = Infinity): string {
  const z = b.indexOf(0);
  let end = z < 0 ? b.length : z;
  if (end > max) end = max;
  return dec.decode(b.subarray(0, end));
}

/**
 * A Redis error reply text from `addReplyError(Format)`: CR/LF trimmed at both
 * ends and turned into spaces inside; `-CODE ...` keeps its code, anything
 * else gets `ERR `.
 */
export function redisError(msg: string): string {
  const s = msg.replace(/^[\r\n]+|[\r\n]+$/g, "").replace(/[\r\n]/g, " ");
  return s.startsWith("-") ? s.slice(1) : `ERR ${s}`;
}

/** Aborts with {@link redisError} of `msg`. */
export function failWith(msg: string): never {
  return fail(redisError(msg));
}

/** A strict id argument (no `-`/`+`), or INVALID_ID. */
export function strictId(b: Uint8Array, missingSeq: U64 = 0): ParsedId {
  return parseId(b, missingSeq, true) ?? fail(INVALID_ID);
}

/** An id argument where `-`/`+` are allowed, or INVALID_ID. */
export function looseId(b: Uint8Array, missingSeq: U64): ParsedId {
  return parseId(b, missingSeq, false) ?? fail(INVALID_ID);
}

/**
 * A range bound (streamParseIntervalIDOrReply): `(id` is exclusive and
 * strict, then moved to its successor (start) or predecessor (end).
 */
export function rangeBound(b: Uint8Array, isStart: boolean): EntryId {
  const excl = b.length > 1 && b[0] === 0x28;
  if (!excl) return looseId(b, isStart ? 0 : 18446744073709551615n);
  const id = parseId(b.subarray(1), isStart ? 0 : 18446744073709551615n, true) ?? fail(INVALID_ID);
  const moved = isStart ? nextId(id.ms, id.seq) : prevId(id.ms, id.seq);
  if (moved === null) fail(`ERR invalid ${isStart ? "start" : "end"} ID for the interval`);
  return moved;
}

/** One entry as Redis replies it: `[id, [field, value, ...]]`. */
export function entryReply(n: StreamNode, i: number): Reply {
  return [idBytes(n.ms(i), n.seq(i)), n.fields(i)];
}

/** The live entry `ms-seq` as a reply, or `null` when it does not exist. */
export function oneEntry(s: StreamData, ms: U64, seq: U64): Reply | null {
  const at = s.find(ms, seq);
  return at === null ? null : entryReply(s.nodes[at[0]]!, at[1]);
}

/** Entries `start..end` (inclusive), at most `count` (0 = all), as an array reply. */
export function rangeReply(
  s: StreamData,
  start: EntryId,
  end: EntryId,
  count: number,
  rev: boolean,
): Reply[] {
  const out: Reply[] = [];
  s.scan(start, end, rev, (n, i) => {
    out.push(entryReply(n, i));
    return count === 0 || out.length < count;
  });
  return out;
}

/** Bulk id reply. */
export function idReply(ms: U64, seq: U64): Uint8Array {
  return idBytes(ms, seq);
}

/** ASCII case-insensitive compare of a whole argument with an upper-case word. */
export function isWord(b: Uint8Array, w: string): boolean {
  if (b.length !== w.length) return false;
  for (let i = 0; i < w.length; i++) {
    const c = b[i]!;
    if ((c >= 0x61 && c <= 0x7a ? c - 32 : c) !== w.charCodeAt(i)) return false;
  }
  return true;
}
