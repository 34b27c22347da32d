// `kevy-persist reshard <dir> --shards N [--routing kevyhash|slots] [--slot-ranges R|FILE|URL]`.
import { ensureLayout } from "../shard/layout.ts";
import { dirLockHolder } from "../embedded/lock.ts";
import { type Command, defineCommand } from "./_command.ts";
import { reportSkipped } from "./_load.ts";
import { EXIT, InputError, UsageError } from "./_io.ts";
import { resolveTarget } from "./_target.ts";
import { readSlotRanges } from "./_slot_ranges.ts";
import type { Routing } from "../codec/routing_types.ts";

const DESCRIPTION =
  `Moves a kevy data dir to N shards through the crash-safe re-shard engine: new snapshots are
written to temps, a durable journal is the commit point, and every source file is kept as
<name>.premigration.<stamp>. An interrupted re-shard is rolled forward first. The dir must not
be open in a running store. A source AOF command this tool cannot apply stops the re-shard
before anything changes (exit 1, with the verb, the file and the byte offset); --skip-unknown
leaves such commands out.

--slot-ranges lays the dir out exactly like a given Redis Cluster (routing slots): shard i holds
the slots of the master serving the i-th lowest slot range, so shard i's keys are exactly those
that master serves. The value is the ranges ("0-5460 5461-10922 10923-16383": shards separated
by spaces, a shard's ranges by commas), a file holding \`redis-cli --json CLUSTER SHARDS\` (or
CLUSTER SLOTS) output, or a redis:// URL of a node of the live cluster. The ranges are recorded
in shards.meta (tag slot-ranges, which kevy 1.17 does not read: it re-shards such a dir to its
own layout, losing nothing).`;

/** The reshard subcommand. */
export const reshardCommand: Command = defineCommand({
  name: "reshard",
  summary: "change the shard count or routing of a data dir, crash-safely",
  args: ["dir"],
  options: {
    shards: {
      type: "string",
      short: "n",
      value: "N",
      help: "the new shard count (required unless --slot-ranges gives it)",
    },
    "slot-ranges": {
      type: "string",
      value: "RANGES|FILE|URL",
      help: "explicit slot ranges per shard (implies --routing slots)",
    },
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
  examples: [
    "kevy-persist reshard ./kevy-data --shards 4 --routing slots",
    "kevy-persist reshard ./kevy-data --slot-ranges redis://10.0.0.5:7000",
    "redis-cli -p 7000 --json CLUSTER SHARDS > shards.json && kevy-persist reshard ./kevy-data --slot-ranges shards.json",
  ],
  exitCodes: "0 ok, 1 corrupt source or unsupported command, 2 usage, 3 unreadable input.",
  async run({ args: [dir], options }, ctx) {
    const shardsText = options.shards;
    const rangesText = options["slot-ranges"];
    if (shardsText === undefined && rangesText === undefined) {
      throw new UsageError("--shards N is required");
    }
    if (shardsText !== undefined && !/^[1-9]\d{0,3}$/.test(shardsText)) {
      throw new UsageError(`--shards must be an integer from 1 to 9999, got ${shardsText}`);
    }
    const slotRanges = rangesText === undefined ? undefined : await readSlotRanges(rangesText, ctx);
    if (
      slotRanges !== undefined && shardsText !== undefined &&
      Number(shardsText) !== slotRanges.length
    ) {
      throw new UsageError(
        `--shards ${shardsText}, but --slot-ranges names ${slotRanges.length} shard(s)`,
      );
    }
    const n = slotRanges?.length ?? Number(shardsText);
    const routing: Routing = slotRanges !== undefined || options.routing === "slots"
      ? "slots"
      : "kevyhash";
    const target = await resolveTarget(ctx.fs, dir!);
    if (target.type !== "kevy-dir") throw new InputError(`${dir}: not a kevy data dir`);
    const holder = await dirLockHolder(dir!, { fs: ctx.fs });
    if (holder !== null) {
      throw new InputError(
        `${dir}: open in a running store (${holder.path}: pid ${holder.pid} on ${holder.host}): close it first`,
      );
    }
    const spec = slotRanges === undefined ? { n, routing } : { n, routing, slotRanges };
    const result = await ensureLayout(dir!, spec, undefined, {
      fs: ctx.fs,
      now: ctx.now,
      onUnknown: options["skip-unknown"] ? "skip" : "error",
    });
    ctx.io.out(
      options.json
        ? JSON.stringify(result, (_k, v) => typeof v === "bigint" ? String(v) : v) + "\n"
        : `${dir}: ${describe(result)}\n`,
    );
    reportSkipped(ctx, `re-shard of ${dir}`, result.skipped ?? {});
    return EXIT.ok;
  },
});

function describe(
  r: {
    action: string;
    from?: { n: number; routing: string; slotRanges?: unknown } | undefined;
    to: { n: number; routing: string; slotRanges?: unknown };
  },
): string {
  const spec = (l: { n: number; routing: string; slotRanges?: unknown }) =>
    `${l.n} shard(s), ${l.routing}${l.slotRanges !== undefined ? " (explicit slot ranges)" : ""}`;
  const to = spec(r.to);
  if (r.action === "resharded" && r.from) {
    return `re-sharded from ${spec(r.from)} to ${to}; sources kept as *.premigration.<stamp>`;
  }
  return r.action === "none" ? `already ${to}; nothing to do` : `layout recorded: ${to}`;
}
