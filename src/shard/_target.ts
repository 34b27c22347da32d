// Validation of a target layout, shared by the re-shard engine and ensureLayout.
import { isRouting, type Routing } from "../codec/routing_types.ts";

/** Throws RangeError/TypeError unless `target` is a usable layout (n >= 1, known routing). */
export function checkTarget(target: { n: number; routing: Routing }): void {
  if (!(target.n >= 1 && Number.isSafeInteger(target.n))) {
    throw new RangeError(`target shard count must be a positive integer, got ${target.n}`);
  }
  if (!isRouting(target.routing)) {
    throw new TypeError(`unknown routing ${JSON.stringify(target.routing)}`);
  }
}
