#!/usr/bin/env node
/**
 * The `kevy-persist` executable: `deno run -A jsr:@kevy/persist/cli <command>`,
 * `npx kevy-persist <command>`, or `bun src/cli/bin.ts <command>`.
 *
 * @example
 * ```sh
 * deno run -A jsr:@kevy/persist/cli check ./kevy-data
 * ```
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./main.ts";

process.exitCode = await runCli(process.argv.slice(2));
