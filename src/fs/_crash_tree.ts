// The directory tree behind CrashFs: nodes by id with current and durable entries/contents, path
// resolution and the entry operations (open, rename, remove, mkdir, syncDir, stat, readDir).
// Fault injection and op recording stay with CrashFs, reached through hooks.
import { Content, digest } from "./_crash_content.ts";
import {
  abs,
  copyState,
  type DirNode,
  type FileNode,
  fsError,
  type Node,
  parts,
  ROOT,
  type State,
} from "./_crash_state.ts";
import type { CrashOp, FaultTarget } from "./crash_types.ts";
import type { DirEntry, FileInfo } from "./types.ts";

/** What an operation tells its CrashFs: `fault` before it takes effect, `record` after. */
export interface TreeHooks {
  fault(t: FaultTarget): void;
  record(op: Omit<CrashOp, "index">): void;
}

const byName = ([a]: [string, number], [b]: [string, number]): number => a < b ? -1 : a > b ? 1 : 0;

/** The nodes of one filesystem (ids from `nextId` up; the root is {@link ROOT}). */
export class CrashTree {
  constructor(
    readonly state: State = new Map([[ROOT, { kind: "dir", cur: new Map(), dur: new Map() }]]),
    private nextId = 1,
  ) {}

  /** An independent copy (same ids). */
  copy(): CrashTree {
    return new CrashTree(copyState(this.state), this.nextId);
  }

  /** Make every current content and entry durable. */
  makeDurable(): void {
    for (const n of this.state.values()) {
      if (n.kind === "file") n.dur = n.cur;
      else n.dur = new Map(n.cur);
    }
  }

  /** Register a new node; returns its id. */
  add(n: Node): number {
    const id = this.nextId++;
    this.state.set(id, n);
    return id;
  }

  /** The node with this id. */
  node(id: number): Node {
    return this.state.get(id)!;
  }

  /** Resolve path components through current entries. */
  lookup(ps: string[]): number | undefined {
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
  parentOf(path: string, syscall: string): { dir: DirNode; name: string; path: string } {
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

  /** The file node at a path (for reads; faults as `read`). */
  fileAt(path: string, hooks: TreeHooks): FileNode {
    const full = abs(parts(path));
    hooks.fault({ kind: "read", path: full });
    const id = this.lookup(parts(path));
    if (id === undefined) throw fsError("ENOENT", "open", full);
    const n = this.node(id);
    if (n.kind !== "file") throw fsError("EISDIR", "read", full);
    return n;
  }

  /** The directory node at a path. */
  dirAt(path: string, syscall: string): DirNode {
    const id = this.lookup(parts(path));
    if (id === undefined) throw fsError("ENOENT", syscall, abs(parts(path)));
    const n = this.node(id);
    if (n.kind !== "dir") throw fsError("ENOTDIR", syscall, abs(parts(path)));
    return n;
  }

  /** Open (creating or truncating) a file; records create/truncate. */
  open(
    path: string,
    append: boolean,
    exclusive: boolean,
    hooks: TreeHooks,
  ): { file: FileNode; path: string } {
    const p = this.parentOf(path, "open");
    hooks.fault({ kind: "open", path: p.path });
    let id = p.dir.cur.get(p.name);
    if (id !== undefined) {
      const n = this.node(id);
      if (n.kind === "dir") throw fsError("EISDIR", "open", p.path);
      if (exclusive) throw fsError("EEXIST", "open", p.path);
      if (!append) {
        n.cur = Content.empty();
        hooks.record({ kind: "truncate", path: p.path, length: 0 });
      }
    } else {
      id = this.add({ kind: "file", cur: Content.empty(), dur: Content.empty() });
      p.dir.cur.set(p.name, id);
      hooks.record({ kind: "create", path: p.path });
    }
    return { file: this.node(id) as FileNode, path: p.path };
  }

  /** `rename(2)` of current entries. */
  rename(from: string, to: string, hooks: TreeHooks): void {
    const src = this.parentOf(from, "rename");
    const dst = this.parentOf(to, "rename");
    hooks.fault({ kind: "rename", path: src.path, to: dst.path });
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
    hooks.record({ kind: "rename", path: src.path, to: dst.path });
  }

  /** `unlink(2)` of a file's current entry. */
  remove(path: string, hooks: TreeHooks): void {
    const p = this.parentOf(path, "unlink");
    hooks.fault({ kind: "remove", path: p.path });
    const id = p.dir.cur.get(p.name);
    if (id === undefined) throw fsError("ENOENT", "unlink", p.path);
    if (this.node(id).kind === "dir") throw fsError("EISDIR", "unlink", p.path);
    p.dir.cur.delete(p.name);
    hooks.record({ kind: "remove", path: p.path });
  }

  /** Size and kind of the current entry at a path, or `null`. */
  stat(path: string): FileInfo | null {
    const id = this.lookup(parts(path));
    if (id === undefined) return null;
    const n = this.node(id);
    return n.kind === "file"
      ? { size: n.cur.length, isFile: true, isDirectory: false }
      : { size: 0, isFile: false, isDirectory: true };
  }

  /** Current entries of a directory, sorted by name. */
  readDir(path: string): DirEntry[] {
    const dir = this.dirAt(path, "scandir");
    return [...dir.cur].sort(byName).map(([name, id]) => {
      const isFile = this.node(id).kind === "file";
      return { name, isFile, isDirectory: !isFile };
    });
  }

  /** `mkdir -p`; records one `mkdir` op per directory created. */
  mkdir(path: string, hooks: TreeHooks): void {
    const ps = parts(path);
    hooks.fault({ kind: "mkdir", path: abs(ps) });
    let dir = this.node(ROOT) as DirNode;
    for (let i = 0; i < ps.length; i++) {
      const name = ps[i]!;
      const id = dir.cur.get(name);
      if (id === undefined) {
        const child: DirNode = { kind: "dir", cur: new Map(), dur: new Map() };
        dir.cur.set(name, this.add(child));
        hooks.record({ kind: "mkdir", path: abs(ps.slice(0, i + 1)) });
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

  /** Makes a directory's current entries durable. */
  syncDir(path: string, hooks: TreeHooks): void {
    const dir = this.dirAt(path, "fsync");
    hooks.fault({ kind: "syncDir", path: abs(parts(path)) });
    dir.dur = new Map(dir.cur);
    hooks.record({ kind: "syncDir", path: abs(parts(path)) });
  }

  /** Visit every current entry, depth-first, sorted by name. */
  walk(visit: (path: string, n: Node) => void): void {
    const go = (dir: DirNode, prefix: string): void => {
      for (const [name, id] of [...dir.cur].sort(byName)) {
        const n = this.node(id);
        const path = `${prefix}/${name}`;
        visit(path, n);
        if (n.kind === "dir") go(n, path);
      }
    };
    go(this.node(ROOT) as DirNode, "");
  }

  /** A digest of the whole tree, to de-duplicate images. */
  signature(): string {
    const out: string[] = [];
    this.walk((path, n) =>
      out.push(n.kind === "dir" ? `${path}/` : `${path}=${digest(n.cur.view())}`)
    );
    return out.join("\n");
  }
}
