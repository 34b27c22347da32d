// `kevy-persist convert <src> <dst> --to redis-rdb|kevy-snapshot|kevy-aof`.
import { Aof } from "../persist/aof.ts";
import { saveSnapshot } from "../persist/snapshot_file.ts";
import { saveRedisRdb } from "../redis/rdb_save.ts";
import { basename } from "../fs/path.ts";
import { type Command, defineCommand } from "./_command.ts";
import { DataError, EXIT, InputError, UsageError } from "./_io.ts";
import { loadTarget, reportSkipped } from "./_load.ts";
import { resolveTarget } from "./_target.ts";

const DESCRIPTION =
  `Converts between kevy snapshots, kevy AOFs and Redis RDB files (dump.rdb), both ways. The
source is any input the other commands read (a kevy file or data dir; a Redis AOF, RDB or data
dir) and is detected; the target format is --to: redis-rdb, kevy-snapshot or kevy-aof
(snapshot and aof are short for the kevy ones). Without --to: a .aof destination is a kevy
AOF and a dump-<i>.rdb one a kevy snapshot; any other .rdb name needs --to (both formats use
it). A Redis source with keys in more than one database needs --db for a kevy target (kevy
has one keyspace); --to redis-rdb keeps every database. --rdb-version picks the RDB version
written (9-12, default 10: what Redis 7.0 loads; hash field TTLs need 12). Written atomically
(temp, fsync, rename). Redis function libraries travel to a Redis RDB and to a kevy AOF (as
FUNCTION LOAD frames); a kevy snapshot refuses them unless --skip-functions (counted on stderr). Refuses to overwrite <dst> unless --force. A command this tool cannot
apply is an error naming the verb, the file and the byte offset; --skip-unknown leaves such
commands out (counted on stderr).`;

const TARGETS: Record<string, "redis-rdb" | "kevy-snapshot" | "kevy-aof"> = {
  "redis-rdb": "redis-rdb",
  "kevy-snapshot": "kevy-snapshot",
  "kevy-aof": "kevy-aof",
  snapshot: "kevy-snapshot",
  aof: "kevy-aof",
};

