// Private: the memory estimate of a stream (StreamData), for Store.usedMemory(). A stream is
// changed in many places (nodes appended and trimmed, groups, consumers and pending entries of
// every XREADGROUP / XACK / XCLAIM), so it is measured rather than charged: when it is stored,
// and again after a lookup let a command change it (the store remeasures the streams it handed
// out when it is next asked for its figure). A measure is O(nodes + groups + consumers).
import { OBJ_OVERHEAD } from "./_meter.ts";
import type { StreamData } from "./stream.ts";

/** A node: its object, id and offset arrays, flags. */
const NODE_OVERHEAD = 160;
/** One pending entry (group PEL row and the consumer's). */
const PENDING = 96;

/** Estimated bytes of a stream: nodes with their packed entries, groups, consumers, PELs. */
export function streamBytes(s: StreamData): number {
  let n = OBJ_OVERHEAD;
  for (const node of s.nodes) {
    n += NODE_OVERHEAD + node.offs[node.n]! + 17 * node.n;
    for (const f of node.master) n += 16 + f.length;
  }
  for (const g of s.groupList()) {
    n += OBJ_OVERHEAD + g.name.length + PENDING * g.pel.size;
    for (const c of g.consumerList()) n += OBJ_OVERHEAD + c.name.length + 16 * c.pel.size;
  }
  return n;
}
