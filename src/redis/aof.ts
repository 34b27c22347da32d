/**
 * Reading Redis append-only files: a Redis 7 multi-part `appendonlydir/`
 * (manifest, base, incr files), its manifest, or a single pre-7
 * `appendonly.aof`. Every command is handed to a callback (typically a
 * `CommandApplier` with one `Store` per database); the files are streamed in
 * chunks, so memory stays at one chunk plus the largest command.
 *
 * Loading follows Redis 7.0 (`loadAppendOnlyFiles`, with
 * `aof-load-truncated yes`):
 *
 * - the base, then the incr files in manifest order; history files are skipped;
 * - lines starting with `#` (`#TS:<unix seconds>` when
 *   `aof-timestamp-enabled yes`) are annotations and are skipped;
 * - only the **last** file may end early: mid-command, or inside a
 *   `MULTI` without its `EXEC` (the transaction is reverted, as Redis does).
 *   That is reported in {@link RedisAofReplayStats.torn}; an early end of any
 *   other file is a `CorruptFileError`;
 * - bytes that cannot start a command are a `CorruptFileError` (path, offset,
 *   expected, preview), including a zero-filled region followed by data.
 *   One deliberate difference: a run of zero bytes lasting to the end of the
 *   last file (what a power cut can leave) is treated as a torn tail and
 *   reported (`reason: "zero-filled"`), where Redis refuses to start;
 * - a file that starts with an RDB (`aof-use-rdb-preamble yes`: a Redis 7
 *   `.base.rdb`, or a pre-7 `appendonly.aof` with an RDB preamble) is read
 *   as Redis reads it: the RDB's keys first (all of them: nothing expires
 *   while an AOF base loads), then any commands after it. The keys go to
 *   `onRdbEntry` when given, else to `apply` as the commands that rebuild
 *   them (`SELECT`, `SET`/`RPUSH`/`HSET`/..., `PEXPIREAT`, `HPEXPIREAT`).
 *   Its function libraries go to `apply` as `FUNCTION LOAD` either way.
 *
 * Transactions are delivered whole: `MULTI`, its commands and `EXEC` reach
 * the callback together once `EXEC` has been read. Files are never modified.
 *
 * @module
 */

import { CorruptFileError } from "../codec/errors.ts";
import { defaultFs } from "../fs/detect.ts";
import { basename, dirname, joinPath } from "../fs/path.ts";
import type { FsAdapter } from "../fs/types.ts";
import { RedisAofFileReader } from "./_aof_reader.ts";
import { readRdbThenResp, startsWithRdb } from "./_aof_rdb.ts";
import { rdbEntryCommands, selectZero } from "./rdb_commands.ts";
import { parseRedisManifest } from "./_manifest.ts";
import { type ReplayApply, UnknownCommandGate } from "../persist/unknown.ts";
import { whileLoading } from "../store/store.ts";
import type { RedisAofReplayOptions, RedisAofReplayStats } from "./aof_types.ts";

export type {
  RedisAofReplayOptions,
  RedisAofReplayStats,
  RedisAofTorn,
  RedisAofTornReason,
} from "./aof_types.ts";

const FUNCTION = new TextEncoder().encode("FUNCTION");
const LOAD = new TextEncoder().encode("LOAD");

/** Default read size when streaming AOF files (1 MiB). */
export const REDIS_AOF_CHUNK_BYTES: number = 1 << 20;

/**
 * The AOF files cannot be found or do not fit together: no manifest in a
 * directory, several manifests, or a file the manifest lists is missing.
 *
 * @example
 * ```ts
 * import { RedisAofLayoutError } from "@kevy/persist/redis";
 * const e = new RedisAofLayoutError("/data/appendonlydir", "no *.manifest file");
 * e.message; // "/data/appendonlydir: no *.manifest file"
 * ```
 */
