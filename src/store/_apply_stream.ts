// Private: the stream entry commands (XADD, XTRIM, XDEL, XLEN, XRANGE,
// XREVRANGE, XSETID) with Redis 7.0 semantics, argument order and error texts
// (t_stream.c).
import { argI64, type Ctx, fail, NOT_INT, type Reply, SYNTAX } from "./_apply_common.ts";
import { getStream, INVALID_ID, rangeBound, rangeReply, strictId } from "./_apply_stream_common.ts";
import {
  cIs,
  cmpId,
  cOpt,
  type EntryId,
  idBytes,
  inc,
  nextId,
  type ParsedId,
  parseId,
  U64_MAX,
} from "./_stream_id.ts";
import { LP_MAX_SIZE } from "./_stream_lp.ts";
import { StreamData, type TrimSpec } from "./stream.ts";

/** Parsed XADD / XTRIM options (streamParseAddOrTrimArgsOrReply). */
export interface AddTrimArgs {
  /** XADD: index of the id argument (fields follow). */
  idPos: number;
  /** XADD: the explicit id, `null` for `*`. */
  id: ParsedId | null;
  /** XADD NOMKSTREAM. */
  noMkStream: boolean;
  /** The trim to apply, if any. */
  trim: TrimSpec | null;
  /** Index of the MAXLEN count / MINID id argument. */
  trimArg: number;
}

/**
 * Parses XADD (`xadd`) or XTRIM options like Redis; throws the Redis error.
 * With `replay` (a log's command) LIMIT is accepted and ignored, as Redis does.
 */
