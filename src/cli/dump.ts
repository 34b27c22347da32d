// `kevy-persist dump <file|dir> [--format jsonl|resp]`.
import { dumpKeyspace } from "../store/dump.ts";
import { exportRedisCommands } from "../redis/export.ts";
import { expectPositionals, flagString, parseOrHelp } from "./_args.ts";
import type { Command } from "./_command.ts";
import { EXIT, UsageError } from "./_io.ts";
import { loadTarget } from "./_load.ts";
import { resolveTarget } from "./_target.ts";

const USAGE = `Usage: kevy-persist dump <file|dir> [--format jsonl|resp] [--db N]

Prints the keyspace of a snapshot, an AOF, a kevy data dir or a Redis AOF (file or
appendonlydir). jsonl (default): one JSON object per key, {key, type, ttl, value} with hex
bytes, sorted by key (the dumpKeyspace shape). resp: RESP commands ready for
\`redis-cli --pipe\` (TTLs as PEXPIREAT, exact zset scores). --db picks a Redis database
(default 0). Read-only. Exit codes: 0 ok, 1 corrupt data, 2 usage, 3 unreadable input.
`;

/** The dump subcommand. */
export const dumpCommand: Command = {
  name: "dump",
  summary: "print the keyspace as JSON lines or as RESP for redis-cli --pipe",
  usage: USAGE,
  async run(argv, ctx) {
    const args = parseOrHelp(argv, { format: "string", db: "string" }, USAGE, ctx.io);
    if (args === null) return EXIT.ok;
    const [path] = expectPositionals(args, ["file|dir"]);
    const format = flagString(args, "format") ?? "jsonl";
    if (format !== "jsonl" && format !== "resp") {
      throw new UsageError(`--format must be jsonl or resp, got ${format}`);
    }
    const dbText = flagString(args, "db") ?? "0";
    if (!/^\d+$/.test(dbText)) throw new UsageError(`--db must be a database number`);
    const target = await resolveTarget(ctx.fs, path!);
    const { store } = await loadTarget(ctx, target, Number(dbText));
    if (format === "resp") {
      for (const chunk of exportRedisCommands(store)) await ctx.io.outBytes(chunk);
      return EXIT.ok;
    }
    let batch = "";
    for (const k of dumpKeyspace(store)) {
      batch += JSON.stringify(k) + "\n";
      if (batch.length > 1 << 16) {
        ctx.io.out(batch);
        batch = "";
      }
    }
    if (batch !== "") ctx.io.out(batch);
    return EXIT.ok;
  },
};
