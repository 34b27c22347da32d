/**
 * Closing things when the process ends: on SIGINT (Ctrl-C), SIGTERM and a
 * normal exit (the event loop ran dry), in Deno, Bun and Node alike (their
 * `node:process` signal and `beforeExit` events). Lives in `src/fs/`
 * because it is runtime-specific.
 *
 * - A signal runs every registered `close()` (in parallel), then, when no
 *   other listener of that signal is left, lets the signal do what it does by
 *   default (the process ends as killed by it: exit status 130 / 143). A
 *   second signal while closing ends the process at once.
 * - A normal exit (`beforeExit`) runs every `close()`; the process then ends
 *   as it would have.
 * - `process.exit()` called explicitly leaves no time for async work: every
 *   hook still registered gets its `closeSync()` from the `exit` event.
 *
 * @module
 */
import process from "node:process";

/** What a registered store does when the process ends. */
export interface ExitHook {
  /** Flush and release (SIGINT, SIGTERM, the event loop running dry). */
  close(): Promise<void>;
  /** What can be done synchronously when `process.exit()` leaves no time. */
  closeSync(): void;
}

/** Why the process ends. */
export type ExitReason = "SIGINT" | "SIGTERM" | "beforeExit";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
const hooks = new Set<ExitHook>();
let closing: Promise<void> | null = null;
let installed = false;

function report(e: unknown): void {
  console.error(`kevy: closing on exit failed: ${e instanceof Error ? e.message : String(e)}`);
}

function closeAll(): Promise<void> {
  if (closing !== null) return closing;
  const all = [...hooks];
  hooks.clear();
  closing = Promise.allSettled(all.map((h) => h.close())).then((rs) => {
    for (const r of rs) if (r.status === "rejected") report(r.reason);
    closing = null;
    uninstall();
  });
  return closing;
}

function onSignal(sig: "SIGINT" | "SIGTERM"): void {
  if (closing !== null) {
    // Asked twice: stop waiting.
    process.exit(sig === "SIGINT" ? 130 : 143);
  }
  void closeAll().then(() => {
    uninstall();
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
}

const onInt = (): void => onSignal("SIGINT");
const onTerm = (): void => onSignal("SIGTERM");
const onBeforeExit = (): void => {
  if (hooks.size > 0) void closeAll();
};
const onExit = (): void => {
  const all = [...hooks];
  hooks.clear();
  for (const h of all) {
    try {
      h.closeSync();
    } catch (e) {
      report(e);
    }
  }
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on(SIGNALS[0], onInt);
  process.on(SIGNALS[1], onTerm);
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
}

function uninstall(): void {
  if (!installed || hooks.size > 0 || closing !== null) return;
  installed = false;
  process.off(SIGNALS[0], onInt);
  process.off(SIGNALS[1], onTerm);
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
}

/**
 * Runs `hook` when the process ends (see the module docs); returns the
 * function that unregisters it (call it when the hook's owner closes
 * anyway). While no hook is registered no listener is installed, so the
 * process's own signal handling is untouched.
 *
 * @example
 * ```ts
 * import { onProcessExit } from "./exit.ts";
 * const off = onProcessExit({ close: async () => {}, closeSync: () => {} });
 * off();
 * ```
 */
export function onProcessExit(hook: ExitHook): () => void {
  hooks.add(hook);
  install();
  return () => {
    hooks.delete(hook);
    uninstall();
  };
}
