// Every subcommand, in the order `kevy-persist help` lists them. To add one:
// write src/cli/<name>.ts exporting `<name>Command = defineCommand({...})`
// and add it here (see CONTRIBUTING.md, "Adding a CLI command").
import type { Command } from "./_command.ts";
import { benchCommand } from "./bench.ts";
import { checkCommand } from "./check.ts";
import { convertCommand } from "./convert.ts";
import { dumpCommand } from "./dump.ts";
import { inspectCommand } from "./inspect.ts";
import { migrateCommand } from "./migrate.ts";
import { repairCommand } from "./repair.ts";
import { reshardCommand } from "./reshard.ts";

export const COMMANDS: readonly Command[] = [
  inspectCommand,
  checkCommand,
  repairCommand,
  dumpCommand,
  convertCommand,
  reshardCommand,
  migrateCommand,
  benchCommand,
];
