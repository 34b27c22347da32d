/**
 * {@link CrashFs}: an in-memory {@link FsAdapter} that simulates power cuts, for crash-safety tests.
 *
 * Model (strict POSIX, like ext4 with `data=ordered` minus its courtesy flushes):
 * - each file has *durable* and *current* content; `sync`/`syncData` make the current content
 *   durable (`syncData` covers size changes too);
 * - directory entries (creates, renames, removes, mkdirs) become durable only after `syncDir` of
 *   the directory that holds them;
 * - every mutating operation is recorded in {@link CrashFs.ops}; {@link CrashFs.crashImages} gives
 *   the disk states a power cut right after any of them may leave.
 *
 * @example
 * ```ts
 * import { CrashFs } from "@kevy/persist/testing";
 * const images = await CrashFs.enumerate(
 *   (fs) => fs.writeFileDurable("/db/data", new Uint8Array([1])),
 *   async (fs) => {
 *     const f = await fs.openWrite("/db/data.tmp");
 *     await f.write(new Uint8Array([2]));
 *     await f.syncData();
 *     await f.close();
 *     await fs.rename("/db/data.tmp", "/db/data");
 *     await fs.syncDir("/db");
 *   },
 *   async (fs, point) => {
 *     const bytes = await fs.readFile("/db/data"); // old or new, never torn
 *     if (bytes.length !== 1) throw new Error(`torn at ${point.afterOp} (${point.variant})`);
 *   },
 * );
 * ```
 *
 * @module
 */
import { abs, copyState, crashHandle, later, parts, type State } from "./_crash_state.ts";
import { Faults } from "./_crash_faults.ts";
import { distinctImages } from "./_crash_images.ts";
import { CrashTree, type TreeHooks } from "./_crash_tree.ts";
import {
  CRASH_VARIANTS,
  type CrashOp,
  type CrashOptions,
  type CrashPoint,
  type CrashVariant,
  type FaultKind,
  type FaultTarget,
} from "./crash_types.ts";
import type { DirEntry, FileInfo, FsAdapter, OpenWriteOptions, WritableFile } from "./types.ts";

export * from "./crash_types.ts";

/**
 * An in-memory filesystem that records every mutating operation and can produce the disk states
 * a power cut may leave behind. Async and sync methods behave the same. Relative paths are taken
 * from "/". Stricter than a real fs in one place: `syncDir` on a file throws `ENOTDIR`.
 *
 * @example
 * ```ts
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * await fs.mkdir("/db");
 * const f = await fs.openAppend("/db/aof");
 * await f.write(new Uint8Array([1, 2, 3, 4]));
 * const [lost] = fs.crashImages(fs.ops.length, { variants: ["lost"] });
 * await lost!.stat("/db"); // null: the mkdir was never made durable with syncDir("/")
 * ```
 */
export class CrashFs implements FsAdapter {
  /** Always `"crash"`. */
  readonly name = "crash";
  private variant: CrashVariant | null = null;
  private tree: CrashTree = new CrashTree();
  private log: CrashOp[] = [];
  private history: State[] = [];
  private readonly faults: Faults = new Faults();
  private readonly hooks: TreeHooks = {
    fault: (t) => this.faults.check(t),
    record: (op) => this.record(op),
  };

  /**
   * An empty filesystem (just "/"), recording from the start.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.mkdirSync("/data");
   * ```
   */
  constructor() {
    this.history = [copyState(this.tree.state)];
  }

  /** For images made by {@link CrashFs.crashImages}: the variant; `null` otherwise. */
  get crashVariant(): CrashVariant | null {
    return this.variant;
  }

  /** The recorded mutating operations since construction or the last {@link checkpoint}. */
  get ops(): readonly CrashOp[] {
    return this.log;
  }

  /**
   * Run `setup`, make its state durable, run `scenario` while recording, then call `verify` on
   * every crash image after every op (0..ops.length) and variant. Returns the number of images
   * verified. `setup` may be a `CrashFs` (e.g. an image, to crash again during recovery): its
   * state is cloned. Errors thrown by `scenario` or `verify` propagate.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * // A second crash during recovery: verify enumerates again, starting from the image.
   * await CrashFs.enumerate(
   *   (fs) => fs.mkdirSync("/db"),
   *   async (fs) => { const f = await fs.openAppend("/db/aof"); await f.write(new Uint8Array(8)); },
   *   async (image) => {
   *     await CrashFs.enumerate(image, async (fs) => { await fs.syncDir("/db"); }, async () => {});
   *   },
   * );
   * ```
   */
  static async enumerate(
    setup: CrashFs | ((fs: CrashFs) => Promise<void> | void),
    scenario: (fs: CrashFs) => Promise<void> | void,
    verify: (fs: CrashFs, point: CrashPoint) => Promise<void> | void,
    options: CrashOptions = {},
  ): Promise<number> {
    const fs = setup instanceof CrashFs ? setup.clone() : new CrashFs();
    if (!(setup instanceof CrashFs)) await setup(fs);
    fs.checkpoint();
    await scenario(fs);
    let n = 0;
    for (let i = 0; i <= fs.log.length; i++) {
      for (const image of fs.crashImages(i, options)) {
        await verify(image, { afterOp: i, variant: image.crashVariant! });
        n++;
      }
    }
    return n;
  }

