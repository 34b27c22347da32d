// Fault injection for CrashFs: each operation is checked against the injected faults before it
// takes effect. Paused while CrashFs seeds files.
import { fsError } from "./_crash_state.ts";
import type { FaultTarget } from "./crash_types.ts";

/** One injected fault. */
export interface Fault {
  test: (t: FaultTarget) => boolean;
  error: (() => Error) | Error | undefined;
  once: boolean;
}

/** The injected faults of one CrashFs. */
export class Faults {
  #list: Fault[] = [];
  /** While true no fault matches. */
  paused = false;

  /** Adds a fault; returns a function that removes it. */
  add(fault: Fault): () => void {
    this.#list.push(fault);
    return () => {
      this.#list = this.#list.filter((f) => f !== fault);
    };
  }

  /** Throw if a fault matches `target` (default: an `EIO` error); a one-shot fault is used up. */
  check(target: FaultTarget): void {
    if (this.paused) return;
    const f = this.#list.find((x) => x.test(target));
    if (f === undefined) return;
    if (f.once) this.#list = this.#list.filter((x) => x !== f);
    throw typeof f.error === "function"
      ? f.error()
      : f.error ?? fsError("EIO", target.kind, target.path);
  }
}
