// Internals of CrashFs: the node/state model, path normalisation, handles, image contents.
import type { Content } from "./_crash_content.ts";
import type { CrashOp, CrashVariant, FaultKind, FaultTarget } from "./crash_types.ts";
import type { WritableFile } from "./types.ts";

export type Pick = "dur" | "cur";
export type Fill = "dur" | "cur" | "torn" | "zeros";
export const RECIPES: Record<CrashVariant, [Pick, Fill]> = {
  lost: ["dur", "dur"],
  flushed: ["cur", "cur"],
  torn: ["cur", "torn"],
  "torn-zeros": ["cur", "zeros"],
  "data-lost": ["cur", "dur"],
  "dirs-lost": ["dur", "cur"],
  "dirs-lost-torn": ["dur", "torn"],
};

export interface FileNode {
  kind: "file";
  cur: Content;
  dur: Content;
}
export interface DirNode {
  kind: "dir";
  cur: Map<string, number>;
  dur: Map<string, number>;
}
export type Node = FileNode | DirNode;
export type State = Map<number, Node>;

/** An error with a Node-style `code`, like the real adapters throw. */
export function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

/** Normalise to an absolute path's components ("a/b" is taken as "/a/b"). */
export function parts(path: string): string[] {
  const out: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return out;
}

export const ROOT = 0;
export const abs = (ps: string[]): string => "/" + ps.join("/");
export const copyState = (s: State): State => {
  const out: State = new Map();
  for (const [id, n] of s) {
    out.set(
      id,
      n.kind === "file" ? { ...n } : { kind: "dir", cur: new Map(n.cur), dur: new Map(n.dur) },
    );
  }
  return out;
};

/** Run a synchronous body as a Promise (errors become rejections). */
export function later<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The WritableFile of a CrashFs file node. */
export function crashHandle(
  file: FileNode,
  path: string,
  append: boolean,
  hooks: { fault(t: FaultTarget): void; record(op: Omit<CrashOp, "index">): void },
): WritableFile {
  let pos = 0;
  let closed = false;
  const live = (kind: FaultKind): void => {
    if (closed) throw fsError("EBADF", kind, path);
    hooks.fault({ kind, path });
  };
  const write = (data: Uint8Array): void => {
    live("write");
    const offset = append ? file.cur.length : pos;
    file.cur = file.cur.writeAt(offset, data);
    pos = offset + data.length;
    if (data.length > 0) hooks.record({ kind: "write", path, offset, length: data.length });
  };
  const sync = (kind: "sync" | "syncData") => (): void => {
    live(kind);
    file.dur = file.cur;
    hooks.record({ kind, path });
  };
  const truncate = (length: number): void => {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`length must be a non-negative integer, got ${length}`);
    }
    live("truncate");
    file.cur = file.cur.resize(length); // like ftruncate, the write position is unchanged
    hooks.record({ kind: "truncate", path, length });
  };
  const close = (): void => {
    if (closed) throw fsError("EBADF", "close", path);
    closed = true;
  };
  const syncData = sync("syncData");
  const syncFull = sync("sync");
  return {
    write: (data) => later(() => write(data)),
    writeSync: write,
    syncData: () => later(() => syncData()),
    syncDataSync: syncData,
    sync: () => later(() => syncFull()),
    syncSync: syncFull,
    truncate: (length) => later(() => truncate(length)),
    truncateSync: truncate,
    close: () => later(() => close()),
    closeSync: close,
  };
}

export function contentFor(n: FileNode, fill: Fill): Content {
  if (fill === "dur") return n.dur;
  if (fill === "cur") return n.cur;
  const p = n.dur.commonPrefix(n.cur);
  const torn = n.cur.resize(p + Math.floor((n.cur.length - p) / 2));
  return fill === "torn" ? torn : torn.resize(n.cur.length);
}
