#!/usr/bin/env node
/**
 * The `kevy-persist` executable: `npx kevy-persist <command>`,
 * `deno run -A jsr:@kevy/persist/cli <command>` or `bun src/cli/bin.ts <command>`.
 * Importing it runs the command line with the process's arguments; embed
 * {@link runCli} from `@kevy/persist/cli` instead.
 *
 * @example
 * ```sh
 * npx kevy-persist check ./kevy-data
 * ```
 *
 * @module
 */
import { processArgs, setExitCode } from "../fs/terminal.ts";
import { runCli } from "./main.ts";

setExitCode(await runCli(processArgs()));
