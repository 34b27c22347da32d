/**
 * One shard's files — a snapshot (`dump-{i}.rdb`) and an AOF (`aof-{i}.aof`)
 * — with a crash-consistent SAVE and rewrite.
 *
 * kevy v1.17 renames the new snapshot and then truncates the AOF: a crash
 * between the two replays the old log on top of the new snapshot, applying
 * INCR/APPEND/LPUSH twice. Here both files change under one commit record,
 * and every file at rest stays readable by kevy v1.17:
 *
 * **save(store)**
 * 1. Hold new appends (queued in memory) and write + fdatasync the AOF's
 *    backlog; the entry list is copied at the call (the snapshot point).
 * 2. Write `<dump>.tmp` and fsync it.
 * 3. Write `<aof>.rewrite` holding just the `KEVYAOF1\n` header, fsync it.
 * 4. **Commit point**: the journal `<dump>.save` (`kevy-persist-save v1`,
 *    `op=save`) is written as `<dump>.save.tmp`, fsynced, renamed into place,
 *    and the directory fsynced.
 * 5. Rename `<dump>.tmp` → dump and `<aof>.rewrite` → aof, fsync the
 *    directory, reopen the AOF, release the held appends into it.
 * 6. Remove the journal, fsync the directory.
 *
 * **rewrite(store)** is the same with `op=rewrite`: step 2 is skipped, step 3
 * writes the compacted log (the keyspace as commands), and step 5 removes
 * the snapshot (the new log alone holds the keyspace; a snapshot under it
 * would be applied twice). A store holding streams cannot be expressed as
 * commands kevy replays, so `rewrite` then performs a `save` instead.
 *
 * **Recovery** (at open, before anything is read): a journal present means
 * the operation committed: roll forward — rename each of `<dump>.tmp` /
 * `<aof>.rewrite` that still exists (and for `op=rewrite` remove the
 * snapshot), fsync the directory, remove the journal, fsync. No journal:
 * remove stale `<dump>.tmp`, `<aof>.rewrite`, `<dump>.save.tmp`. Every step
 * is idempotent, so a crash during recovery is recovered by the next open.
 * Bring-up is then: recover → load the snapshot → replay the AOF (cutting a
 * torn tail, see `Aof`) → ready, with stats.
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { Store } from "../store/store.ts";
import { applyCommand } from "../store/apply.ts";
import { Aof, type FsyncPolicy, type RepairedTail } from "./aof.ts";
import type { ReplayStats } from "./replay.ts";
import type { OnUnknown } from "./unknown.ts";
import { storeApplier } from "./_plain_set.ts";
import { loadSnapshotInto, writeSnapshotFile } from "./_snapshot_io.ts";
import { writeCompactLog } from "./_aof_rewrite.ts";
import { writeLibraries } from "./_rewrite_frames.ts";
import { ByteWriter } from "../codec/bytes.ts";
import { AOF2_MAGIC, encodeRecordInto } from "../codec/aof2.ts";
import type { SnapshotCursor } from "../codec/snapshot.ts";
import { AOF_MAGIC, encodeCommandInto } from "../codec/resp.ts";
import { freezeEntries } from "../codec/snapshot_writer.ts";
import {
  applyCommitted,
  commitJournal,
  dropJournal,
  recoverSave,
  type RecoveryReport,
  type SaveOp,
  type SavePaths,
  savePaths,
  type SaveView,
  saveView,
} from "./_save_journal.ts";

export type { RecoveryReport, SaveOp, SaveView } from "./_save_journal.ts";

/**
 * Finishes (or discards) an interrupted save/rewrite of one shard's file pair, exactly as
 * {@link ShardFiles.open} does first: a committed `<dump>.save` journal is rolled forward,
 * leftovers of an uncommitted one are removed. Idempotent. The data-directory recovery
 * (`recoverDir` in shard/) calls it for every shard of the layout that wrote the files,
 * before a re-shard reads them.
 *
 * @example
 * ```ts
 * import { recoverShardFiles } from "@kevy/persist/persist";
 * const r = await recoverShardFiles("data/dump-0.rdb", "data/aof-0.aof");
 * if (r.rolledForward) console.log("finished an interrupted", r.rolledForward);
 * ```
 */
