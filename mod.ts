/**
 * @module
 *
 * Crash-safe persistence for an in-memory, Redis-compatible keyspace:
 * atomic snapshots, an append-only log with group commit, shards and a
 * crash-safe re-shard — byte-compatible with the Rust kevy server.
 *
 * @example
 * ```ts
 * import { CorruptFileError } from "@kevy/persist";
 * console.log(CorruptFileError.name);
 * ```
 */

export * from "./src/codec/errors.ts";
export type * from "./src/codec/types.ts";
export * from "./src/fs/types.ts";
