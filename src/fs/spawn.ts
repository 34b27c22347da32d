/**
 * How to start another script with the current runtime (the demo's child
 * writer): runtime specifics stay in `src/fs/`.
 *
 * @module
 */
import process from "node:process";
import { runtimeName } from "./detect.ts";

/**
 * The argv that runs `scriptPath` with the current runtime and permissions:
 * `deno run -A <script>`, `bun <script>` or `node <script>`.
 *
 * @example
 * ```ts
 * import { scriptCommand } from "./spawn.ts";
 * const [cmd, ...args] = scriptCommand("/tmp/child.ts");
 * ```
 */
export function scriptCommand(scriptPath: string): string[] {
  const exe = process.execPath;
  return runtimeName() === "deno" ? [exe, "run", "-A", scriptPath] : [exe, scriptPath];
}