export function recoverShardFiles(
  snapshotPath: string,
  aofPath: string,
  opts: { fs?: FsAdapter } = {},
): Promise<RecoveryReport> {
  return recoverSave(opts.fs ?? defaultFs(), savePaths(snapshotPath, aofPath));
}

/**
 * The snapshot and AOF a read-only reader should load to see one shard as
 * {@link recoverShardFiles} would leave it, changing nothing on disk (`null`: none).
 *
 * @example
 * ```ts
 * import { shardFilesView } from "@kevy/persist/persist";
 * const v = await shardFilesView("data/dump-0.rdb", "data/aof-0.aof");
 * console.log(v.snapshot, v.aof);
 * ```
 */
export function shardFilesView(
  snapshotPath: string,
  aofPath: string,
  opts: { fs?: FsAdapter } = {},
): Promise<SaveView> {
  return saveView(opts.fs ?? defaultFs(), savePaths(snapshotPath, aofPath));
}

/** Options of {@link ShardFiles.open}. */
export interface ShardFilesOptions {
  /** The snapshot path (e.g. `data/dump-0.rdb`). */
  snapshotPath: string;
  /** The AOF path (e.g. `data/aof-0.aof`), in the same directory. */
  aofPath: string;
  /** AOF fsync policy. */
  fsync: FsyncPolicy;
  /** AOF format of a new log and of every rewrite/SAVE: 1 (default) or 2 (`KEVYAOF2`, see `AofOptions.aofFormat`). */
  aofFormat?: 1 | 2;
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Load into this store (default: a new `Store`). It should be empty. */
  store?: Store;
  /**
   * How replayed frames are applied (default `applyCommand`). Return the
   * `CommandResult` so an unknown command is caught (see `onUnknown`).
   */
  apply?: (store: Store, argv: Uint8Array[]) => unknown;
  /**
   * An AOF command the applier does not support: `"error"` (default) rejects
   * with `UnknownCommandError` (verb, file, offset); `"skip"` leaves it out
   * and counts it in `stats.aof.skipped`.
   */
  onUnknown?: OnUnknown;
  /** Wall clock, unix ms (default: the store's clock). */
  now?: () => number;
  /** As `AofOptions.autoRewritePercentage` (default 100; 0 disables). */
  autoRewritePercentage?: number;
  /** As `AofOptions.autoRewriteMinSize` (default 64 MiB). */
  autoRewriteMinSize?: number;
}

/** What bring-up did. */
export interface BringUpStats {
  /** The save-journal recovery. */
  recovery: RecoveryReport;
  /** Whether a snapshot was loaded, and how many live entries it gave. */
  snapshot: { loaded: boolean; entries: number };
  /** The AOF replay. */
  aof: ReplayStats;
  /** A torn AOF tail cut at open, or null. */
  repairedTail: RepairedTail | null;
  /** Total wall time, ms. */
  ms: number;
}

/**
 * A shard's snapshot + AOF pair, opened (recovered and loaded), with
 * crash-consistent {@link ShardFiles.save} and {@link ShardFiles.rewrite}.
 * The protocol is in the module doc.
 *
 * @example
 * ```ts
 * import { ShardFiles } from "@kevy/persist/persist";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const shard = await ShardFiles.open({
 *   snapshotPath: "data/dump-0.rdb", aofPath: "data/aof-0.aof", fsync: "always",
 * });
 * const t = new TextEncoder();
 * await shard.aof.append([t.encode("INCR"), t.encode("n")]);
 * await shard.save();
 * await shard.close();
 * ```
 */
