// A data dir that a live store (another process) is writing: each shard is
// loaded as a consistent pair (snapshot + its AOF read through an open
// tail, so the state and the tail's offset match), retrying while a save,
// rewrite or re-shard is replacing files. Nothing on disk changes.
import { inferFilesN, RESHARD_JOURNAL, SHARDS_META } from "../codec/names.ts";
import type { Routing } from "../codec/routing_types.ts";
import type { SlotRanges } from "../codec/slot_ranges.ts";
import type { FsAdapter } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { AofTail } from "../persist/aof_tail.ts";
import { loadSnapshot } from "../persist/snapshot_file.ts";
import type { UnknownCommandGate } from "../persist/unknown.ts";
import { readShardsMeta } from "../shard/shards_meta.ts";
import { STANDARD_LAYOUT } from "../shard/reshard.ts";
import { Store } from "../store/store.ts";
import { Forwarder } from "./_forward.ts";
import type { Encoder } from "./_migrate_encode.ts";
import { MigrationSourceError } from "./_migrate_source.ts";

/** Shard count and routing of a live dir, and a stamp that changes when they do. */
export interface LiveLayout {
  n: number;
  routing: Routing;
  slotRanges?: SlotRanges;
  /** shards.meta's text and the shard count, compared to notice a re-shard. */
  stamp: string;
}

/** One shard: its mirror (the state up to the tail's offset), the tail, the forwarder over both. */
export interface LiveShard {
  index: number;
  store: Store;
  tail: AofTail;
  fwd: Forwarder;
}

const WAIT_MS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/** The layout now, waiting (up to `timeoutMs`) while a re-shard is pending. */
export async function readLiveLayout(
  dir: string,
  fs: FsAdapter,
  timeoutMs = 60_000,
): Promise<LiveLayout> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const names = await fs.readDir(dir);
    if (!names.some((e) => e.name === RESHARD_JOURNAL)) {
      const meta = await readShardsMeta(dir, { fs });
      const n = meta?.n ?? inferFilesN(names);
      if (n < 1) throw new MigrationSourceError(`${dir}: no kevy files here to follow`);
      const text = names.some((e) => e.name === SHARDS_META)
        ? new TextDecoder().decode(await fs.readFile(joinPath(dir, SHARDS_META)))
        : "";
      // The journal may have appeared meanwhile: read again if so.
      if (!(await fs.readDir(dir)).some((e) => e.name === RESHARD_JOURNAL)) {
        const layout: LiveLayout = {
          n,
          routing: meta?.routing ?? "kevyhash",
          stamp: `${n}\n${text}`,
        };
        if (meta?.slotRanges !== undefined) layout.slotRanges = meta.slotRanges;
        return layout;
      }
    }
    if (Date.now() > until) {
      throw new MigrationSourceError(`${dir}: a re-shard has been pending for ${timeoutMs} ms`);
    }
    await sleep(WAIT_MS);
  }
}

/**
 * Loads shard `i` of `n` consistently: open the AOF, load the snapshot, read
 * the AOF to its end; start over if meanwhile a save/rewrite committed or
 * replaced the log. `clock` becomes the mirror's clock once loaded (nothing
 * expires while loading). `gate` decides what an unsupported command in the
 * log does (stop with `UnknownCommandError`, or be left out and counted).
 */
export async function loadLiveShard(
  dir: string,
  i: number,
  n: number,
  fs: FsAdapter,
  clock: () => number,
  encode: Encoder,
  gate: UnknownCommandGate,
  timeoutMs = 60_000,
): Promise<LiveShard> {
  const snap = joinPath(dir, STANDARD_LAYOUT.snapshot(i, n));
  const aof = joinPath(dir, STANDARD_LAYOUT.aof(i, n));
  const journal = `${snap}.save`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await fs.stat(journal) === null) {
      const tail = await AofTail.open(aof);
      let live = false;
      const store = new Store({ now: () => (live ? clock() : 0) });
      let ok = true;
      try {
        if (await fs.stat(snap) !== null) await loadSnapshot(snap, { store, fs, now: 0 });
      } catch (e) {
        // Renamed away under us by a save: load again.
        if ((e as { code?: unknown }).code !== "ENOENT") {
          await tail.close();
          throw e;
        }
        ok = false;
      }
      if (ok) {
        // Through the forwarder (applying only): a group stays held until its EXEC (and the
        // tail keeps its bytes, to tell whether a recovery cut it).
        const fwd = new Forwarder(store, encode, gate, aof);
        await tail.read((argv, at) => fwd.frame(argv, null, at));
        tail.hold(fwd.openAt);
        if (!(await tail.changed()) && await fs.stat(journal) === null) {
          live = true;
          return { index: i, store, tail, fwd };
        }
      }
      await tail.close();
    }
    if (Date.now() > until) {
      throw new MigrationSourceError(
        `${dir}: shard ${i} kept changing for ${timeoutMs} ms while loading`,
      );
    }
    await sleep(WAIT_MS);
  }
}
