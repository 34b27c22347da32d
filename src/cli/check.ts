// `kevy-persist check <file|dir>`: like redis-check-aof / redis-check-rdb.
import { analyzeTarget, describeSkipped, skippedOf } from "./_analyze.ts";
import { type Command, defineCommand } from "./_command.ts";
import { EXIT, hexPreview } from "./_io.ts";
import { resolveTarget } from "./_target.ts";

/** The check subcommand. */
export const checkCommand: Command = defineCommand({
  name: "check",
  summary: "verify a file or data dir (exit 1 with the first bad offset)",
  args: ["file|dir"],
  options: {
    "skip-modules": {
      type: "boolean",
      help: "leave Redis module values out (counted) instead of refusing the RDB",
    },
    "skip-unknown": {
      type: "boolean",
      help: "leave out commands this tool cannot apply (counted) instead of failing",
    },
  },
  description:
    `Verifies a snapshot, an AOF (kevy or Redis), a Redis RDB (dump.rdb: every record, nested
encoding and the CRC-64, like redis-check-rdb), a Redis data dir or a kevy data dir. Exit 0
when sound; exit 1 with the first bad byte offset and a hex preview otherwise (a torn tail, corruption, an unsupported
format, a command this tool cannot apply, or an interrupted re-shard waiting to be rolled
forward). --skip-unknown counts unsupported commands per verb instead of failing. Read-only.`,
  examples: ["kevy-persist check ./kevy-data", "kevy-persist check appendonly.aof --json"],
  exitCodes: "0 sound, 1 problem found, 2 usage, 3 unreadable input.",
  async run({ args: [path], options }, ctx) {
    const target = await resolveTarget(ctx.fs, path!);
    const onUnknown = options["skip-unknown"] ? "skip" : "error";
    const { report, problems } = await analyzeTarget(ctx.fs, target, ctx.now(), onUnknown, {
      skipModules: options["skip-modules"] === true,
    });
    const skipped = skippedOf(report);
    const notes: string[] = [];
    if (report.kind === "dir" && report.journal.present) {
      notes.push(
        report.journal.parsed
          ? "an interrupted re-shard is pending (it rolls forward at the next open)"
          : "a torn re-shard journal is present (it is discarded at the next open)",
      );
    }
    const sound = problems.length === 0 && notes.length === 0;
    if (options.json) {
      ctx.io.out(JSON.stringify({ path, sound, problems, notes, skipped }, null, 2) + "\n");
    } else if (sound) {
      const list = describeSkipped(skipped);
      ctx.io.out(`${path}: OK${list === "" ? "" : ` (skipped unsupported commands: ${list})`}\n`);
    } else {
      for (const p of problems) {
        ctx.io.out(
          `${p.message}\n  first bad byte: ${p.offset}${
            p.preview ? `\n  bytes there:    ${hexPreview(p.preview)}` : ""
          }\n`,
        );
      }
      for (const n of notes) ctx.io.out(`${path}: ${n}\n`);
    }
    return sound ? EXIT.ok : EXIT.dataProblem;
  },
});
