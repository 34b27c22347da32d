// `kevy-persist reshard <dir> --shards N [--routing kevyhash|slots]`.
import { ensureLayout } from "../shard/layout.ts";
import { expectPositionals, flagString, parseOrHelp } from "./_args.ts";
import type { Command } from "./_command.ts";
import { EXIT, UsageError } from "./_io.ts";
import { resolveTarget } from "./_target.ts";
import { InputError } from "./_io.ts";

const USAGE =
  `Usage: kevy-persist reshard <dir> --shards N [--routing kevyhash|slots] [--skip-unknown]

Moves a kevy data dir to N shards through the crash-safe re-shard engine: new snapshots are
written to temps, a durable journal is the commit point, and every source file is kept as
<name>.premigration.<stamp>. An interrupted re-shard is rolled forward first. The dir must not
be open in a running store. A source AOF command this tool cannot apply stops the re-shard
before anything changes (exit 1, with the verb, the file and the byte offset); --skip-unknown
leaves such commands out. Exit codes: 0 ok, 1 corrupt source or unsupported command, 2 usage,
3 unreadable input.
`;

/** The reshard subcommand. */
export const reshardCommand: Command = {
  name: "reshard",
  summary: "change the shard count or routing of a data dir, crash-safely",
  usage: USAGE,
  async run(argv, ctx) {
    const args = parseOrHelp(
      argv,
      { shards: "string", routing: "string", "skip-unknown": "boolean" },
      USAGE,
      ctx.io,
    );
    if (args === null) return EXIT.ok;
    const [dir] = expectPositionals(args, ["dir"]);
    const shardsText = flagString(args, "shards");
    if (shardsText === undefined) throw new UsageError("--shards N is required");
    if (!/^[1-9]\d{0,3}$/.test(shardsText)) {
      throw new UsageError(`--shards must be an integer from 1 to 9999, got ${shardsText}`);
    }
    const routing = flagString(args, "routing") ?? "kevyhash";
    if (routing !== "kevyhash" && routing !== "slots") {
      throw new UsageError(`--routing must be kevyhash or slots, got ${routing}`);
    }
    const target = await resolveTarget(ctx.fs, dir!);
    if (target.type !== "kevy-dir") throw new InputError(`${dir}: not a kevy data dir`);
    if ((await ctx.fs.stat(`${dir}/kevy.lock`)) !== null) {
      throw new InputError(`${dir}: kevy.lock present: close the store using this dir first`);
    }
    const result = await ensureLayout(dir!, { n: Number(shardsText), routing }, undefined, {
      fs: ctx.fs,
      now: ctx.now,
      onUnknown: args.flags["skip-unknown"] ? "skip" : "error",
    });
    ctx.io.out(
      args.flags.json
        ? JSON.stringify(result, (_k, v) => typeof v === "bigint" ? String(v) : v) + "\n"
        : `${dir}: ${describe(result)}\n`,
    );
    return EXIT.ok;
  },
};

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
