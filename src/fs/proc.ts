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
import { readFile } from "node:fs/promises";

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

/**
 * The kernel's boot id (`/proc/sys/kernel/random/boot_id`, Linux), or null where there is none.
 * A lock written under another boot id is stale whatever its pid says.
 *
 * @example
 * ```ts
 * import { bootId } from "./proc.ts";
 * console.log(await bootId()); // e.g. "976f0391-0a79-4a2b-8962-76d55bdaabe6", or null
 * ```
 */
export async function bootId(): Promise<string | null> {
  try {
    const t = (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
    return t === "" ? null : t;
  } catch {
    return null;
  }
}

/**
 * When process `pid` started (field 22 of `/proc/<pid>/stat`: clock ticks since boot, Linux),
 * as text, or null when unknown. Tells a reused pid (a restarted container is pid 1 again)
 * from the process that wrote a lock.
 *
 * @example
 * ```ts
 * import { processStartTime } from "./proc.ts";
 * import process from "node:process";
 * console.log(await processStartTime(process.pid)); // e.g. "232401", or null
 * ```
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields follow the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[19];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

/**
 * Calls `handler` on SIGINT (Ctrl-C) instead of letting the process die;
 * returns the function that removes it. For commands that stop cleanly.
 *
 * @example
 * ```ts
 * import { onInterrupt } from "./proc.ts";
 * const stop = new AbortController();
 * const off = onInterrupt(() => stop.abort());
 * off();
 * ```
 */
export function onInterrupt(handler: () => void): () => void {
  process.on("SIGINT", handler);
  return () => void process.off("SIGINT", handler);
}