export class RedisAofLayoutError extends Error {
  /** Always `"RedisAofLayoutError"`. */
  override name = "RedisAofLayoutError";
  /** The path concerned. */
  readonly path: string;
  /**
   * A new error about `path`.
   *
   * @param path the path concerned
   * @param problem what is wrong
   */
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

/**
 * `untilUnixSeconds` cannot be honoured: the point in time is before the
 * first `#TS:` annotation of the base (nothing is known about the data then,
 * as `redis-check-aof --truncate-to-timestamp` refuses with "has nothing
 * before timestamp"), or the files hold no `#TS:` annotation at all (written
 * with `aof-timestamp-enabled no`), so no point in time can be found.
 *
 * @example
 * ```ts
 * import { RedisAofTimestampError } from "@kevy/persist/redis";
 * const e = new RedisAofTimestampError("appendonly.aof.1.base.aof", 1795345139, "the first #TS: of the base is 1795345140");
 * e.untilUnixSeconds; // 1795345139
 * ```
 */
export class RedisAofTimestampError extends Error {
  /** Always `"RedisAofTimestampError"`. */
  override name = "RedisAofTimestampError";
  /** The file concerned (the base, or the last file read). */
  readonly path: string;
  /** The requested stop point. */
  readonly untilUnixSeconds: number;
  /**
   * A new error.
   *
   * @param path the file concerned
   * @param until the requested stop point (unix seconds)
   * @param problem why it cannot be honoured
   */
  constructor(path: string, until: number, problem: string) {
    super(`${path}: cannot stop at unix time ${until}: ${problem}`);
    this.path = path;
    this.untilUnixSeconds = until;
  }
}

interface Plan {
  files: string[];
}

async function plan(fs: FsAdapter, path: string): Promise<Plan> {
  const info = await fs.stat(path);
  if (info === null) throw new RedisAofLayoutError(path, "no such file or directory");
  if (info.isDirectory) {
    const names = (await fs.readDir(path)).filter((e) => e.isFile && e.name.endsWith(".manifest"))
      .map((e) => e.name);
    if (names.length === 0) {
      // A Redis data directory: look inside its appendonlydir.
      const sub = joinPath(path, "appendonlydir");
      if ((await fs.stat(sub))?.isDirectory) return plan(fs, sub);
      throw new RedisAofLayoutError(path, "no *.manifest file (not a Redis 7 appendonlydir)");
    }
    if (names.length > 1) {
      throw new RedisAofLayoutError(path, `several manifests (${names.sort().join(", ")})`);
    }
    return fromManifest(fs, joinPath(path, names[0]!));
  }
  if (basename(path).endsWith(".manifest")) return fromManifest(fs, path);
  return { files: [path] };
}

async function fromManifest(fs: FsAdapter, path: string): Promise<Plan> {
  const m = parseRedisManifest(await fs.readFile(path), path);
  const dir = dirname(path);
  const files: string[] = [];
  for (const f of m.base === null ? m.incr : [m.base, ...m.incr]) {
    const p = joinPath(dir, f.name);
    const st = await fs.stat(p);
    if (st === null || !st.isFile) {
      throw new RedisAofLayoutError(p, `listed in ${path} but missing`);
    }
    files.push(p);
  }
  return { files };
}

/**
 * Replays a Redis AOF into `apply`, one command (argv) at a time. `pathOrDir`
 * is a Redis 7 `appendonlydir/` (or the data directory holding one), its
 * `*.manifest`, or a single-file `appendonly.aof`. Resolves with what was
 * read; rejects with `CorruptFileError`, {@link RedisAofLayoutError},
 * `RedisRdbModuleError` or `RedisRdbVersionError` (an RDB part). Errors thrown by `apply` propagate unchanged.
 * Commands before an error have already been applied: replay into a scratch
 * store when you need all-or-nothing. Build the applier with `replay: true`:
 * Redis's AOF holds forms only a replay may send (`XADD ... MAXLEN = n LIMIT m`).
 *
 * @example
 * ```ts
 * import { CommandApplier, dumpKeyspace, Store } from "@kevy/persist/store";
 * import { replayRedisAof } from "@kevy/persist/redis";
 * import { encodeCommand } from "@kevy/persist/codec";
 * import { defaultFs } from "@kevy/persist/fs";
 * const dbs = new Map<number, Store>();
 * const applier = new CommandApplier((db) => {
 *   if (!dbs.has(db)) dbs.set(db, new Store({ now: () => Date.now() }));
 *   return dbs.get(db)!;
 * }, { replay: true });
 * // A Redis AOF: a single file here; an appendonlydir (with its manifest) works the same.
 * const file = await defaultFs().openWrite("appendonly.aof");
 * await file.write(encodeCommand(["SET", "k", "v"]));
 * await file.close();
 * const stats = await replayRedisAof("appendonly.aof", (argv) => applier.apply(argv));
 * applier.finish();
 * console.log(stats.frames, stats.torn, dumpKeyspace(dbs.get(0)!));
 * ```
 */
export async function replayRedisAof(
  pathOrDir: string,
  apply: ReplayApply,
  opts: RedisAofReplayOptions = {},
): Promise<RedisAofReplayStats> {
  const t0 = performance.now();
  const fs = opts.fs ?? defaultFs();
  const chunk = opts.chunkBytes ?? REDIS_AOF_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunk) || chunk < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunk}`);
  }
  const until = opts.untilUnixSeconds ?? null;
  if (until !== null && !Number.isFinite(until)) {
    throw new RangeError(`untilUnixSeconds must be a finite number, got ${until}`);
  }
  const gate = new UnknownCommandGate(opts.onUnknown);
  let sawTimestamp = false;
  const { files } = await plan(fs, pathOrDir);
  const stats: RedisAofReplayStats = {
    files: 0,
    paths: [],
    frames: 0,
    bytes: 0,
    annotations: 0,
    torn: null,
    stoppedAt: null,
    ms: 0,
    skipped: {},
    rdb: [],
  };
  for (let i = 0; i < files.length; i++) {
    const path = files[i]!;
    const last = i === files.length - 1;
    const onCommand = (argv: Uint8Array[], offset: number): void =>
      gate.check(apply(argv), argv, path, offset);
    // Applied in loading mode: nothing expires until the replay is over (the
    // RESP-only path enters it once per chunk, the RDB path per callback).
    const loading = (argv: Uint8Array[], offset: number): void =>
      whileLoading(() => onCommand(argv, offset));
    const capacity = Math.min(chunk * 2, 1 << 22);
    stats.files++;
    stats.paths.push(path);
    let reader: RedisAofFileReader;
    if (await startsWithRdb(fs, path)) {
      let current = 0;
      const onRdbEntry = opts.onRdbEntry;
      const part = await readRdbThenResp(
        fs,
        path,
        chunk,
        opts.skipModules === true,
        (db, entry, offset) => {
          if (onRdbEntry !== undefined) return whileLoading(() => onRdbEntry(db, entry));
          for (const argv of rdbEntryCommands(db, current, entry)) loading(argv, offset);
          current = db;
        },
        (fn, offset) => {
          if (fn.legacy !== undefined) {
            throw new CorruptFileError({
              path,
              offset,
              expected:
                "a FUNCTION2 library record (this FUNCTION record of a Redis 7.0 release candidate is refused by Redis 7.0 and later)",
              bytes: Uint8Array.of(0xf6),
            });
          }
          // Server-wide in Redis: loaded as FUNCTION LOAD whatever the current database.
          onCommand([FUNCTION, LOAD, fn.code], offset);
        },
        (start) => {
          // The commands after an RDB part start in database 0 (Redis's AOF client).
          if (current !== 0) loading(selectZero(), start);
          return new RedisAofFileReader(path, loading, until, capacity, start);
        },
      );
      reader = part.reader;
      stats.rdb.push({
        path,
        version: part.rdb.version,
        keys: part.rdb.keys,
        bytes: part.rdb.rdbBytes,
      });
    } else {
      reader = new RedisAofFileReader(path, onCommand, until, capacity);
      for await (const c of fs.readChunks(path, chunk)) {
        whileLoading(() => reader.push(c));
        if (reader.stopped) break;
      }
    }
    const end = whileLoading(() => reader.finish());
    stats.frames += end.frames;
    stats.annotations += end.annotations;
    if (end.timestamps > 0) sawTimestamp = true;
    stats.bytes += end.validBytes;
    if (end.stopped !== null) {
      if (i === 0 && end.frames === 0) {
        throw new RedisAofTimestampError(
          path,
          until!,
          `nothing is known before the first #TS: of the base (${end.stopped.timestamp})`,
        );
      }
      stats.stoppedAt = { path, ...end.stopped };
      break;
    }
    if (end.torn !== null) {
      if (!last) {
        throw new CorruptFileError({
          path,
          offset: end.torn.offset,
          expected: end.torn.reason === "unfinished-multi"
            ? "EXEC for the MULTI starting here (only the last AOF file may end early)"
            : "a complete command (only the last AOF file may end early)",
          bytes: await tail(fs, path, end.torn.offset),
        });
      }
      stats.torn = {
        path,
        offset: end.torn.offset,
        bytes: end.size - end.torn.offset,
        reason: end.torn.reason,
      };
    }
  }
  if (until !== null && stats.stoppedAt === null && !sawTimestamp) {
    throw new RedisAofTimestampError(
      stats.paths[stats.paths.length - 1] ?? pathOrDir,
      until,
      "the files hold no #TS: annotation (written with aof-timestamp-enabled no)",
    );
  }
  stats.skipped = gate.skipped;
  stats.ms = performance.now() - t0;
  return stats;
}

async function tail(fs: FsAdapter, path: string, offset: number): Promise<Uint8Array> {
  // Only for the error preview: the first 16 bytes at `offset`.
  let pos = 0;
  for await (const c of fs.readChunks(path, 1 << 16)) {
    if (pos + c.length > offset) return c.slice(Math.max(0, offset - pos), offset - pos + 16);
    pos += c.length;
  }
  return new Uint8Array(0);
}
