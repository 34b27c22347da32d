// A small strict flag parser: unknown flags are usage errors, never ignored.
import { type Terminal, UsageError } from "./_io.ts";

/** Declared flags: name -> "boolean" or "string". */
export type FlagSpec = Record<string, "boolean" | "string">;

/** Parsed arguments. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

/** Parses `argv` against `spec`; `--help`/`-h` and `--json` are always allowed. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const full: FlagSpec = { help: "boolean", json: "boolean", ...spec };
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h") {
      flags.help = true;
      continue;
    }
    if (!a.startsWith("--") || a === "--") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const kind = full[name];
    if (kind === undefined) throw new UsageError(`unknown flag --${name}`);
    if (kind === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`--${name} needs a value`);
      flags[name] = v;
    }
  }
  return { positionals, flags };
}

/** The string value of a flag, or undefined. */
export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === "string" ? v : undefined;
}

/** Exactly `n` positionals, or a usage error naming them. */
export function expectPositionals(p: ParsedArgs, names: string[]): string[] {
  if (p.positionals.length !== names.length) {
    throw new UsageError(
      `expected ${names.map((n) => `<${n}>`).join(" ")}, got ${p.positionals.length} argument(s)`,
    );
  }
  return p.positionals;
}

/**
 * Parses a subcommand's `argv` against `spec`; on `--help`/`-h` prints `usage`
 * and returns null (the subcommand then exits 0).
 */
export function parseOrHelp(
  argv: readonly string[],
  spec: FlagSpec,
  usage: string,
  io: Terminal,
): ParsedArgs | null {
  const args = parseArgs(argv, spec);
  if (!args.flags.help) return args;
  io.out(usage);
  return null;
}
