// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BZPOPMIN, ... and XREAD/XREADGROUP BLOCK):
// who waits for which key, in the order they blocked, and which keys became ready since the
// last time they were served. The engine runs a waiter's command again (never blocking) when
// one of its keys is ready, in FIFO order per key, as Redis serves its blocked clients after
// each command; what that run logs is the pop, never the wait.
import type { Reply } from "../store/apply.ts";
import { type Command, keyPositions } from "../store/commands.ts";
import type { Prepared } from "./_engine.ts";
import { keyId } from "./_watch.ts";
import { CommandFailedError } from "./errors.ts";

/** One blocked call. */
export interface Waiter {
  readonly cmd: Command;
  /** The command run again when a key is ready (XREAD's `$` already resolved). */
  readonly argv: Uint8Array[];
  /** Shard the keys route to. */
  readonly shard: number;
  /** Ids of its keys (Latin-1), each once. */
  readonly ids: string[];
  /** Settled already (served, timed out, aborted, store closed). */
  done: boolean;
  resolve(r: Reply | Promise<Reply>): void;
  reject(e: unknown): void;
  /** Clears its timer and abort listener. */
  cleanup(): void;
}

/** @internal The blocked calls of one store. */
export class Blocked {
  readonly #byKey = new Map<string, Set<Waiter>>();
  readonly #ready = new Set<string>();
  #count = 0;

  /** Number of blocked calls. */
  get size(): number {
    return this.#count;
  }

  /** Whether some call waits for key `id`. */
  has(id: string): boolean {
    return this.#byKey.has(id);
  }

  /** Whether a key with waiters became ready. */
  get pending(): boolean {
    return this.#ready.size > 0;
  }

  add(w: Waiter): void {
    for (const id of w.ids) {
      let set = this.#byKey.get(id);
      if (set === undefined) this.#byKey.set(id, set = new Set());
      set.add(w);
    }
    this.#count++;
  }

  /** Takes `w` off every key (it was settled). */
  remove(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    w.cleanup();
    this.#count--;
    for (const id of w.ids) {
      const set = this.#byKey.get(id);
      if (set === undefined) continue;
      set.delete(w);
      if (set.size === 0) {
        this.#byKey.delete(id);
        this.#ready.delete(id);
      }
    }
  }

  /** Key `id` was written: its waiters get a chance after the current command. */
  signal(id: string): void {
    if (this.#byKey.has(id)) this.#ready.add(id);
  }

  /**
   * Serves ready keys until none is left (serving may make more keys ready: BLMOVE's
   * destination). `attempt(w, id)` runs the waiter's command: `"served"` (it got something and
   * was settled), `"skip"` (nothing for this one: a stream id it has seen, a wrong type) or
   * `"gone"` (the key is empty now: nobody after it can be served).
   */
  serve(attempt: (w: Waiter, id: string) => "served" | "skip" | "gone"): void {
    while (this.#ready.size > 0) {
      const id = this.#ready.values().next().value as string;
      this.#ready.delete(id);
      const set = this.#byKey.get(id);
      if (set === undefined) continue;
      for (const w of set) {
        if (w.done) continue;
        if (attempt(w, id) === "gone") break;
      }
    }
  }

  /** Settles every waiter with `e` (the store closes). */
  rejectAll(e: unknown): void {
    const all = new Set<Waiter>();
    for (const set of this.#byKey.values()) for (const w of set) all.add(w);
    for (const w of all) {
      this.remove(w);
      w.reject(e);
    }
    this.#ready.clear();
  }
}

/**
 * Parks a blocking call that found nothing until the engine serves it (a key of it was
 * written), `ms` pass (resolves null; 0 waits forever) or `signal` aborts (rejects with its
 * reason).
 */
export function park(
  b: Blocked,
  p: Prepared,
  shard: number,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<Reply> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Reply>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const onAbort = () => {
      b.remove(w);
      reject(signal!.reason);
    };
    const ids = [...new Set(keyPositions(p.cmd, p.argv).map((i) => keyId(p.argv[i]!)))];
    const w: Waiter = {
      cmd: p.cmd,
      argv: p.argv,
      shard,
      ids,
      done: false,
      resolve: (r) => void Promise.resolve(r).then(resolve, reject),
      reject,
      cleanup: () => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      },
    };
    if (ms > 0) {
      timer = setTimeout(() => {
        b.remove(w);
        resolve(null);
      }, ms);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    b.add(w);
  });
}

/**
 * What a woken call that failed rejects with: for an XREADGROUP whose group was destroyed
 * (or whose stream was replaced) while it waited, Redis's own words; else the error.
 */
export function wokenError(cmd: Command, e: unknown): unknown {
  if (cmd.name !== "xreadgroup" || !(e instanceof CommandFailedError)) return e;
  if (!e.message.startsWith("NOGROUP")) return e;
  return new CommandFailedError(
    "NOGROUP the consumer group this client was blocked on no longer exists",
  );
}
