/**
 * The re-shard engine (FORMATS.md section 6): merge every source file of the
 * old layout into one store, redistribute its live entries over the new
 * shard count, and commit the new snapshots with a journal so that a crash at
 * any point leaves either the old layout or (after recovery) the new one.
 *
 * Same files and journal as kevy v1.17, with these corrections:
 * - the journal is written to a temp file, fsynced and renamed into place
 *   (kevy writes it in place, so a crash can tear it);
 * - every finish step is durable (directory fsync after each batch of
 *   renames, `shards.meta` written with temp + fsync + rename);
 * - deadlines are carried exactly (kevy re-derives them and drifts by ms);
 * - an unparsable journal is removed together with its `.reshard` temps
 *   (kevy leaves the temps behind).
 *
 * @module
 */

import type { FsAdapter } from "../fs/types.ts";
import { defaultFs } from "../fs/detect.ts";
import { basename, joinPath } from "../fs/path.ts";
import { RESHARD_JOURNAL, reshardName, tmpName } from "../codec/names.ts";
import { AOF_MAGIC, encodeCommand } from "../codec/resp.ts";
import { concatBytes } from "../codec/bytes_util.ts";
import type { Routing } from "../codec/routing_types.ts";
import type { SlotRanges } from "../codec/slot_ranges.ts";
import { formatReshardJournal, parseReshardJournal } from "../codec/journal.ts";
import { Store, whileLoading } from "../store/store.ts";
import { loadSnapshot, saveSnapshot } from "../persist/snapshot_file.ts";
import { replayAof } from "../persist/replay.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { shardFilesView } from "../persist/shard_files.ts";
import { shardIndex } from "./routing.ts";
import { finishReshard } from "./_finish.ts";
import { readIfExists, removeIfExists, writeFileDurable } from "../fs/durable.ts";
import { wallClockNs } from "./_stamp.ts";
import { checkTarget } from "./_target.ts";

export {
  type ShardLayout,
  shardLayout,
  type SingleFileNames,
  STANDARD_LAYOUT,
} from "./shard_names.ts";
import type { ShardLayout } from "./shard_names.ts";

/**
 * A shard layout record: shard count and routing scheme.
 *
 * @example
 * ```ts
 * import type { LayoutSpec } from "@kevy/persist/shard";
 * const target: LayoutSpec = { n: 2, routing: "kevyhash" };
 * ```
 */
export interface LayoutSpec {
  /** Shard count (>= 1 for a target). */
  n: number;
  /** Routing scheme. */
  routing: Routing;
  /** With `slots`: explicit slot ranges per shard (a layout copied from a cluster). */
  slotRanges?: SlotRanges;
}

/**
 * Applies one replayed AOF command to a store (e.g. `applyCommand`). Return
 * the `CommandResult` so that an unknown command is refused (or, with
 * `onUnknown: "skip"`, counted) instead of passing unnoticed.
 *
 * @example
 * ```ts
 * import { applyCommand } from "@kevy/persist/store";
 * import type { ApplyFn } from "@kevy/persist/shard";
 * const apply: ApplyFn = (store, argv) => applyCommand(store, argv);
 * ```
 */
export type ApplyFn = (store: Store, argv: Uint8Array[]) => unknown;

/**
 * Options shared by the re-shard functions.
 *
 * @example
 * ```ts
 * import type { ReshardOptions } from "@kevy/persist/shard";
 * const opts: ReshardOptions = { stamp: () => 1767225600000000000n };
 * ```
 */
export interface ReshardOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Re-shard stamp source, wall-clock ns (default: Date.now + a sub-ms part, increasing). */
  stamp?: () => bigint;
  /**
   * A source AOF command the applier does not support: `"error"` (default)
   * rejects with `UnknownCommandError` (verb, file, offset) before anything
   * on disk changed; `"skip"` leaves it out and counts it in `skipped`.
   */
  onUnknown?: OnUnknown;
  /**
   * Where {@link mergeSources} adds what mode `"skip"` left out, by
   * lower-case verb (the object is updated in place; nothing is added in
   * mode `"error"`; default: not counted).
   */
  skipped?: Record<string, number>;
}

/**
 * Loads every source of an `srcN`-shard layout into `temp`, in kevy's order:
 * shard 0 snapshot, shard 0 AOF, shard 1 snapshot, ... (a key present in two
 * sources ends up with the later one). Each shard's files are loaded on their
 * own first, so a command in a shard's log (FLUSHALL, FLUSHDB) acts on that
 * shard's keys only. AOF frames go through `apply`; a torn
 * AOF tail is dropped (the file itself is kept as a backup by the commit),
 * a corrupt snapshot or AOF rejects with `CorruptFileError` before anything on
 * disk changed. Returns the names of the source files found.
 *
 * @example
 * ```ts
 * import { applyCommand, Store } from "@kevy/persist/store";
 * import { mergeSources, STANDARD_LAYOUT } from "@kevy/persist/shard";
 * const temp = new Store();
 * const found = await mergeSources("data", 4, STANDARD_LAYOUT, temp, applyCommand);
 * ```
 */
