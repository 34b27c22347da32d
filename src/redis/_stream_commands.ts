// A stream as Redis commands, for servers that cannot take its DUMP
// payload: XADD every entry with its id, XSETID for the last id, the
// entries-added counter and the largest deleted id, XGROUP CREATE with the
// last delivered id and entries-read, XGROUP CREATECONSUMER, and XCLAIM
// ... FORCE JUSTID with TIME and RETRYCOUNT to rebuild each pending entry.
//
// What commands cannot carry (counted by the caller, never hidden): a
// pending entry whose message was deleted (XCLAIM only claims existing
// messages), and consumers' seen/active times (set to the time of the
// migration by the server).
import type { Entry, StreamId, StreamValue } from "../codec/types.ts";

const enc = new TextEncoder();
const B = (s: string): Uint8Array => enc.encode(s);
const XADD = B("XADD"), XSETID = B("XSETID"), XGROUP = B("XGROUP"), XCLAIM = B("XCLAIM");
const CREATE = B("CREATE"), CREATECONSUMER = B("CREATECONSUMER"), MAXLEN = B("MAXLEN");
const ENTRIESADDED = B("ENTRIESADDED"), MAXDELETEDID = B("MAXDELETEDID");
const ENTRIESREAD = B("ENTRIESREAD"), TIME = B("TIME"), RETRYCOUNT = B("RETRYCOUNT");
const FORCE = B("FORCE"), JUSTID = B("JUSTID"), ZERO = B("0"), PEXPIREAT = B("PEXPIREAT");

/** `ms-seq`. */
export function streamIdText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

function idBytes(id: StreamId): Uint8Array {
  return B(streamIdText(id));
}

function cmpId(a: StreamId, b: StreamId): number {
  return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

/** What the command rendering of a stream leaves out. */
export interface StreamLoss {
  /** Pending entries whose message no longer exists (not restorable with commands). */
  deletedPending: number;
}

/**
 * The commands that rebuild a stream entry (without a DEL first), and what
 * they cannot carry.
 */
export function streamToCommands(entry: Entry): { commands: Uint8Array[][]; loss: StreamLoss } {
  const key = entry.key;
  const s = entry.value.value as StreamValue;
  const out: Uint8Array[][] = [];
  const loss: StreamLoss = { deletedPending: 0 };
  for (const e of s.entries) {
    const cmd: Uint8Array[] = [XADD, key, idBytes(e.id)];
    for (const [f, v] of e.fields) cmd.push(f, v);
    // XADD needs at least one field; a stored entry always has one.
    out.push(cmd);
  }
  if (s.entries.length === 0) {
    // The stream must exist for XSETID: add an entry and trim it at once.
    const first = { ms: 0n, seq: 1n };
    const id = cmpId(s.lastId, first) >= 0 ? s.lastId : first;
    out.push([XADD, key, MAXLEN, ZERO, idBytes(id), B("x"), B("")]);
  }
  out.push([
    XSETID,
    key,
    idBytes(s.lastId),
    ENTRIESADDED,
    B(String(s.entriesAdded)),
    MAXDELETEDID,
    idBytes(s.maxDeletedId),
  ]);
  const present = new Set(s.entries.map((e) => streamIdText(e.id)));
  for (const g of s.groups) {
    const create: Uint8Array[] = [XGROUP, CREATE, key, g.name, idBytes(g.lastDelivered)];
    if (g.entriesRead !== undefined && g.entriesRead !== null) {
      create.push(ENTRIESREAD, B(String(g.entriesRead)));
    }
    out.push(create);
    for (const c of g.consumers) out.push([XGROUP, CREATECONSUMER, key, g.name, c.name]);
    for (const p of g.pel) {
      if (!present.has(streamIdText(p.id))) {
        loss.deletedPending++;
        continue;
      }
      out.push([
        XCLAIM,
        key,
        g.name,
        p.consumer,
        ZERO,
        idBytes(p.id),
        TIME,
        B(String(p.deliveryTime)),
        RETRYCOUNT,
        B(String(p.deliveryCount)),
        FORCE,
        JUSTID,
      ]);
    }
  }
  if (entry.deadline !== null) out.push([PEXPIREAT, key, B(String(Math.trunc(entry.deadline)))]);
  return { commands: out, loss };
}
