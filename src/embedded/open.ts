/**
 * `openStore()`: the embedded, Redis-compatible store users open.
 *
 * Bring-up for a directory: take the dir lock (`<dir>/kevy.lock.<N>`) → `ensureLayout` (finish an
 * interrupted re-shard, re-shard a directory written with another shard count
 * or routing, write `shards.meta`) → per shard: recover an interrupted
 * save/rewrite, load the snapshot, replay the AOF (a torn tail is cut, kept
 * aside and reported), open the AOF for appending. `info().lastReplay` has
 * the replay stats. Without `dir` the store lives in memory and never
 * touches the filesystem.
 *
 * What the AOF holds: normalised frames that kevy v1.17's embedded replay and
 * ours reproduce deterministically — `SET k v` then `PEXPIREAT k <abs ms>`
 * for any TTL, SPOP as the SREM of what was popped, conditional ZADDs as the
 * plain ZADD of what changed, multi-key commands split per shard; no-ops and
 * failed commands are not logged. Keys removed by expiry (lazy or the active
 * sweep) need no entry: replay drops deadlines already past.
 *
 * @module
 */
import { defaultFs } from "../fs/detect.ts";
import { mkdirDurable } from "../fs/durable.ts";
import { joinPath } from "../fs/path.ts";
import { ensureLayout } from "../shard/layout.ts";
import { shardLayout, STANDARD_LAYOUT } from "../shard/reshard.ts";
import { Engine } from "./_engine.ts";
import { acquireLock } from "./_lock.ts";
import { meteredFs, type SyncCounters } from "./_metered_fs.ts";
import { fileShard, memoryShard, type ShardRt } from "./_shard.ts";
import { type KevyStore, stringHandle } from "./handle.ts";
import { type MetricEvent, type OpenStoreOptions, STORE_DEFAULTS } from "./options.ts";
import { resolveOptions } from "./_resolve.ts";
import { onProcessExit } from "../fs/exit.ts";
import type { LockInfo } from "./_lock.ts";

/** The handle, closed at process exit when asked. */
function handleFor(engine: Engine): KevyStore {
  if (engine.opts.closeOnExit) {
    const off = onProcessExit({
      close: () => engine.close(),
      closeSync: () => {
        const failed = engine.exitSync();
        if (failed.length > 0) {
          console.error(
            `kevy: process.exit() while shard(s) ${failed.join(", ")} were writing: what they ` +
              "had buffered may not be on disk (close() the store before exiting)",
          );
        }
      },
    });
    engine.onClose(off);
  }
  return stringHandle(engine);
}

/**
 * What to say when the previous process left the directory open (crashed, killed, Ctrl-C
 * without closeOnExit): what happened, and what recovery found.
 */
function staleLockMessage(dir: string, h: LockInfo, shards: ShardRt[]): string {
  let frames = 0, torn = 0;
  for (const sh of shards) {
    frames += sh.replay?.frames ?? 0;
    torn += sh.replay?.tornBytes ?? 0;
  }
  const since = h.startedAt > 0 ? `, opened ${new Date(h.startedAt).toISOString()}` : "";
  const found = torn === 0
    ? `the logs were intact (${frames} logged command(s) replayed): nothing they held was lost`
    : `${frames} logged command(s) replayed; a write cut off while being written ` +
      `(${torn} bytes, never completed) was set aside as *.torn.* — nothing complete was lost`;
  return `kevy: ${dir} was not closed by its last user (pid ${h.pid} on ${h.host}${since}, no ` +
    `longer running), so its stale lock was taken over; recovered from the files: ${found}. ` +
    "To close cleanly, call close() or open with { closeOnExit: true }.";
}

