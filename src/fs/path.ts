/**
 * Pure helpers for "/"-separated paths, so that code above `src/fs/` never
 * imports `node:path`. POSIX paths only: Windows drive letters and `\`
 * separators are out of scope.
 *
 * @module
 */

/**
 * Join path segments with "/", collapsing duplicate separators. Empty segments are skipped;
 * a leading "/" on the first non-empty segment is kept. `.` and `..` are left as they are.
 *
 * @example
 * ```ts
 * import { joinPath } from "./path.ts";
 * joinPath("/data/", "shard-0", "aof.1"); // "/data/shard-0/aof.1"
 * ```
 */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== "");
  if (nonEmpty.length === 0) return ".";
  const joined = nonEmpty.join("/").replace(/\/{2,}/g, "/");
  return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}

/**
 * The directory part of a path: everything before the last "/" (trailing "/" ignored).
 * `"."` for a bare name, `"/"` for a child of the root.
 *
 * @example
 * ```ts
 * import { dirname } from "./path.ts";
 * dirname("/data/shard-0/aof.1"); // "/data/shard-0"
 * dirname("aof.1"); // "."
 * ```
 */
export function dirname(path: string): string {
  const p = stripTrailing(path);
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i).replace(/\/+$/, "") || "/";
}

/**
 * The last segment of a path (trailing "/" ignored).
 *
 * @example
 * ```ts
 * import { basename } from "./path.ts";
 * basename("/data/shard-0/aof.1"); // "aof.1"
 * basename("/data/"); // "data"
 * ```
 */
export function basename(path: string): string {
  const p = stripTrailing(path);
  return p.slice(p.lastIndexOf("/") + 1);
}

function stripTrailing(path: string): string {
  const p = path.replace(/\/+$/, "");
  return p === "" && path.startsWith("/") ? "/" : p;
}
