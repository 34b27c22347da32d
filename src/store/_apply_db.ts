/**
 * Commands across databases: MOVE and SWAPDB (COPY ... DB is with the other
 * key commands). They need the multi-database context of a
 * `CommandApplier`; `applyCommand` has database 0 only, so there they are
 * "ERR DB index is out of range" unless both sides are 0.
 *
 * @module
 */

import { type Ctx, fail, type Reply } from "./_apply_common.ts";
import type { CommandSpec } from "./_command.ts";
import { parseI64 } from "./_num.ts";

const OUT_OF_RANGE = "ERR DB index is out of range";

/** A database index argument as Redis's getIntFromObjectOrReply reads it (int32). */
function dbIndex(b: Uint8Array, msg = "ERR value is not an integer or out of range"): number {
  const v = parseI64(b);
  if (v === null || v < -(2 ** 31) || v > 2 ** 31 - 1) fail(msg);
  return Number(v);
}

function move(c: Ctx, a: Uint8Array[]): Reply {
  const n = dbIndex(a[2]!);
  const dst = c.select(n);
  if (dst === null) fail(OUT_OF_RANGE);
  if (dst === c.store) fail("ERR source and destination objects are the same");
  const key = a[1]!;
  const v = c.store.lookup(key);
  if (v === null) return 0;
  if (dst.has(key)) return 0;
  const d = c.store.deadline(key);
  c.store.delete(key);
  dst.setValue(key, v);
  if (d !== null) dst.setDeadline(key, d);
  return 1;
}

function swapdb(c: Ctx, a: Uint8Array[]): Reply {
  const i = dbIndex(a[1]!, "ERR invalid first DB index");
  const j = dbIndex(a[2]!, "ERR invalid second DB index");
  const x = c.select(i), y = c.select(j);
  if (x === null || y === null) fail(OUT_OF_RANGE);
  if (x !== y) x.swapWith(y);
  return "OK";
}

/** MOVE / SWAPDB rows. Logged as given: the embedded store has one database (they fail there). */
export const DB_COMMANDS: CommandSpec[] = [
  {
    name: "move",
    arity: 3,
    flags: "write fast",
    keys: [{ first: 1, last: 1, step: 1 }],
    log: "argv",
    fn: move,
  },
  { name: "swapdb", arity: 3, flags: "write fast", keys: [], log: "argv", fn: swapdb },
];