/** The convert subcommand. */
export const convertCommand: Command = defineCommand({
  name: "convert",
  summary: "between kevy snapshots, kevy AOFs and Redis dump.rdb (both ways)",
  args: ["src", "dst"],
  options: {
    to: {
      type: "string",
      choices: ["redis-rdb", "kevy-snapshot", "kevy-aof", "snapshot", "aof"],
      help: "output format (default: from the name of <dst>)",
    },
    "aof-format": {
      type: "string",
      choices: ["1", "2"],
      help:
        "AOF output: 1 = KEVYAOF1 (default, kevy 1.x and 5.x), 2 = KEVYAOF2 (CRC32C per record, kevy 5.x)",
    },
    db: { type: "string", value: "N", help: "the Redis database to convert to a kevy format" },
    "rdb-version": { type: "string", value: "9-12", help: "RDB version to write (default 10)" },
    force: { type: "boolean", short: "f", help: "overwrite an existing <dst>" },
    "skip-modules": {
      type: "boolean",
      help: "leave Redis module values out (counted) instead of refusing the RDB",
    },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
    "skip-functions": {
      type: "boolean",
      help: "to a kevy snapshot: leave Redis function libraries out (counted) instead of refusing",
    },
  },
  description: DESCRIPTION,
  examples: [
    "kevy-persist convert appendonly.aof dump-0.rdb",
    "kevy-persist convert dump-0.rdb aof-0.aof --force",
    "kevy-persist convert aof-0.aof aof-0.v2.aof --aof-format 2",
    "kevy-persist convert ./kevy-data /var/lib/redis/dump.rdb --to redis-rdb",
    "kevy-persist convert /var/lib/redis dump-0.rdb --to kevy-snapshot --db 0",
  ],
  exitCodes:
    "0 ok, 1 corrupt source or unsupported command, 2 usage, 3 unreadable input or existing destination.",
  async run({ args: [src, dst], options }, ctx) {
    const dbText = options.db;
    if (dbText !== undefined && !/^\d{1,9}$/.test(dbText)) {
      throw new UsageError(`--db must be a database number, got ${dbText}`);
    }
    const vText = options["rdb-version"];
    if (vText !== undefined && !/^(9|1[0-2])$/.test(vText)) {
      throw new UsageError(`--rdb-version must be 9, 10, 11 or 12, got ${vText}`);
    }
    const target = await resolveTarget(ctx.fs, src!);
    if (!options.force && (await ctx.fs.stat(dst!)) !== null) {
      throw new InputError(`${dst}: already exists (use --force to overwrite)`);
    }
    let to = options.to === undefined ? undefined : TARGETS[options.to];
    if (to === undefined) {
      const name = basename(dst!);
      if (name.endsWith(".aof")) to = "kevy-aof";
      else if (/^dump-\d+\.rdb$/.test(name)) to = "kevy-snapshot";
      else if (name.endsWith(".rdb")) {
        throw new UsageError(
          `${dst}: a .rdb name fits a kevy snapshot and a Redis RDB: say which with --to redis-rdb or --to kevy-snapshot`,
        );
      } else {to = target.type === "file" && target.kind === "snapshot"
          ? "kevy-aof"
          : "kevy-snapshot";}
    }
    if (options["aof-format"] !== undefined && to !== "kevy-aof") {
      throw new UsageError("--aof-format applies to an AOF output (--to kevy-aof or a .aof <dst>)");
    }
    const loaded = await loadTarget(ctx, target, {
      onUnknown: options["skip-unknown"] ? "skip" : "error",
      skipModules: options["skip-modules"] === true,
      ...(dbText === undefined ? {} : { db: Number(dbText) }),
    });
    reportSkipped(ctx, src!, loaded.skipped);
    let keys: number;
    if (to === "redis-rdb") {
      const dbs = dbText === undefined ? loaded.dbs : new Map([[Number(dbText), loaded.store]]);
      const stats = await saveRedisRdb(dbs, dst!, {
        fs: ctx.fs,
        ...(vText === undefined ? {} : { rdbVersion: Number(vText) }),
      });
      keys = stats.keys;
    } else {
      const full = [...loaded.dbs].filter(([, s]) => s.dbsize() > 0).map(([n]) => n);
      if (dbText === undefined && (full.length > 1 || (full.length === 1 && full[0] !== 0))) {
        throw new InputError(
          `${src}: keys in database${full.length > 1 ? "s" : ""} ${full.join(", ")}: a kevy ${
            to === "kevy-aof" ? "AOF" : "snapshot"
          } holds one keyspace: pick one with --db`,
        );
      }
      // Function libraries are server-wide (database 0's): a kevy AOF keeps them
      // (FUNCTION LOAD REPLACE frames first), a kevy snapshot has no place for them.
      const libs = to === "kevy-snapshot" ? (loaded.dbs.get(0) ?? loaded.store).libraries.size : 0;
      if (libs > 0 && options["skip-functions"] !== true) {
        throw new DataError(
          `${src}: ${libs} function librar${libs === 1 ? "y" : "ies"} (FUNCTION LOAD): a kevy ` +
            `snapshot has no place for them: convert --to kevy-aof or --to redis-rdb, or leave ` +
            `them out with --skip-functions`,
        );
      }
      if (libs > 0) {
        ctx.io.err(`${src}: left out ${libs} function librar${libs === 1 ? "y" : "ies"}\n`);
      }
      keys = loaded.store.dbsize();
      if (to === "kevy-snapshot") {
        await saveSnapshot(loaded.store, dst!, { fs: ctx.fs, now: ctx.now() });
      } else {
        if (options.force && (await ctx.fs.stat(dst!)) !== null) await ctx.fs.remove(dst!);
        const aofFormat = options["aof-format"] === "2" ? 2 : 1;
        const aof = await Aof.open(dst!, { fsync: "no", fs: ctx.fs, now: ctx.now, aofFormat });
        try {
          await aof.rewriteFrom(loaded.store);
        } finally {
          await aof.close();
        }
      }
    }
    const size = (await ctx.fs.stat(dst!))?.size ?? 0;
    const result = { src, dst, from: loaded.source, to, keys, bytes: size };
    ctx.io.out(
      options.json
        ? JSON.stringify(result) + "\n"
        : `${src} (${loaded.source}) -> ${dst} (${to}): ${keys} keys, ${size} bytes\n`,
    );
    return EXIT.ok;
  },
});
