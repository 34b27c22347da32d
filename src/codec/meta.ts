/**
 * `shards.meta` (FORMATS.md section 5): the layout record of a data
 * directory. Written as v2, `"{n}\n{routing}\n"`; v1 (a bare count, meaning
 * KevyHash routing) is still read.
 *
 * @module
 */

import { isRouting, type Routing } from "./routing_types.ts";
import {
  checkSlotRanges,
  formatSlotRanges,
  parseSlotRanges,
  type SlotRanges,
  standardSlotRanges,
} from "./slot_ranges.ts";

export type { Routing } from "./routing_types.ts";

/**
 * The layout a `shards.meta` records.
 *
 * @example
 * ```ts
 * import type { ShardsMeta } from "@kevy/persist/codec";
 * const m: ShardsMeta = { n: 4, routing: "kevyhash" };
 * ```
 */
export interface ShardsMeta {
  /** Shard count (0 is representable and parses). */
  n: number;
  /** Routing scheme. */
  routing: Routing;
  /**
   * With `slots`: explicit slot ranges per shard (a layout copied from a
   * given cluster), one entry per shard; absent means `(slot * n) >> 14`.
   */
  slotRanges?: SlotRanges;
}

/**
 * The v2 text kevy writes: `"{n}\n{routing}\n"`. Throws `RangeError` for a
 * count that is not a non-negative safe integer, `TypeError` for an unknown routing.
 *
 * @example
 * ```ts
 * import { formatShardsMeta } from "@kevy/persist/codec";
 * formatShardsMeta({ n: 3, routing: "slots" }); // "3\nslots\n"
 * ```
 */
export function formatShardsMeta(meta: ShardsMeta): string {
  if (!(meta.n >= 0 && Number.isSafeInteger(meta.n))) {
    throw new RangeError(`shard count must be a non-negative integer, got ${meta.n}`);
  }
  if (!isRouting(meta.routing)) throw new TypeError(`unknown routing ${String(meta.routing)}`);
  const ranges = explicitRanges(meta);
  if (ranges !== null) return `${meta.n}\n${SLOT_RANGES_TAG}\n${ranges}\n`;
  return `${meta.n}\n${meta.routing}\n`;
}

/**
 * The tag of a layout with explicit slot ranges (line 2; the ranges are line
 * 3). kevy v1.17 does not know it and treats the dir as one without a
 * layout record, which makes it re-shard the dir to its own layout rather
 * than misroute keys.
 */
export const SLOT_RANGES_TAG = "slot-ranges";

/** The ranges text when `meta` has explicit ranges other than the standard ones, else null. */
function explicitRanges(meta: ShardsMeta): string | null {
  if (meta.slotRanges === undefined) return null;
  if (meta.routing !== "slots") throw new TypeError("slot ranges need routing slots");
  if (meta.slotRanges.length !== meta.n) {
    throw new RangeError(`${meta.slotRanges.length} slot range group(s) for ${meta.n} shard(s)`);
  }
  checkSlotRanges(meta.slotRanges);
  const text = formatSlotRanges(meta.slotRanges);
  return text === formatSlotRanges(standardSlotRanges(meta.n)) ? null : text;
}

/**
 * Reads `shards.meta` text with kevy v1.17's rules; `null` means "no meta"
 * (the caller then treats the directory as legacy and infers the count).
 * Bytes must be valid UTF-8. Lines are split on `\n` with a trailing `\r`
 * stripped. Line 1, trimmed (Unicode whitespace, as Rust's `trim`), must be a
 * `usize`: optional `+`, ASCII digits (leading zeros allowed). Line 2 missing
 * or blank -> `kevyhash`; `kevyhash` / `slots` (trimmed, case-sensitive) ->
 * that; anything else -> `null`. Further lines are ignored. A count above
 * 2^53 - 1 is treated as unparsable (kevy would accept it up to 2^64 - 1).
 *
 * @example
 * ```ts
 * import { parseShardsMeta } from "@kevy/persist/codec";
 * parseShardsMeta("4"); // { n: 4, routing: "kevyhash" } (v1)
 * parseShardsMeta("2\r\nslots\r\n"); // { n: 2, routing: "slots" }
 * parseShardsMeta("4\nSLOTS\n"); // null
 * ```
 */
export function parseShardsMeta(text: string | Uint8Array): ShardsMeta | null {
  if (typeof text !== "string") {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      return null;
    }
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const first = lines[0];
  if (first === undefined) return null;
  const n = parseCount(rustTrim(first));
  if (n === null) return null;
  const second = lines[1] === undefined ? "" : rustTrim(lines[1]);
  if (second === "") return { n, routing: "kevyhash" };
  if (second === SLOT_RANGES_TAG) {
    try {
      const slotRanges = parseSlotRanges(rustTrim(lines[2] ?? ""));
      return slotRanges.length === n ? { n, routing: "slots", slotRanges } : null;
    } catch {
      return null;
    }
  }
  return isRouting(second) ? { n, routing: second } : null;
}

/** Rust `str::parse::<usize>()` limited to safe integers. */
function parseCount(s: string): number | null {
  let i = s.startsWith("+") ? 1 : 0;
  if (i >= s.length) return null;
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    v = v * 10 + (c - 0x30);
    // Past 2^53 the digits would no longer be exact; refuse rather than guess.
    if (v > Number.MAX_SAFE_INTEGER) return null;
  }
  return v;
}

/** Rust's `char::is_whitespace` (Unicode White_Space); differs from JS `trim` on U+0085 and U+FEFF. */
function isRustWhitespace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
    c === 0x205f || c === 0x3000;
}

function rustTrim(s: string): string {
  let a = 0, b = s.length;
  while (a < b && isRustWhitespace(s.charCodeAt(a))) a++;
  while (b > a && isRustWhitespace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}
