// A stream as Redis commands, for servers that cannot take its DUMP payload
// and for RESP exports: persist's rendering (entryToCommands, the one a kevy
// AOF rewrite writes, replayed exactly by Redis and by us): XADD every entry
// with its id, XSETID for the last id, the entries-added counter and the
// largest deleted id, XGROUP CREATE / SETID ENTRIESREAD / CREATECONSUMER, an
// XCLAIM ... FORCE JUSTID with TIME and RETRYCOUNT per pending entry, and
// pending entries of deleted messages re-created through a placeholder entry
// removed again; the TTL last.
//
// What commands cannot carry (counted by the caller, never hidden): a pending
// entry of a deleted message above the first entry in a stream whose
// max-deleted-id is 0-0 (a Redis 6 RDB's stream: no command sequence makes
// one), and consumers' seen/active times (set to the time of the migration by
// the server).
import type { Entry, StreamId, StreamValue } from "../codec/types.ts";
import { entryToCommands } from "../persist/rewrite_commands.ts";

/** `ms-seq`. */
export function streamIdText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** What the command rendering of a stream leaves out. */
export interface StreamLoss {
  /** Pending entries of deleted messages the commands cannot re-create. */
  deletedPending: number;
}

const XCLAIM = new TextEncoder().encode("XCLAIM");

function isXclaim(c: Uint8Array[]): boolean {
  const v = c[0]!;
  return v.length === XCLAIM.length && v.every((b, i) => b === XCLAIM[i]);
}

/**
 * The commands that rebuild a stream entry (without a DEL first), and what
 * they cannot carry: each pending entry gets one XCLAIM, so the rows without
 * one are the ones left out.
 */
export function streamToCommands(entry: Entry): { commands: Uint8Array[][]; loss: StreamLoss } {
  const s = entry.value.value as StreamValue;
  const commands = entryToCommands(entry);
  let rows = 0;
  for (const g of s.groups) rows += g.pel.length;
  let claimed = 0;
  for (const c of commands) if (isXclaim(c)) claimed++;
  return { commands, loss: { deletedPending: rows - claimed } };
}
