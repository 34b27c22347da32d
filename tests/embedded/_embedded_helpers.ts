// Helpers for the embedded-store tests: AOF frame listing, an fs that counts syncs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AOF_MAGIC, parseFrame } from "../../src/codec/resp.ts";
import { parseGroupMarker } from "../../src/codec/group.ts";
import { defaultFs } from "../../src/fs/detect.ts";
import type { FsAdapter, WritableFile } from "../../src/fs/types.ts";
import { parseShardsMeta } from "../../src/codec/meta.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { type DumpedKey, dumpKeyspace } from "../../src/store/dump.ts";
import { loadSnapshot } from "../../src/persist/snapshot_file.ts";
import { replayAof } from "../../src/persist/replay.ts";

const dec = new TextDecoder();

/**
 * The frames of an AOF file as arrays of UTF-8 strings (header checked), as kevy 1.17
 * replays them: group markers (MULTI/EXEC around a split or multi-frame write, see
 * codec/group.ts) left out unless `markers`.
 */
export function aofFrames(path: string, markers = false): string[][] {
  const buf = new Uint8Array(readFileSync(path));
  for (let i = 0; i < AOF_MAGIC.length; i++) {
    if (buf[i] !== AOF_MAGIC[i]) throw new Error(`${path}: no KEVYAOF1 header`);
  }
  const out: string[][] = [];
  let off = AOF_MAGIC.length;
  while (off < buf.length) {
    const r = parseFrame(buf, off);
    if (r.kind !== "frame") throw new Error(`${path}: ${r.kind} at ${off}`);
    if (markers || parseGroupMarker(r.argv) === null) out.push(r.argv.map((a) => dec.decode(a)));
    off = r.end;
  }
  return out;
}

/** Frames of `<dir>/<name>` (group markers only with `markers`). */
export function dirFrames(dir: string, name = "aof-0.aof", markers = false): string[][] {
  return aofFrames(join(dir, name), markers);
}

/** The default fs, with every sync/syncData of append handles counted. */
export function countingFs(): { fs: FsAdapter; syncs: () => number } {
  const base = defaultFs();
  let n = 0;
  const wrap = (f: WritableFile): WritableFile => ({
    ...f,
    write: (d) => f.write(d),
    syncData: async () => {
      n++;
      await f.syncData();
    },
    sync: async () => {
      n++;
      await f.sync();
    },
  });
  const fs = new Proxy(base, {
    get(target, prop, recv) {
      if (prop === "openAppend") return async (p: string) => wrap(await target.openAppend(p));
      const v = Reflect.get(target, prop, recv);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { fs, syncs: () => n };
}

/** A filesystem adapter that fails the test on any use. */
export function forbiddenFs(): { fs: FsAdapter; calls: string[] } {
  const calls: string[] = [];
  const fs = new Proxy({} as FsAdapter, {
    get(_t, prop) {
      if (prop === "name") return "forbidden";
      return () => {
        calls.push(String(prop));
        throw new Error(`fs.${String(prop)} used`);
      };
    },
  });
  return { fs, calls };
}

/** A settable clock. */
export function testClock(start = 1_700_000_000_000): { t: number; now: () => number } {
  const c = { t: start, now: () => c.t };
  return c;
}

/**
 * The keyspace a directory holds, read-only: every shard's snapshot then its
 * AOF (replayed with applyCommand), merged and dumped sorted (vectors layout).
 */
export async function dirKeyspace(dir: string, now: () => number): Promise<DumpedKey[]> {
  const meta = parseShardsMeta(readFileSync(join(dir, "shards.meta")));
  if (meta === null) throw new Error(`${dir}: no shards.meta`);
  const store = new Store({ now });
  for (let i = 0; i < meta.n; i++) {
    const snap = join(dir, `dump-${i}.rdb`);
    if (existsSync(snap)) await loadSnapshot(snap, { store });
    await replayAof(join(dir, `aof-${i}.aof`), (argv) => {
      applyCommand(store, argv);
    });
  }
  return dumpKeyspace(store);
}
