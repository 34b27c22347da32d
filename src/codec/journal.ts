/**
 * The re-shard journal `reshard.journal` (FORMATS.md section 6): the commit
 * record of a re-shard. Text, UTF-8, `\n` line ends:
 *
 * ```
 * kevy-reshard-journal v1
 * stamp=<u128>
 * prev_n=<usize>
 * n=<usize>
 * routing=<kevyhash|slots>
 * ```
 *
 * @module
 */

import { CorruptFileError } from "./errors.ts";
import { isRouting, type Routing } from "./routing_types.ts";
import {
  checkSlotRanges,
  formatSlotRanges,
  parseSlotRanges,
  type SlotRanges,
} from "./slot_ranges.ts";

export type { Routing } from "./routing_types.ts";

const HEADER = "kevy-reshard-journal v1";
const U128_MAX = (1n << 128n) - 1n;

/**
 * A parsed re-shard journal.
 *
 * @example
 * ```ts
 * import type { ReshardJournal } from "@kevy/persist/codec";
 * const j: ReshardJournal = { stamp: 1767225600123456789n, prevN: 4, n: 2, routing: "slots" };
 * ```
 */
export interface ReshardJournal {
  /** Wall-clock nanoseconds since the epoch when the re-shard committed (u128). */
  stamp: bigint;
  /** Shard count before the re-shard. */
  prevN: number;
  /** Shard count after the re-shard. */
  n: number;
  /** Routing of the new layout. */
  routing: Routing;
  /**
   * Explicit slot ranges of the new layout (routing `slots`), written as a
   * `slot_ranges=` line. kevy v1.17 cannot parse such a journal and treats
   * the re-shard as not committed.
   */
  slotRanges?: SlotRanges;
}

/**
 * The journal text exactly as kevy writes it (trailing newline included).
 * Throws `RangeError` for a stamp outside u128 or a count that is not a
 * non-negative safe integer, `TypeError` for an unknown routing.
 *
 * @example
 * ```ts
 * import { formatReshardJournal } from "@kevy/persist/codec";
 * formatReshardJournal({ stamp: 7n, prevN: 3, n: 5, routing: "slots" });
 * // "kevy-reshard-journal v1\nstamp=7\nprev_n=3\nn=5\nrouting=slots\n"
 * ```
 */
export function formatReshardJournal(j: ReshardJournal): string {
  if (typeof j.stamp !== "bigint" || j.stamp < 0n || j.stamp > U128_MAX) {
    throw new RangeError(`journal stamp must be a u128 bigint, got ${String(j.stamp)}`);
  }
  for (const [k, v] of [["prevN", j.prevN], ["n", j.n]] as const) {
    if (!(v >= 0 && Number.isSafeInteger(v))) {
      throw new RangeError(`journal ${k} must be a non-negative integer, got ${v}`);
    }
  }
  if (!isRouting(j.routing)) throw new TypeError(`unknown routing ${String(j.routing)}`);
  const base = `${HEADER}\nstamp=${j.stamp}\nprev_n=${j.prevN}\nn=${j.n}\nrouting=${j.routing}\n`;
  if (j.slotRanges === undefined) return base;
  if (j.routing !== "slots" || j.slotRanges.length !== j.n) {
    throw new RangeError(`slot ranges need routing slots and one range group per shard`);
  }
  checkSlotRanges(j.slotRanges);
  return `${base}slot_ranges=${formatSlotRanges(j.slotRanges)}\n`;
}

/** Rust `str::parse::<u128>()`: optional `+`, one or more ASCII digits, no overflow. */
function parseU128(s: string): bigint | null {
  const digits = s.startsWith("+") ? s.slice(1) : s;
  if (digits.length === 0 || !/^[0-9]+$/.test(digits)) return null;
  const v = BigInt(digits);
  return v <= U128_MAX ? v : null;
}

/**
 * Rust `str::parse::<usize>()` limited to safe integers: a count above 2^53 - 1
 * is treated as invalid (kevy would take it; no real layout gets there).
 */
function parseCount(s: string): number | null {
  const v = parseU128(s);
  return v !== null && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

/**
 * Parses journal text with kevy v1.17's rules; `null` means "unparsable"
 * (a crash while writing it: recovery deletes the journal and keeps the
 * sources). Rules: lines split on `\n`, one trailing `\r` per line stripped,
 * no final newline needed; line 1 exactly `kevy-reshard-journal v1`; every
 * other line `key=value` (split at the first `=`, nothing trimmed) with key
 * `stamp`, `prev_n`, `n` or `routing`, else unparsable (a blank line too);
 * keys may repeat (the last wins) in any order; an invalid value unsets its
 * field; all four must be set at the end.
 *
 * Bytes must be valid UTF-8: kevy then fails to read the journal and stops
 * startup instead of deleting it, so invalid UTF-8 throws `CorruptFileError`
 * (path `"<buffer>"`; the caller renames it with `withPath`).
 *
 * @example
 * ```ts
 * import { parseReshardJournal } from "@kevy/persist/codec";
 * parseReshardJournal("kevy-reshard-journal v1\nrouting=slots\nn=5\nprev_n=3\nstamp=7");
 * // { stamp: 7n, prevN: 3, n: 5, routing: "slots" }
 * parseReshardJournal("kevy-reshard-journal v1\nstamp=12"); // null (torn)
 * ```
 */
export function parseReshardJournal(text: string | Uint8Array): ReshardJournal | null {
  if (typeof text !== "string") text = decodeUtf8Strict(text);
  const lines = text.split("\n");
  // Like Rust's `lines()`: a final line ending does not start another line.
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return null;
  if (stripCr(lines[0]!) !== HEADER) return null;
  let stamp: bigint | null = null;
  let prevN: number | null = null;
  let n: number | null = null;
  let routing: Routing | null = null;
  let slotRanges: SlotRanges | undefined;
  let badRanges = false;
  for (let i = 1; i < lines.length; i++) {
    const line = stripCr(lines[i]!);
    const eq = line.indexOf("=");
    if (eq < 0) return null;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    switch (key) {
      case "stamp":
        stamp = parseU128(value);
        break;
      case "prev_n":
        prevN = parseCount(value);
        break;
      case "n":
        n = parseCount(value);
        break;
      case "routing":
        routing = isRouting(value) ? value : null;
        break;
      case "slot_ranges":
        // Ours, beyond kevy v1.17 (which cannot parse such a journal).
        try {
          slotRanges = parseSlotRanges(value);
          badRanges = false;
        } catch {
          badRanges = true;
        }
        break;
      default:
        return null;
    }
  }
  if (stamp === null || prevN === null || n === null || routing === null || badRanges) return null;
  if (slotRanges === undefined) return { stamp, prevN, n, routing };
  if (routing !== "slots" || slotRanges.length !== n) return null;
  return { stamp, prevN, n, routing, slotRanges };
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // Locate the first invalid byte for the error: the longest valid prefix.
    let lo = 0, hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    throw new CorruptFileError({
      offset: lo,
      expected: "UTF-8 text (reshard journal)",
      bytes: bytes.subarray(lo),
    });
  }
}
