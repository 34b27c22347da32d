/**
 * Parse-only replay: the same streaming scan as
 * `replayAof` (one frame scanner, every format, v2 CRCs, transactions whole
 * or not at all, the same torn-tail and corruption rules and errors), but
 * each frame is handed over as offsets in a reused {@link FrameCursor}
 * instead of an argv of views, so nothing is allocated per frame. For code
 * that only looks at a few bytes of each frame (counting, routing by key,
 * checking a log); `replayAof` hands each frame over as an argv of views.
 *
 * @module
 */
import type { FrameCursor } from "../codec/resp_cursor.ts";
import type { ReplayOptions, ReplayStats } from "./replay.ts";
import { scanAof, scanAofSync } from "./_aof_scan_file.ts";

/**
 * Gets each frame: `frame.buf[frame.start[i], + frame.len[i])` is argument
 * `i` (`frame.arg(i)` / `frame.argv()` make views). Valid only during the
 * call: copy what you keep.
 */
export type FrameVisitor = (frame: FrameCursor, offset: number) => void;

/**
 * Streams `path` and hands every command frame to `visit` (group markers go
 * to `opts.onGroupMarker` as in `replayAof`; `onUnknown` does not apply:
 * nothing is applied). Resolves with the same stats `replayAof` would give,
 * rejects with the same `CorruptFileError`.
 *
 * @example
 * ```ts
 * import { replayAofFrames } from "@kevy/persist/persist";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * fs.writeFileDurable("/a.aof", new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * let verbBytes = 0;
 * const stats = await replayAofFrames("/a.aof", (f) => void (verbBytes += f.len[0]!), { fs });
 * stats.frames; // 1
 * verbBytes; // 4
 * ```
 */
export async function replayAofFrames(
  path: string,
  visit: FrameVisitor,
  opts: ReplayOptions = {},
): Promise<ReplayStats> {
  return (await scanAof(path, { visit }, opts)).stats;
}

/**
 * Blocking {@link replayAofFrames}.
 *
 * @example
 * ```ts
 * import { replayAofFramesSync } from "@kevy/persist/persist";
 * import { CrashFs } from "@kevy/persist/testing";
 * const fs = new CrashFs();
 * fs.writeFileDurable("/a.aof", new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * replayAofFramesSync("/a.aof", () => {}, { fs }).frames; // 1
 * ```
 */
export function replayAofFramesSync(
  path: string,
  visit: FrameVisitor,
  opts: ReplayOptions = {},
): ReplayStats {
  return scanAofSync(path, { visit }, opts).stats;
}