  /**
   * The distinct disk states a power cut right after op `afterOp` may leave (0 = before the
   * first op), one fresh fully-durable `CrashFs` per variant, in {@link CRASH_VARIANTS} order;
   * a variant identical to an earlier one is left out. Deterministic.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.writeFileDurable("/aof", new Uint8Array([1]));
   * const f = fs.openAppendSync("/aof");
   * f.writeSync(new Uint8Array([2, 3, 4, 5]));
   * for (const img of fs.crashImages(1)) console.log(img.crashVariant, img.readFileSync("/aof"));
   * // lost [1], flushed [1,2,3,4,5], torn [1,2,3], torn-zeros [1,2,3,0,0]
   * ```
   */
  crashImages(afterOp: number, options: CrashOptions = {}): CrashFs[] {
    const state = this.history[afterOp];
    if (!Number.isInteger(afterOp) || state === undefined) {
      throw new RangeError(`afterOp must be an integer in 0..${this.log.length}, got ${afterOp}`);
    }
    return distinctImages(state, options.variants ?? CRASH_VARIANTS).map(([variant, tree]) =>
      CrashFs.image(tree, variant)
    );
  }

  /**
   * Make everything durable (as after a clean shutdown) and clear the recorded ops: crash points
   * count from here.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.mkdirSync("/db");
   * fs.checkpoint();
   * fs.ops.length; // 0
   * ```
   */
  checkpoint(): void {
    this.tree.makeDurable();
    this.log = [];
    this.history = [copyState(this.tree.state)];
  }

  /**
   * Seed a file (creating parent dirs) and make everything durable; clears the recorded ops
   * (see {@link checkpoint}). Not subject to fault injection.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.writeFileDurable("/db/shards.meta", new TextEncoder().encode("v1"));
   * ```
   */
  writeFileDurable(path: string, bytes: Uint8Array): void {
    this.faults.paused = true;
    try {
      const ps = parts(path);
      this.mkdirSync(abs(ps.slice(0, -1)));
      const f = this.openWriteSync(path);
      f.writeSync(bytes);
      f.closeSync();
    } finally {
      this.faults.paused = false;
    }
    this.checkpoint();
  }

  /**
   * A copy of this filesystem's state (current and durable), with an empty op log and no faults.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const a = new CrashFs();
   * const b = a.clone();
   * b.mkdirSync("/only-in-b");
   * ```
   */
  clone(): CrashFs {
    const fs = new CrashFs();
    fs.tree = this.tree.copy();
    fs.history = [copyState(fs.tree.state)];
    return fs;
  }

  /**
   * Current contents of every file, by absolute path, sorted by path (copies).
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.writeFileDurable("/a", new Uint8Array([1]));
   * fs.snapshotFiles(); // Map { "/a" => Uint8Array [1] }
   * ```
   */
  snapshotFiles(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    this.tree.walk((path, n) => {
      if (n.kind === "file") out.set(path, n.cur.view().slice());
    });
    return out;
  }

  /**
   * Make the next operation of `kind` throw (default: an `EIO` error) without taking effect.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * fs.failNext("syncData");
   * const f = fs.openAppendSync("/aof");
   * try { f.syncDataSync(); } catch (e) { (e as { code: string }).code; } // "EIO"
   * ```
   */
  failNext(kind: FaultKind, error?: Error): void {
    this.faults.add({ test: (t) => t.kind === kind, error, once: true });
  }

  /**
   * Make every operation matching `predicate` throw (default: `EIO`) until the returned function
   * is called.
   *
   * @example
   * ```ts
   * import { CrashFs } from "@kevy/persist/testing";
   * const fs = new CrashFs();
   * const stop = fs.failOn((op) => op.kind === "write" && op.path.endsWith(".aof"));
   * stop();
   * ```
   */
  failOn(predicate: (op: FaultTarget) => boolean, error?: Error): () => void {
    return this.faults.add({ test: predicate, error, once: false });
  }

