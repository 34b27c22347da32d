// Flag parsing on node:util parseArgs (present in Deno, Bun and Node), strict
// in our own way: an unknown flag, a missing value or a value outside the
// declared choices is a usage error that names the flag and suggests the
// nearest spelling. `--` ends the flags; short flags (`-f x`, `-fx`) work.
import { parseArgs } from "node:util";
import { UsageError } from "./_io.ts";

/** One flag of a command. */
export interface OptionSpec {
  /** `"boolean"` (a switch) or `"string"` (takes a value). */
  type: "boolean" | "string";
  /** One-letter alias (`"f"` for `-f`). */
  short?: string;
  /** Placeholder shown in the help (`"N"`, `"FILE"`); default: the choices or `VALUE`. */
  value?: string;
  /** The only accepted values. */
  choices?: readonly string[];
  /** Value when the flag is absent (string flags). */
  default?: string;
  /** One line for the help. */
  help: string;
}

/** A command's flags by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

/** The parsed value of each flag: booleans are false when absent; strings undefined unless defaulted. */
export type OptionValues<O extends OptionSpecs> =
  & {
    [K in keyof O]: O[K]["type"] extends "boolean" ? boolean
      : O[K] extends { default: string } ? string
      : string | undefined;
  }
  & { json: boolean; help: boolean };

/** Flags every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: { type: "boolean", help: "machine-readable output (errors too, on stderr)" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

/** What parseCommandLine returns. */
export interface ParsedCommandLine<O extends OptionSpecs> {
  args: string[];
  options: OptionValues<O>;
}

/**
 * Parses `argv` against `options` (plus {@link COMMON_OPTIONS}) and checks the
 * positionals against `positionals` (`"name"` required, `"name?"` optional,
 * `"name..."` one or more). With `--help` the positionals are not checked.
 */
export function parseCommandLine<O extends OptionSpecs>(
  argv: readonly string[],
  options: O,
  positionals: readonly string[],
): ParsedCommandLine<O> {
  const specs: OptionSpecs = { ...COMMON_OPTIONS, ...options };
  const config: Record<string, { type: "boolean" | "string"; short?: string }> = {};
  for (const [name, s] of Object.entries(specs)) {
    config[name] = s.short === undefined ? { type: s.type } : { type: s.type, short: s.short };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, s] of Object.entries(specs)) {
    values[name] = s.type === "boolean" ? false : s.default;
  }
  const args: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") args.push(t.value);
    if (t.kind !== "option") continue;
    const spec = specs[t.name];
    if (spec === undefined) {
      const hint = suggest(t.name, Object.keys(specs));
      throw new UsageError(
        `unknown option ${t.rawName}${hint === null ? "" : ` (did you mean --${hint}?)`}`,
      );
    }
    const flag = `--${t.name}`;
    if (spec.type === "boolean") {
      if (t.inlineValue) throw new UsageError(`${flag} takes no value`);
      values[t.name] = true;
      continue;
    }
    // parseArgs takes the next word as the value even when it is a flag.
    if (t.value === undefined || t.value === "" || (!t.inlineValue && /^-./.test(t.value))) {
      throw new UsageError(`${flag} needs a value${spec.value ? ` (${spec.value})` : ""}`);
    }
    if (spec.choices !== undefined && !spec.choices.includes(t.value)) {
      const hint = suggest(t.value, spec.choices);
      throw new UsageError(
        `${flag} must be one of ${spec.choices.join(", ")}, got '${t.value}'${
          hint === null ? "" : ` (did you mean '${hint}'?)`
        }`,
      );
    }
    values[t.name] = t.value;
  }
  if (values.help !== true) checkPositionals(args, positionals);
  return { args, options: values as OptionValues<O> };
}

function checkPositionals(args: string[], names: readonly string[]): void {
  const required = names.filter((n) => !n.endsWith("?")).length;
  const variadic = names.some((n) => n.endsWith("..."));
  const shown = names.map(positionalLabel).join(" ");
  if (args.length < required) {
    const missing = names[args.length]!;
    throw new UsageError(`missing <${missing.replace(/\.\.\.$/, "")}> (expected ${shown})`);
  }
  if (!variadic && args.length > names.length) {
    throw new UsageError(
      `unexpected argument '${args[names.length]}' (expected ${shown || "no arguments"})`,
    );
  }
}

/** `"src"` → `<src>`, `"dst?"` → `[dst]`, `"file..."` → `<file>...`. */
export function positionalLabel(name: string): string {
  if (name.endsWith("?")) return `[${name.slice(0, -1)}]`;
  if (name.endsWith("...")) return `<${name.slice(0, -3)}>...`;
  return `<${name}>`;
}

/**
 * The candidate nearest to `word` (edit distance at most 2, or a unique
 * prefix), or null: the "did you mean" of unknown commands, flags and values.
 */
export function suggest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== null && bestDistance <= Math.min(2, Math.max(1, word.length - 1))) return best;
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0]! : null;
}

// Levenshtein distance with adjacent transpositions counted as one edit.
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}
