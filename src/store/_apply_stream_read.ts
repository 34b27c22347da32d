// Private: XREAD and XREADGROUP, the non-blocking forms (t_stream.c
// xreadCommand). `BLOCK ms` is parsed and validated; with nothing to serve the
// reply is nil, as Redis answers a client that may not block (MULTI, scripts).
// A blocking layer can re-run the same argv when a key is signalled, after
// resolving `$` with resolveDollarIds (Redis resolves it once, at the call).
import { argI64, type Ctx, fail, type Reply, SYNTAX } from "./_apply_common.ts";
import {
  cstr,
  entryReply,
  failWith,
  getStream,
  oneEntry,
  strictId,
} from "./_apply_stream_common.ts";
import { nowMs } from "./_apply_stream_group.ts";
import { add, cIs, cmpId, cOpt, type EntryId, idBytes, MAX_ID, nextId } from "./_stream_id.ts";
import type { StreamData } from "./stream.ts";
import type { Consumer, ConsumerGroup } from "./stream_group.ts";

/** Parsed XREAD / XREADGROUP options. */
export interface ReadArgs {
  /** `BLOCK` milliseconds, `null` when not given. */
  block: number | null;
  /** `COUNT` (0: no limit). */
  count: number;
  /** XREADGROUP NOACK. */
  noack: boolean;
  /** XREADGROUP group name. */
  group: Uint8Array | null;
  /** XREADGROUP consumer name. */
  consumer: Uint8Array | null;
  /** Index of the first key after STREAMS. */
  keysAt: number;
  /** Number of keys (ids follow the keys). */
  n: number;
}