  // ---- FsAdapter (sync core; async methods delegate) ----

  /** See {@link FsAdapter.readFileSync}. */
  readFileSync(path: string): Uint8Array {
    return this.tree.fileAt(path, this.hooks).cur.view().slice();
  }
  /** See {@link FsAdapter.readFile}. */
  readFile(path: string): Promise<Uint8Array> {
    return later(() => this.readFileSync(path));
  }
  /** See {@link FsAdapter.readChunksSync}. Chunks come from the content as it was when called. */
  *readChunksSync(path: string, chunkSize = 1 << 20): Iterable<Uint8Array> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    }
    const bytes = this.tree.fileAt(path, this.hooks).cur.view();
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.slice(i, i + chunkSize);
  }
  /** See {@link FsAdapter.readChunks}. */
  async *readChunks(path: string, chunkSize?: number): AsyncIterable<Uint8Array> {
    yield* this.readChunksSync(path, chunkSize);
  }
  /** See {@link FsAdapter.openAppendSync}. */
  openAppendSync(path: string): WritableFile {
    return this.open(path, true, false);
  }
  /** See {@link FsAdapter.openAppend}. */
  openAppend(path: string): Promise<WritableFile> {
    return later(() => this.openAppendSync(path));
  }
  /** See {@link FsAdapter.openWriteSync}. */
  openWriteSync(path: string, options?: OpenWriteOptions): WritableFile {
    return this.open(path, false, options?.exclusive === true);
  }
  /** See {@link FsAdapter.openWrite}. */
  openWrite(path: string, options?: OpenWriteOptions): Promise<WritableFile> {
    return later(() => this.openWriteSync(path, options));
  }
  /** See {@link FsAdapter.renameSync}. */
  renameSync(from: string, to: string): void {
    this.tree.rename(from, to, this.hooks);
  }
  /** See {@link FsAdapter.rename}. */
  rename(from: string, to: string): Promise<void> {
    return later(() => this.renameSync(from, to));
  }
  /** See {@link FsAdapter.removeSync}. */
  removeSync(path: string): void {
    this.tree.remove(path, this.hooks);
  }
  /** See {@link FsAdapter.remove}. */
  remove(path: string): Promise<void> {
    return later(() => this.removeSync(path));
  }
  /** See {@link FsAdapter.statSync}. */
  statSync(path: string): FileInfo | null {
    return this.tree.stat(path);
  }
  /** See {@link FsAdapter.stat}. */
  stat(path: string): Promise<FileInfo | null> {
    return later(() => this.statSync(path));
  }
  /** See {@link FsAdapter.readDirSync}. Entries are sorted by name. */
  readDirSync(path: string): DirEntry[] {
    return this.tree.readDir(path);
  }
  /** See {@link FsAdapter.readDir}. */
  readDir(path: string): Promise<DirEntry[]> {
    return later(() => this.readDirSync(path));
  }
  /** See {@link FsAdapter.mkdirSync}. Records one `mkdir` op per directory created. */
  mkdirSync(path: string): void {
    this.tree.mkdir(path, this.hooks);
  }
  /** See {@link FsAdapter.mkdir}. */
  mkdir(path: string): Promise<void> {
    return later(() => this.mkdirSync(path));
  }
  /** See {@link FsAdapter.syncDirSync}: makes the directory's current entries durable. */
  syncDirSync(path: string): void {
    this.tree.syncDir(path, this.hooks);
  }
  /** See {@link FsAdapter.syncDir}. */
  syncDir(path: string): Promise<void> {
    return later(() => this.syncDirSync(path));
  }

  // ---- internals ----

  /** Open (creating or truncating) a file; records create/truncate. */
  private open(path: string, append: boolean, exclusive: boolean): WritableFile {
    const opened = this.tree.open(path, append, exclusive, this.hooks);
    return crashHandle(opened.file, opened.path, append, this.hooks);
  }

  /** Append an op to the log and snapshot the state after it. */
  private record(op: Omit<CrashOp, "index">): void {
    this.log.push({ index: this.log.length + 1, ...op });
    this.history.push(copyState(this.tree.state));
  }

  /** A fully durable image made of `tree`. */
  private static image(tree: CrashTree, variant: CrashVariant): CrashFs {
    const fs = new CrashFs();
    fs.variant = variant;
    fs.tree = tree;
    fs.history = [copyState(tree.state)];
    return fs;
  }
}
