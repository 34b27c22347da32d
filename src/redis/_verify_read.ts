// Reads keys back from a server or cluster and compares them with their
// source entries: type, TTL (PEXPIRETIME, exact ms) and value (GET, HGETALL,
// LRANGE, SMEMBERS, ZRANGE WITHSCORES, XRANGE + XINFO STREAM FULL).
// Pipelined through the bulk writer (reads retry safely).
import { ByteWriter } from "../codec/bytes.ts";
import { encodeCommandInto } from "../codec/resp.ts";
import type { Entry, StreamValue } from "../codec/types.ts";
import { type BulkJob, BulkWriter } from "../net/bulk.ts";
import type { RedisTarget } from "../net/target.ts";
import { type Reply, replyText, RespMap } from "../net/reply.ts";
import { keyHashSlot } from "../shard/routing.ts";
import { streamIdText } from "./_stream_commands.ts";

/** One difference between a source key and the target. */
export interface KeyDifference {
  /** The key. */
  key: Uint8Array;
  /** What differs. */
  what: "missing" | "type" | "ttl" | "value";
  /** In words (`"list: 12 items, target has 11"`). */
  detail: string;
}

interface ReadJob extends BulkJob {
  entry: Entry;
}

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const TYPE = B("TYPE"), PEXPIRETIME = B("PEXPIRETIME"), GET = B("GET"), HGETALL = B("HGETALL");
const LRANGE = B("LRANGE"), SMEMBERS = B("SMEMBERS"), ZRANGE = B("ZRANGE"), XRANGE = B("XRANGE");
const XINFO = B("XINFO"), STREAM = B("STREAM"), FULL = B("FULL"), WITHSCORES = B("WITHSCORES");
const HPEXPIRETIME = B("HPEXPIRETIME"), FIELDS = B("FIELDS");
const Z = B("0"), M1 = B("-1"), MINUS = B("-"), PLUS = B("+");

function readCommands(e: Entry): Uint8Array[][] {
  const k = e.key;
  const out: Uint8Array[][] = [[TYPE, k], [PEXPIRETIME, k]];
  switch (e.value.type) {
    case "string":
      out.push([GET, k]);
      break;
    case "hash":
      out.push([HGETALL, k]);
      if (e.value.fieldDeadlines !== undefined) {
        const fields = e.value.value.map(([f]) => f);
        out.push([HPEXPIRETIME, k, FIELDS, B(String(fields.length)), ...fields]);
      }
      break;
    case "list":
      out.push([LRANGE, k, Z, M1]);
      break;
    case "set":
      out.push([SMEMBERS, k]);
      break;
    case "zset":
      out.push([ZRANGE, k, Z, M1, WITHSCORES]);
      break;
    case "stream":
      out.push([XRANGE, k, MINUS, PLUS], [XINFO, STREAM, k, FULL]);
      break;
  }
  return out;
}

/**
 * Compares each entry with the target; entries past their deadline at
 * `now()` are not compared (they may have expired on both sides).
 */
export async function compareKeys(
  target: RedisTarget,
  entries: Iterable<Entry>,
  now: () => number,
  onChecked?: () => void,
): Promise<KeyDifference[]> {
  const diffs: KeyDifference[] = [];
  const writer = new BulkWriter<ReadJob>(target, {
    keepReplies: true,
    onDone: (job, errors, replies) => {
      const d = judge(job.entry, replies!, errors.length > 0 ? errors.map((x) => x.index) : []);
      for (const x of d) diffs.push(x);
      onChecked?.();
    },
  });
  const w = new ByteWriter(64 * 1024);
  for (const e of entries) {
    if (e.deadline !== null && e.deadline <= now()) continue;
    const cmds = readCommands(e);
    for (const c of cmds) encodeCommandInto(w, c);
    const p = writer.add({
      entry: e,
      slot: keyHashSlot(e.key),
      frames: w.take(),
      count: cmds.length,
    });
    if (p !== undefined) await p;
  }
  await writer.flush();
  return diffs;
}

const td = new TextDecoder();