/** Parses the options like Redis; throws the Redis error. */
export function parseRead(a: Uint8Array[], isGroup: boolean): ReadArgs {
  const r: ReadArgs = {
    block: null,
    count: 0,
    noack: false,
    group: null,
    consumer: null,
    keysAt: 0,
    n: 0,
  };
  for (let i = 1; i < a.length; i++) {
    const more = a.length - i - 1;
    const o = a[i]!;
    if (more > 0 && cOpt(o, "BLOCK")) {
      const t = argI64(a[++i]!, "ERR timeout is not an integer or out of range");
      if (t < 0) fail("ERR timeout is negative");
      r.block = Number(t);
    } else if (more > 0 && cOpt(o, "COUNT")) {
      const n = Number(argI64(a[++i]!));
      r.count = n < 0 ? 0 : n;
    } else if (more > 0 && cOpt(o, "STREAMS")) {
      r.keysAt = i + 1;
      const k = a.length - r.keysAt;
      if (k % 2 !== 0) {
        failWith(
          "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        );
      }
      r.n = k / 2;
      break;
    } else if (more >= 2 && cOpt(o, "GROUP")) {
      if (!isGroup) {
        failWith("The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      r.group = a[i + 1]!;
      r.consumer = a[i + 2]!;
      i += 2;
    } else if (cOpt(o, "NOACK")) {
      if (!isGroup) {
        failWith("The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      r.noack = true;
    } else fail(SYNTAX);
  }
  if (r.keysAt === 0) fail(SYNTAX);
  if (isGroup && r.group === null) failWith("Missing GROUP option for XREADGROUP");
  return r;
}

/** New entries for a group (`>`): advances the group, records deliveries unless NOACK. */
function groupRange(
  s: StreamData,
  g: ConsumerGroup,
  who: Consumer,
  start: EntryId,
  count: number,
  noack: boolean,
  now: number,
): Reply[] {
  const out: Reply[] = [];
  s.scan(start, MAX_ID, false, (n, i) => {
    const ms = n.ms(i), seq = n.seq(i);
    if (cmpId(ms, seq, g.lastMs, g.lastSeq) > 0) {
      if (g.entriesRead !== -1 && !s.tombstonesFrom(ms, seq)) g.entriesRead = add(g.entriesRead, 1);
      else if (s.entriesAdded !== 0) g.entriesRead = s.estimateDistance(ms, seq);
      g.lastMs = ms;
      g.lastSeq = seq;
    }
    out.push(entryReply(n, i));
    if (!noack) {
      g.deliver(ms, seq, who, now);
      who.activeTime = now;
    }
    return count === 0 || out.length < count;
  });
  return out;
}

/** A consumer's own pending entries from `start` (history read); deleted ones as `[id, nil]`. */
function historyRange(
  s: StreamData,
  who: Consumer,
  start: EntryId,
  count: number,
  now: number,
): Reply[] {
  const out: Reply[] = [];
  for (let p = who.pel.ceil(start.ms, start.seq); p !== undefined; p = who.pel.after(p)) {
    if (count !== 0 && out.length >= count) break;
    const e = oneEntry(s, p.ms, p.seq);
    if (e === null) out.push([idBytes(p.ms, p.seq), null]);
    else {
      out.push(e);
      p.deliveryTime = now;
      p.deliveryCount++;
    }
  }
  return out;
}

function xread(c: Ctx, a: Uint8Array[], isGroup: boolean): Reply {
  const r = parseRead(a, isGroup);
  const ids: EntryId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = 0; i < r.n; i++) {
    const key = a[r.keysAt + i]!, arg = a[r.keysAt + r.n + i]!;
    const s = getStream(c.store, key);
    if (r.group !== null) {
      const g = s?.group(r.group);
      if (g === undefined) {
        failWith(
          `-NOGROUP No such key '${cstr(key)}' or consumer group '${
            cstr(r.group)
          }' in XREADGROUP with GROUP option`,
        );
      }
      groups[i] = g;
    }
    if (cIs(arg, "$")) {
      if (isGroup) {
        failWith(
          "The $ ID is meaningless in the context of XREADGROUP: you want to read the history " +
            "of this consumer by specifying a proper ID, or use the > ID to get new messages. " +
            "The $ ID would just return an empty result set.",
        );
      }
      ids[i] = s === null ? { ms: 0, seq: 0 } : { ms: s.lastMs, seq: s.lastSeq };
    } else if (cIs(arg, ">")) {
      if (!isGroup) {
        failWith(
          "The > ID can be specified only when calling XREADGROUP using the GROUP <group> " +
            "<consumer> option.",
        );
      }
      ids[i] = MAX_ID;
    } else ids[i] = strictId(arg);
  }
  const now = nowMs(c);
  const out: Reply[] = [];
  for (let i = 0; i < r.n; i++) {
    const key = a[r.keysAt + i]!;
    const s = getStream(c.store, key);
    if (s === null) continue;
    let gt = ids[i]!;
    const g = groups[i];
    let serve = false, history = false;
    if (g !== undefined) {
      if (gt.ms !== MAX_ID.ms || gt.seq !== MAX_ID.seq) serve = history = true;
      else if (s.length > 0) {
        const top = s.edge(false)!;
        if (cmpId(top.ms, top.seq, g.lastMs, g.lastSeq) > 0) {
          serve = true;
          gt = { ms: g.lastMs, seq: g.lastSeq };
        }
      }
    } else if (s.length > 0) {
      const top = s.edge(false)!;
      serve = cmpId(top.ms, top.seq, gt.ms, gt.seq) > 0;
    }
    if (!serve) continue;
    const start = nextId(gt.ms, gt.seq) ?? { ms: 0, seq: 0 };
    if (g === undefined) {
      const entries: Reply[] = [];
      s.scan(start, MAX_ID, false, (n, j) => {
        entries.push(entryReply(n, j));
        return r.count === 0 || entries.length < r.count;
      });
      out.push([key, entries]);
      continue;
    }
    let who = g.consumer(r.consumer!);
    if (who === undefined) who = g.createConsumer(r.consumer!, now)!;
    else who.seenTime = now;
    out.push([
      key,
      history
        ? historyRange(s, who, start, r.count, now)
        : groupRange(s, g, who, start, r.count, r.noack, now),
    ]);
  }
  return out.length === 0 ? null : out;
}

/**
 * `argv` with every `$` id of an XREAD replaced by its stream's current last
 * id (what Redis does once, when a blocking XREAD starts): re-running the
 * result later serves only entries added after the first call. Unparsable
 * argv comes back unchanged (running it gives the error).
 *
 * @example
 * ```ts
 * import { resolveDollarIds } from "@kevy/persist/store";
 * const t = new TextEncoder();
 * const argv = ["XREAD", "BLOCK", "0", "STREAMS", "events", "$"].map((s) => t.encode(s));
 * const again = resolveDollarIds(argv, () => ({ ms: 1700000000000, seq: 3 }));
 * new TextDecoder().decode(again[5]); // "1700000000000-3"
 * ```
 */
export function resolveDollarIds(
  argv: ReadonlyArray<Uint8Array>,
  lastId: (key: Uint8Array) => EntryId | null,
): Uint8Array[] {
  const a = [...argv];
  let r: ReadArgs;
  try {
    r = parseRead(a, false);
  } catch {
    return a;
  }
  for (let i = 0; i < r.n; i++) {
    if (!cIs(a[r.keysAt + r.n + i]!, "$")) continue;
    const id = lastId(a[r.keysAt + i]!) ?? { ms: 0, seq: 0 };
    a[r.keysAt + r.n + i] = idBytes(id.ms, id.seq);
  }
  return a;
}

/** XREAD / XREADGROUP handlers. */
export const STREAM_READ_HANDLERS: Record<string, (c: Ctx, a: Uint8Array[]) => Reply> = {
  xread: (c, a) => xread(c, a, false),
  xreadgroup: (c, a) => xread(c, a, true),
};
