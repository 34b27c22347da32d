// EXEC of a transaction (KevyStore.multi()): the queued commands applied one after the other
// in one synchronous step (nothing interleaves), their frames merged per shard and logged as
// one group (one shard: one append, a group when several frames; several shards: one split
// group, all or nothing after a crash), one durability promise for the lot under `always`.
// Errors as Redis: a command refused at queue time (unknown, arity, CROSSSLOT) aborts the
// whole EXEC (EXECABORT, nothing applied); a command failing at run time (WRONGTYPE...) fails
// alone, in its slot, and the others stand. A watched key that changed makes EXEC do nothing
// and answer null.
import type { Reply } from "../store/apply.ts";
import type { Engine, Prepared } from "./_engine.ts";
import type { Frame } from "./_propagate.ts";
import { mergeParts, shardsOf } from "./_split.ts";
import type { WatchSet } from "./_watch.ts";
import { CommandFailedError } from "./errors.ts";

/** One slot of EXEC's reply: the command's reply, or its error. */
export type ExecSlot = Reply | CommandFailedError;

/** Whether the watched keys of `ws` are as they were at WATCH. */
export function watchHolds(e: Engine, ws: WatchSet): boolean {
  if (ws.dirty) return false;
  for (const { key, existed } of ws.keys.values()) {
    // Gone since WATCH without a command touching it: it expired (lazily, now, or actively).
    if (existed && !e.shards[e.shardOf(key)]!.store.has(key)) return false;
  }
  return true;
}

/**
 * Applies `queue` as one transaction. Resolves (after the group is durable under `always`)
 * with one slot per command, or null when `ws` failed. Throws (nothing applied) when a
 * shard it writes refuses writes.
 */
export function execTransaction(
  e: Engine,
  queue: ReadonlyArray<Prepared>,
  ws: WatchSet | null,
): ExecSlot[] | null | Promise<ExecSlot[] | null> {
  e.check();
  try {
    // Under maxmemory, EXEC is refused as a whole when it cannot make room (Redis: OOM).
    if (e.memory.capped) e.memory.makeRoom(() => queue.some((p) => p.cmd.flags.has("denyoom")));
    if (ws !== null && !watchHolds(e, ws)) return null;
    const n = e.shards.length, shardOf = (k: Uint8Array) => e.shardOf(k);
    for (const p of queue) {
      if (p.cmd.write) {
        for (const s of shardsOf(p.route, p.argv, n, shardOf)) e.checkWritable(s);
      }
    }
    const merged = new Map<number, Frame[]>();
    const slots: ExecSlot[] = [];
    for (const p of queue) {
      try {
        const a = e.apply(p);
        mergeParts(merged, a.parts);
        slots.push(a.reply);
      } catch (err) {
        if (!(err instanceof CommandFailedError)) {
          void e.logParts([...merged])?.catch(() => {}); // what was applied is logged, then the bug
          throw err;
        }
        slots.push(err);
      }
    }
    const durable = e.logParts([...merged]);
    if (e.memory.capped) e.memory.note();
    e.settle();
    return durable === null ? slots : durable.then(() => slots);
  } finally {
    if (ws !== null) e.hub.watches.release(ws);
  }
}
