// Private: consumer-group commands (XGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM) with Redis 7.0 semantics and error texts (t_stream.c), and the
// subcommand dispatch Redis's command table does for XGROUP / XINFO.
import { argI64, type Ctx, fail, type Reply, SYNTAX } from "./_apply_common.ts";
import {
  cstr,
  failWith,
  getStream,
  idReply,
  isWord,
  looseId,
  oneEntry,
  rangeBound,
  strictId,
} from "./_apply_stream_common.ts";
import { cIs, cmpId, cOpt, type EntryId, parseId, type U64 } from "./_stream_id.ts";
import { StreamData } from "./stream.ts";
import { type Consumer, type ConsumerGroup, PendingEntry } from "./stream_group.ts";

/** Resolves `a[1]` among `subs` (name -> Redis arity) like Redis's command lookup. */
export function subcommand(
  a: Uint8Array[],
  container: string,
  subs: Record<string, number>,
): string {
  const sub = Object.keys(subs).find((s) => isWord(a[1]!, s));
  if (sub === undefined) {
    failWith(`unknown subcommand '${cstr(a[1]!, 128)}'. Try ${container} HELP.`);
  }
  const arity = subs[sub]!;
  if (arity > 0 ? a.length !== arity : a.length < -arity) {
    fail(
      `ERR wrong number of arguments for '${container.toLowerCase()}|${sub.toLowerCase()}' command`,
    );
  }
  return sub;
}

/** `addReplySubcommandSyntaxError`. */
export function subSyntax(a: Uint8Array[], container: string): never {
  return failWith(
    `unknown subcommand or wrong number of arguments for '${
      cstr(a[1]!, 128)
    }'. Try ${container} HELP.`,
  );
}

