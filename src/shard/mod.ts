/**
 * Shards: key routing (kevy's hash or Redis Cluster hash slots),
 * `shards.meta`, and the crash-safe re-shard engine with its
 * {@link ReshardJournal}; {@link ensureLayout} brings a data directory to
 * the wanted shard count and routing, first finishing every pending journal
 * in the layout that wrote it ({@link recoverDir}).
 *
 * @example Which shard a key lives on
 * ```ts
 * import { keyHashSlot, shardIndex } from "@kevy/persist/shard";
 *
 * const key = new TextEncoder().encode("user:{42}:name");
 * console.log(keyHashSlot(key), shardIndex(key, 4, "slots"));
 * ```
 *
 * @module
 */

export type { ReshardJournal, Routing } from "../codec/mod.ts";
export { crc16, kevyHash, keyHashSlot, keyHashSlotAt, shardIndex } from "./routing.ts";
export {
  readShardsMeta,
  type ShardsMeta,
  type ShardsMetaOptions,
  writeShardsMeta,
} from "./shards_meta.ts";
export {
  type ApplyFn,
  commitReshard,
  type LayoutSpec,
  mergeSources,
  type RecoverOutcome,
  recoverReshardJournal,
  redistribute,
  type ReshardOptions,
  type ShardLayout,
  shardLayout,
  type SingleFileNames,
  STANDARD_LAYOUT,
} from "./reshard.ts";
export { ensureLayout, type EnsureLayoutOptions, type EnsureLayoutResult } from "./layout.ts";
export {
  currentLayout,
  type DirRecovery,
  type GroupRecovery,
  recoverDir,
  type RecoverDirOptions,
} from "./recover.ts";
