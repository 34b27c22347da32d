/**
 * The routing scheme names shared by `shards.meta`, the re-shard journal and
 * the shard router.
 *
 * @module
 */

/**
 * How keys are mapped to shards: `kevyhash` (KevyHash, the embedded store and
 * the non-cluster server) or `slots` (CRC16 hash slots, server cluster mode).
 *
 * @example
 * ```ts
 * import type { Routing } from "@kevy/persist/codec";
 * const r: Routing = "slots";
 * ```
 */
export type Routing = "kevyhash" | "slots";

/**
 * Whether a string is a routing tag exactly as kevy writes it (case-sensitive).
 *
 * @example
 * ```ts
 * import { isRouting } from "./routing_types.ts";
 * isRouting("slots"); // true
 * isRouting("SLOTS"); // false
 * ```
 */
export function isRouting(s: string): s is Routing {
  return s === "kevyhash" || s === "slots";
}