/**
 * Open a store. Every option is optional; the defaults are in {@link OpenStoreOptions}
 * ({@link STORE_DEFAULTS}): one shard, kevyhash routing, AOF on with
 * `appendfsync: "everysec"`, auto-rewrite at +100 % over 64 MiB, active expiry every 100 ms.
 *
 * Rejects with {@link StoreLockedError} when another live process (or another
 * open handle) holds the directory, with `CorruptFileError` for unreadable files.
 *
 * @example
 * ```ts
 * import { openStore } from "@kevy/persist";
 * const db = await openStore({ dir: "./data", shards: 4, appendfsync: "always" });
 * await db.set("user:1", "ada", { ex: 3600 });
 * await db.hset("user:1:prefs", { theme: "dark" });
 * console.log(await db.get("user:1"), db.info().lastReplay);
 * await db.close();
 *
 * const mem = await openStore(); // in memory only
 * await mem.close();
 * ```
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<KevyStore> {
  const o = resolveOptions(options);
  const syncs: SyncCounters = { syncs: 0, ms: 0 };
  if (o.dir === null) {
    const shards = Array.from({ length: o.shards }, (_, i) => memoryShard(i, o.clock));
    return handleFor(new Engine(o, shards, null, syncs));
  }
  const dir = o.dir;
  const emit = (e: MetricEvent): void => {
    if (o.onMetric) {
      try {
        o.onMetric(e);
      } catch { /* a metrics sink must not break bring-up */ }
    } else if (e.name === "warning") console.warn(String(e["message"]));
  };
  const warn = (message: string, shard?: number) =>
    emit(shard === undefined ? { name: "warning", message } : { name: "warning", shard, message });
  const base = o.fs ?? defaultFs();
  const fs = meteredFs(base, syncs, (file, ms) => {
    if (o.onMetric) emit({ name: "aof.fsync", file, ms });
  });

  await mkdirDurable(base, dir); // a power cut must not take the new dir with it
  const lock = await acquireLock(base, dir, o.clock(), (m) => warn(m));
  const opened: ShardRt[] = [];
  try {
    const customNames = o.snapshotName !== STORE_DEFAULTS.snapshotName ||
      o.aofName !== STORE_DEFAULTS.aofName;
    const layout = o.shards === 1 && customNames
      ? shardLayout({ snapshot: o.snapshotName, aof: o.aofName })
      : STANDARD_LAYOUT;
    const t0 = performance.now();
    const r = await ensureLayout(dir, { n: o.shards, routing: o.routing }, undefined, {
      fs,
      now: o.clock,
      layout,
      onUnknown: o.onUnknown,
      // Released cleanly: every split write was settled; else recovery decides the open ones.
      groupsSettled: lock.previous === "released",
    });
    if (r.action === "resharded") {
      emit({
        name: "reshard",
        ms: performance.now() - t0,
        fromShards: r.from?.n ?? 0,
        fromRouting: r.from?.routing ?? o.routing,
        toShards: o.shards,
        keys: r.keys ?? 0,
      });
      const left = Object.entries(r.skipped ?? {});
      if (left.length > 0) {
        const list = left.map(([v, n]) => `${v} x${n}`).join(", ");
        warn(`kevy: the re-shard of ${dir} skipped unsupported AOF commands: ${list}`);
      }
    }
    for (let i = 0; i < o.shards; i++) {
      const sh = await fileShard({
        index: i,
        snapshotPath: joinPath(dir, layout.snapshot(i, o.shards)),
        aofPath: joinPath(dir, layout.aof(i, o.shards)),
        fsync: o.appendfsync,
        logWrites: o.aof,
        fs,
        clock: o.clock,
        autoRewritePercentage: o.autoRewritePercentage,
        autoRewriteMinSize: o.autoRewriteMinSize,
        onUnknown: o.onUnknown,
        aofFormat: o.aofFormat,
      });
      opened.push(sh);
      const rep = sh.replay!;
      emit({
        name: "aof.replay",
        shard: i,
        ms: rep.ms,
        frames: rep.frames,
        bytes: rep.bytes,
        tornBytes: rep.tornBytes,
        snapshotKeys: rep.snapshotKeys,
        skipped: rep.skipped,
      });
      const skipped = Object.entries(rep.skipped);
      if (skipped.length > 0) {
        const list = skipped.map(([v, n]) => `${v} x${n}`).join(", ");
        warn(`kevy: skipped unsupported AOF commands in ${sh.files?.aof.path}: ${list}`, i);
      }
      if (rep.tornBytes > 0) {
        warn(`kevy: cut a torn tail of ${rep.tornBytes} bytes from ${sh.files?.aof.path}`, i);
      }
    }
  } catch (e) {
    for (const sh of opened) await sh.close().catch(() => {});
    await lock.release().catch(() => {});
    throw e;
  }
  if (lock.staleHolder !== null) warn(staleLockMessage(dir, lock.staleHolder, opened));
  return handleFor(new Engine(o, opened, lock, syncs));
}
