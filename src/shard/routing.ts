/**
 * Key routing (FORMATS.md sections 7 and 8): KevyHash, CRC16 hash slots with
 * Redis hash tags, and the key -> shard index functions of kevy v1.17.
 *
 * The hash runs on 32-bit limbs; only {@link kevyHash} builds a bigint, so
 * {@link shardIndex} costs no allocation per key.
 *
 * @module
 */

import type { Routing } from "../codec/routing_types.ts";
import { checkSlotRanges, slotOwners, type SlotRanges } from "../codec/slot_ranges.ts";
import { H, kevyHashLimbs, L } from "./_kevyhash.ts";

export type { Routing } from "../codec/routing_types.ts";

const TWO_32 = 4294967296;

/**
 * KevyHash of a key: kevy's 64-bit routing hash, as an unsigned bigint.
 *
 * @example
 * ```ts
 * import { kevyHash } from "@kevy/persist/shard";
 * kevyHash(new Uint8Array()).toString(16); // "a47e4914af8cafbc"
 * ```
 */
export function kevyHash(key: Uint8Array): bigint {
  kevyHashLimbs(key);
  return (BigInt(H >>> 0) << 32n) | BigInt(L >>> 0);
}

const CRC_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16Range(b: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[(crc >>> 8) ^ b[i]!]!;
  return crc;
}

/**
 * CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0, no reflection, no final XOR),
 * the checksum Redis Cluster uses for hash slots.
 *
 * @example
 * ```ts
 * import { crc16 } from "@kevy/persist/shard";
 * crc16(new TextEncoder().encode("123456789")); // 0x31c3
 * ```
 */
export function crc16(bytes: Uint8Array): number {
  return crc16Range(bytes, 0, bytes.length);
}

/**
 * The Redis Cluster hash slot (0..16383) of a key: CRC16 of its hash tag (the
 * bytes between the first `{` and the first `}` after it, when non-empty),
 * else of the whole key.
 *
 * @example
 * ```ts
 * import { keyHashSlot } from "@kevy/persist/shard";
 * const e = new TextEncoder();
 * keyHashSlot(e.encode("user{42}:name")) === keyHashSlot(e.encode("42")); // true
 * ```
 */
export function keyHashSlot(key: Uint8Array): number {
  const n = key.length;
  const open = key.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = key.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) return crc16Range(key, open + 1, close) & 0x3fff;
  }
  return crc16Range(key, 0, n) & 0x3fff;
}

/**
 * {@link keyHashSlot} of the key `buf[off, off + len)` (no view needed: bulk
 * paths read keys straight from a store's arena).
 *
 * @example
 * ```ts
 * import { keyHashSlot, keyHashSlotAt } from "@kevy/persist/shard";
 * const b = new TextEncoder().encode("xxuser{42}");
 * keyHashSlotAt(b, 2, 8) === keyHashSlot(b.subarray(2)); // true
 * ```
 */
export function keyHashSlotAt(buf: Uint8Array, off: number, len: number): number {
  const end = off + len;
  let open = -1;
  for (let i = off; i < end; i++) {
    if (buf[i] === 0x7b) {
      open = i;
      break;
    }
  }
  if (open >= 0) {
    for (let i = open + 1; i < end; i++) {
      if (buf[i] === 0x7d) {
        if (i > open + 1) return crc16Range(buf, open + 1, i) & 0x3fff;
        break;
      }
    }
  }
  return crc16Range(buf, off, end) & 0x3fff;
}

/**
 * The shard (0..n-1) that owns `key` in an `n`-shard layout, as kevy v1.17
 * routes it: `kevyhash` = KevyHash masked (n a power of two) or modulo n;
 * `slots` = `(slot * n) >> 14`, or with explicit `slotRanges` the shard
 * holding the key's slot. `n` must be a positive safe integer.
 *
 * @example
 * ```ts
 * import { shardIndex } from "@kevy/persist/shard";
 * shardIndex(new Uint8Array(), 3, "kevyhash"); // 2
 * shardIndex(new TextEncoder().encode("a"), 4, "slots"); // 3
 * ```
 */
export function shardIndex(
  key: Uint8Array,
  n: number,
  routing: Routing,
  slotRanges?: SlotRanges,
): number {
  if (!(n >= 1 && Number.isSafeInteger(n))) {
    throw new RangeError(`shard count must be a positive integer, got ${n}`);
  }
  if (n === 1) return 0;
  if (routing === "slots") {
    if (slotRanges !== undefined) return ownersOf(slotRanges, n)[keyHashSlot(key)]!;
    return Math.floor((keyHashSlot(key) * n) / 16384);
  }
  if (routing !== "kevyhash") throw new TypeError(`unknown routing ${String(routing)}`);
  kevyHashLimbs(key);
  const hi = H >>> 0, lo = L >>> 0;
  if (n <= TWO_32) {
    if ((n & (n - 1)) === 0) return (lo & (n - 1)) >>> 0; // n = 2^32 gives (n - 1) | 0 = -1
    if (n <= 2097152) return ((hi % n) * TWO_32 + lo) % n; // < 2^53: exact
    // 64-bit value mod n in 16-bit steps; every intermediate is < n * 2^16 < 2^53.
    let r = hi % n;
    r = (r * 65536 + (lo >>> 16)) % n;
    return (r * 65536 + (lo & 0xffff)) % n;
  }
  // Shard counts beyond 2^32 are not realistic; keep them exact anyway.
  const h = (BigInt(hi) << 32n) | BigInt(lo);
  return Number(h % BigInt(n));
}

/** Slot -> shard tables of the explicit ranges in use (checked once per ranges object). */
const OWNERS = new WeakMap<SlotRanges, Uint16Array>();

function ownersOf(ranges: SlotRanges, n: number): Uint16Array {
  let t = OWNERS.get(ranges);
  if (t === undefined) {
    if (ranges.length !== n) {
      throw new RangeError(`${ranges.length} slot range group(s) for ${n} shard(s)`);
    }
    checkSlotRanges(ranges);
    t = slotOwners(ranges);
    OWNERS.set(ranges, t);
  }
  return t;
}
