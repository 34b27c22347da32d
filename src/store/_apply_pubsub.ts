/**
 * PUBLISH and PUBSUB. The keyspace has no subscribers: here PUBLISH reaches
 * nobody (0) and PUBSUB reports none. The embedded store answers them from
 * its own pub/sub (rows flagged `pubsub` are routed there).
 *
 * @module
 */
import { fail, type Reply, upper } from "./_apply_common.ts";
import { type CommandSpec, NO_KEYS } from "./_command.ts";

function pubsub(_c: unknown, a: Uint8Array[]): Reply {
  const sub = upper(a[1]!);
  if (sub === "CHANNELS" && a.length <= 3) return [];
  if (sub === "NUMSUB") return a.slice(2).flatMap((ch) => [ch, 0]);
  if ((sub === "NUMPAT" || sub === "SHARDNUMSUB") && a.length === 2) return 0;
  return fail(
    `ERR unknown subcommand or wrong number of arguments for '${
      new TextDecoder().decode(a[1]!)
    }'. Try PUBSUB HELP.`,
  );
}

/** Pub/sub rows. */
export const PUBSUB_COMMANDS: CommandSpec[] = [
  { name: "publish", arity: 3, flags: "readonly fast pubsub", keys: NO_KEYS, fn: () => 0 },
  { name: "pubsub", arity: -2, flags: "readonly pubsub", keys: NO_KEYS, fn: pubsub },
];
