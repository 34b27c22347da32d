// `kevy-persist convert <src> <dst>`: AOF -> snapshot, snapshot -> compact AOF.
import { Aof } from "../persist/aof.ts";
import { saveSnapshot } from "../persist/snapshot_file.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, InputError, UsageError } from "./_io.ts";
import { loadTarget, reportSkipped } from "./_load.ts";
import { resolveTarget } from "./_target.ts";

const DESCRIPTION =
  `Converts between formats: an AOF (kevy or Redis) or a data dir becomes a snapshot, a snapshot
becomes a compact AOF. The output kind follows --to, else the destination's extension (.rdb ->
snapshot, .aof -> AOF), else the opposite of the source. Written atomically (temp, fsync,
rename). Refuses to overwrite <dst> unless --force. A command this tool cannot apply is an
error naming the verb, the file and the byte offset; --skip-unknown leaves such commands out
(counted on stderr).`;

/** The convert subcommand. */
export const convertCommand: Command = defineCommand({
  name: "convert",
  summary: "AOF -> snapshot, or snapshot -> compact AOF",
  args: ["src", "dst"],
  options: {
    to: {
      type: "string",
      choices: ["snapshot", "aof"],
      help: "output kind (default: from the extension of <dst>)",
    },
    "aof-format": {
      type: "string",
      choices: ["1", "2"],
      help:
        "AOF output: 1 = KEVYAOF1 (default, kevy 1.x and 5.x), 2 = KEVYAOF2 (CRC32C per record, kevy 5.x)",
    },
    force: { type: "boolean", short: "f", help: "overwrite an existing <dst>" },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
  },
  description: DESCRIPTION,
  examples: [
    "kevy-persist convert appendonly.aof dump-0.rdb",
    "kevy-persist convert dump-0.rdb aof-0.aof --force",
    "kevy-persist convert aof-0.aof aof-0.v2.aof --aof-format 2",
  ],
  exitCodes:
    "0 ok, 1 corrupt source or unsupported command, 2 usage, 3 unreadable input or existing destination.",
  async run({ args: [src, dst], options }, ctx) {
    const target = await resolveTarget(ctx.fs, src!);
    let to = options.to;
    if (to === undefined) {
      if (dst!.endsWith(".rdb")) to = "snapshot";
      else if (dst!.endsWith(".aof")) to = "aof";
      else to = target.type === "file" && target.kind === "snapshot" ? "aof" : "snapshot";
    }
    if (!options.force && (await ctx.fs.stat(dst!)) !== null) {
      throw new InputError(`${dst}: already exists (use --force to overwrite)`);
    }
    if (options["aof-format"] !== undefined && to !== "aof") {
      throw new UsageError("--aof-format applies to an AOF output (--to aof or a .aof <dst>)");
    }
    const loaded = await loadTarget(ctx, target, {
      onUnknown: options["skip-unknown"] ? "skip" : "error",
    });
    reportSkipped(ctx, src!, loaded.skipped);
    const keys = loaded.store.dbsize();
    if (to === "snapshot") {
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