export async function mergeSources(
  dir: string,
  srcN: number,
  layout: ShardLayout,
  temp: Store,
  apply: ApplyFn,
  opts: ReshardOptions = {},
): Promise<string[]> {
  const fs = opts.fs ?? defaultFs();
  const found: string[] = [];
  const fresh = temp.dbsize() === 0 && temp.libraries.size === 0;
  for (let i = 0; i < srcN; i++) {
    // Each source is loaded on its own, then moved over: a command in its log acts on that
    // shard's keys only, as when it was logged (a FLUSHALL in shard 1's log must not empty
    // the keys merged from shard 0).
    const part = i === 0 && fresh ? temp : new Store({ now: () => temp.now() });
    // After recoverDir this is the files as they are; a read-only caller that did not
    // recover sees what recovery would leave (the temps of a committed save/rewrite).
    const view = await shardFilesView(
      joinPath(dir, layout.snapshot(i, srcN)),
      joinPath(dir, layout.aof(i, srcN)),
      { fs },
    );
    if (view.snapshot !== null) {
      // The shard's AOF follows: nothing expires until it is replayed too.
      await loadSnapshot(view.snapshot, { store: part, fs, keepExpired: true });
      found.push(basename(view.snapshot));
    }
    if (view.aof !== null) {
      const stats = await replayAof(
        view.aof,
        (argv) => apply(part, argv),
        opts.onUnknown === undefined ? { fs } : { fs, onUnknown: opts.onUnknown },
      );
      if (opts.skipped !== undefined) {
        for (const [verb, n] of Object.entries(stats.skipped)) {
          opts.skipped[verb] = (opts.skipped[verb] ?? 0) + n;
        }
      }
      found.push(basename(view.aof));
    }
    if (part !== temp) {
      // Loading mode: past deadlines are kept (judged once everything is merged).
      whileLoading(() => {
        for (const e of part.entries()) temp.put(e);
      });
      for (const [name, code] of part.libraries) temp.libraries.set(name, code);
    }
  }
  return found;
}

/**
 * Splits the live entries of `merged` over `target.n` new stores by
 * `shardIndex(key, n, routing)`. Values are shared, not copied, and each
 * entry keeps its absolute deadline exactly.
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
 * import { redistribute } from "@kevy/persist/shard";
 * const stores = redistribute(new Store(), { n: 2, routing: "kevyhash" });
 * stores.length; // 2
 * ```
 */
export function redistribute(
  merged: Store,
  target: LayoutSpec,
  opts: { now?: () => number } = {},
): Store[] {
  checkTarget(target);
  const now = opts.now ?? (() => merged.now());
  const stores: Store[] = [];
  for (let i = 0; i < target.n; i++) stores.push(new Store({ now }));
  // entries() yields live entries only; put() keeps the absolute deadline as is.
  const { n, routing, slotRanges } = target;
  for (const e of merged.entries()) stores[shardIndex(e.key, n, routing, slotRanges)]!.put(e);
  return stores;
}

/**
 * Commits a re-shard: removes stale `.reshard` temps, saves each store to
 * `<snapshot(i, n)>.reshard` durably, then writes the journal to a temp file,
 * fsyncs it and renames it to `reshard.journal` (the commit point; never torn
 * in place) and finishes: sources renamed to `<name>.premigration.<stamp>`
 * (never deleted), temps renamed into place, `shards.meta` written, journal
 * removed, each step fsynced. Returns the stamp.
 *
 * @example
 * ```ts
 * import { Store } from "@kevy/persist/store";
 * import { commitReshard, STANDARD_LAYOUT } from "@kevy/persist/shard";
 * import { defaultFs } from "@kevy/persist/fs";
 * await defaultFs().mkdir("data");
 * const stores = [new Store(), new Store()];
 * const stamp = await commitReshard("data", 4, { n: 2, routing: "kevyhash" }, stores, STANDARD_LAYOUT);
 * ```
 */
