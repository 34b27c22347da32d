/**
 * The `kevy-persist` command line: inspect, check, repair, dump, convert,
 * reshard and bench kevy (and Redis) data files.
 *
 * @module
 */
import { CorruptFileError } from "../codec/errors.ts";
import { defaultFs } from "../fs/detect.ts";
import type { FsAdapter } from "../fs/types.ts";
import { suggest } from "./_args.ts";
import { classifyError, EXIT_CODES } from "./_errors.ts";
import { type Command, wrap } from "./_command.ts";
import { COMMANDS } from "./_commands.ts";
import {
  type CliIo,
  completeIo,
  EXIT,
  hexPreview,
  processIo,
  StdoutClosedError,
  type Terminal,
  UsageError,
} from "./_io.ts";
import { withReadProgress } from "./_progress_fs.ts";
import { VERSION } from "./_version.ts";

export type { CliIo } from "./_io.ts";

/** Further options of {@link runCli}, for embedding and tests. */
export interface RunCliOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
}

const MAIN_USAGE = "kevy-persist [--version] [--help] <command> [options]";

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `kevy-persist ${VERSION}: inspect, check, repair, dump and convert kevy and Redis data files

Usage: ${MAIN_USAGE}

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Run 'kevy-persist help <command>' (or '<command> --help') for its options. Every command takes
--json (errors too are then JSON, on stderr). Only repair, convert and reshard modify files.
Exit codes:
${EXIT_CODES.map((c) => wrap(`  ${c.code}  ${c.meaning.replaceAll("`", "")}`, 5)).join("\n")}
`;
}

/**
 * Runs one `kevy-persist` command with `argv` (without the program name) and
 * resolves to its exit code; output goes to `io` (default: the process's
 * stdout and stderr). Never exits the process and never sets its exit code.
 *
 * @example
 * ```ts
 * import { runCli } from "@kevy/persist/cli";
 *
 * let help = "";
 * const code = await runCli(["help", "check"], { out: (t) => (help += t), err: () => {} });
 * console.log(code, help.split("\n")[0]); // 0 "kevy-persist check: verify a file ..."
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io?: CliIo,
  opts: RunCliOptions = {},
): Promise<number> {
  const term = io === undefined ? processIo() : completeIo(io);
  const json = wantsJson(argv);
  let cmd: Command | null = null;
  try {
    const [first, ...rest] = leadingJsonMoved(argv);
    if (first === "--version" || first === "-V") {
      term.out(
        json
          ? JSON.stringify({ name: "kevy-persist", version: VERSION }) + "\n"
          : `kevy-persist ${VERSION}\n`,
      );
      return EXIT.ok;
    }
    if (first === "--help" || first === "-h") {
      term.out(mainHelp());
      return EXIT.ok;
    }
    if (first === undefined) {
      term.err(mainHelp());
      return EXIT.usage;
    }
    if (first === "help") {
      const topic = rest.find((a) => a !== "--json");
      if (topic === undefined) {
        term.out(mainHelp());
        return EXIT.ok;
      }
      term.out(findCommand(topic).help());
      return EXIT.ok;
    }
    if (first.startsWith("-")) {
      throw new UsageError(`unknown option ${first} (options go after the command)`);
    }
    cmd = findCommand(first);
    const now = opts.now ?? Date.now;
    const fs = withReadProgress(opts.fs ?? defaultFs(), term, now);
    return await cmd.run(rest, { io: term, fs, now });
  } catch (e) {
    return report(e, term, cmd, json);
  }
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd !== undefined) return cmd;
  const hint = suggest(name, COMMANDS.map((c) => c.name));
  throw new UsageError(
    `unknown command '${name}'${hint === null ? "" : ` (did you mean '${hint}'?)`}`,
  );
}

// `--json` counts before a `--` only.
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

// `kevy-persist --json check x` is `kevy-persist check x --json`.
function leadingJsonMoved(argv: readonly string[]): string[] {
  let i = 0;
  while (argv[i] === "--json") i++;
  return i === 0 ? [...argv] : [...argv.slice(i), ...argv.slice(0, i)];
}

/** An error as the exit code and message(s) a user sees. */
function report(e: unknown, io: Terminal, cmd: Command | null, json: boolean): number {
  // The reader of stdout went away (`dump | head`): that is how such a run ends.
  if (e instanceof StdoutClosedError) return EXIT.ok;
  const prefix = cmd === null ? "kevy-persist" : `kevy-persist ${cmd.name}`;
  const message = (e as Error)?.message ?? String(e);
  const { kind, exit: code, facts } = classifyError(e);
  const extra: Record<string, unknown> = kind === "usage"
    ? { usage: cmd?.usageLine ?? MAIN_USAGE }
    : facts;
  if (json) {
    const error = { kind, command: cmd?.name ?? null, message, exitCode: code, ...extra };
    io.err(JSON.stringify({ error }) + "\n");
  } else if (kind === "usage") {
    const helpRef = cmd === null ? "kevy-persist help" : `kevy-persist help ${cmd.name}`;
    io.err(
      `${prefix}: ${message}\nUsage: ${cmd?.usageLine ?? MAIN_USAGE}\nRun '${helpRef}' for more.\n`,
    );
  } else if (e instanceof CorruptFileError && e.preview !== "") {
    io.err(`${prefix}: ${message}\n  bytes there: ${hexPreview(e.preview)}\n`);
  } else if (kind === "internal") {
    io.err(`${prefix}: internal error: ${(e as Error)?.stack ?? e}\n`);
  } else {
    io.err(`${prefix}: ${message}\n`);
  }
  return code;
}
