/**
 * The commands that rebuild a key read from an RDB: what an AOF replay hands
 * to `apply` for the keys of an RDB base, and what `importRedis` runs on an
 * open store.
 *
 * @module
 */
import type { Entry } from "../codec/types.ts";
import { entryToCommands } from "../persist/rewrite_commands.ts";

const te = new TextEncoder();
const SELECT = te.encode("SELECT");
const HPEXPIREAT = te.encode("HPEXPIREAT");
const FIELDS = te.encode("FIELDS");
const ONE = te.encode("1");

/**
 * Commands that rebuild an RDB key in database `db` (after a `SELECT` when
 * `db` differs from `current`): the commands of `entryToCommands`, then
 * `HPEXPIREAT key <ms> FIELDS 1 <field>` per hash field TTL (Redis 7.4).
 * A stream becomes XADD / XSETID / XGROUP / XCLAIM commands that rebuild it
 * exactly (consumers' seen-time aside: no command sets it).
 *
 * @example
 * ```ts
 * import { rdbEntryCommands } from "./rdb_commands.ts";
 * const te = new TextEncoder();
 * const cmds = rdbEntryCommands(2, 0, { key: te.encode("k"), value: { type: "string", value: te.encode("v") }, deadline: null });
 * cmds.map((c) => new TextDecoder().decode(c[0])); // ["SELECT", "SET"]
 * ```
 */
export function rdbEntryCommands(db: number, current: number, entry: Entry): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  if (db !== current) out.push([SELECT, te.encode(String(db))]);
  out.push(...entryToCommands(entry));
  const kv = entry.value;
  if (kv.type === "hash" && kv.fieldDeadlines !== undefined) {
    kv.fieldDeadlines.forEach((d, i) => {
      if (d === null || d === undefined) return;
      out.push([HPEXPIREAT, entry.key, te.encode(String(d)), FIELDS, ONE, kv.value[i]![0]]);
    });
  }
  return out;
}

/**
 * `SELECT 0`: the database an AOF's commands start in after its RDB part.
 *
 * @example
 * ```ts
 * import { selectZero } from "./rdb_commands.ts";
 * selectZero().length; // 2
 * ```
 */
export function selectZero(): Uint8Array[] {
  return [SELECT, te.encode("0")];
}
