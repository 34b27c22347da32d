// Private: what a successful stream command appends to a log, so that a
// replay rebuilds the same stream whatever the clock says then. The frames are
// what Redis 7 propagates, plus what Redis's own propagation loses:
// - XADD: the id actually added instead of `*` / `ms-*`; a `~` trim as the
//   exact `=` trim it amounted to (MAXLEN = <length after>, MINID = <first id
//   after>), without LIMIT (valid only with `~`); NOMKSTREAM dropped;
// - XTRIM: the same exact form, only when it removed something;
// - XREADGROUP: `XGROUP CREATECONSUMER` when it created the consumer (Redis
//   only logs it for NOACK), one `XCLAIM key group consumer 0 id TIME t
//   RETRYCOUNT n FORCE JUSTID` per pending row it wrote (history reads too,
//   whose counts Redis does not log), then `XGROUP SETID key group last
//   ENTRIESREAD n` when the group moved (Redis only does this for NOACK and so
//   loses entries-read);
// - XCLAIM / XAUTOCLAIM: the XCLAIM form above for each row claimed or purged
//   (the entry is gone: replaying purges it too), then XGROUP SETID when LASTID
//   moved the group;
// - XDEL, XACK: as given, when they changed something; XSETID, XGROUP: as given.
// Several frames are safe to cut anywhere (a crash tears the log between
// them): the group moves last, so a prefix at worst leaves rows pending that
// the group will deliver again, never an entry past the group's last id that
// nobody holds. (Redis's XCLAIM ... LASTID moves the group in the first frame.)
// Not reproducible by any command (as with Redis): consumers' seen-time.
import type { Reply } from "./_apply_common.ts";
import type { Frame, LogInput } from "./_command.ts";
import { parseAddTrim } from "./_apply_stream.ts";
import { parseRead } from "./_apply_stream_read.ts";
import { toKey } from "./_keys.ts";
import { idBytes, idText, parseId, type U64 } from "./_stream_id.ts";
import type { Store } from "./store.ts";
import { StreamData } from "./stream.ts";
import type { ConsumerGroup } from "./stream_group.ts";

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const XADD = B("XADD"), XTRIM = B("XTRIM"), XCLAIM = B("XCLAIM"), XGROUP = B("XGROUP");
const SETID = B("SETID"), CREATECONSUMER = B("CREATECONSUMER"), ENTRIESREAD = B("ENTRIESREAD");
const MAXLEN = B("MAXLEN"), MINID = B("MINID"), EQ = B("="), ZERO = B("0"), TIME = B("TIME");
const RETRYCOUNT = B("RETRYCOUNT"), FORCE = B("FORCE"), JUSTID = B("JUSTID");

function streamAt(store: Store, key: Uint8Array): StreamData | null {
  const v = store.lookup(key);
  return v instanceof StreamData ? v : null;
}

/** The exact trim arguments a (possibly `~`) trim of `s` amounted to. */
function exactTrim(argv: Uint8Array[], s: StreamData, xadd: boolean): Frame {
  const t = parseAddTrim(argv, xadd, true).trim!;
  if (t.strategy === "maxlen") {
    return [MAXLEN, EQ, B(String(t.approx ? s.length : t.maxlen))];
  }
  const first = t.approx ? s.firstAny() : t.minid;
  return [MINID, EQ, idBytes(first.ms, first.seq)];
}

/** XADD: see the file comment. */
export function logXadd(x: LogInput): Frame[] {
  if (!(x.reply instanceof Uint8Array)) return [];
  const a = x.argv;
  const p = parseAddTrim(a, true, true);
  const s = streamAt(x.store, a[1]!);
  if (s === null) return [];
  const f: Frame = [XADD, a[1]!];
  if (p.trim !== null) f.push(...exactTrim(a, s, true));
  f.push(x.reply);
  for (let i = p.idPos + 1; i < a.length; i++) f.push(a[i]!);
  return [f];
}

/** XTRIM: see the file comment. */
export function logXtrim(x: LogInput): Frame[] {
  const s = streamAt(x.store, x.argv[1]!);
  if (typeof x.reply !== "number" || x.reply === 0 || s === null) return [];
  return [[XTRIM, x.argv[1]!, ...exactTrim(x.argv, s, false)]];
}

function claimFrame(key: Uint8Array, g: ConsumerGroup, who: Uint8Array, ms: U64, seq: U64): Frame {
  const p = g.pel.get(ms, seq);
  const f: Frame = [XCLAIM, key, g.name, who, ZERO, idBytes(ms, seq)];
  if (p !== undefined) {
    f.push(TIME, B(String(p.deliveryTime)), RETRYCOUNT, B(String(p.deliveryCount)));
  }
  f.push(FORCE, JUSTID);
  return f;
}

function setIdFrame(key: Uint8Array, g: ConsumerGroup): Frame {
  return [
    XGROUP,
    SETID,
    key,
    g.name,
    idBytes(g.lastMs, g.lastSeq),
    ENTRIESREAD,
    B(String(g.entriesRead)),
  ];
}

/** The id of a claimed/delivered reply item: a bulk id or `[id, fields]`. */
function itemId(r: Reply): { ms: U64; seq: U64; live: boolean } | null {
  const b = r instanceof Uint8Array
    ? r
    : Array.isArray(r) && r[0] instanceof Uint8Array
    ? r[0]
    : null;
  if (b === null) return null;
  const id = parseId(b, 0, true);
  if (id === null) return null;
  return { ms: id.ms, seq: id.seq, live: !(Array.isArray(r) && r[1] === null) };
}

