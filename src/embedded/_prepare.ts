// A command resolved before anything runs: its verb looked up once, sizes,
// arity and the connection-state commands refused, and its route to the
// shards worked out (one shard, a split, or CROSSSLOT).
import { arityOk, type Command, lookupCommand, oversizedArgument } from "../store/commands.ts";
import { CommandFailedError } from "./errors.ts";
import { type Route, route, WRONG_ARGS } from "./_split.ts";

function unknown(verb: Uint8Array): CommandFailedError {
  return new CommandFailedError(`ERR unknown command '${new TextDecoder().decode(verb)}'`, true);
}

/** A command resolved and routed, ready to apply (what a transaction queues). */
export interface Prepared {
  readonly cmd: Command;
  readonly argv: Uint8Array[];
  readonly route: Route;
}

/**
 * Resolves and routes `argv` over `shards` shards (throws unknown-command,
 * arity and CROSSSLOT errors).
 */
export function prepareCommand(
  argv: Uint8Array[],
  shards: number,
  shardOf: (key: Uint8Array) => number,
): Prepared {
  if (argv.length === 0) throw new CommandFailedError("ERR empty command");
  const cmd = lookupCommand(argv[0]!); // the verb is resolved once, here
  if (cmd === undefined) throw unknown(argv[0]!);
  const big = oversizedArgument(argv); // before any shard applies a part
  if (big !== null) throw new CommandFailedError(big);
  if (!arityOk(cmd, argv.length)) throw new CommandFailedError(WRONG_ARGS(cmd.name));
  if (cmd.transaction && cmd.name !== "select") {
    const v = cmd.name.toUpperCase();
    const use = cmd.name === "watch" || cmd.name === "unwatch" ? cmd.name : "multi";
    throw new CommandFailedError(
      `ERR ${v} is not available through command(): the store has no connection state; ` +
        `use db.${use}()`,
    );
  }
  return { cmd, argv, route: route(cmd, argv, shards, shardOf) };
}
