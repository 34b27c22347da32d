// The shape of a subcommand, declared once: its flags and positionals drive
// the parser, the help text and the short usage line of a usage error.
import type { FsAdapter } from "../fs/types.ts";
import {
  COMMON_OPTIONS,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  parseCommandLine,
  positionalLabel,
} from "./_args.ts";
import type { Terminal } from "./_io.ts";

/** What a subcommand gets. */
export interface CliContext {
  io: Terminal;
  fs: FsAdapter;
  /** Wall clock (ms), injectable for tests. */
  now: () => number;
}

/** A subcommand as declared with {@link defineCommand}. */
export interface CommandDef<O extends OptionSpecs> {
  /** The word after `kevy-persist`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positionals: `"path"` required, `"dst?"` optional, `"file..."` one or more. */
  args: readonly string[];
  /** Flags by long name (`--help`/`-h` and `--json` are added). */
  options: O;
  /** What the command does, a paragraph or two (wrapped by the author at 100 columns). */
  description: string;
  /** Example command lines for the help. */
  examples?: readonly string[];
  /** Exit codes of this command, one line. */
  exitCodes: string;
  /** Does the work; resolves to the exit code. */
  run(input: { args: string[]; options: OptionValues<O> }, ctx: CliContext): Promise<number>;
}

/** A subcommand, as the dispatcher sees it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** `kevy-persist <name> [options] <args>` */
  readonly usageLine: string;
  /** The full help text. */
  help(): string;
  /** Parses and runs; usage errors are thrown as `UsageError`. */
  run(argv: readonly string[], ctx: CliContext): Promise<number>;
}

/**
 * Declares a subcommand. Register it in `_commands.ts`.
 */
export function defineCommand<O extends OptionSpecs>(def: CommandDef<O>): Command {
  const usageLine = `kevy-persist ${def.name} [options]${
    def.args.length > 0 ? " " + def.args.map(positionalLabel).join(" ") : ""
  }`;
  const help = (): string => {
    const all: OptionSpecs = { ...def.options, ...COMMON_OPTIONS };
    const rows = Object.entries(all).map(([name, s]) => [optionLabel(name, s), optionHelp(s)]);
    const w = Math.max(...rows.map((r) => r[0]!.length));
    const lines = [
      `kevy-persist ${def.name}: ${def.summary}`,
      "",
      `Usage: ${usageLine}`,
      "",
      // Authors wrap at 100 columns; a longer line is wrapped here rather than overflow.
      def.description.trimEnd().split("\n").map((l) => wrap(l, 0)).join("\n"),
      "",
      "Options:",
      ...rows.map(([l, h]) => wrap(`  ${l!.padEnd(w)}  ${h}`, w + 4)),
    ];
    if (def.examples !== undefined && def.examples.length > 0) {
      lines.push("", "Examples:", ...def.examples.map((e) => wrap(`  ${e}`, 4)));
    }
    lines.push("", wrap(`Exit codes: ${def.exitCodes}`, 12));
    return lines.join("\n") + "\n";
  };
  return {
    name: def.name,
    summary: def.summary,
    usageLine,
    help,
    async run(argv, ctx) {
      const parsed = parseCommandLine(argv, def.options, def.args);
      if (parsed.options.help) {
        ctx.io.out(help());
        return 0;
      }
      return await def.run(parsed, ctx);
    },
  };
}

function optionLabel(name: string, s: OptionSpec): string {
  const short = s.short === undefined ? "    " : `-${s.short}, `;
  const value = s.type === "boolean"
    ? ""
    : ` <${s.value ?? (s.choices !== undefined ? s.choices.join("|") : "VALUE")}>`;
  return `${short}--${name}${value}`;
}

function optionHelp(s: OptionSpec): string {
  return s.default === undefined ? s.help : `${s.help} (default: ${s.default})`;
}

/** Word-wraps `line` at 100 columns; continuation lines are indented by `indent`. */
export function wrap(line: string, indent: number): string {
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(/(?<=\S) /)) {
    if (cur !== "" && cur.length + 1 + word.trimStart().length > 100) {
      out.push(cur);
      cur = " ".repeat(indent) + word.trimStart();
    } else cur = cur === "" ? word : `${cur} ${word}`;
  }
  return [...out, cur].join("\n");
}