export function parseAddTrim(a: Uint8Array[], xadd: boolean, replay = false): AddTrimArgs {
  let strategy: "maxlen" | "minid" | null = null;
  let approx = false, limitGiven = false, noMkStream = false;
  let limit = 0, maxlen = 0, trimArg = -1;
  let minid: EntryId = { ms: 0, seq: 0 };
  let id: ParsedId | null = null;
  let i = 2;
  for (; i < a.length; i++) {
    const more = a.length - 1 - i;
    const opt = a[i]!;
    if (xadd && cIs(opt, "*")) break;
    const isMax = more > 0 && cOpt(opt, "MAXLEN");
    if (isMax || (more > 0 && cOpt(opt, "MINID"))) {
      if (strategy !== null) {
        fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      approx = false;
      const next = a[i + 1]!;
      if (more >= 2 && cIs(next, "~")) {
        approx = true;
        i++;
      } else if (more >= 2 && cIs(next, "=")) i++;
      if (isMax) {
        maxlen = Number(argI64(a[i + 1]!));
        if (maxlen < 0) fail("ERR The MAXLEN argument must be >= 0.");
      } else minid = strictId(a[i + 1]!);
      i++;
      strategy = isMax ? "maxlen" : "minid";
      trimArg = i;
    } else if (more > 0 && cOpt(opt, "LIMIT")) {
      limit = Number(argI64(a[i + 1]!));
      if (limit < 0) fail("ERR The LIMIT argument must be >= 0.");
      limitGiven = true;
      i++;
    } else if (xadd && cOpt(opt, "NOMKSTREAM")) noMkStream = true;
    else if (xadd) {
      id = parseId(opt, 0, true, true) ?? fail(INVALID_ID);
      break;
    } else fail(SYNTAX);
  }
  if (limit !== 0 && strategy === null) {
    fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && strategy === null) {
    fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (replay) limit = 0;
  else if (limitGiven) {
    if (!approx) fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
  } else limit = approx ? 10000 : 0; // 100 * stream-node-max-entries
  const trim: TrimSpec | null = strategy === null
    ? null
    : strategy === "maxlen"
    ? { strategy, maxlen, approx, limit }
    : { strategy, minid, approx, limit };
  return { idPos: i, id, noMkStream, trim, trimArg };
}

function xadd(c: Ctx, a: Uint8Array[]): Reply {
  const p = parseAddTrim(a, true, c.replay === true);
  const fieldPos = p.idPos + 1;
  const nArgs = a.length - fieldPos;
  if (nArgs < 2 || nArgs % 2 === 1) fail("ERR wrong number of arguments for 'xadd' command");
  const given = p.id;
  if (given !== null && given.seqGiven && given.ms === 0 && given.seq === 0) {
    fail("ERR The ID specified in XADD must be greater than 0-0");
  }
  let s = getStream(c.store, a[1]!);
  const created = s === null;
  if (s === null) {
    if (p.noMkStream) return null;
    s = new StreamData();
  }
  if (s.lastMs === U64_MAX && s.lastSeq === U64_MAX) {
    fail("ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  let ms, seq;
  if (given !== null) {
    ms = given.ms;
    seq = given.seq;
    if (!given.seqGiven) {
      if (s.lastMs === given.ms) {
        if (s.lastSeq === U64_MAX) fail("ERR Elements are too large to be stored");
        seq = inc(s.lastSeq);
      } else seq = 0;
    }
  } else {
    const now = Math.floor(c.store.now());
    if (now > s.lastMs) {
      ms = now;
      seq = 0;
    } else {
      const n = nextId(s.lastMs, s.lastSeq) ?? { ms: 0, seq: 0 };
      ms = n.ms;
      seq = n.seq;
    }
  }
  if (cmpId(ms, seq, s.lastMs, s.lastSeq) <= 0) {
    fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  let total = 0;
  for (let i = fieldPos; i < a.length; i++) total += a[i]!.length;
  if (total > LP_MAX_SIZE) fail("ERR Elements are too large to be stored");
  s.append(ms, seq, a, fieldPos, nArgs / 2);
  if (created) c.store.setValue(a[1]!, s);
  if (p.trim !== null) s.trim(p.trim);
  return idBytes(ms, seq);
}

function xtrim(c: Ctx, a: Uint8Array[]): Reply {
  const p = parseAddTrim(a, false, c.replay === true);
  const s = getStream(c.store, a[1]!);
  return s === null ? 0 : s.trim(p.trim!);
}

function xdel(c: Ctx, a: Uint8Array[]): Reply {
  const s = getStream(c.store, a[1]!);
  if (s === null) return 0;
  const ids = a.slice(2).map((b) => strictId(b));
  let n = 0;
  for (const id of ids) if (s.delete(id.ms, id.seq)) n++;
  return n;
}

function xrange(c: Ctx, a: Uint8Array[], rev: boolean): Reply {
  const start = rangeBound(rev ? a[3]! : a[2]!, true);
  const end = rangeBound(rev ? a[2]! : a[3]!, false);
  let count = -1;
  for (let j = 4; j < a.length; j++) {
    if (cOpt(a[j]!, "COUNT") && j + 1 < a.length) {
      count = Number(argI64(a[++j]!, NOT_INT));
      if (count < 0) count = 0;
    } else fail(SYNTAX);
  }
  const s = getStream(c.store, a[1]!);
  if (s === null) return [];
  if (count === 0) return null;
  return rangeReply(s, start, end, count === -1 ? 0 : count, rev);
}

function xsetid(c: Ctx, a: Uint8Array[]): Reply {
  const id = strictId(a[2]!);
  let added: number | bigint = -1;
  let maxDel: EntryId = { ms: 0, seq: 0 };
  for (let i = 3; i < a.length; i++) {
    const more = a.length - 1 - i;
    if (more > 0 && cOpt(a[i]!, "ENTRIESADDED")) {
      added = argI64(a[++i]!);
      if (added < 0) fail("ERR entries_added must be positive");
    } else if (more > 0 && cOpt(a[i]!, "MAXDELETEDID")) {
      maxDel = strictId(a[++i]!);
      if (cmpId(id.ms, id.seq, maxDel.ms, maxDel.seq) < 0) {
        fail("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else fail(SYNTAX);
  }
  const s = getStream(c.store, a[1]!);
  if (s === null) fail("ERR no such key");
  if (s.length > 0) {
    const top = s.edge(false)!;
    if (cmpId(id.ms, id.seq, top.ms, top.seq) < 0) {
      fail("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (added !== -1 && s.length > added) {
      fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s.lastMs = id.ms;
  s.lastSeq = id.seq;
  if (added !== -1) s.entriesAdded = added;
  if (maxDel.ms !== 0 || maxDel.seq !== 0) {
    s.maxDelMs = maxDel.ms;
    s.maxDelSeq = maxDel.seq;
  }
  return "OK";
}

/** Stream entry command rows: name, arity, handler (flags/keys/logging in stream_table.ts). */
export const STREAM_ENTRY_HANDLERS: Record<string, (c: Ctx, a: Uint8Array[]) => Reply> = {
  xadd,
  xtrim,
  xdel,
  xlen: (c, a) => getStream(c.store, a[1]!)?.length ?? 0,
  xrange: (c, a) => xrange(c, a, false),
  xrevrange: (c, a) => xrange(c, a, true),
  xsetid,
};
