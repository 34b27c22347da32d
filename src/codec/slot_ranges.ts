/**
 * Explicit hash-slot ranges per shard: a data dir laid out exactly like a
 * given Redis Cluster (shard i holds the slots master i serves). Text form,
 * as `shards.meta` and the re-shard journal record it and the CLI takes it:
 * shards separated by spaces, ranges of one shard by commas, a range
 * `start-end` (inclusive) or a single slot — `0-5460 5461-10922 10923-16383`.
 * Every one of the 16384 slots belongs to exactly one shard.
 *
 * @module
 */

/** Number of hash slots. */
const SLOTS = 16384;

/** Each shard's slot ranges (`[start, end]`, inclusive), shard 0 first. */
export type SlotRanges = ReadonlyArray<ReadonlyArray<readonly [number, number]>>;

/**
 * Parses and checks slot ranges; throws `RangeError` naming what is wrong
 * (a slot outside 0..16383, an overlap, a slot no shard holds, a shard with none).
 *
 * @example
 * ```ts
 * import { parseSlotRanges } from "@kevy/persist/codec";
 * parseSlotRanges("0-5460 5461-10922 10923-16383").length; // 3
 * ```
 */
export function parseSlotRanges(text: string): SlotRanges {
  const shards = text.trim().split(/\s+/).filter((s) => s !== "");
  if (shards.length === 0) throw new RangeError("slot ranges: none given");
  const out = shards.map((shard, i) =>
    shard.split(",").map((r): [number, number] => {
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(r);
      if (m === null) {
        throw new RangeError(`slot ranges: shard ${i}: "${r}" is not a slot or a range start-end`);
      }
      const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
      if (a > b) throw new RangeError(`slot ranges: shard ${i}: range ${r} runs backwards`);
      if (b >= SLOTS) throw new RangeError(`slot ranges: shard ${i}: slot ${b} is beyond 16383`);
      return [a, b];
    })
  );
  checkSlotRanges(out);
  return out;
}

/**
 * Throws `RangeError` unless every slot is held by exactly one shard.
 *
 * @example
 * ```ts
 * import { checkSlotRanges } from "@kevy/persist/codec";
 * checkSlotRanges([[[0, 16383]]]); // fine
 * ```
 */
export function checkSlotRanges(ranges: SlotRanges): void {
  const owner = new Int32Array(SLOTS).fill(-1);
  ranges.forEach((shard, i) => {
    if (shard.length === 0) throw new RangeError(`slot ranges: shard ${i} holds no slot`);
    for (const [a, b] of shard) {
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a <= b && b < SLOTS)) {
        throw new RangeError(`slot ranges: shard ${i}: bad range ${a}-${b}`);
      }
      for (let s = a; s <= b; s++) {
        if (owner[s] !== -1) {
          throw new RangeError(`slot ranges: slot ${s} is in shard ${owner[s]} and shard ${i}`);
        }
        owner[s] = i;
      }
    }
  });
  const hole = owner.indexOf(-1);
  if (hole >= 0) throw new RangeError(`slot ranges: slot ${hole} is in no shard`);
}

/**
 * The text form (ranges sorted within each shard, adjacent ones joined).
 *
 * @example
 * ```ts
 * import { formatSlotRanges } from "@kevy/persist/codec";
 * formatSlotRanges([[[0, 99], [100, 8191]], [[8192, 16383]]]); // "0-8191 8192-16383"
 * ```
 */
export function formatSlotRanges(ranges: SlotRanges): string {
  return ranges.map((shard) => {
    const sorted = [...shard].sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of sorted) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last[1] + 1 === a) last[1] = b;
      else merged.push([a, b]);
    }
    return merged.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(",");
  }).join(" ");
}

/**
 * The shard of every slot (index = slot).
 *
 * @example
 * ```ts
 * import { slotOwners } from "@kevy/persist/codec";
 * slotOwners([[[0, 9]], [[10, 16383]]])[10]; // 1
 * ```
 */
export function slotOwners(ranges: SlotRanges): Uint16Array {
  const t = new Uint16Array(SLOTS);
  ranges.forEach((shard, i) => {
    for (const [a, b] of shard) t.fill(i, a, b + 1);
  });
  return t;
}

/**
 * True when both list the same slots for every shard.
 *
 * @example
 * ```ts
 * import { sameSlotRanges } from "@kevy/persist/codec";
 * sameSlotRanges([[[0, 16383]]], [[[0, 100], [101, 16383]]]); // true
 * ```
 */
export function sameSlotRanges(a: SlotRanges | undefined, b: SlotRanges | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && formatSlotRanges(a) === formatSlotRanges(b);
}

/**
 * The ranges `(slot * n) >> 14` gives (what `routing: "slots"` means without
 * explicit ranges).
 *
 * @example
 * ```ts
 * import { formatSlotRanges, standardSlotRanges } from "@kevy/persist/codec";
 * formatSlotRanges(standardSlotRanges(2)); // "0-8191 8192-16383"
 * ```
 */
export function standardSlotRanges(n: number): SlotRanges {
  const out: Array<Array<[number, number]>> = [];
  for (let i = 0; i < n; i++) {
    const a = Math.ceil((i * SLOTS) / n), b = Math.ceil(((i + 1) * SLOTS) / n) - 1;
    out.push(a <= b ? [[a, b]] : []);
  }
  return out;
}
