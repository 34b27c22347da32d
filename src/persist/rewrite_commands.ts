/**
 * The keyspace as write commands: what an AOF rewrite, the CLI's `export`
 * and the Redis RESP export emit for each entry. Pure: no I/O, no clock.
 *
 * Differences from kevy v1.17's `rewrite_fmt.rs`, all deliberate:
 * - zset scores use the shortest decimal that round-trips (`String(x)`),
 *   with `-0`, `inf`, `-inf` and `nan`, so every score replays bit-exact
 *   (v1.17 writes 17 fixed decimals and turns -0, 1e-20 and 5e-324 into 0);
 * - collections are split into commands of at most
 *   {@link REWRITE_ITEMS_PER_COMMAND} elements, as Redis does, so no single
 *   frame grows with the collection;
 * - a stream is written as kevy's rewrite writes it (XADD per entry, XSETID,
 *   XGROUP CREATE ... MKSTREAM, XGROUP CREATECONSUMER, XCLAIM ... FORCE
 *   JUSTID), plus `XGROUP SETID ... ENTRIESREAD` for a group's valid
 *   entries-read counter and the empty-stream form Redis uses, so kevy's
 *   server, Redis and this package all replay it (see `_rewrite_stream.ts`).
 *   Pending rows of deleted entries and consumers' seen-time are not carried,
 *   as in kevy's and Redis's rewrites.
 *
 * @module
 */

import type { Entry } from "../codec/types.ts";
import { formatScore } from "../store/zset.ts";
import { streamFrames } from "./_rewrite_stream.ts";

export { formatScore };

/** Most elements (members, items, or field/value pairs) per emitted command, like Redis. */
export const REWRITE_ITEMS_PER_COMMAND = 64;

const enc = new TextEncoder();
const SET = enc.encode("SET");
const HSET = enc.encode("HSET");
const RPUSH = enc.encode("RPUSH");
const SADD = enc.encode("SADD");
const ZADD = enc.encode("ZADD");
const PEXPIREAT = enc.encode("PEXPIREAT");
const HPEXPIREAT = enc.encode("HPEXPIREAT");
const FIELDS = enc.encode("FIELDS");
const ONE = enc.encode("1");

/**
 * Formerly thrown when a stream reached a command writer. Streams are now
 * rewritten as commands; nothing in this package throws it any more.
 *
 * @deprecated Kept for existing `instanceof` checks; never thrown.
 *
 * @example
 * ```ts
 * import { StreamNotRewritableError } from "@kevy/persist/persist";
 * const e = new StreamNotRewritableError(new TextEncoder().encode("s"));
 * e.name; // "StreamNotRewritableError"
 * ```
 */
export class StreamNotRewritableError extends Error {
  /** Always `"StreamNotRewritableError"`. */
  override name = "StreamNotRewritableError";
  /** The stream's key. */
  readonly key: Uint8Array;
  /**
   * The stream at `key` cannot be rewritten.
   * @param key the stream's key
   */
  constructor(key: Uint8Array) {
    super(
      "a stream cannot be written as AOF commands (kevy's embedded replay ignores XADD): " +
        "save a snapshot instead of rewriting the log",
    );
    this.key = key;
  }
}

/**
 * The commands that rebuild one entry: `SET`, `HSET`, `RPUSH`, `SADD` or
 * `ZADD` (split every {@link REWRITE_ITEMS_PER_COMMAND} elements), for a
 * hash `HPEXPIREAT key <ms> FIELDS 1 <field>` per field with a deadline (as
 * Redis 7.4 and kevy 5.4 rewrite them), then `PEXPIREAT key <ms>` when the
 * entry has a deadline. An empty collection
 * yields no commands (it cannot exist after replay anyway). A stream yields
 * XADD / XSETID / XGROUP / XCLAIM frames (see the module docs).
 *
 * @example
 * ```ts
 * import { entryToCommands } from "@kevy/persist/persist";
 * const t = new TextEncoder();
 * const cmds = entryToCommands({
 *   key: t.encode("k"), value: { type: "string", value: t.encode("v") }, deadline: 4102444800000,
 * });
 * cmds.length; // 2: SET k v, PEXPIREAT k 4102444800000
 * ```
 */
export function entryToCommands(entry: Entry): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  const { key, value } = entry;
  switch (value.type) {
    case "string":
      out.push([SET, key, value.value]);
      break;
    case "hash": {
      for (let i = 0; i < value.value.length; i += REWRITE_ITEMS_PER_COMMAND) {
        const cmd: Uint8Array[] = [HSET, key];
        for (const [f, v] of value.value.slice(i, i + REWRITE_ITEMS_PER_COMMAND)) cmd.push(f, v);
        out.push(cmd);
      }
      // Field TTLs as Redis and kevy 5.4 rewrite them: one absolute HPEXPIREAT per field.
      const d = value.fieldDeadlines;
      if (d !== undefined) {
        for (let i = 0; i < d.length && i < value.value.length; i++) {
          const ms = d[i];
          if (ms === null || ms === undefined) continue;
          out.push([
            HPEXPIREAT,
            key,
            enc.encode(String(Math.trunc(ms))),
            FIELDS,
            ONE,
            value.value[i]![0],
          ]);
        }
      }
      break;
    }
    case "list":
    case "set": {
      const verb = value.type === "list" ? RPUSH : SADD;
      for (let i = 0; i < value.value.length; i += REWRITE_ITEMS_PER_COMMAND) {
        out.push([verb, key, ...value.value.slice(i, i + REWRITE_ITEMS_PER_COMMAND)]);
      }
      break;
    }
    case "zset":
      for (let i = 0; i < value.value.length; i += REWRITE_ITEMS_PER_COMMAND) {
        const cmd: Uint8Array[] = [ZADD, key];
        for (const [m, s] of value.value.slice(i, i + REWRITE_ITEMS_PER_COMMAND)) {
          cmd.push(enc.encode(formatScore(s)), m);
        }
        out.push(cmd);
      }
      break;
    case "stream":
      for (const f of streamFrames(key, value.value)) out.push(f);
      break;
  }
  if (entry.deadline !== null && out.length > 0) {
    out.push([PEXPIREAT, key, enc.encode(String(Math.trunc(entry.deadline)))]);
  }
  return out;
}
