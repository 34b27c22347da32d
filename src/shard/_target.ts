// Validation of a target layout, shared by the re-shard engine and ensureLayout.
import { isRouting, type Routing } from "../codec/routing_types.ts";
import { checkSlotRanges, type SlotRanges } from "../codec/slot_ranges.ts";

/** Throws RangeError/TypeError unless `target` is a usable layout (n >= 1, known routing). */
export function checkTarget(
  target: { n: number; routing: Routing; slotRanges?: SlotRanges },
): void {
  if (!(target.n >= 1 && Number.isSafeInteger(target.n))) {
    throw new RangeError(`target shard count must be a positive integer, got ${target.n}`);
  }
  if (!isRouting(target.routing)) {
    throw new TypeError(`unknown routing ${JSON.stringify(target.routing)}`);
  }
  if (target.slotRanges !== undefined) {
    if (target.routing !== "slots") throw new TypeError("slot ranges need routing slots");
    if (target.slotRanges.length !== target.n) {
      throw new RangeError(
        `${target.slotRanges.length} slot range group(s) for ${target.n} shard(s)`,
      );
    }
    checkSlotRanges(target.slotRanges);
  }
}
