// The memory side of an open store: used memory and its peak over every shard, and, under
// `maxmemory`, eviction before each command (Redis's performEvictions in processCommand):
// victims chosen by the policy across all shards (the cap is the whole store's, as Redis
// counts the whole instance), each logged as a DEL on its shard and told to watchers and
// keyspace listeners as `evicted`. When nothing may go, a command that may grow memory
// (`denyoom`) is refused with Redis's OOM error; others (reads, DEL) still run.
import { Evictor } from "../store/evict.ts";
import type { Store } from "../store/store.ts";
import type { ResolvedOptions } from "./_resolve.ts";
import { CommandFailedError } from "./errors.ts";

/** Redis's reply to a write refused under `maxmemory`. */
export const OOM_MESSAGE = "OOM command not allowed when used memory > 'maxmemory'.";

/** @internal */
export class Memory {
  readonly #stores: Store[];
  readonly #limit: number;
  readonly #evictor: Evictor | null;
  /**
   * The largest figure seen: under a cap it is taken before and after every command; without
   * one (where nothing may cost a write) at every active-expiry tick and `info()`.
   */
  peak = 0;

  constructor(
    opts: ResolvedOptions,
    stores: Store[],
    readonly onEvict: (shard: number, key: Uint8Array) => void,
  ) {
    this.#stores = stores;
    this.#limit = opts.maxmemory;
    this.#evictor = opts.maxmemory > 0
      ? new Evictor(stores, {
        policy: opts.maxmemoryPolicy,
        samples: opts.maxmemorySamples,
        lfuLogFactor: opts.lfuLogFactor,
        lfuDecayTime: opts.lfuDecayTime,
        now: opts.clock,
        ...(opts.evictionSeed === null ? {} : { seed: opts.evictionSeed }),
      })
      : null;
    this.note();
  }

  /** Whether a cap is set. */
  get capped(): boolean {
    return this.#evictor !== null;
  }

  /** Keys evicted since open. */
  get evicted(): number {
    return this.#evictor?.evicted ?? 0;
  }

  /** Used memory of every shard together (see Store.usedMemory). */
  used(): number {
    let n = 0;
    for (const s of this.#stores) n += s.usedMemory();
    return n;
  }

  /** Takes the peak into account of the current figure; returns the figure. */
  note(): number {
    const u = this.used();
    if (u > this.peak) this.peak = u;
    return u;
  }

  /**
   * Before a command (under a cap): evicts back under it; throws the OOM error when that is
   * impossible and `denyoom()` says the command may grow memory.
   */
  makeRoom(denyoom: () => boolean): void {
    const u = this.used();
    if (u > this.peak) this.peak = u;
    if (u <= this.#limit) return; // the common case: one sum over the shards
    if (this.#evictor!.evict(this.#limit, this.onEvict) || !denyoom()) return;
    throw new CommandFailedError(OOM_MESSAGE);
  }
}
