/**
 * Process and host facts for the embedded store's directory lock: whether a
 * pid is alive on this machine and this machine's host name. Lives in
 * `src/fs/` because it is runtime-specific (`node:process`, `node:os`, which
 * Deno and Bun both implement).
 *
 * @module
 */
import process from "node:process";
import { hostname } from "node:os";

/**
 * True when a process with this pid exists on this host (signal 0 probe).
 * A process owned by another user (`EPERM`) counts as alive.
 *
 * @example
 * ```ts
 * import { isProcessAlive } from "./proc.ts";
 * import process from "node:process";
 * isProcessAlive(process.pid); // true
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown } | null)?.code === "EPERM";
  }
}

/**
 * This machine's host name (as `os.hostname()`), or `"unknown"` when the runtime refuses.
 *
 * @example
 * ```ts
 * import { hostName } from "./proc.ts";
 * console.log(hostName());
 * ```
 */
export function hostName(): string {
  try {
    return hostname();
  } catch {
    return "unknown";
  }
}

/**
 * The current process id.
 *
 * @example
 * ```ts
 * import { processId } from "./proc.ts";
 * processId() > 0; // true
 * ```
 */
export function processId(): number {
  return process.pid;
}

/**
 * Let a timer not keep the process alive (`unref` on Node/Bun timers, `Deno.unrefTimer` on Deno).
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./proc.ts";
 * const t = setInterval(() => {}, 1000);
 * unrefTimer(t);
 * clearInterval(t);
 * ```
 */
export function unrefTimer(timer: unknown): void {
  const t = timer as { unref?: () => void } | null;
  if (t !== null && typeof t === "object" && typeof t.unref === "function") {
    t.unref();
    return;
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number" && typeof deno?.unrefTimer === "function") deno.unrefTimer(timer);
}
