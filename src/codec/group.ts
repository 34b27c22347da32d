/**
 * Group markers: how a multi-key write split across shards is logged so that
 * after any crash it is applied on every shard or on none. Each participating
 * shard's log gets `MULTI <gid> <shards> <frames>`, that shard's frames, and —
 * only once every participant's part is durable — `EXEC <gid>`. The ids and
 * counts let recovery tell a complete group from one cut short by a crash.
 *
 * kevy 1.17 ignores MULTI/EXEC in its logs (unknown verbs), so these logs stay
 * readable there; a plain Redis `MULTI` (no arguments) is not a marker.
 *
 * @module
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A decoded marker. */
export type GroupMarker =
  | { kind: "begin"; gid: string; shards: number[]; frames: number }
  | { kind: "end"; gid: string };

/**
 * The `MULTI <gid> <shards> <frames>` frame that opens shard's part of group `gid`.
 *
 * @example
 * ```ts
 * import { groupBegin } from "@kevy/persist/codec";
 * groupBegin("g1", [0, 2], 1).map((b) => new TextDecoder().decode(b)); // ["MULTI", "g1", "0,2", "1"]
 * ```
 */
export function groupBegin(gid: string, shards: readonly number[], frames: number): Uint8Array[] {
  return [
    enc.encode("MULTI"),
    enc.encode(gid),
    enc.encode(shards.join(",")),
    enc.encode(String(frames)),
  ];
}

/**
 * The `EXEC <gid>` frame: every participant's part of `gid` was durable.
 *
 * @example
 * ```ts
 * import { groupEnd } from "@kevy/persist/codec";
 * groupEnd("g1").length; // 2
 * ```
 */
export function groupEnd(gid: string): Uint8Array[] {
  return [enc.encode("EXEC"), enc.encode(gid)];
}

function isWord(a: Uint8Array, w: string): boolean {
  if (a.length !== w.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i]! | 0x20) !== w.charCodeAt(i)) return false;
  return true;
}

/**
 * The marker `argv` is, or null for any other frame (cheap for ordinary frames).
 *
 * @example
 * ```ts
 * import { groupBegin, parseGroupMarker } from "@kevy/persist/codec";
 * parseGroupMarker(groupBegin("g1", [0, 1], 2)); // { kind: "begin", gid: "g1", shards: [0, 1], frames: 2 }
 * ```
 */
export function parseGroupMarker(argv: readonly Uint8Array[]): GroupMarker | null {
  const n = argv.length;
  if (n !== 4 && n !== 2) return null;
  const v = argv[0]!;
  if (n === 4 && isWord(v, "multi")) {
    const shards = dec.decode(argv[2]!).split(",").map(Number);
    const frames = Number(dec.decode(argv[3]!));
    if (!shards.every((s) => Number.isSafeInteger(s) && s >= 0) || !Number.isSafeInteger(frames)) {
      return null;
    }
    return { kind: "begin", gid: dec.decode(argv[1]!), shards, frames };
  }
  if (n === 2 && isWord(v, "exec")) return { kind: "end", gid: dec.decode(argv[1]!) };
  return null;
}
