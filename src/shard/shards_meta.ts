/**
 * `shards.meta` on disk (FORMATS.md section 5): the layout record of a data
 * directory. Read with kevy v1.17's rules; written in the v2 form, durably
 * (temp file, fsync, rename, directory fsync) where kevy does a plain write.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { joinPath } from "../fs/path.ts";
import { SHARDS_META } from "../codec/names.ts";
import { formatShardsMeta, parseShardsMeta, type ShardsMeta } from "../codec/meta.ts";
import { readIfExists, writeFileDurable } from "../fs/durable.ts";

export type { ShardsMeta } from "../codec/meta.ts";

/**
 * Options of {@link readShardsMeta} / {@link writeShardsMeta}.
 *
 * @example
 * ```ts
 * import { defaultFs } from "@kevy/persist/fs";
 * import type { ShardsMetaOptions } from "@kevy/persist/shard";
 * const opts: ShardsMetaOptions = { fs: defaultFs() };
 * ```
 */
export interface ShardsMetaOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
}

/**
 * Reads `dir/shards.meta`. `null` means "no meta": the file is missing,
 * cannot be read, or does not parse (unknown routing tag, bad count, invalid
 * UTF-8); callers then infer the layout from the file names, as kevy does.
 *
 * @example
 * ```ts
 * import { readShardsMeta } from "@kevy/persist/shard";
 * const meta = await readShardsMeta("data");
 * if (meta !== null) console.log(`${meta.n} shards, ${meta.routing} routing`);
 * ```
 */
export async function readShardsMeta(
  dir: string,
  opts: ShardsMetaOptions = {},
): Promise<ShardsMeta | null> {
  const fs = opts.fs ?? defaultFs();
  let bytes: Uint8Array | null;
  try {
    bytes = await readIfExists(fs, joinPath(dir, SHARDS_META));
  } catch {
    return null; // unreadable (e.g. a directory): kevy treats it as absent
  }
  return bytes === null ? null : parseShardsMeta(bytes);
}

/**
 * Writes `dir/shards.meta` as v2 (`"{n}\n{routing}\n"`) so that a crash leaves
 * either the old record or the new one: temp file, fsync, rename, directory
 * fsync. Throws `RangeError`/`TypeError` for an invalid record.
 *
 * @example
 * ```ts
 * import { writeShardsMeta } from "@kevy/persist/shard";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * await writeShardsMeta("data", { n: 4, routing: "kevyhash" });
 * ```
 */
export async function writeShardsMeta(
  dir: string,
  meta: ShardsMeta,
  opts: ShardsMetaOptions = {},
): Promise<void> {
  const text = formatShardsMeta(meta); // validates before touching the disk
  await writeFileDurable(opts.fs ?? defaultFs(), dir, SHARDS_META, new TextEncoder().encode(text));
}
