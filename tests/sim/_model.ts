// The simulator's model of Redis semantics: a Map per key with absolute deadlines, the
// writes applied to it, and how a key is printed for comparison with the store.
import { bigValue, KEYS, type Step } from "./_steps.ts";

/** A consumer group: the last id delivered (`n-1`; 0: none), entries-read (null: unknown), the PEL. */
export interface Group {
  last: number;
  read: number | null;
  pel: number[];
}

/** A stream: entries (id `n-1`, one field `f`), groups by name. */
export interface Stream {
  e: Array<[number, string]>;
  g: Record<string, Group>;
}

/** A value of the model. */
export type Val = { kind: "s"; v: string } | { kind: "l"; v: string[] } | {
  kind: "h";
  v: Record<string, string>;
} | { kind: "x"; v: Stream };

/** A stream as printed: entries as [id, value], groups as [name, last id, entries-read, PEL ids]. */
export interface StreamView {
  entries: Array<[string, string]>;
  groups: Array<[string, string, number | null, string[]]>;
}

/** How the model's stream prints (groups by name). */
export function streamView(x: Stream): StreamView {
  const id = (n: number) => `${n}-${n === 0 ? 0 : 1}`;
  return {
    entries: x.e.map(([n, v]) => [id(n), v]),
    groups: Object.keys(x.g).sort().map((name) => {
      const g = x.g[name]!;
      return [name, id(g.last), g.read, g.pel.map(id)];
    }),
  };
}

/** One key of the model. */
export interface Entry {
  val: Val;
  /** Absolute deadline (ms), or null. */
  at: number | null;
}

/** The keyspace the store must hold. */
export type Model = Map<string, Entry>;

/** The live entry of `k` (an expired one is deleted, as a read in Redis deletes it). */
export function live(m: Model, k: string, now: number): Entry | undefined {
  const e = m.get(k);
  if (e !== undefined && e.at !== null && e.at <= now) {
    m.delete(k);
    return undefined;
  }
  return e;
}

/** Applies a write to the model (one that {@link refuses} accepts). */
export function applyModel(m: Model, s: Step, now: number): void {
  if (applyMore(m, s, now)) return;
  const str = (k: string, v: string) => m.set(k, { val: { kind: "s", v }, at: null });
  switch (s.op) {
    case "set":
      m.set(s.k, { val: { kind: "s", v: s.v }, at: s.px === undefined ? null : now + s.px });
      return;
    case "setbig":
      str(s.k, bigValue(s.n, s.len));
      return;
    case "incr": {
      const e = live(m, s.k, now);
      if (e === undefined) str(s.k, "1");
      else if (e.val.kind === "s" && /^-?\d+$/.test(e.val.v)) e.val.v = String(Number(e.val.v) + 1);
      return;
    }
    case "append":
    case "appendbig": {
      const v = "v" in s ? s.v : bigValue(s.n, s.len);
      const e = live(m, s.k, now);
      if (e === undefined) str(s.k, v);
      else if (e.val.kind === "s") e.val.v += v;
      return;
    }
    case "rpush": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "l", v: [s.v] }, at: null });
      else if (e.val.kind === "l") e.val.v.push(s.v);
      return;
    }
    case "hset": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "h", v: { [s.f]: s.v } }, at: null });
      else if (e.val.kind === "h") e.val.v[s.f] = s.v;
      return;
    }
    case "pexpire": {
      const e = live(m, s.k, now);
      if (e !== undefined) e.at = now + s.ms;
      return;
    }
    case "persist": {
      const e = live(m, s.k, now);
      if (e !== undefined) e.at = null;
      return;
    }
    case "mset":
      for (const [k, v] of s.kv) str(k, v);
      return;
    case "del":
      for (const k of s.ks) m.delete(k);
      return;
    case "del1":
      m.delete(s.k);
      return;
  }
}

/** The later writes: RENAME, FLUSHALL and the stream commands. False for the others. */
function applyMore(m: Model, s: Step, now: number): boolean {
  switch (s.op) {
    case "flushall":
      m.clear();
      return true;
    case "rename": {
      const e = live(m, s.k, now)!;
      m.delete(s.k);
      m.set(s.to, e);
      return true;
    }
    case "xadd": {
      const e = live(m, s.k, now);
      if (e === undefined) {
        m.set(s.k, { val: { kind: "x", v: { e: [[s.n, s.v]], g: {} } }, at: null });
      } else if (e.val.kind === "x") e.val.v.e.push([s.n, s.v]);
      return true;
    }
    case "xgroup": {
      let e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, e = { val: { kind: "x", v: { e: [], g: {} } }, at: null });
      if (e.val.kind === "x") e.val.v.g[s.g] = { last: 0, read: 0, pel: [] };
      return true;
    }
    case "xreadgroup": {
      const e = live(m, s.k, now);
      if (e?.val.kind !== "x") return true;
      const x = e.val.v, g = x.g[s.g]!;
      const p = x.e.findIndex(([n]) => n > g.last);
      if (p < 0) return true;
      g.last = x.e[p]![0];
      g.pel.push(g.last);
      // No entry is ever deleted: a known counter counts on; an unknown one is known again
      // when the entry read is the first or the last (streamEstimateDistanceFromFirstEverEntry).
      g.read = g.read !== null
        ? g.read + 1
        : p === x.e.length - 1
        ? x.e.length
        : p === 0
        ? 1
        : null;
      return true;
    }
    case "xack": {
      const e = live(m, s.k, now);
      const g = e?.val.kind === "x" ? e.val.v.g[s.g] : undefined;
      if (g !== undefined) g.pel = g.pel.filter((n) => n !== s.n);
      return true;
    }
  }
  return false;
}

