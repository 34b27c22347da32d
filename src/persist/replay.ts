/**
 * Streaming AOF replay: reads the log in chunks (memory stays at one chunk
 * plus the largest frame, never the whole file), applies every complete
 * frame, and ends in exactly one of three ways:
 *
 * - **clean**: every byte was a complete frame;
 * - **torn tail**: the file ends inside a frame, or in a run of zero bytes
 *   up to EOF (what a crash mid-append leaves); the frames before it are
 *   applied and the tear is reported in {@link ReplayStats} (`tornAt`);
 * - **corruption**: bad bytes followed by more data. The frames before it
 *   have been applied, then the promise rejects with a `CorruptFileError`
 *   (path, offset of the bad frame, expected, preview). Callers that need
 *   all-or-nothing replay into a scratch store.
 *
 * Differences from kevy v1.17 (`replay.rs`), deliberate: a CRLF-terminated
 * text line is corruption here (v1.17 replays it as an inline command and
 * carries on: vector `aof/inline_garbage`), and mid-file corruption is an
 * error instead of a warning that silently drops the rest of the log. The
 * `KEVYAOF1\n` header, legacy headerless logs and kevy 5.x `KEVYAOF2\n` logs
 * are read. In a v2 log every record's CRC32C is checked; transactions
 * (`\0KEVYTXNBEGIN` ... `\0KEVYTXNCOMMIT`) are applied whole or not at all;
 * a torn tail is a record cut short with nothing intact after it, while a
 * damaged length or CRC with intact records behind it is corruption (kevy
 * 5.4 calls it a torn tail and hides the rest of the file); a transaction
 * open at the end is a torn transaction (`tornTxn`: not applied, and the
 * torn tail starts at its BEGIN); a segment frame (`\0KEVYSEGMENTED`)
 * rejects with `SegmentedFrameError`.
 *
 * @module
 */

import type { GroupMarker } from "../codec/group.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { Store } from "../store/store.ts";
import { scanAof, scanAofSync } from "./_aof_scan_file.ts";
import { storeApplier } from "./_plain_set.ts";
import type { OnUnknown, ReplayApply } from "./unknown.ts";

/** Chunk size used to stream the log: 64 KiB keeps peak RSS growth near 40 MiB on a 0.5 GiB log (1 MiB chunks: 120-190 MiB of garbage read buffers) at the same speed. */
export const REPLAY_CHUNK_BYTES: number = 64 * 1024;

/** What a replay saw. */
export interface ReplayStats {
  /** Complete frames applied. */
  frames: number;
  /** Offset just past the last complete frame (header included): the valid length of the log. */
  bytes: number;
  /** True when the log starts with a header, `KEVYAOF1\n` or `KEVYAOF2\n` (false for legacy or missing files). */
  header: boolean;
  /** `v2` (`KEVYAOF2\n`, checksummed records), `v1` (`KEVYAOF1\n`) or `legacy` (no header, or no file). */
  format: "v1" | "v2" | "legacy";
  /**
   * v2: a transaction whose BEGIN has no COMMIT at the end of the log (a
   * crash mid-transaction): its frames were not applied, and the torn tail
   * (`tornAt`) starts at its BEGIN. Null otherwise.
   */
  tornTxn: { offset: number; frames: number } | null;
  /** v2: transactions dropped under `onUncommitted: "discard"` (BEGIN offset, frames). */
  discardedTxns: Array<{ offset: number; frames: number }>;
  /** Offset of the torn tail, or `null` when the log ended cleanly. */
  tornAt: number | null;
  /** Bytes from `tornAt` to the end of the file (0 when clean). */
  tornBytes: number;
  /** Wall time of the replay in milliseconds. */
  ms: number;
  /** Commands left out by `onUnknown: "skip"`, by lower-case verb (empty otherwise). */
  skipped: Record<string, number>;
}

