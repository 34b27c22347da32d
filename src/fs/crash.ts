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
 * import { CrashFs } from "./crash.ts";
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
import { Content, digest } from "./_crash_content.ts";
import {
  abs,
  contentFor,
  copyState,
  crashHandle,
  type DirNode,
  type Fault,
  type FileNode,
  type Fill,
  fsError,
  later,
  type Node,
  parts,
  type Pick,
  RECIPES,
  ROOT,
  type State,
} from "./_crash_state.ts";
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
 * import { CrashFs } from "./crash.ts";
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
  private state: State = new Map([[ROOT, { kind: "dir", cur: new Map(), dur: new Map() }]]);
  private nextId = 1;
  private log: CrashOp[] = [];
  private history: State[] = [];
  private faults: Fault[] = [];
  private seeding = false;

  /**
   * An empty filesystem (just "/"), recording from the start.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * fs.mkdirSync("/data");
   * ```
   */
  constructor() {
    this.history = [copyState(this.state)];
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
   * import { CrashFs } from "./crash.ts";
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
   * import { CrashFs } from "./crash.ts";
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
    const wanted = options.variants ?? CRASH_VARIANTS;
    const seen = new Set<string>();
    const out: CrashFs[] = [];
    for (const variant of CRASH_VARIANTS) {
      if (!wanted.includes(variant)) continue;
      const image = CrashFs.image(state, RECIPES[variant], variant);
      const sig = image.signature();
      if (seen.has(sig)) continue;
      seen.add(sig);
      out.push(image);
    }
    return out;
  }

  /**
   * Make everything durable (as after a clean shutdown) and clear the recorded ops: crash points
   * count from here.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * fs.mkdirSync("/db");
   * fs.checkpoint();
   * fs.ops.length; // 0
   * ```
   */
  checkpoint(): void {
    for (const n of this.state.values()) {
      if (n.kind === "file") n.dur = n.cur;
      else n.dur = new Map(n.cur);
    }
    this.log = [];
    this.history = [copyState(this.state)];
  }

  /**
   * Seed a file (creating parent dirs) and make everything durable; clears the recorded ops
   * (see {@link checkpoint}). Not subject to fault injection.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * fs.writeFileDurable("/db/shards.meta", new TextEncoder().encode("v1"));
   * ```
   */
  writeFileDurable(path: string, bytes: Uint8Array): void {
    this.seeding = true;
    try {
      const ps = parts(path);
      this.mkdirSync(abs(ps.slice(0, -1)));
      const f = this.openWriteSync(path);
      f.writeSync(bytes);
      f.closeSync();
    } finally {
      this.seeding = false;
    }
    this.checkpoint();
  }

  /**
   * A copy of this filesystem's state (current and durable), with an empty op log and no faults.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const a = new CrashFs();
   * const b = a.clone();
   * b.mkdirSync("/only-in-b");
   * ```
   */
  clone(): CrashFs {
    const fs = new CrashFs();
    fs.state = copyState(this.state);
    fs.nextId = this.nextId;
    fs.history = [copyState(fs.state)];
    return fs;
  }

  /**
   * Current contents of every file, by absolute path, sorted by path (copies).
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * fs.writeFileDurable("/a", new Uint8Array([1]));
   * fs.snapshotFiles(); // Map { "/a" => Uint8Array [1] }
   * ```
   */
  snapshotFiles(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    this.walk((path, n) => {
      if (n.kind === "file") out.set(path, n.cur.view().slice());
    });
    return out;
  }

  /**
   * Make the next operation of `kind` throw (default: an `EIO` error) without taking effect.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * fs.failNext("syncData");
   * const f = fs.openAppendSync("/aof");
   * try { f.syncDataSync(); } catch (e) { (e as { code: string }).code; } // "EIO"
   * ```
   */
  failNext(kind: FaultKind, error?: Error): void {
    this.faults.push({ test: (t) => t.kind === kind, error, once: true });
  }

  /**
   * Make every operation matching `predicate` throw (default: `EIO`) until the returned function
   * is called.
   *
   * @example
   * ```ts
   * import { CrashFs } from "./crash.ts";
   * const fs = new CrashFs();
   * const stop = fs.failOn((op) => op.kind === "write" && op.path.endsWith(".aof"));
   * stop();
   * ```
   */
  failOn(predicate: (op: FaultTarget) => boolean, error?: Error): () => void {
    const fault: Fault = { test: predicate, error, once: false };
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  // ---- FsAdapter (sync core; async methods delegate) ----

  /** See {@link FsAdapter.readFileSync}. */
  readFileSync(path: string): Uint8Array {
    return this.fileAt(path, "read").cur.view().slice();
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
    const bytes = this.fileAt(path, "read").cur.view();
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
    const src = this.parentOf(from, "rename");
    const dst = this.parentOf(to, "rename");
    this.fault({ kind: "rename", path: src.path, to: dst.path });
    const id = src.dir.cur.get(src.name);
    if (id === undefined) throw fsError("ENOENT", "rename", src.path);
    if (src.path === dst.path) return;
    const node = this.node(id);
    const existing = dst.dir.cur.get(dst.name);
    if (existing !== undefined) {
      const e = this.node(existing);
      if (node.kind === "file" && e.kind === "dir") throw fsError("EISDIR", "rename", dst.path);
      if (node.kind === "dir" && e.kind === "file") throw fsError("ENOTDIR", "rename", dst.path);
      if (e.kind === "dir" && e.cur.size > 0) throw fsError("ENOTEMPTY", "rename", dst.path);
    }
    if (node.kind === "dir" && dst.path.startsWith(src.path + "/")) {
      throw fsError("EINVAL", "rename", dst.path);
    }
    dst.dir.cur.set(dst.name, id);
    src.dir.cur.delete(src.name);
    this.record({ kind: "rename", path: src.path, to: dst.path });
  }
  /** See {@link FsAdapter.rename}. */
  rename(from: string, to: string): Promise<void> {
    return later(() => this.renameSync(from, to));
  }
  /** See {@link FsAdapter.removeSync}. */
  removeSync(path: string): void {
    const p = this.parentOf(path, "unlink");
    this.fault({ kind: "remove", path: p.path });
    const id = p.dir.cur.get(p.name);
    if (id === undefined) throw fsError("ENOENT", "unlink", p.path);
    if (this.node(id).kind === "dir") throw fsError("EISDIR", "unlink", p.path);
    p.dir.cur.delete(p.name);
    this.record({ kind: "remove", path: p.path });
  }
  /** See {@link FsAdapter.remove}. */
  remove(path: string): Promise<void> {
    return later(() => this.removeSync(path));
  }
  /** See {@link FsAdapter.statSync}. */
  statSync(path: string): FileInfo | null {
    const id = this.lookup(parts(path));
    if (id === undefined) return null;
    const n = this.node(id);
    return n.kind === "file"
      ? { size: n.cur.length, isFile: true, isDirectory: false }
      : { size: 0, isFile: false, isDirectory: true };
  }
  /** See {@link FsAdapter.stat}. */
  stat(path: string): Promise<FileInfo | null> {
    return later(() => this.statSync(path));
  }
  /** See {@link FsAdapter.readDirSync}. Entries are sorted by name. */
  readDirSync(path: string): DirEntry[] {
    const dir = this.dirAt(path, "scandir");
    return [...dir.cur].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, id]) => {
      const isFile = this.node(id).kind === "file";
      return { name, isFile, isDirectory: !isFile };
    });
  }
  /** See {@link FsAdapter.readDir}. */
  readDir(path: string): Promise<DirEntry[]> {
    return later(() => this.readDirSync(path));
  }
  /** See {@link FsAdapter.mkdirSync}. Records one `mkdir` op per directory created. */
  mkdirSync(path: string): void {
    const ps = parts(path);
    this.fault({ kind: "mkdir", path: abs(ps) });
    let dir = this.node(ROOT) as DirNode;
    for (let i = 0; i < ps.length; i++) {
      const name = ps[i]!;
      const id = dir.cur.get(name);
      if (id === undefined) {
        const child: DirNode = { kind: "dir", cur: new Map(), dur: new Map() };
        dir.cur.set(name, this.add(child));
        this.record({ kind: "mkdir", path: abs(ps.slice(0, i + 1)) });
        dir = child;
      } else {
        const n = this.node(id);
        if (n.kind === "file") {
          throw fsError(i === ps.length - 1 ? "EEXIST" : "ENOTDIR", "mkdir", abs(ps));
        }
        dir = n;
      }
    }
  }
  /** See {@link FsAdapter.mkdir}. */
  mkdir(path: string): Promise<void> {
    return later(() => this.mkdirSync(path));
  }
  /** See {@link FsAdapter.syncDirSync}: makes the directory's current entries durable. */
  syncDirSync(path: string): void {
    const dir = this.dirAt(path, "fsync");
    this.fault({ kind: "syncDir", path: abs(parts(path)) });
    dir.dur = new Map(dir.cur);
    this.record({ kind: "syncDir", path: abs(parts(path)) });
  }
  /** See {@link FsAdapter.syncDir}. */
  syncDir(path: string): Promise<void> {
    return later(() => this.syncDirSync(path));
  }

  // ---- internals ----

  /** Open (creating or truncating) a file; records create/truncate. */
  private open(path: string, append: boolean, exclusive: boolean): WritableFile {
    const p = this.parentOf(path, "open");
    this.fault({ kind: "open", path: p.path });
    let id = p.dir.cur.get(p.name);
    if (id !== undefined) {
      const n = this.node(id);
      if (n.kind === "dir") throw fsError("EISDIR", "open", p.path);
      if (exclusive) throw fsError("EEXIST", "open", p.path);
      if (!append) {
        n.cur = Content.empty();
        this.record({ kind: "truncate", path: p.path, length: 0 });
      }
    } else {
      id = this.add({ kind: "file", cur: Content.empty(), dur: Content.empty() });
      p.dir.cur.set(p.name, id);
      this.record({ kind: "create", path: p.path });
    }
    return this.handle(id, p.path, append);
  }

  /** The WritableFile for a file node. */
  private handle(id: number, path: string, append: boolean): WritableFile {
    return crashHandle(this.node(id) as FileNode, path, append, {
      fault: (t) => this.fault(t),
      record: (op) => this.record(op),
    });
  }

  /** Throw if an injected fault matches `target`. */
  private fault(target: FaultTarget): void {
    if (this.seeding) return;
    const f = this.faults.find((x) => x.test(target));
    if (f === undefined) return;
    if (f.once) this.faults = this.faults.filter((x) => x !== f);
    throw typeof f.error === "function"
      ? f.error()
      : f.error ?? fsError("EIO", target.kind, target.path);
  }

  /** Append an op to the log and snapshot the state after it. */
  private record(op: Omit<CrashOp, "index">): void {
    this.log.push({ index: this.log.length + 1, ...op });
    this.history.push(copyState(this.state));
  }

  /** Register a new node; returns its id. */
  private add(n: Node): number {
    const id = this.nextId++;
    this.state.set(id, n);
    return id;
  }

  /** The node with this id. */
  private node(id: number): Node {
    return this.state.get(id)!;
  }

  /** Resolve path components through current entries. */
  private lookup(ps: string[]): number | undefined {
    let id = ROOT;
    for (const name of ps) {
      const n = this.node(id);
      if (n.kind !== "dir") return undefined;
      const next = n.cur.get(name);
      if (next === undefined) return undefined;
      id = next;
    }
    return id;
  }

  /** The existing parent directory and base name of a path. */
  private parentOf(path: string, syscall: string): { dir: DirNode; name: string; path: string } {
    const ps = parts(path);
    const name = ps.pop();
    if (name === undefined) throw fsError("EISDIR", syscall, "/");
    const full = abs([...ps, name]);
    const id = this.lookup(ps);
    if (id === undefined) throw fsError("ENOENT", syscall, full);
    const dir = this.node(id);
    if (dir.kind !== "dir") throw fsError("ENOTDIR", syscall, full);
    return { dir, name, path: full };
  }

  /** The file node at a path (for reads). */
  private fileAt(path: string, kind: "read"): FileNode {
    const full = abs(parts(path));
    this.fault({ kind, path: full });
    const id = this.lookup(parts(path));
    if (id === undefined) throw fsError("ENOENT", "open", full);
    const n = this.node(id);
    if (n.kind !== "file") throw fsError("EISDIR", "read", full);
    return n;
  }

  /** The directory node at a path. */
  private dirAt(path: string, syscall: string): DirNode {
    const id = this.lookup(parts(path));
    if (id === undefined) throw fsError("ENOENT", syscall, abs(parts(path)));
    const n = this.node(id);
    if (n.kind !== "dir") throw fsError("ENOTDIR", syscall, abs(parts(path)));
    return n;
  }

  /** Visit every current entry, depth-first, sorted by name. */
  private walk(visit: (path: string, n: Node) => void): void {
    const go = (dir: DirNode, prefix: string): void => {
      for (const [name, id] of [...dir.cur].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const n = this.node(id);
        const path = `${prefix}/${name}`;
        visit(path, n);
        if (n.kind === "dir") go(n, path);
      }
    };
    go(this.node(ROOT) as DirNode, "");
  }

  /** A digest of the whole tree, to de-duplicate images. */
  private signature(): string {
    const out: string[] = [];
    this.walk((path, n) =>
      out.push(n.kind === "dir" ? `${path}/` : `${path}=${digest(n.cur.view())}`)
    );
    return out.join("\n");
  }

  /** Build a fully durable image of `state` following a recipe. */
  private static image(state: State, [pick, fill]: [Pick, Fill], variant: CrashVariant): CrashFs {
    const fs = new CrashFs();
    fs.variant = variant;
    const copy = (src: DirNode, dst: DirNode, ancestors: Set<number>): void => {
      for (const [name, id] of src[pick]) {
        const n = state.get(id)!;
        let childId: number;
        if (n.kind === "file") {
          const c = contentFor(n, fill);
          childId = fs.add({ kind: "file", cur: c, dur: c });
        } else {
          if (ancestors.has(id)) continue; // a cycle only old/new entry mixes can form
          const d: DirNode = { kind: "dir", cur: new Map(), dur: new Map() };
          childId = fs.add(d);
          copy(n, d, new Set(ancestors).add(id));
          d.dur = new Map(d.cur);
        }
        dst.cur.set(name, childId);
      }
    };
    const root = fs.node(ROOT) as DirNode;
    copy(state.get(ROOT) as DirNode, root, new Set([ROOT]));
    root.dur = new Map(root.cur);
    fs.history = [copyState(fs.state)];
    return fs;
  }
}