/**
 * Would the store refuse this write (wrong type, not an integer, no such key or group, a
 * RENAME across shards: `sameShard`)? Then nothing changes.
 */
export function refuses(
  m: Model,
  s: Step,
  now: number,
  sameShard: (a: string, b: string) => boolean = () => true,
): boolean {
  if (s.op === "rename") return live(m, s.k, now) === undefined || !sameShard(s.k, s.to);
  const e = "k" in s ? live(m, s.k, now) : undefined;
  if (s.op === "xreadgroup") return e?.val.kind !== "x" || e.val.v.g[s.g] === undefined;
  if (e === undefined) return false;
  if (s.op === "xadd" || s.op === "xack") return e.val.kind !== "x";
  if (s.op === "xgroup") return e.val.kind !== "x" || e.val.v.g[s.g] !== undefined;
  if (s.op === "incr") {
    return e.val.kind !== "s" || !/^-?\d+$/.test(e.val.v) || Number(e.val.v) >= 2 ** 53;
  }
  if (s.op === "append" || s.op === "appendbig") return e.val.kind !== "s";
  if (s.op === "rpush") return e.val.kind !== "l";
  if (s.op === "hset") return e.val.kind !== "h";
  return false;
}

/** The keys a write touches. */
export function keysOf(s: Step): string[] {
  if (s.op === "mset") return [...new Set(s.kv.map(([k]) => k))];
  if (s.op === "del") return [...new Set(s.ks)];
  if (s.op === "rename") return [...new Set([s.k, s.to])];
  if (s.op === "flushall") return [...KEYS];
  return "k" in s ? [s.k] : [];
}

/** Whether a write leaves its key present whatever it held (it is created if absent). */
export function creates(s: Step): boolean {
  return s.op !== "del" && s.op !== "del1" && s.op !== "pexpire" && s.op !== "persist" &&
    s.op !== "rename" && s.op !== "flushall" && s.op !== "xreadgroup" && s.op !== "xack";
}

/** A string as compared: long ones by length and digest (so a failure stays readable). */
function strText(v: string): string {
  if (v.length <= 64) return JSON.stringify(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  return `${JSON.stringify(v.slice(0, 12))}…[${v.length} bytes #${(h >>> 0).toString(16)}]`;
}

/** How a key's value prints ("" when absent). */
export function valueText(
  v: string | string[] | Record<string, string> | StreamView | null,
  at: number | null,
): string {
  if (v === null) return "";
  const t = typeof v === "string"
    ? strText(v)
    : Array.isArray(v)
    ? JSON.stringify(v)
    : isView(v)
    ? `X${JSON.stringify(v.entries)}${JSON.stringify(v.groups)}`
    : JSON.stringify(Object.fromEntries(Object.entries(v).sort()));
  return `${t}${at === null ? "" : `@${at}`}`;
}

function isView(v: object): v is StreamView {
  return "entries" in v && "groups" in v && Array.isArray((v as StreamView).groups);
}

/** How an entry prints ("" when absent or expired). */
export function entryText(e: Entry | null | undefined, now: number): string {
  if (e === null || e === undefined || (e.at !== null && e.at <= now)) return "";
  return valueText(e.val.kind === "x" ? streamView(e.val.v) : e.val.v, e.at);
}

/** The whole model as printed (an expired key is deleted, as the store's reads delete it). */
export function modelText(m: Model, now: number): string {
  return KEYS.map((k) => [k, entryText(live(m, k, now), now)]).filter(([, t]) => t !== "")
    .map(([k, t]) => `${k}=${t}`).join(" ");
}

/** A deep copy of an entry. */
export function cloneEntry(e: Entry): Entry {
  return { val: structuredClone(e.val), at: e.at };
}

/** A deep copy of the model. */
export function clone(m: Model): Model {
  const c: Model = new Map();
  for (const [k, e] of m) c.set(k, cloneEntry(e));
  return c;
}
