/**
 * The `kevy-persist` command line: inspect, check, repair, dump, convert,
 * reshard and bench kevy (and Redis) data files.
 *
 * @module
 */
import { CorruptFileError } from "../codec/errors.ts";
import { DroppedTransactionError, UnknownCommandError } from "../persist/unknown.ts";
import { RedisAofTimestampError } from "../redis/aof.ts";
import { defaultFs } from "../fs/detect.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { Command } from "./_command.ts";
import {
  type CliIo,
  completeIo,
  EXIT,
  InputError,
  processIo,
  type Terminal,
  UsageError,
} from "./_io.ts";
import { withReadProgress } from "./_progress_fs.ts";
import { benchCommand } from "./bench.ts";
import { checkCommand } from "./check.ts";
import { convertCommand } from "./convert.ts";
import { dumpCommand } from "./dump.ts";
import { inspectCommand } from "./inspect.ts";
import { repairCommand } from "./repair.ts";
import { reshardCommand } from "./reshard.ts";

const COMMANDS: Command[] = [
  inspectCommand,
  checkCommand,
  repairCommand,
  dumpCommand,
  convertCommand,
  reshardCommand,
  benchCommand,
];

function mainUsage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: kevy-persist <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join("\n")}

Every command takes --help and --json. Only repair, convert and reshard modify files.
Exit codes: 0 ok, 1 data problem, 2 usage, 3 unreadable input, 4 refused, 5 internal error.
`;
}

export type { CliIo } from "./_io.ts";

/** Further options of {@link runCli}, for embedding and tests. */
export interface RunCliOptions {
  /** Filesystem adapter (default: the runtime's). */
  fs?: FsAdapter;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
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
 * const code = await runCli(["help"], { out: (t) => (help += t), err: () => {} });
 * console.log(code, help.split("\n")[0]); // 0 "Usage: kevy-persist <command> [options]"
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io?: CliIo,
  opts: RunCliOptions = {},
): Promise<number> {
  const term = io === undefined ? processIo() : completeIo(io);
  return await run(argv, term, opts);
}

async function run(argv: readonly string[], io: Terminal, opts: RunCliOptions): Promise<number> {
  const ctx = { io, fs: withReadProgress(opts.fs ?? defaultFs(), io), now: opts.now ?? Date.now };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(mainUsage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.err(`kevy-persist: unknown command '${name}'\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  try {
    return await cmd.run(rest, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kevy-persist ${name}: ${e.message}\n\n${cmd.usage}`);
      return EXIT.usage;
    }
    if (e instanceof InputError) {
      io.err(`kevy-persist ${name}: ${e.message}\n`);
      return EXIT.input;
    }
    if (
      e instanceof CorruptFileError || e instanceof UnknownCommandError ||
      e instanceof DroppedTransactionError || e instanceof RedisAofTimestampError
    ) {
      io.err(`kevy-persist ${name}: ${e.message}\n`);
      return EXIT.dataProblem;
    }
    const code = (e as { code?: string }).code;
    if (code === "EACCES" || code === "EPERM" || code === "ENOENT" || code === "EISDIR") {
      io.err(`kevy-persist ${name}: ${(e as Error).message}\n`);
      return EXIT.input;
    }
    io.err(`kevy-persist ${name}: internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT.internal;
  }
}
