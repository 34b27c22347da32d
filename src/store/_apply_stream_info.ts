// Private: XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP in
// Redis 7.0's reply shapes (maps as flat [name, value, ...] arrays).
import { argI64, type Ctx, fail, type Reply } from "./_apply_common.ts";
import {
  cstr,
  entryReply,
  failWith,
  getStream,
  idReply,
  rangeReply,
} from "./_apply_stream_common.ts";
import { helpReply, nowMs, subcommand, subSyntax } from "./_apply_stream_group.ts";
import { cOpt, MAX_ID, MIN_ID } from "./_stream_id.ts";
import type { StreamData } from "./stream.ts";
import type { ConsumerGroup } from "./stream_group.ts";

const XINFO_SUBS = { CONSUMERS: 4, GROUPS: 3, STREAM: -3, HELP: 2 };

const XINFO_HELP = [
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
];

/**
 * Nodes of a radix tree (rax) holding the 16-byte big-endian master ids of the
 * stream's nodes, counted for the canonical path-compressed shape rax keeps:
 * a branching node, one node for the rest of each branch edge, a compressed
 * node per shared run, one node per key end. Redis's tree can differ after
 * some delete patterns, so XINFO's `radix-tree-nodes` is an estimate.
 */
function raxNodes(s: StreamData): number {
  const keys = s.nodes.map((n) => {
    const k = new Uint8Array(16);
    const v = new DataView(k.buffer);
    v.setBigUint64(0, BigInt(n.ms0));
    v.setBigUint64(8, BigInt(n.seq0));
    return k;
  });
  if (keys.length === 0) return 1;
  const lcp = (x: Uint8Array, y: Uint8Array, d: number): number => {
    while (d < 16 && x[d] === y[d]) d++;
    return d;
  };
  const from = (lo: number, hi: number, d: number): number => {
    if (hi - lo === 1) return d === 16 ? 1 : 2;
    const l = lcp(keys[lo]!, keys[hi - 1]!, d);
    return (l > d ? 1 : 0) + branch(lo, hi, l);
  };
  const branch = (lo: number, hi: number, d: number): number => {
    let n = 1;
    for (let i = lo; i < hi;) {
      let j = i + 1;
      while (j < hi && keys[j]![d] === keys[i]![d]) j++;
      n += from(i, j, d + 1);
      i = j;
    }
    return n;
  };
  return from(0, keys.length, 0);
}

const KEYS = new Map<string, Uint8Array>();

/** A map key of an XINFO reply (a bulk string, as Redis sends it). */
function k(name: string): Uint8Array {
  let b = KEYS.get(name);
  if (b === undefined) KEYS.set(name, b = new TextEncoder().encode(name));
  return b;
}

function groupFull(s: StreamData, g: ConsumerGroup, count: number): Reply {
  const pending: Reply[] = [];
  for (const p of g.pel) {
    if (count !== 0 && pending.length >= count) break;
    pending.push([idReply(p.ms, p.seq), p.consumer!.name, p.deliveryTime, p.deliveryCount]);
  }
  const consumers: Reply[] = g.consumerList().map((x) => {
    const own: Reply[] = [];
    for (const p of x.pel) {
      if (count !== 0 && own.length >= count) break;
      own.push([idReply(p.ms, p.seq), p.deliveryTime, p.deliveryCount]);
    }
    return [
      k("name"),
      x.name,
      k("seen-time"),
      x.seenTime,
      k("pel-count"),
      x.pel.size,
      k("pending"),
      own,
    ];
  });
  return [
    k("name"),
    g.name,
    k("last-delivered-id"),
    idReply(g.lastMs, g.lastSeq),
    k("entries-read"),
    g.entriesRead === -1 ? null : g.entriesRead,
    k("lag"),
    s.lag(g),
    k("pel-count"),
    g.pel.size,
    k("pending"),
    pending,
    k("consumers"),
    consumers,
  ];
}

function streamInfo(s: StreamData, a: Uint8Array[]): Reply {
  const opts = a.slice(3);
  let full = false, count = 10;
  if (opts.length > 0) {
    if (opts.length !== 1 && opts.length !== 3) subSyntax(a, "XINFO");
    if (!cOpt(opts[0]!, "FULL")) subSyntax(a, "XINFO");
    if (opts.length === 3) {
      if (!cOpt(opts[1]!, "COUNT")) subSyntax(a, "XINFO");
      count = Number(argI64(opts[2]!));
      if (count < 0) count = 10;
    }
    full = true;
  }
  const head: Reply[] = [
    k("length"),
    s.length,
    k("radix-tree-keys"),
    s.nodes.length,
    k("radix-tree-nodes"),
    raxNodes(s),
    k("last-generated-id"),
    idReply(s.lastMs, s.lastSeq),
    k("max-deleted-entry-id"),
    idReply(s.maxDelMs, s.maxDelSeq),
    k("entries-added"),
    s.entriesAdded,
    k("recorded-first-entry-id"),
    idReply(s.firstMs, s.firstSeq),
  ];
  if (!full) {
    let first: Reply = null, last: Reply = null;
    s.scan(MIN_ID, MAX_ID, false, (n, i) => (first = entryReply(n, i), false));
    s.scan(MIN_ID, MAX_ID, true, (n, i) => (last = entryReply(n, i), false));
    return [...head, k("groups"), s.groupCount, k("first-entry"), first, k("last-entry"), last];
  }
  return [
    ...head,
    k("entries"),
    rangeReply(s, MIN_ID, MAX_ID, count, false),
    k("groups"),
    s.groupList().map((g) => groupFull(s, g, count)),
  ];
}

function xinfo(c: Ctx, a: Uint8Array[]): Reply {
  const sub = subcommand(a, "XINFO", XINFO_SUBS);
  if (sub === "HELP") return helpReply("XINFO", XINFO_HELP);
  const s = getStream(c.store, a[2]!);
  if (s === null) fail("ERR no such key");
  if (sub === "STREAM") return streamInfo(s, a);
  if (sub === "GROUPS") {
    return s.groupList().map((g) => [
      k("name"),
      g.name,
      k("consumers"),
      g.consumerCount,
      k("pending"),
      g.pel.size,
      k("last-delivered-id"),
      idReply(g.lastMs, g.lastSeq),
      k("entries-read"),
      g.entriesRead === -1 ? null : g.entriesRead,
      k("lag"),
      s.lag(g),
    ]);
  }
  const g = s.group(a[3]!);
  if (g === undefined) {
    failWith(`-NOGROUP No such consumer group '${cstr(a[3]!)}' for key name '${cstr(a[2]!)}'`);
  }
  const now = nowMs(c);
  return g.consumerList().map((x) => [
    k("name"),
    x.name,
    k("pending"),
    x.pel.size,
    k("idle"),
    Math.max(0, now - x.seenTime),
  ]);
}

/** XINFO handler. */
export const STREAM_INFO_HANDLERS: Record<string, (c: Ctx, a: Uint8Array[]) => Reply> = { xinfo };
