/**
 * How to start another script with the current runtime (the demo's child
 * writer): runtime specifics stay in `src/fs/`.
 *
 * @module
 */
import { spawn } from "node:child_process";
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

/** A child started by {@link spawnScript}. */
export interface ScriptChild {
  /** Sends SIGKILL. */
  kill(): void;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `scriptPath` with the current runtime ({@link scriptCommand}),
 * stdin closed, stderr inherited; `onStdout` gets its stdout as text.
 *
 * @example
 * ```ts
 * import { spawnScript } from "./spawn.ts";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "spawn-"));
 * writeFileSync(join(dir, "child.mjs"), "console.log('hi')");
 * let out = "";
 * const child = spawnScript(join(dir, "child.mjs"), [], (t) => (out += t));
 * await child.exited; // 0, and out is "hi\n"
 * rmSync(dir, { recursive: true });
 * ```
 */
export function spawnScript(
  scriptPath: string,
  args: string[],
  onStdout: (text: string) => void,
): ScriptChild {
  const [cmd, ...pre] = scriptCommand(scriptPath);
  const proc = spawn(cmd!, [...pre, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const dec = new TextDecoder();
  proc.stdout!.on("data", (d: Uint8Array) => onStdout(dec.decode(d, { stream: true })));
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on("exit", (code) => resolve(code));
    proc.on("error", reject);
  });
  return { kill: () => void proc.kill("SIGKILL"), exited };
}
