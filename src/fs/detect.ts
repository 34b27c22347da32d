/**
 * Runtime detection: the only place that asks which runtime we are on.
 *
 * @module
 */
import { createBunFs } from "./bun.ts";
import { createDenoFs } from "./deno.ts";
import { nodeFs } from "./node.ts";
import type { FsAdapter } from "./types.ts";

/** The runtimes this package knows. */
export type RuntimeName = "deno" | "bun" | "node";

let runtime: RuntimeName | undefined;
let adapter: FsAdapter | undefined;

/**
 * The current runtime, detected once: `"deno"` when `globalThis.Deno` exists, `"bun"` when
 * `globalThis.Bun` exists, otherwise `"node"`.
 *
 * @example
 * ```ts
 * import { runtimeName } from "@kevy/persist/fs";
 * console.log(`running on ${runtimeName()}`);
 * ```
 */
export function runtimeName(): RuntimeName {
  if (runtime === undefined) {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    runtime = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
  }
  return runtime;
}

/**
 * The filesystem adapter for the current runtime (created once, then shared).
 *
 * @example
 * ```ts
 * import { defaultFs } from "@kevy/persist/fs";
 * const fs = defaultFs();
 * const info = await fs.stat("/tmp");
 * ```
 */
export function defaultFs(): FsAdapter {
  if (adapter === undefined) {
    const r = runtimeName();
    adapter = r === "deno" ? createDenoFs() : r === "bun" ? createBunFs() : nodeFs;
  }
  return adapter;
}