function bytesKey(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function eq(a: Uint8Array, b: Reply | undefined): boolean {
  if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Flat [k, v, k, v] (RESP2) or a map (RESP3) as pairs. */
function pairs(r: Reply | undefined): Array<[Reply, Reply]> {
  if (r instanceof RespMap) return r.entries;
  if (!Array.isArray(r)) return [];
  const out: Array<[Reply, Reply]> = [];
  for (let i = 0; i + 1 < r.length; i += 2) out.push([r[i]!, r[i + 1]!]);
  return out;
}

function field(r: Reply | undefined, name: string): Reply | undefined {
  for (const [k, v] of pairs(r)) if (replyText(k) === name) return v;
  return undefined;
}

function parseScore(r: Reply | undefined): number {
  if (typeof r === "number") return r;
  const t = replyText(r) ?? "";
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  return Number(t);
}

function judge(e: Entry, replies: Reply[], errorAt: number[]): KeyDifference[] {
  const key = e.key;
  const type = replyText(replies[0]) ?? "";
  if (type === "none") return [{ key, what: "missing", detail: "not on the target" }];
  if (type !== e.value.type) {
    return [{ key, what: "type", detail: `${e.value.type} in the source, ${type} on the target` }];
  }
  const out: KeyDifference[] = [];
  const pt = replies[1];
  const want = e.deadline === null ? -1 : Math.trunc(e.deadline);
  const got = typeof pt === "number" ? pt : Number(pt);
  if (got !== want) {
    out.push({
      key,
      what: "ttl",
      detail: `${want === -1 ? "no TTL" : `expires at ${want}`} in the source, ${
        got === -1 ? "no TTL" : `expires at ${got}`
      } on the target`,
    });
  }
  if (errorAt.length > 0) {
    out.push({
      key,
      what: "value",
      detail: `the target refused to read it: ${String(replies[errorAt[0]!])}`,
    });
    return out;
  }
  const v = replies[2];
  const value = valueDifference(e, v, replies);
  if (value !== null) out.push({ key, what: "value", detail: value });
  return out;
}

function valueDifference(e: Entry, v: Reply | undefined, replies: Reply[]): string | null {
  const val = e.value;
  switch (val.type) {
    case "string":
      if (eq(val.value, v)) return null;
      return `string of ${val.value.length} bytes in the source, ${
        v instanceof Uint8Array ? `${v.length} bytes` : "none"
      } on the target${
        v instanceof Uint8Array && v.length === val.value.length ? " (other bytes)" : ""
      }`;
    case "list": {
      const got = Array.isArray(v) ? v : [];
      if (got.length !== val.value.length) {
        return `list of ${val.value.length} items in the source, ${got.length} on the target`;
      }
      const i = val.value.findIndex((x, j) => !eq(x, got[j]));
      return i < 0 ? null : `list item ${i} differs`;
    }
    case "set": {
      const got = new Set(
        (Array.isArray(v) ? v : []).map((x) => (x instanceof Uint8Array ? bytesKey(x) : "")),
      );
      if (got.size !== val.value.length) {
        return `set of ${val.value.length} members in the source, ${got.size} on the target`;
      }
      const miss = val.value.filter((m) => !got.has(bytesKey(m))).length;
      return miss === 0 ? null : `${miss} set member(s) missing on the target`;
    }
    case "hash": {
      const got = new Map(
        pairs(v).map(([f, x]) => [f instanceof Uint8Array ? bytesKey(f) : "", x]),
      );
      if (got.size !== val.value.length) {
        return `hash of ${val.value.length} fields in the source, ${got.size} on the target`;
      }
      const bad = val.value.filter(([f, x]) => !eq(x, got.get(bytesKey(f)))).length;
      if (bad > 0) return `${bad} hash field(s) differ`;
      if (val.fieldDeadlines !== undefined) {
        const times = replies[3];
        const list = Array.isArray(times) ? times : [];
        const off = val.fieldDeadlines.findIndex((d, i) =>
          (d === null ? -1 : Math.trunc(d)) !== list[i]
        );
        if (off >= 0) return `hash field ${td.decode(val.value[off]![0])}: TTL differs`;
      }
      return null;
    }
    case "zset": {
      const got = new Map(
        pairs(v).map(([m, s]) => [m instanceof Uint8Array ? bytesKey(m) : "", parseScore(s)]),
      );
      if (got.size !== val.value.length) {
        return `zset of ${val.value.length} members in the source, ${got.size} on the target`;
      }
      // `===`: Redis 7.0 keeps -0 only in skiplist-encoded zsets (a small one stores 0).
      const bad = val.value.filter(([m, s]) => got.get(bytesKey(m)) !== s).length;
      return bad === 0 ? null : `${bad} zset member(s) missing or with another score`;
    }
    case "stream":
      return streamDifference(val.value, v, replies[3]);
  }
}

function idOf(r: Reply | undefined): string {
  return replyText(r) ?? "";
}

function streamDifference(
  s: StreamValue,
  range: Reply | undefined,
  info: Reply | undefined,
): string | null {
  const got = Array.isArray(range) ? range : [];
  if (got.length !== s.entries.length) {
    return `stream of ${s.entries.length} entries in the source, ${got.length} on the target`;
  }
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const want = s.entries[i]!;
    if (!Array.isArray(g) || idOf(g[0]) !== streamIdText(want.id)) {
      return `stream entry ${i}: other id`;
    }
    const f = Array.isArray(g[1]) ? g[1] : [];
    if (f.length !== want.fields.length * 2) {
      return `stream entry ${streamIdText(want.id)}: other fields`;
    }
    for (let j = 0; j < want.fields.length; j++) {
      if (!eq(want.fields[j]![0], f[2 * j]) || !eq(want.fields[j]![1], f[2 * j + 1])) {
        return `stream entry ${streamIdText(want.id)}: other fields`;
      }
    }
  }
  if (idOf(field(info, "last-generated-id")) !== streamIdText(s.lastId)) {
    return "stream last id differs";
  }
  if (idOf(field(info, "max-deleted-entry-id")) !== streamIdText(s.maxDeletedId)) {
    return "stream max deleted id differs";
  }
  if (Number(field(info, "entries-added")) !== Number(s.entriesAdded)) {
    return "stream entries-added differs";
  }
  const groups = field(info, "groups");
  const gl = Array.isArray(groups) ? groups : [];
  if (gl.length !== s.groups.length) {
    return `${s.groups.length} consumer group(s) in the source, ${gl.length} on the target`;
  }
  const present = new Set(s.entries.map((x) => streamIdText(x.id)));
  for (const g of s.groups) {
    const tg = gl.find((x) => eq(g.name, field(x, "name")));
    const gname = td.decode(g.name);
    if (tg === undefined) return `consumer group ${gname} missing`;
    if (idOf(field(tg, "last-delivered-id")) !== streamIdText(g.lastDelivered)) {
      return `group ${gname}: last delivered id differs`;
    }
    if (g.entriesRead !== undefined && g.entriesRead !== null) {
      if (Number(field(tg, "entries-read")) !== Number(g.entriesRead)) {
        return `group ${gname}: entries-read differs`;
      }
    }
    const pend = field(tg, "pending");
    const pl = Array.isArray(pend) ? pend : [];
    // Commands cannot re-create every pending entry of a deleted message (RESTORE can): the
    // target may lack those (the migration counted them as lostPending); every other one must
    // be there.
    const onTarget = new Set(pl.map((t) => Array.isArray(t) ? idOf(t[0]) : ""));
    const want = g.pel.filter((p) =>
      present.has(streamIdText(p.id)) || onTarget.has(streamIdText(p.id))
    );
    if (pl.length !== want.length) {
      return `group ${gname}: ${want.length} pending entries in the source, ${pl.length} on the target`;
    }
    for (let i = 0; i < want.length; i++) {
      const p = want[i]!, t = pl[i];
      if (
        !Array.isArray(t) || idOf(t[0]) !== streamIdText(p.id) || !eq(p.consumer, t[1]) ||
        Number(t[2]) !== Number(p.deliveryTime) || Number(t[3]) !== p.deliveryCount
      ) return `group ${gname}: pending entry ${streamIdText(p.id)} differs`;
    }
    const cons = field(tg, "consumers");
    const cl = Array.isArray(cons) ? cons : [];
    const names = new Set(
      cl.map((c) => bytesKey(field(c, "name") as Uint8Array ?? new Uint8Array())),
    );
    for (const c of g.consumers) {
      if (!names.has(bytesKey(c.name))) {
        return `group ${gname}: consumer ${td.decode(c.name)} missing`;
      }
    }
  }
  return null;
}
