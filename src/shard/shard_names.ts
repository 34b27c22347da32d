/**
 * Which file names the shards of a layout use: the standard `dump-{i}.rdb` /
 * `aof-{i}.aof`, or custom names for a single shard (re-exported by
 * reshard.ts).
 *
 * @module
 */

import { aofName, snapshotName } from "../codec/names.ts";

/**
 * Which file names shard `i` of an `n`-shard layout uses (names only, no
 * directory). Standard: `dump-{i}.rdb` / `aof-{i}.aof`; see {@link shardLayout}.
 *
 * @example
 * ```ts
 * import { shardLayout } from "@kevy/persist/shard";
 * const layout = shardLayout();
 * layout.snapshot(1, 4); // "dump-1.rdb"
 * ```
 */
export interface ShardLayout {
  /** Snapshot file name of shard `i` in an `n`-shard layout. */
  snapshot(i: number, n: number): string;
  /** AOF file name of shard `i` in an `n`-shard layout. */
  aof(i: number, n: number): string;
}

/**
 * Custom file names for a single-shard layout (the embedded store's configured names).
 *
 * @example
 * ```ts
 * import type { SingleFileNames } from "@kevy/persist/shard";
 * const names: SingleFileNames = { snapshot: "data.rdb", aof: "data.aof" };
 * ```
 */
export interface SingleFileNames {
  /** Snapshot file name used when n == 1. */
  snapshot: string;
  /** AOF file name used when n == 1. */
  aof: string;
}

function checkName(name: string, what: string): void {
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw new TypeError(`${what} must be a plain file name, got ${JSON.stringify(name)}`);
  }
}

/**
 * A {@link ShardLayout}: standard names for every shard count, or, when
 * `single` is given, those custom names for `n == 1` (as kevy-embedded does).
 *
 * @example
 * ```ts
 * import { shardLayout } from "@kevy/persist/shard";
 * const layout = shardLayout({ snapshot: "data.rdb", aof: "data.aof" });
 * layout.snapshot(0, 1); // "data.rdb"
 * layout.snapshot(0, 2); // "dump-0.rdb"
 * ```
 */
export function shardLayout(single?: SingleFileNames): ShardLayout {
  if (single === undefined) return STANDARD_LAYOUT;
  checkName(single.snapshot, "snapshot name");
  checkName(single.aof, "aof name");
  if (single.snapshot === single.aof) throw new TypeError("snapshot and aof names must differ");
  const { snapshot, aof } = single;
  return {
    snapshot: (i, n) => (n === 1 && i === 0 ? snapshot : snapshotName(i)),
    aof: (i, n) => (n === 1 && i === 0 ? aof : aofName(i)),
  };
}

/**
 * The standard layout: `dump-{i}.rdb` / `aof-{i}.aof` for every shard count.
 *
 * @example
 * ```ts
 * import { STANDARD_LAYOUT } from "@kevy/persist/shard";
 * STANDARD_LAYOUT.aof(2, 3); // "aof-2.aof"
 * ```
 */
export const STANDARD_LAYOUT: ShardLayout = {
  snapshot: (i) => snapshotName(i),
  aof: (i) => aofName(i),
};