export async function commitReshard(
  dir: string,
  prevN: number,
  target: LayoutSpec,
  stores: Store[],
  layout: ShardLayout,
  opts: ReshardOptions = {},
): Promise<bigint> {
  checkTarget(target);
  if (!(prevN >= 0 && Number.isSafeInteger(prevN))) {
    throw new RangeError(`previous shard count must be a non-negative integer, got ${prevN}`);
  }
  if (stores.length !== target.n) {
    throw new RangeError(`expected ${target.n} stores, got ${stores.length}`);
  }
  const fs = opts.fs ?? defaultFs();
  const finals: string[] = [];
  for (let i = 0; i < target.n; i++) finals.push(layout.snapshot(i, target.n));

  // a. Stale temps of an earlier attempt that never reached its commit point.
  let removed = false;
  for (const name of finals) {
    removed = (await removeIfExists(fs, joinPath(dir, reshardName(name)))) || removed;
  }
  removed = (await removeIfExists(fs, joinPath(dir, tmpName(RESHARD_JOURNAL)))) || removed;
  if (removed) await fs.syncDir(dir);

  // b. The new snapshots, each durable (temp, fsync, rename, dir fsync).
  const positions: Uint8Array[][][] = stores.map(() => []);
  for (let i = 0; i < target.n; i++) {
    await saveSnapshot(stores[i]!, joinPath(dir, reshardName(finals[i]!)), {
      fs,
      groupPositions: positions[i]!,
    });
  }

  // c-d. Commit point: the journal appears atomically and durably, or not at all.
  const stamp = (opts.stamp ?? wallClockNs)();
  const journal = {
    stamp,
    prevN,
    n: target.n,
    routing: target.routing,
    ...(target.slotRanges !== undefined ? { slotRanges: target.slotRanges } : {}),
  };
  await writeFileDurable(
    fs,
    dir,
    RESHARD_JOURNAL,
    new TextEncoder().encode(formatReshardJournal(journal)),
  );

  // e. Finish.
  await finishReshard(fs, dir, journal, layout);

  // f. What a snapshot has no place for, the stream groups' entries-read, goes in each new
  // shard's log (`XGROUP SETID ... ENTRIESREAD`, ignored by kevy). Outside the journal: a
  // crash before it loses only those counters (the lag reads as unknown, as after XSETID).
  for (let i = 0; i < target.n; i++) {
    const name = layout.aof(i, target.n);
    if (positions[i]!.length === 0 || (await fs.stat(joinPath(dir, name))) !== null) continue;
    const log = [AOF_MAGIC, ...positions[i]!.map((argv) => encodeCommand(argv))];
    await writeFileDurable(fs, dir, name, concatBytes(log));
  }
  return stamp;
}

/**
 * What {@link recoverReshardJournal} did.
 *
 * @example
 * ```ts
 * import type { RecoverOutcome } from "@kevy/persist/shard";
 * const o: RecoverOutcome = "rolled-forward";
 * ```
 */
export type RecoverOutcome = "none" | "rolled-forward" | "discarded";

/**
 * Start-up recovery of an interrupted re-shard. No journal: nothing. A journal
 * that parses: roll forward (finish, idempotent). A journal that does not
 * parse (only a torn write by kevy itself can produce one; sources are intact):
 * remove it together with every `.reshard` temp. A journal that cannot be read
 * (any error but not-found, or invalid UTF-8): throws, start-up must stop.
 *
 * @example
 * ```ts
 * import { recoverReshardJournal, STANDARD_LAYOUT } from "@kevy/persist/shard";
 * const outcome = await recoverReshardJournal("data", STANDARD_LAYOUT);
 * if (outcome === "rolled-forward") console.log("completed an interrupted re-shard");
 * ```
 */
export async function recoverReshardJournal(
  dir: string,
  layout: ShardLayout,
  opts: { fs?: FsAdapter } = {},
): Promise<RecoverOutcome> {
  const fs = opts.fs ?? defaultFs();
  const path = joinPath(dir, RESHARD_JOURNAL);
  let bytes: Uint8Array | null;
  try {
    bytes = await readIfExists(fs, path);
  } catch (e) {
    throw new Error(
      `kevy: cannot read re-shard journal ${path} (${errText(e)}); refusing to start: ` +
        "the data directory may be mid-reshard, fix or inspect it by hand",
      { cause: e },
    );
  }
  if (bytes === null) return "none";
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw new Error(
      `kevy: re-shard journal ${path} is not valid UTF-8; refusing to start: inspect it by hand`,
      { cause: e },
    );
  }
  const j = parseReshardJournal(text);
  if (j !== null) {
    await finishReshard(fs, dir, j, layout);
    return "rolled-forward";
  }
  // Torn before its commit point: the sources are untouched; drop the attempt.
  for (const e of await fs.readDir(dir)) {
    if (e.isFile && (e.name.endsWith(".reshard") || e.name.endsWith(".reshard.tmp"))) {
      await removeIfExists(fs, joinPath(dir, e.name));
    }
  }
  await fs.syncDir(dir);
  await removeIfExists(fs, path);
  await fs.syncDir(dir);
  return "discarded";
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
