/**
 * The `kevy-persist` command line as a function: {@link runCli} runs one
 * command in-process and returns its exit code. Importing this module has no
 * side effect; the executable is a separate file (`npx kevy-persist`, or
 * `deno run -A jsr:@kevy/persist/cli <command>`, which runs it as the main
 * module).
 *
 * @example Run a command and capture its output
 * ```ts
 * import { runCli } from "@kevy/persist/cli";
 *
 * let out = "";
 * const code = await runCli(["--version"], { out: (t) => (out += t), err: () => {} });
 * console.log(code, out); // 0 "kevy-persist 0.1.0\n"
 * ```
 *
 * @module
 */

export { type CliIo, runCli, type RunCliOptions } from "./main.ts";

// `deno run jsr:@kevy/persist/cli …` and `bun src/cli/mod.ts …` run the
// command; an import does nothing (Node has no import.meta.main: its
// executable is bin.ts).
if ((import.meta as { main?: boolean }).main) void import("./bin.ts");
