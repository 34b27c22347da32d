// An FsAdapter wrapper that times every fdatasync/fsync of files opened for
// appending (the AOFs) and reports them, so `info()` and `onMetric` can show
// what durability costs without the Aof knowing about metrics.
import type { FsAdapter, WritableFile } from "../fs/types.ts";
import { basename } from "../fs/path.ts";

/** Counters kept by {@link meteredFs}. */
export interface SyncCounters {
  /** fdatasync/fsync calls on append handles. */
  syncs: number;
  /** Their total wall time in ms. */
  ms: number;
}

function wrapFile(
  f: WritableFile,
  path: string,
  c: SyncCounters,
  report: (path: string, ms: number) => void,
): WritableFile {
  const timed = (op: () => Promise<void>) => async () => {
    const t0 = performance.now();
    await op();
    const ms = performance.now() - t0;
    c.syncs++;
    c.ms += ms;
    report(path, ms);
  };
  const timedSync = (op: () => void) => () => {
    const t0 = performance.now();
    op();
    const ms = performance.now() - t0;
    c.syncs++;
    c.ms += ms;
    report(path, ms);
  };
  return {
    write: (d) => f.write(d),
    writeSync: (d) => f.writeSync(d),
    syncData: timed(() => f.syncData()),
    syncDataSync: timedSync(() => f.syncDataSync()),
    sync: timed(() => f.sync()),
    syncSync: timedSync(() => f.syncSync()),
    truncate: (n) => f.truncate(n),
    truncateSync: (n) => f.truncateSync(n),
    close: () => f.close(),
    closeSync: () => f.closeSync(),
  };
}

/** `fs` with append handles whose syncs are counted and reported as `(file name, ms)`. */
export function meteredFs(
  fs: FsAdapter,
  counters: SyncCounters,
  report: (file: string, ms: number) => void,
): FsAdapter {
  const rep = (p: string, ms: number) => report(basename(p), ms);
  return {
    name: fs.name,
    readFile: (p) => fs.readFile(p),
    readFileSync: (p) => fs.readFileSync(p),
    readChunks: (p, n) => fs.readChunks(p, n),
    readChunksSync: (p, n) => fs.readChunksSync(p, n),
    openAppend: async (p) => wrapFile(await fs.openAppend(p), p, counters, rep),
    openAppendSync: (p) => wrapFile(fs.openAppendSync(p), p, counters, rep),
    openWrite: (p, o) => fs.openWrite(p, o),
    openWriteSync: (p, o) => fs.openWriteSync(p, o),
    rename: (a, b) => fs.rename(a, b),
    renameSync: (a, b) => fs.renameSync(a, b),
    remove: (p) => fs.remove(p),
    removeSync: (p) => fs.removeSync(p),
    stat: (p) => fs.stat(p),
    statSync: (p) => fs.statSync(p),
    readDir: (p) => fs.readDir(p),
    readDirSync: (p) => fs.readDirSync(p),
    mkdir: (p) => fs.mkdir(p),
    mkdirSync: (p) => fs.mkdirSync(p),
    syncDir: (p) => fs.syncDir(p),
    syncDirSync: (p) => fs.syncDirSync(p),
  };
}