/** Options of {@link replayAof}. */
export interface ReplayOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Called once when the log ends in a torn tail, before the promise resolves. */
  onTorn?: (info: { path: string; offset: number; bytes: number }) => void;
  /** Read size (default 64 KiB). */
  chunkBytes?: number;
  /**
   * v2 logs: a BEGIN while an earlier transaction is still open (the earlier
   * one never committed; kevy 5.4 drops its frames silently and its reopen
   * can leave later writes inside it, SPEC-v5 §6.1): `"error"` (default)
   * rejects with `CorruptFileError` at the second BEGIN; `"discard"` drops
   * the uncommitted frames, as kevy does, and lists them in `discardedTxns`.
   */
  onUncommitted?: "error" | "discard";
  /**
   * Hears each group marker (a multi-key write split across shards, see
   * codec/group.ts) and its byte offset; markers are never applied.
   */
  onGroupMarker?: (marker: GroupMarker, offset: number) => void;
  /**
   * A command the applier does not support (`apply` returned
   * `{ ok: false, unknown: true }`): `"error"` (default) rejects with
   * `UnknownCommandError` (verb, path, offset); `"skip"` leaves it out and
   * counts it in {@link ReplayStats.skipped}.
   */
  onUnknown?: OnUnknown;
}

/**
 * Replays the AOF at `path` into `apply`, streaming. A missing file gives
 * stats with 0 frames. Rejects with `CorruptFileError` on mid-file
 * corruption (after applying the frames before it).
 * `apply` returns each command's `CommandResult`: an unknown command rejects
 * with `UnknownCommandError` (file, offset, verb) unless `onUnknown: "skip"`.
 *
 * @example
 * ```ts
 * import { applyCommand, Store } from "@kevy/persist/store";
 * import { replayAof } from "@kevy/persist/persist";
 * const store = new Store();
 * const stats = await replayAof("data/aof-0.aof", (argv) => applyCommand(store, argv));
 * // stats.skipped: {} (an unknown verb rejects: UnknownCommandError)
 * if (stats.tornAt !== null) console.warn(`torn tail at ${stats.tornAt}`);
 * ```
 */
export async function replayAof(
  path: string,
  apply: ReplayApply,
  opts: ReplayOptions = {},
): Promise<ReplayStats> {
  return (await scanAof(path, apply, opts)).stats;
}

/**
 * Blocking {@link replayAof}.
 *
 * @example
 * ```ts
 * import { applyCommand, Store } from "@kevy/persist/store";
 * import { replayAofSync } from "@kevy/persist/persist";
 * const store = new Store();
 * const stats = replayAofSync("data/aof-0.aof", (argv) => applyCommand(store, argv));
 * console.log(`${stats.frames} frames`);
 * ```
 */
export function replayAofSync(
  path: string,
  apply: ReplayApply,
  opts: ReplayOptions = {},
): ReplayStats {
  return scanAofSync(path, apply, opts).stats;
}

/**
 * Replays the AOF at `path` into `store`: the same result as
 * `replayAof(path, (argv) => applyCommand(store, argv), opts)` (same stats,
 * same `CorruptFileError` with the same offset, same torn-tail handling, same
 * keyspace), but faster. A plain `SET <key> <value>` frame (the commonest
 * one) is applied straight from the read buffer without building its argv;
 * every other frame goes through `applyCommand`, in log order. This is the
 * replay `ShardFiles.open` (and so `openStore`) uses when no custom `apply`
 * is given.
 *
 * @example
 * ```ts
 * import { replayAofInto } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * const store = new Store();
 * const stats = await replayAofInto("data/aof-0.aof", store);
 * console.log(`${stats.frames} frames, ${store.dbsize()} keys`);
 * ```
 */
export async function replayAofInto(
  path: string,
  store: Store,
  opts: ReplayOptions = {},
): Promise<ReplayStats> {
  return (await scanAof(path, storeApplier(store), opts)).stats;
}

/**
 * Blocking {@link replayAofInto}.
 *
 * @example
 * ```ts
 * import { replayAofIntoSync } from "@kevy/persist/persist";
 * import { Store } from "@kevy/persist/store";
 * const store = new Store();
 * const stats = replayAofIntoSync("data/aof-0.aof", store);
 * console.log(`${stats.frames} frames`);
 * ```
 */
export function replayAofIntoSync(
  path: string,
  store: Store,
  opts: ReplayOptions = {},
): ReplayStats {
  return scanAofSync(path, storeApplier(store), opts).stats;
}
