// `kevy-persist reshard <dir> --shards N [--routing kevyhash|slots]`.
import { ensureLayout } from "../shard/layout.ts";
import { dirLockHolder } from "../embedded/lock.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, InputError, UsageError } from "./_io.ts";
import { resolveTarget } from "./_target.ts";

const DESCRIPTION =
  `Moves a kevy data dir to N shards through the crash-safe re-shard engine: new snapshots are
written to temps, a durable journal is the commit point, and every source file is kept as
<name>.premigration.<stamp>. An interrupted re-shard is rolled forward first. The dir must not
be open in a running store. A source AOF command this tool cannot apply stops the re-shard
before anything changes (exit 1, with the verb, the file and the byte offset); --skip-unknown
leaves such commands out.`;

/** The reshard subcommand. */
export const reshardCommand: Command = defineCommand({
  name: "reshard",
  summary: "change the shard count or routing of a data dir, crash-safely",
  args: ["dir"],
  options: {
    shards: { type: "string", short: "n", value: "N", help: "the new shard count (required)" },
    routing: {
      type: "string",
      choices: ["kevyhash", "slots"],
      default: "kevyhash",
      help: "key routing of the new layout",
    },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
  },
  description: DESCRIPTION,
  examples: ["kevy-persist reshard ./kevy-data --shards 4 --routing slots"],
  exitCodes: "0 ok, 1 corrupt source or unsupported command, 2 usage, 3 unreadable input.",
  async run({ args: [dir], options }, ctx) {
    const shardsText = options.shards;
    if (shardsText === undefined) throw new UsageError("--shards N is required");
    if (!/^[1-9]\d{0,3}$/.test(shardsText)) {
      throw new UsageError(`--shards must be an integer from 1 to 9999, got ${shardsText}`);
    }
    const routing = options.routing === "slots" ? "slots" : "kevyhash";
    const target = await resolveTarget(ctx.fs, dir!);
    if (target.type !== "kevy-dir") throw new InputError(`${dir}: not a kevy data dir`);
    const holder = await dirLockHolder(dir!, { fs: ctx.fs });
    if (holder !== null) {
      throw new InputError(
        `${dir}: open in a running store (${holder.path}: pid ${holder.pid} on ${holder.host}): close it first`,
      );
    }
    const result = await ensureLayout(dir!, { n: Number(shardsText), routing }, undefined, {
      fs: ctx.fs,
      now: ctx.now,
      onUnknown: options["skip-unknown"] ? "skip" : "error",
    });
    ctx.io.out(
      options.json
        ? JSON.stringify(result, (_k, v) => typeof v === "bigint" ? String(v) : v) + "\n"
        : `${dir}: ${describe(result)}\n`,
    );
    return EXIT.ok;
  },
});

function describe(
  r: {
    action: string;
    from?: { n: number; routing: string } | undefined;
    to: { n: number; routing: string };
  },
): string {
  const to = `${r.to.n} shard(s), ${r.to.routing}`;
  if (r.action === "resharded" && r.from) {
    return `re-sharded from ${r.from.n} shard(s), ${r.from.routing} to ${to}; sources kept as *.premigration.<stamp>`;
  }
  return r.action === "none" ? `already ${to}; nothing to do` : `layout recorded: ${to}`;
}