export class ShardFiles {
  /** The keyspace loaded at open. */
  readonly store: Store;
  /** A kevy 5.x feed cursor read from the snapshot: written back by every save (version >= 5). */
  #cursor: SnapshotCursor | null = null;
  /** The open log. */
  readonly aof: Aof;
  /** What bring-up did. */
  readonly stats: BringUpStats;
  readonly #fs: FsAdapter;
  readonly #paths: SavePaths;
  readonly #now: () => number;
  #busy: Promise<void> = Promise.resolve();

  private constructor(
    store: Store,
    aof: Aof,
    stats: BringUpStats,
    fs: FsAdapter,
    paths: SavePaths,
    now: () => number,
  ) {
    this.store = store;
    this.aof = aof;
    this.stats = stats;
    this.#fs = fs;
    this.#paths = paths;
    this.#now = now;
  }

  /**
   * Bring-up: recover an interrupted save/rewrite, load the snapshot, replay
   * the AOF (cutting a torn tail), open the AOF for appending. Rejects with
   * `CorruptFileError` for a corrupt snapshot or mid-file AOF corruption.
   *
   * @example
   * ```ts
   * import { ShardFiles } from "@kevy/persist/persist";
   * import { defaultFs } from "@kevy/persist/fs";
   * await defaultFs().mkdir("data");
   * const shard = await ShardFiles.open({
   *   snapshotPath: "data/dump-0.rdb", aofPath: "data/aof-0.aof", fsync: "everysec",
   * });
   * console.log(shard.stats.aof.frames, shard.store.dbsize());
   * await shard.close();
   * ```
   */
  static async open(opts: ShardFilesOptions): Promise<ShardFiles> {
    const t0 = performance.now();
    const fs = opts.fs ?? defaultFs();
    const store = opts.store ?? new Store();
    const now = opts.now ?? (() => store.now());
    const custom = opts.apply;
    // Without a custom applier, replay takes replayAofInto's plain-SET fast path (same result).
    const apply = custom === undefined || custom === applyCommand
      ? storeApplier(store)
      : (argv: Uint8Array[]) => custom(store, argv);
    const paths = savePaths(opts.snapshotPath, opts.aofPath);
    const recovery = await recoverSave(fs, paths);
    let entries = 0;
    let loaded = false;
    let cursor: SnapshotCursor | null = null;
    const snap = await fs.stat(paths.snapshot);
    if (snap !== null) {
      // String records go straight into the store as byte ranges (no Entry objects).
      // The AOF follows: past deadlines are kept and judged after its replay.
      const r = await loadSnapshotInto(fs, paths.snapshot, store, now(), snap.size, true);
      entries = r.count;
      cursor = r.stats.cursor;
      loaded = true;
    }
    const { aof, stats } = await Aof.openAndReplay(paths.aof, apply, {
      fsync: opts.fsync,
      fs,
      now,
      ...(opts.onUnknown === undefined ? {} : { onUnknown: opts.onUnknown }),
      ...(opts.aofFormat === undefined ? {} : { aofFormat: opts.aofFormat }),
      ...(opts.autoRewritePercentage === undefined
        ? {}
        : { autoRewritePercentage: opts.autoRewritePercentage }),
      ...(opts.autoRewriteMinSize === undefined
        ? {}
        : { autoRewriteMinSize: opts.autoRewriteMinSize }),
    });
    const files = new ShardFiles(
      store,
      aof,
      {
        recovery,
        snapshot: { loaded, entries },
        aof: stats,
        repairedTail: aof.repairedTail,
        ms: performance.now() - t0,
      },
      fs,
      paths,
      now,
    );
    files.#cursor = cursor;
    return files;
  }

  /**
   * Crash-consistent SAVE: snapshot `store` (default: this shard's) and empty
   * the AOF under one commit record. Appends made after the call wait and go
   * to the new log.
   *
   * @example
   * ```ts
   * import { ShardFiles } from "@kevy/persist/persist";
   * const shard = await ShardFiles.open({ snapshotPath: "dump-0.rdb", aofPath: "aof-0.aof", fsync: "always" });
   * await shard.save();
   * ```
   */
  save(store: Store = this.store): Promise<void> {
    return this.#commit("save", store);
  }

