// `kevy-persist convert <src> <dst>`: AOF -> snapshot, snapshot -> compact AOF.
import { Aof } from "../persist/aof.ts";
import { saveSnapshot } from "../persist/snapshot_file.ts";
import { expectPositionals, parseOrHelp } from "./_args.ts";
import type { Command } from "./_command.ts";
import { EXIT, InputError, UsageError } from "./_io.ts";
import { loadTarget, reportSkipped } from "./_load.ts";
import { resolveTarget } from "./_target.ts";

const USAGE =
  `Usage: kevy-persist convert <src> <dst> [--to snapshot|aof] [--force] [--skip-unknown]

Converts between formats: an AOF (kevy or Redis) or a data dir becomes a snapshot, a snapshot
becomes a compact AOF. The output kind follows --to, else the destination's extension (.rdb ->
snapshot, .aof -> AOF), else the opposite of the source. Written atomically (temp, fsync,
rename). Refuses to overwrite <dst> unless --force. A command this tool cannot apply is an
error naming the verb, the file and the byte offset; --skip-unknown leaves such commands out
(counted on stderr). Exit codes: 0 ok, 1 corrupt source or unsupported command, 2 usage,
3 unreadable input or existing destination.
`;

/** The convert subcommand. */
export const convertCommand: Command = {
  name: "convert",
  summary: "AOF -> snapshot, or snapshot -> compact AOF",
  usage: USAGE,
  async run(argv, ctx) {
    const args = parseOrHelp(
      argv,
      { to: "string", force: "boolean", "skip-unknown": "boolean" },
      USAGE,
      ctx.io,
    );
    if (args === null) return EXIT.ok;
    const [src, dst] = expectPositionals(args, ["src", "dst"]);
    const target = await resolveTarget(ctx.fs, src!);
    let to = args.flags.to;
    if (to !== undefined && to !== "snapshot" && to !== "aof") {
      throw new UsageError(`--to must be snapshot or aof`);
    }
    if (to === undefined) {
      if (dst!.endsWith(".rdb")) to = "snapshot";
      else if (dst!.endsWith(".aof")) to = "aof";
      else to = target.type === "file" && target.kind === "snapshot" ? "aof" : "snapshot";
    }
    if (!args.flags.force && (await ctx.fs.stat(dst!)) !== null) {
      throw new InputError(`${dst}: already exists (use --force to overwrite)`);
    }
    const loaded = await loadTarget(ctx, target, {
      onUnknown: args.flags["skip-unknown"] ? "skip" : "error",
    });
    reportSkipped(ctx, src!, loaded.skipped);
    const keys = loaded.store.dbsize();
    if (to === "snapshot") {
      await saveSnapshot(loaded.store, dst!, { fs: ctx.fs, now: ctx.now() });
    } else {
      if (args.flags.force && (await ctx.fs.stat(dst!)) !== null) await ctx.fs.remove(dst!);
      const aof = await Aof.open(dst!, { fsync: "no", fs: ctx.fs, now: ctx.now });
      try {
        await aof.rewriteFrom(loaded.store);
      } finally {
        await aof.close();
      }
    }
    const size = (await ctx.fs.stat(dst!))?.size ?? 0;
    const result = { src, dst, from: loaded.source, to, keys, bytes: size };
    ctx.io.out(
      args.flags.json
        ? JSON.stringify(result) + "\n"
        : `${src} (${loaded.source}) -> ${dst} (${to}): ${keys} keys, ${size} bytes\n`,
    );
    return EXIT.ok;
  },
};
