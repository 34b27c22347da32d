/**
 * @module
 *
 * Crash-safe persistence for an in-memory, Redis-compatible keyspace kept
 * inside your process: atomic snapshots, an append-only log with group
 * commit, shards and a crash-safe re-shard — byte-compatible with the Rust
 * kevy server (kevy-persist v1.17 formats), with its data-loss defects fixed.
 *
 * Most users open an embedded store:
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 *
 * const db = await openStore({ dir: "./kevy-data", appendfsync: "always" });
 * await db.set("session:42", "alice", { ex: 3600 });
 * await db.incr("visits");
 * console.log(await db.get("session:42"));
 * await db.close();
 * ```
 *
 * The layers underneath are public too: {@link Store} and
 * {@link applyCommand} (the keyspace), {@link saveSnapshot} /
 * {@link loadSnapshot}, {@link Aof} / {@link replayAof}, {@link ensureLayout}
 * and the re-shard engine, {@link replayRedisAof} and
 * {@link exportRedisCommands} for Redis interop, and {@link CrashFs} to prove
 * your own recovery code against simulated power cuts.
 */

// Codecs: pure, no I/O.
export * from "./src/codec/errors.ts";
export type * from "./src/codec/types.ts";
export * from "./src/codec/bytes.ts";
export * from "./src/codec/resp.ts";
export * from "./src/codec/snapshot.ts";
export * from "./src/codec/journal.ts";
export * from "./src/codec/meta.ts";
export * from "./src/codec/names.ts";
export * from "./src/codec/routing_types.ts";

// The keyspace.
export * from "./src/store/store.ts";
export * from "./src/store/zset.ts";
export * from "./src/store/apply.ts";
export * from "./src/store/dump.ts";
export * from "./src/store/snapshot.ts";

// Filesystem adapters.
export * from "./src/fs/types.ts";
export * from "./src/fs/detect.ts";
export * from "./src/fs/node.ts";
export * from "./src/fs/deno.ts";
export * from "./src/fs/bun.ts";
export * from "./src/fs/crash.ts";
export * from "./src/fs/path.ts";

// Files on disk.
export * from "./src/persist/snapshot_file.ts";
export * from "./src/persist/replay.ts";
export * from "./src/persist/aof.ts";
export * from "./src/persist/rewrite_commands.ts";
export * from "./src/persist/shard_files.ts";

// Shards.
export * from "./src/shard/routing.ts";
export * from "./src/shard/shards_meta.ts";
export * from "./src/shard/reshard.ts";
export * from "./src/shard/layout.ts";

// The embedded store.
export { openStore } from "./src/embedded/open.ts";
export { KevyStore } from "./src/embedded/handle.ts";
export type * from "./src/embedded/types.ts";
export * from "./src/embedded/info.ts";
export * from "./src/embedded/errors.ts";
export {
  type AppendFsync,
  type MetricEvent,
  STORE_DEFAULTS,
  type StoreOptions as OpenStoreOptions,
} from "./src/embedded/options.ts";

// Redis interop.
export * from "./src/redis/aof.ts";
export * from "./src/redis/export.ts";