/** `addReplyHelp`: the header, the lines, the HELP footer (status replies). */
export function helpReply(container: string, lines: string[]): Reply {
  return [
    `${container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    "HELP",
    "    Prints this help.",
  ];
}

const XGROUP_SUBS = {
  CREATE: -5,
  SETID: -5,
  DESTROY: 4,
  CREATECONSUMER: 5,
  DELCONSUMER: 5,
  HELP: 2,
};

const XGROUP_HELP = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
];

/** The clock as whole unix ms. */
export function nowMs(c: Ctx): number {
  return Math.floor(c.store.now());
}

function xgroup(c: Ctx, a: Uint8Array[]): Reply {
  const sub = subcommand(a, "XGROUP", XGROUP_SUBS);
  if (sub === "HELP") return helpReply("XGROUP", XGROUP_HELP);
  const create = sub === "CREATE", setid = sub === "SETID";
  let mkstream = false;
  let entriesRead: U64 = -1;
  for (let i = 5; i < a.length;) {
    if (create && cOpt(a[i]!, "MKSTREAM")) {
      mkstream = true;
      i++;
    } else if ((create || setid) && cOpt(a[i]!, "ENTRIESREAD") && i + 1 < a.length) {
      entriesRead = argI64(a[i + 1]!);
      if (entriesRead < 0 && entriesRead !== -1) {
        failWith("value for ENTRIESREAD must be positive or -1");
      }
      i += 2;
    } else subSyntax(a, "XGROUP");
  }
  let s = getStream(c.store, a[2]!);
  const name = a[3]!;
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === null) {
      failWith(
        "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want " +
          "to use the MKSTREAM option to create an empty stream automatically.",
      );
    }
    g = s.group(name);
    if (g === undefined && !create && sub !== "DESTROY") {
      failWith(`-NOGROUP No such consumer group '${cstr(name)}' for key name '${cstr(a[2]!)}'`);
    }
  }
  switch (sub) {
    case "CREATE": {
      if (a.length > 8) subSyntax(a, "XGROUP");
      const id: EntryId = cIs(a[4]!, "$")
        ? (s === null ? { ms: 0, seq: 0 } : { ms: s.lastMs, seq: s.lastSeq })
        : strictId(a[4]!);
      if (s === null) {
        s = new StreamData();
        c.store.setValue(a[2]!, s);
      }
      if (s.createGroup(name, id.ms, id.seq, entriesRead) === null) {
        fail("BUSYGROUP Consumer Group name already exists");
      }
      return "OK";
    }
    case "SETID": {
      if (a.length !== 5 && a.length !== 7) subSyntax(a, "XGROUP");
      const id: EntryId = cIs(a[4]!, "$") ? { ms: s!.lastMs, seq: s!.lastSeq } : looseId(a[4]!, 0);
      g!.lastMs = id.ms;
      g!.lastSeq = id.seq;
      g!.entriesRead = entriesRead;
      return "OK";
    }
    case "DESTROY":
      return g !== undefined && s!.destroyGroup(name) ? 1 : 0;
    case "CREATECONSUMER":
      return g!.createConsumer(a[4]!, nowMs(c)) === null ? 0 : 1;
    default: {
      const who = g!.consumer(a[4]!);
      return who === undefined ? 0 : g!.deleteConsumer(who);
    }
  }
}

function xack(c: Ctx, a: Uint8Array[]): Reply {
  const s = getStream(c.store, a[1]!);
  const g = s?.group(a[2]!);
  if (g === undefined) return 0;
  const ids = a.slice(3).map((b) => strictId(b));
  let n = 0;
  for (const id of ids) if (g.ack(id.ms, id.seq) !== undefined) n++;
  return n;
}

/** The group of a command that requires it, or the NOGROUP error (XPENDING, XCLAIM, XAUTOCLAIM). */
function needGroup(c: Ctx, a: Uint8Array[]): [StreamData, ConsumerGroup] {
  const s = getStream(c.store, a[1]!);
  const g = s?.group(a[2]!);
  if (g === undefined) {
    failWith(`-NOGROUP No such key '${cstr(a[1]!)}' or consumer group '${cstr(a[2]!)}'`);
  }
  return [s!, g];
}

function xpending(c: Ctx, a: Uint8Array[]): Reply {
  const argc = a.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) fail(SYNTAX);
  let minIdle = 0, count = 0;
  let start: EntryId = { ms: 0, seq: 0 }, end: EntryId = start;
  let who: Uint8Array | null = null;
  if (argc >= 6) {
    let si = 3;
    if (cOpt(a[3]!, "IDLE")) {
      minIdle = Number(argI64(a[4]!));
      if (argc < 8) fail(SYNTAX);
      si += 2;
    }
    count = Number(argI64(a[si + 2]!));
    if (count < 0) count = 0;
    start = rangeBound(a[si]!, true);
    end = rangeBound(a[si + 1]!, false);
    if (si + 3 < argc) who = a[si + 3]!;
  }
  const [, g] = needGroup(c, a);
  if (argc === 3) {
    const first = g.pel.first(), last = g.pel.last();
    if (first === undefined || last === undefined) return [0, null, null, null];
    const owners: Reply[] = [];
    for (const x of g.consumerList()) {
      if (x.pel.size > 0) owners.push([x.name, new TextEncoder().encode(String(x.pel.size))]);
    }
    return [g.pel.size, idReply(first.ms, first.seq), idReply(last.ms, last.seq), owners];
  }
  let pel = g.pel;
  if (who !== null) {
    const x = g.consumer(who);
    if (x === undefined) return [];
    pel = x.pel;
  }
  const now = nowMs(c);
  const out: Reply[] = [];
  for (let p = pel.ceil(start.ms, start.seq); count > 0 && p !== undefined; p = pel.after(p)) {
    if (cmpId(p.ms, p.seq, end.ms, end.seq) > 0) break;
    if (minIdle !== 0 && now - p.deliveryTime < minIdle) continue;
    count--;
    out.push([
      idReply(p.ms, p.seq),
      p.consumer!.name,
      Math.max(0, now - p.deliveryTime),
      p.deliveryCount,
    ]);
  }
  return out;
}

/** The consumer `name` (seen now), created if missing. */
function claimant(g: ConsumerGroup, name: Uint8Array, now: number): Consumer {
  const x = g.consumer(name);
  if (x !== undefined) {
    x.seenTime = now;
    return x;
  }
  return g.createConsumer(name, now)!;
}

function xclaim(c: Ctx, a: Uint8Array[]): Reply {
  const [s, g] = needGroup(c, a);
  let minIdle = Number(argI64(a[4]!, "ERR Invalid min-idle-time argument for XCLAIM"));
  if (minIdle < 0) minIdle = 0;
  const ids: EntryId[] = [];
  let j = 5;
  for (; j < a.length; j++) {
    const id = parseId(a[j]!, 0, true);
    if (id === null) break;
    ids.push(id);
  }
  const now = nowMs(c);
  let retry = -1, time = -1, force = false, justId = false;
  let lastId: EntryId = { ms: 0, seq: 0 };
  for (; j < a.length; j++) {
    const more = a.length - 1 - j;
    const o = a[j]!;
    if (cOpt(o, "FORCE")) force = true;
    else if (cOpt(o, "JUSTID")) justId = true;
    else if (more > 0 && cOpt(o, "IDLE")) {
      time = now - Number(argI64(a[++j]!, "ERR Invalid IDLE option argument for XCLAIM"));
    } else if (more > 0 && cOpt(o, "TIME")) {
      time = Number(argI64(a[++j]!, "ERR Invalid TIME option argument for XCLAIM"));
    } else if (more > 0 && cOpt(o, "RETRYCOUNT")) {
      retry = Number(argI64(a[++j]!, "ERR Invalid RETRYCOUNT option argument for XCLAIM"));
    } else if (more > 0 && cOpt(o, "LASTID")) lastId = strictId(a[++j]!);
    else failWith(`Unrecognized XCLAIM option '${cstr(o)}'`);
  }
  if (cmpId(lastId.ms, lastId.seq, g.lastMs, g.lastSeq) > 0) {
    g.lastMs = lastId.ms;
    g.lastSeq = lastId.seq;
  }
  // Redis resets a TIME in the future to now (a client's clock may be ahead).
  // The form Redis and this package propagate (TIME, RETRYCOUNT, FORCE and
  // JUSTID together) keeps its TIME, so a replay under a clock that moved
  // back still restores the recorded delivery time.
  const logged = time >= 0 && retry >= 0 && force && justId;
  if (time < 0 || (time > now && !logged)) time = now;
  let owner: Consumer | null = null;
  const out: Reply[] = [];
  for (const id of ids) {
    let p = g.pel.get(id.ms, id.seq);
    if (!s.has(id.ms, id.seq)) {
      if (p !== undefined) g.ack(id.ms, id.seq);
      continue;
    }
    if (force && p === undefined) {
      p = new PendingEntry(id.ms, id.seq, null, now);
      g.pel.insert(p);
    }
    if (p === undefined) continue;
    if (p.consumer !== null && minIdle !== 0 && now - p.deliveryTime < minIdle) continue;
    owner ??= claimant(g, a[3]!, now);
    p.deliveryTime = time;
    if (retry >= 0) p.deliveryCount = retry;
    else if (!justId) p.deliveryCount++;
    g.assign(p, owner);
    out.push(justId ? idReply(id.ms, id.seq) : oneEntry(s, id.ms, id.seq));
    owner.activeTime = now;
  }
  return out;
}

function xautoclaim(c: Ctx, a: Uint8Array[]): Reply {
  let minIdle = Number(argI64(a[4]!, "ERR Invalid min-idle-time argument for XAUTOCLAIM"));
  if (minIdle < 0) minIdle = 0;
  const start = rangeBound(a[5]!, true);
  let count = 100, justId = false;
  for (let j = 6; j < a.length; j++) {
    const more = a.length - 1 - j;
    if (more > 0 && cOpt(a[j]!, "COUNT")) {
      const n = argI64(a[++j]!, "ERR COUNT must be > 0");
      if (n < 1 || n > 576460752303423487n) fail("ERR COUNT must be > 0");
      count = Number(n);
    } else if (cOpt(a[j]!, "JUSTID")) justId = true;
    else fail(SYNTAX);
  }
  const [s, g] = needGroup(c, a);
  // Redis allocates 16 bytes per COUNT up front; beyond what a host could hold it refuses.
  if (count > 2 ** 31) {
    fail("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
  }
  let attempts = count * 10;
  const now = nowMs(c);
  const claimed: Reply[] = [], deleted: Reply[] = [];
  let owner: Consumer | null = null;
  let p = g.pel.ceil(start.ms, start.seq);
  while (attempts-- > 0 && count > 0 && p !== undefined) {
    const next = g.pel.after(p);
    if (!s.has(p.ms, p.seq)) {
      g.ack(p.ms, p.seq);
      deleted.push(idReply(p.ms, p.seq));
      count--;
    } else if (minIdle === 0 || now - p.deliveryTime >= minIdle) {
      owner ??= claimant(g, a[3]!, now);
      g.assign(p, owner);
      p.deliveryTime = now;
      if (!justId) p.deliveryCount++;
      claimed.push(justId ? idReply(p.ms, p.seq) : oneEntry(s, p.ms, p.seq));
      count--;
      owner.activeTime = now;
    }
    p = next;
  }
  const cursor = p === undefined ? idReply(0, 0) : idReply(p.ms, p.seq);
  return [cursor, claimed, deleted];
}

/** Consumer-group command handlers by verb. */
export const STREAM_GROUP_HANDLERS: Record<string, (c: Ctx, a: Uint8Array[]) => Reply> = {
  xgroup,
  xack,
  xpending,
  xclaim,
  xautoclaim,
};
