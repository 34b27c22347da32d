// The shape every subcommand has.
import type { FsAdapter } from "../fs/types.ts";
import type { Terminal } from "./_io.ts";

/** What a subcommand gets. */
export interface CliContext {
  io: Terminal;
  fs: FsAdapter;
  /** Wall clock (ms), injectable for tests. */
  now: () => number;
}

/** One subcommand. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}
