// `kevy-persist check <file|dir>`: like redis-check-aof / redis-check-rdb.
import { expectPositionals, parseArgs } from "./_args.ts";
import { analyzeAof, analyzeDir, analyzeSnapshot, type Problem, problemsOf } from "./_analyze.ts";
import type { Command } from "./_command.ts";
import { EXIT } from "./_io.ts";
import { resolveTarget } from "./_target.ts";
import { analyzeRedis } from "./_redis.ts";

const USAGE = `Usage: kevy-persist check <file|dir> [--json]

Verifies a snapshot, an AOF (kevy or Redis) or a data dir. Exit 0 when sound; exit 1 with the
first bad byte offset and a hex preview otherwise (a torn tail, corruption, an unsupported
format, or an interrupted re-shard waiting to be rolled forward). Read-only.
Exit codes: 0 sound, 1 problem found, 2 usage, 3 unreadable input.
`;

/** The check subcommand. */
export const checkCommand: Command = {
  name: "check",
  summary: "verify a file or data dir (exit 1 with the first bad offset)",
  usage: USAGE,
  async run(argv, ctx) {
    const args = parseArgs(argv, {});
    if (args.flags.help) {
      ctx.io.out(USAGE);
      return EXIT.ok;
    }
    const [path] = expectPositionals(args, ["file|dir"]);
    const target = await resolveTarget(ctx.fs, path!);
    let problems: Problem[] = [];
    const notes: string[] = [];
    if (target.type === "kevy-dir") {
      const r = await analyzeDir(ctx.fs, target.path, ctx.now());
      problems = problemsOf(r);
      if (r.journal.present) {
        notes.push(
          r.journal.parsed
            ? "an interrupted re-shard is pending (it rolls forward at the next open)"
            : "a torn re-shard journal is present (it is discarded at the next open)",
        );
      }
    } else if (target.type === "redis-dir" || target.kind === "aof-legacy") {
      const r = await analyzeRedis(ctx.fs, target.path, target.type === "file");
      problems = r === null ? problemsOf(await analyzeAof(ctx.fs, target.path)) : r.problems;
    } else if (target.kind === "snapshot") {
      problems = problemsOf(await analyzeSnapshot(ctx.fs, target.path, ctx.now()));
    } else if (target.kind === "aof") {
      problems = problemsOf(await analyzeAof(ctx.fs, target.path));
    } else {
      problems = [{
        kind: "unsupported",
        path: target.path,
        offset: 0,
        message: `${target.path}: ${
          target.kind === "aof-kevy5" ? "KEVYAOF2 (kevy >= 5)" : "Redis RDB"
        } format is not supported yet`,
        preview: "",
      }];
    }
    const sound = problems.length === 0 && notes.length === 0;
    if (args.flags.json) {
      ctx.io.out(JSON.stringify({ path, sound, problems, notes }, null, 2) + "\n");
    } else if (sound) {
      ctx.io.out(`${path}: OK\n`);
    } else {
      for (const p of problems) {
        ctx.io.out(
          `${p.message}\n  first bad byte: ${p.offset}${
            p.preview ? `\n  bytes there:    ${p.preview}` : ""
          }\n`,
        );
      }
      for (const n of notes) ctx.io.out(`${path}: ${n}\n`);
    }
    return sound ? EXIT.ok : EXIT.dataProblem;
  },
};
