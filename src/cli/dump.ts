// `kevy-persist dump <file|dir> [--format jsonl|resp]`.
import { dumpKeyspaceJsonl } from "../store/dump_jsonl.ts";
import { exportRedisCommands } from "../redis/export.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, Progress, type Terminal, UsageError } from "./_io.ts";
import { type LoadOptions, loadTarget, reportSkipped } from "./_load.ts";
import { loadTargetSplit } from "./_load_split.ts";
import { resolveTarget } from "./_target.ts";

const DESCRIPTION =
  `Prints the keyspace of a snapshot, an AOF, a kevy data dir, a Redis AOF (file or appendonlydir,
with or without an RDB base), a Redis RDB (dump.rdb) or a Redis data dir (its appendonlydir when
it has one, else its dump.rdb). jsonl (default): one JSON object per key, {key, type, ttl, value}
with hex bytes, sorted by key (the dumpKeyspace shape); --unsorted prints in storage order as it
goes (bounded memory), --text prints UTF-8 byte strings as text. resp: RESP commands ready for
\`redis-cli --pipe\` (TTLs as PEXPIREAT, exact zset scores), after a SELECT when --db is given.
--db picks a Redis database (default 0). --now judges deadlines as of that instant (unix ms;
default: now): keys expired by then are left out, unless --include-expired. Streams print as
{last_id, max_deleted_id, entries_added, entries, groups} (IDs "ms-seq", bytes hex). --until:
point-in-time recovery of a Redis AOF written with aof-timestamp-enabled yes: the keyspace as of
that unix second (the replay stops at the first #TS: annotation above it, like redis-check-aof
--truncate-to-timestamp; a point before the base's first #TS:, or files without any, are an
error). A command this tool cannot apply is an error (exit 1, with the verb, the file and the byte
offset); --skip-unknown leaves such commands out and reports how many per verb on stderr;
--skip-modules does the same for Redis module values (an RDB holding one is refused by default,
naming the module). Read-only.`;

/** The dump subcommand. */
export const dumpCommand: Command = defineCommand({
  name: "dump",
  summary: "print the keyspace as JSON lines or as RESP for redis-cli --pipe",
  args: ["file|dir"],
  options: {
    format: {
      type: "string",
      short: "f",
      choices: ["jsonl", "resp"],
      default: "jsonl",
      help: "output format",
    },
    unsorted: {
      type: "boolean",
      short: "u",
      help: "jsonl in storage order: starts at once, memory bounded (default: sorted by key)",
    },
    text: {
      type: "boolean",
      short: "t",
      help: 'jsonl with UTF-8 byte strings as text, others as {"hex": ...} (default: hex)',
    },
    db: { type: "string", value: "N", help: "the Redis database to print (default 0)" },
    until: {
      type: "string",
      value: "UNIX-SECONDS",
      help: "a Redis AOF's keyspace as of this time (#TS: annotations)",
    },
    now: {
      type: "string",
      value: "UNIX-MS",
      help: "judge deadlines as of this instant, unix ms (default: now); e.g. a frozen clock",
    },
    "include-expired": { type: "boolean", help: "keep keys whose deadline has passed" },
    "skip-modules": {
      type: "boolean",
      help: "leave Redis module values out (counted) instead of refusing the RDB",
    },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
  },
  description: DESCRIPTION,
  examples: [
    "kevy-persist dump ./kevy-data | head",
    "kevy-persist dump appendonlydir --format resp | redis-cli --pipe",
    "kevy-persist dump /var/lib/redis --db 1 --now 1700000000000",
  ],
  exitCodes: "0 ok, 1 corrupt data or unsupported command, 2 usage, 3 unreadable input.",
  async run({ args: [path], options }, ctx) {
    const format = options.format;
    if (format === "resp" && (options.text || options.unsorted)) {
      throw new UsageError("--text and --unsorted apply to --format jsonl");
    }
    const dbText = options.db;
    if (dbText !== undefined && !/^\d{1,9}$/.test(dbText)) {
      throw new UsageError(`--db must be a database number, got ${dbText}`);
    }
    const untilText = options.until;
    if (untilText !== undefined && !/^\d{1,15}$/.test(untilText)) {
      throw new UsageError(`--until must be a unix time in seconds, got ${untilText}`);
    }
    const nowText = options.now;
    if (nowText !== undefined) {
      if (!/^\d{1,16}$/.test(nowText)) {
        throw new UsageError(`--now must be a unix time in milliseconds, got ${nowText}`);
      }
      const fixed = Number(nowText);
      ctx = { ...ctx, now: () => fixed };
    }
    const target = await resolveTarget(ctx.fs, path!);
    const loadOptions: LoadOptions = {
      db: Number(dbText ?? "0"),
      ...(nowText === undefined ? {} : { now: Number(nowText) }),
      includeExpired: options["include-expired"] === true,
      onUnknown: options["skip-unknown"] ? "skip" : "error",
      skipModules: options["skip-modules"] === true,
      ...(untilText === undefined ? {} : { untilUnixSeconds: Number(untilText) }),
    };
    // Sorted jsonl of a kevy snapshot or one-shard dir: string records stay in the file's bytes.
    const split = format === "jsonl" && !options.unsorted
      ? await loadTargetSplit(ctx, target, loadOptions)
      : null;
    const loaded = split ?? await loadTarget(ctx, target, loadOptions);
    reportSkipped(ctx, path!, loaded.skipped);
    const { store } = loaded;
    const strings = split?.strings;
    const progress = new Progress(
      ctx.io,
      "dumping",
      store.dbsize() + (strings?.length ?? 0),
      ctx.now,
    );
    try {
      if (format === "resp") {
        const it = exportRedisCommands(store, {
          ...(dbText === undefined ? {} : { db: Number(dbText) }),
          onProgress: (done) => progress.update(done),
        });
        let r = it.next();
        for (; !r.done; r = it.next()) await ctx.io.write(r.value);
        progress.done();
        // What Redis commands cannot carry is said, never dropped silently.
        const left: string[] = [];
        if (r.value.skippedEmpty > 0) left.push(`${r.value.skippedEmpty} empty collection(s)`);
        if (r.value.lostPending > 0) {
          left.push(
            `${r.value.lostPending} pending stream entr(ies) of deleted messages (an RDB file or a RESTORE payload keeps them)`,
          );
        }
        if (left.length > 0) {
          ctx.io.err(`kevy-persist: ${path}: not in the RESP export: ${left.join(", ")}\n`);
        }
      } else {
        const chunks = dumpKeyspaceJsonl(store, {
          sorted: !options.unsorted,
          text: options.text,
          ...(strings === undefined ? {} : { strings }),
          reuseChunks: true,
          onProgress: (done) => progress.update(done),
        });
        await writeChunks(ctx.io, chunks);
      }
    } finally {
      progress.done();
    }
    return EXIT.ok;
  },
});

/**
 * Writes chunks of a generator that reuses its buffers (`reuseChunks`):
 * one write in flight while the next chunk is made, and each write finished
 * before the chunk after next is asked for (it fills the same buffer).
 */
async function writeChunks(io: Terminal, chunks: Iterable<Uint8Array>): Promise<void> {
  const failure: { error?: unknown } = {};
  let pending: Promise<void> | null = null;
  for (const chunk of chunks) {
    if (pending !== null) await pending;
    if ("error" in failure) throw failure.error;
    pending = io.writeThrough(chunk).catch((error) => void (failure.error = error));
  }
  if (pending !== null) await pending;
  if ("error" in failure) throw failure.error;
}
