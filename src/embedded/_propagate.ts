// What a successful command appends to its shard's AOF: the frames its row of
// the command table (src/store/commands.ts) asks for, normalised so that
// kevy v1.17's embedded replay dispatcher (FORMATS.md §3.5) and ours both
// reproduce them deterministically, whatever the clock says at replay time:
//
// - relative or optional TTLs become `SET k v` + `PEXPIREAT k <abs ms>`
//   (kevy's replay ignores SET options and reads EXPIRE as relative to replay);
// - commands with a random or state-dependent effect log what happened
//   (SPOP -> SREM of the popped members, ZADD GT/LT/INCR/NX/XX -> plain ZADD of
//   the scores that changed, ZINCRBY -> ZADD, LMOVE -> pop + push);
// - verbs kevy's replay does not know (MSET, RENAME, SETRANGE, ...) log the
//   resulting state of their keys ("image": DEL + rebuild + PEXPIREAT);
// - no-ops (DEL of missing keys, SET NX that lost, SADD of present members)
//   and failed commands log nothing.
//
// This file only supplies the image: a key's state as the rewrite encodes it.
import type { Store } from "../store/store.ts";
import { type Command, commandFrames, type Frame } from "../store/commands.ts";
import type { Reply } from "../store/apply.ts";
import { entryToCommands } from "../persist/rewrite_commands.ts";

export type { Frame } from "../store/commands.ts";

const DEL = new TextEncoder().encode("DEL");

/** The key's full state as frames: DEL when gone, else rebuild (+ PEXPIREAT). */
export function image(store: Store, key: Uint8Array): Frame[] {
  const e = store.getEntry(key);
  if (e === null) return [[DEL, key]];
  const cmds = entryToCommands(e);
  return e.value.type === "string" ? cmds : [[DEL, key], ...cmds];
}

/** Frames to log for `cmd` that succeeded with `reply`; `pre` is what its row captured before. */
export function propagate(
  cmd: Command,
  argv: Uint8Array[],
  reply: Reply,
  store: Store,
  pre: unknown,
): Frame[] {
  return commandFrames(cmd, argv, reply, store, pre, image);
}