/** Group state before a command: last id and entries-read, and whether a consumer existed. */
interface GroupBefore {
  last: string;
  entriesRead: U64;
  consumer: boolean;
}

function groupBefore(g: ConsumerGroup, who: Uint8Array): GroupBefore {
  return {
    last: idText(g.lastMs, g.lastSeq),
    entriesRead: g.entriesRead,
    consumer: g.consumer(who) !== undefined,
  };
}

function moved(g: ConsumerGroup, b: GroupBefore | undefined): boolean {
  return b === undefined || b.last !== idText(g.lastMs, g.lastSeq) ||
    b.entriesRead !== g.entriesRead;
}

/** XREADGROUP `pre`: each named stream's group state (keyed by key bytes). */
export function preXreadgroup(argv: ReadonlyArray<Uint8Array>, store: Store): unknown {
  try {
    const a = [...argv];
    const r = parseRead(a, true);
    const out = new Map<string, GroupBefore>();
    for (let i = 0; i < r.n; i++) {
      const key = a[r.keysAt + i]!;
      const g = streamAt(store, key)?.group(r.group!);
      if (g !== undefined && !out.has(toKey(key))) out.set(toKey(key), groupBefore(g, r.consumer!));
    }
    return out;
  } catch {
    return null;
  }
}

/** XREADGROUP: see the file comment. */
export function logXreadgroup(x: LogInput): Frame[] {
  if (!Array.isArray(x.reply)) return [];
  const r = parseRead(x.argv, true);
  const before = x.pre instanceof Map ? x.pre as Map<string, GroupBefore> : new Map();
  const who = r.consumer!;
  const out: Frame[] = [];
  const done = new Set<string>();
  for (const item of x.reply) {
    if (!Array.isArray(item) || !(item[0] instanceof Uint8Array) || !Array.isArray(item[1])) {
      continue;
    }
    const key = item[0];
    const k = toKey(key);
    if (done.has(k)) continue;
    done.add(k);
    const g = streamAt(x.store, key)?.group(r.group!);
    if (g === undefined) continue;
    const claims: Frame[] = [];
    for (
      const e of x.reply.filter((y) =>
        Array.isArray(y) && y[0] instanceof Uint8Array && toKey(y[0]) === k
      )
    ) {
      for (const it of (e as Reply[])[1] as Reply[]) {
        const id = itemId(it);
        if (id === null || !id.live) continue;
        const p = g.pel.get(id.ms, id.seq);
        if (p !== undefined && p.consumer !== null && toKey(p.consumer.name) === toKey(who)) {
          claims.push(claimFrame(key, g, who, id.ms, id.seq));
        }
      }
    }
    const b = before.get(k);
    if ((b === undefined || !b.consumer) && claims.length === 0 && g.consumer(who) !== undefined) {
      out.push([XGROUP, CREATECONSUMER, key, g.name, who]);
    }
    for (const f of claims) out.push(f);
    if (moved(g, b)) out.push(setIdFrame(key, g));
  }
  return out;
}

/** XCLAIM `pre`: the group state and the rows it will purge (their entries are gone). */
export function preXclaim(argv: ReadonlyArray<Uint8Array>, store: Store): unknown {
  const s = argv.length > 2 ? streamAt(store, argv[1]!) : null;
  const g = s?.group(argv[2]!);
  if (s == null || g === undefined) return null;
  const purged: Array<{ ms: U64; seq: U64; owner: Uint8Array }> = [];
  for (let j = 5; j < argv.length; j++) {
    const id = parseId(argv[j]!, 0, true);
    if (id === null) break;
    const p = g.pel.get(id.ms, id.seq);
    if (p !== undefined && p.consumer !== null && !s.has(id.ms, id.seq)) {
      purged.push({ ms: id.ms, seq: id.seq, owner: p.consumer.name });
    }
  }
  return { before: groupBefore(g, argv[3] ?? new Uint8Array()), purged };
}

/** XCLAIM: see the file comment. */
export function logXclaim(x: LogInput): Frame[] {
  const g = streamAt(x.store, x.argv[1]!)?.group(x.argv[2]!);
  if (g === undefined || !Array.isArray(x.reply)) return [];
  const key = x.argv[1]!, who = x.argv[3]!;
  const pre = x.pre as {
    before: GroupBefore;
    purged: Array<{ ms: U64; seq: U64; owner: Uint8Array }>;
  } | null;
  const out: Frame[] = [];
  for (const p of pre?.purged ?? []) {
    if (g.pel.get(p.ms, p.seq) === undefined) out.push(claimFrame(key, g, p.owner, p.ms, p.seq));
  }
  for (const it of x.reply) {
    const id = itemId(it);
    if (id !== null) out.push(claimFrame(key, g, who, id.ms, id.seq));
  }
  if (pre === null || pre.before.last !== idText(g.lastMs, g.lastSeq)) out.push(setIdFrame(key, g));
  return out;
}

/** XAUTOCLAIM: see the file comment. */
export function logXautoclaim(x: LogInput): Frame[] {
  const g = streamAt(x.store, x.argv[1]!)?.group(x.argv[2]!);
  const r = x.reply;
  if (g === undefined || !Array.isArray(r) || !Array.isArray(r[1]) || !Array.isArray(r[2])) {
    return [];
  }
  const key = x.argv[1]!, who = x.argv[3]!;
  const out: Frame[] = [];
  for (const it of r[2].concat(r[1])) {
    const id = itemId(it);
    if (id !== null) out.push(claimFrame(key, g, who, id.ms, id.seq));
  }
  return out;
}