  /**
   * Crash-consistent AOF rewrite: the log becomes the keyspace as commands and
   * the snapshot is removed, under one commit record. Streams are written as
   * stream commands (everything but consumers' seen-time survives; a
   * snapshot has no place for a group's entries-read, so after a save the
   * new log carries it as `XGROUP SETID ... ENTRIESREAD`).
   *
   * @example
   * ```ts
   * import { ShardFiles } from "@kevy/persist/persist";
   * const shard = await ShardFiles.open({ snapshotPath: "dump-0.rdb", aofPath: "aof-0.aof", fsync: "always" });
   * if (shard.aof.shouldRewrite()) await shard.rewrite();
   * ```
   */
  rewrite(store: Store = this.store): Promise<void> {
    return this.#commit("rewrite", store);
  }

  /**
   * Flushes, syncs and closes the AOF.
   *
   * @example
   * ```ts
   * import { ShardFiles } from "@kevy/persist/persist";
   * const shard = await ShardFiles.open({ snapshotPath: "dump-0.rdb", aofPath: "aof-0.aof", fsync: "no" });
   * await shard.close();
   * ```
   */
  async close(): Promise<void> {
    await this.#busy.catch(() => {});
    await this.aof.close();
  }

  #commit(requested: SaveOp, store: Store): Promise<void> {
    // The snapshot point: entries copied (a cheap copy of the store's records)
    // and appends held in the same turn.
    const entries = freezeEntries(store.entries());
    // Function libraries have no place in a snapshot: the new log carries them.
    const libraries = [...store.libraries.values()];
    const op: SaveOp = requested;
    const now = this.#now();
    const run = this.aof.withAppendsHeld(async () => {
      const fs = this.#fs;
      const p = this.#paths;
      // A journal left by a commit whose last step failed: finish it first.
      if ((await fs.stat(p.journal)) !== null) await dropJournal(fs, p);
      try {
        if (op === "save") {
          const positions: Uint8Array[][] = [];
          await writeSnapshotFile(fs, p.snapshotTmp, entries, now, this.#cursor, positions);
          await writeHeaderOnly(fs, p.aofRewrite, this.aof.aofFormat, libraries, positions);
        } else {
          await writeCompactLog(fs, p.aofRewrite, entries, now, this.aof.aofFormat, libraries);
        }
        await commitJournal(fs, p, op);
      } catch (e) {
        // Not committed: the old files are intact; drop the temps, keep the log open.
        await fs.remove(p.snapshotTmp).catch(() => {});
        await fs.remove(p.aofRewrite).catch(() => {});
        await fs.remove(p.journalTmp).catch(() => {});
        throw e;
      }
      try {
        await applyCommitted(fs, p, op);
        await this.aof.reopenAfterRename();
        await dropJournal(fs, p);
      } catch (e) {
        // Committed but not finished: the next open rolls it forward. The old
        // handle may point at a replaced file, so the log must stop here.
        throw this.aof.markFailed(e);
      }
    });
    this.#busy = run.catch(() => {});
    return run;
  }
}

/**
 * The log after a save: the header, then what the snapshot has no place for: the function
 * libraries and the stream groups' entries-read (`XGROUP SETID` frames), if any.
 */
async function writeHeaderOnly(
  fs: FsAdapter,
  path: string,
  format: 1 | 2,
  libraries: Uint8Array[],
  positions: Uint8Array[][] = [],
): Promise<void> {
  const f = await fs.openWrite(path);
  try {
    const w = new ByteWriter(64);
    w.writeBytes(format === 2 ? AOF2_MAGIC : AOF_MAGIC);
    writeLibraries(w, libraries, format === 2);
    for (const argv of positions) {
      if (format === 2) encodeRecordInto(w, argv);
      else encodeCommandInto(w, argv);
    }
    await f.write(w.bytes());
    await f.sync();
  } finally {
    await f.close();
  }
}
