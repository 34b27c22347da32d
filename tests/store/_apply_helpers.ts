// Helpers for the applier tests: a store with a settable clock and a
// shorthand that applies string argv.
import { Store } from "../../src/store/store.ts";
import { applyCommand, type CommandResult, type Reply } from "../../src/store/apply.ts";
import { utf8 } from "../_helpers.ts";

export const T0 = 1_700_000_000_000;

export function setup(): {
  store: Store;
  setNow(t: number): void;
  run(...argv: string[]): CommandResult;
  ok(...argv: string[]): Reply;
  err(...argv: string[]): string;
} {
  let t = T0;
  const store = new Store({ now: () => t });
  const run = (...argv: string[]) => applyCommand(store, argv);
  return {
    store,
    setNow: (x) => void (t = x),
    run,
    ok: (...argv) => {
      const r = run(...argv);
      if (!r.ok) throw new Error(`${argv.join(" ")} -> ${r.error}`);
      return r.reply;
    },
    err: (...argv) => {
      const r = run(...argv);
      if (r.ok) throw new Error(`${argv.join(" ")} succeeded`);
      return r.error;
    },
  };
}

/** Bulk reply of a text. */
export const bulk = (s: string): Uint8Array => utf8(s);
