// `kevy-persist repair <aof> [--yes] [--truncate-at-corruption]`.
import { parseFrame } from "../codec/resp.ts";
import { Aof } from "../persist/aof.ts";
import { dirname } from "../fs/path.ts";
import { analyzeAof } from "./_analyze_file.ts";
import { type CliContext, type Command, defineCommand } from "./_command.ts";
import { EXIT, InputError } from "./_io.ts";
import { resolveTarget } from "./_target.ts";

const DESCRIPTION =
  `Cuts a torn tail (an incomplete last frame, or zeros left by a power cut) off a kevy AOF; the
cut bytes are kept in <aof>.torn.<stamp>. Corruption in the middle of the log is refused unless
--truncate-at-corruption is given: then it first says how many frames and bytes would be lost
and asks (or needs --yes); the cut bytes are kept in <aof>.corrupt.<stamp>.`;

async function readAll(ctx: CliContext, path: string): Promise<Uint8Array> {
  return await ctx.fs.readFile(path);
}

// Best effort: how many complete frames follow the corruption (lost by the cut).
function framesAfter(bytes: Uint8Array, from: number): number {
  let count = 0;
  let p = from + 1;
  while (p < bytes.length) {
    const star = bytes.indexOf(0x2a, p);
    if (star === -1) break;
    const r = parseFrame(bytes, star);
    if (r.kind === "frame") {
      count++;
      p = r.end;
    } else p = star + 1;
  }
  return count;
}

/** The repair subcommand. */
export const repairCommand: Command = defineCommand({
  name: "repair",
  summary: "cut a torn tail (or, if told, everything from a corruption) off an AOF",
  args: ["aof"],
  options: {
    "truncate-at-corruption": {
      type: "boolean",
      help: "also cut a corrupt log at its first bad byte (after saying what is lost)",
    },
    yes: { type: "boolean", short: "y", help: "confirm without asking (for scripts)" },
  },
  description: DESCRIPTION,
  examples: [
    "kevy-persist repair kevy-data/aof-0.aof",
    "kevy-persist repair kevy-data/aof-0.aof --truncate-at-corruption --yes",
  ],
  exitCodes: "0 repaired or nothing to do, 2 usage, 3 unreadable input, 4 refused.",
  async run({ args: [path], options }, ctx) {
    const target = await resolveTarget(ctx.fs, path!);
    if (target.type !== "file" || (target.kind !== "aof" && target.kind !== "aof-legacy")) {
      throw new InputError(`${path}: not a kevy AOF file (repair works on one AOF at a time)`);
    }
    const report = await analyzeAof(ctx.fs, path!);
    const say = (obj: Record<string, unknown>, text: string) =>
      ctx.io.out(options.json ? JSON.stringify(obj) + "\n" : text + "\n");
    if (report.problem === null) {
      say({ path, action: "none" }, `${path}: sound, nothing to repair`);
      return EXIT.ok;
    }
    if (report.problem.kind === "torn") {
      const aof = await Aof.open(path!, { fsync: "no", fs: ctx.fs, now: ctx.now });
      const r = aof.repairedTail;
      await aof.close();
      say(
        { path, action: "cut-torn-tail", ...r },
        `${path}: cut a torn tail of ${r?.bytes} byte(s) at offset ${r?.offset}; kept in ${r?.savedTo}`,
      );
      return EXIT.ok;
    }
    const offset = report.problem.offset;
    if (!options["truncate-at-corruption"]) {
      ctx.io.err(
        `${report.problem.message}\nrefusing to cut a corrupt log: everything from byte ${offset} would be lost.\n` +
          `Re-run with --truncate-at-corruption to see what would be lost and confirm.\n`,
      );
      return EXIT.refused;
    }
    const bytes = await readAll(ctx, path!);
    const lostBytes = bytes.length - offset;
    const lostFrames = framesAfter(bytes, offset);
    const question =
      `${path}: corrupt at byte ${offset}. Cutting there keeps ${report.frames} frame(s) and loses ${lostBytes} byte(s) (about ${lostFrames} complete frame(s) after the damage).`;
    let ok = options.yes;
    if (!ok) {
      const answer = await ctx.io.confirm(`${question}\nCut the log?`);
      if (answer === null) {
        ctx.io.err(`${question}\nnot a terminal: re-run with --yes to confirm.\n`);
        return EXIT.refused;
      }
      ok = answer;
    }
    if (!ok) {
      ctx.io.err("nothing changed\n");
      return EXIT.refused;
    }
    const backup = `${path}.corrupt.${ctx.now()}`;
    const b = await ctx.fs.openWrite(backup, { exclusive: true });
    await b.write(bytes.subarray(offset));
    await b.sync();
    await b.close();
    await ctx.fs.syncDir(dirname(path!));
    const f = await ctx.fs.openAppend(path!);
    await f.truncate(offset);
    await f.sync();
    await f.close();
    say(
      { path, action: "cut-at-corruption", offset, lostBytes, lostFrames, savedTo: backup },
      `${path}: cut at byte ${offset}; ${lostBytes} byte(s) kept in ${backup}`,
    );
    return EXIT.ok;
  },
});
