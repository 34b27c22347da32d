// Writing a multi-key command split across shards as one group (codec/group.ts), so that after
// any crash it is on every shard or on none (recovery: shard/_groups.ts).
//
// Each participant gets `MULTI <gid> <shards> <frames>` and its frames in the same turn; then
// every participant holds its later appends while its part is written and synced, until all
// parts are durable; then each appends `EXEC <gid>` first and lets the held appends follow.
// So a part without EXEC can only sit at a log's tail. A save or rewrite of a shard first waits
// until its groups are settled (EXEC durable on every participant): no evidence a recovery needs
// disappears with a truncated log.
import { groupBegin, groupEnd } from "../codec/group.ts";
import type { Frame } from "./_propagate.ts";
import type { ShardRt } from "./_shard.ts";

const noop = (): void => {};
/** How often a group waiting for a failed participant tries again. */
const RETRY_MS = 50;

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(noop);
  return { promise, resolve, reject };
}

/** @internal The groups of one store. */
export class SplitGroups {
  readonly #prefix = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  #seq = 0;
  readonly #pending = new Map<number, Set<Promise<void>>>();
  readonly #abort = deferred();
  #aborted = false;

  /**
   * Logs `parts` (each a shard with an AOF and its frames, at least two) as one group.
   * Resolves once every part is durable. If a part cannot be written (a full disk), the
   * returned promise rejects at once, but the group is not abandoned: its bytes stay queued
   * in that log, which retries them, and every participant keeps holding its later appends
   * until all parts are durable; then EXEC goes to each. Only {@link SplitGroups.abort}
   * (the store closing) ends the wait: that group is then decided by the next recovery.
   */
  log(parts: Array<{ sh: ShardRt; frames: Frame[] }>): Promise<void> {
    const gid = `${this.#prefix}.${(++this.#seq).toString(36)}`;
    const shards = parts.map((p) => p.sh.index);
    for (const p of parts) {
      const aof = p.sh.aof!;
      aof.append(groupBegin(gid, shards, p.frames.length)).catch(noop);
      for (const f of p.frames) aof.append(f).catch(noop);
    }
    const gates = parts.map(() => deferred());
    const all = Promise.race([Promise.all(gates.map((g) => g.promise)), this.#abort.promise]);
    all.catch(noop);
    const firstFailure = deferred();
    const ops = parts.map(async (p, k) => {
      const aof = p.sh.aof!;
      try {
        await aof.withAppendsHeld(async (first) => {
          gates[k]!.resolve(); // this part is durable (written and synced before op runs)
          await all;
          first(groupEnd(gid)); // ahead of the appends held meanwhile
        }, {
          // A failing disk: the caller hears at once, the part keeps its place and is
          // written again until it goes through (or the store closes).
          onFailure: (e) => {
            firstFailure.reject(e);
            return !this.#aborted;
          },
          retryMs: RETRY_MS,
        });
      } catch (e) {
        firstFailure.reject(e);
        throw e;
      }
    });
    const durable = Promise.all(ops).then(noop);
    durable.catch(noop);
    const settled = durable
      .then(() => Promise.all(parts.map((p) => p.sh.aof!.flush())))
      .then(noop, noop);
    for (const i of shards) {
      let set = this.#pending.get(i);
      if (set === undefined) this.#pending.set(i, set = new Set());
      set.add(settled);
    }
    void settled.then(() => {
      for (const i of shards) this.#pending.get(i)?.delete(settled);
    });
    return Promise.race([durable, firstFailure.promise]);
  }

  /**
   * Before the logs close: lets every group in flight finish (its EXECs queued), but gives up
   * on the ones waiting for a log that is failing (recovery decides those).
   */
  async finish(failing: () => boolean): Promise<void> {
    for (;;) {
      const all = [...this.#pending.values()].flatMap((set) => [...set]);
      if (all.length === 0 || this.#aborted) return;
      if (failing()) return this.abort();
      await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, RETRY_MS))]);
    }
  }

  /** True when {@link SplitGroups.abort} left a group unsettled (the next open must recover). */
  get leftOpen(): boolean {
    return this.#leftOpen;
  }
  #leftOpen = false;

  /** The store closes: groups still waiting for a part give up (recovery decides them). */
  abort(): void {
    if (!this.#aborted) this.#leftOpen = [...this.#pending.values()].some((set) => set.size > 0);
    this.#aborted = true;
    this.#abort.reject(new Error("the store closed while a split write waited for a failed log"));
  }

  /**
   * Logs one command's several frames on one shard as a group (MULTI, frames, EXEC in one
   * batch): recovery keeps it only whole. Resolves like the last append.
   */
  single(sh: ShardRt, frames: Frame[]): Promise<void> {
    const [begin, end] = this.markers(sh.index, frames.length);
    const aof = sh.aof!;
    aof.append(begin).catch(noop);
    for (const f of frames) aof.append(f).catch(noop);
    return aof.append(end);
  }

  /** The markers of a one-shard group of `frames` frames on shard `shard` (a new gid). */
  markers(shard: number, frames: number): [Uint8Array[], Uint8Array[]] {
    const gid = `${this.#prefix}.${(++this.#seq).toString(36)}`;
    return [groupBegin(gid, [shard], frames), groupEnd(gid)];
  }

  /**
   * Resolves when no group touching shard `i` is unsettled. The caller must start its
   * save/rewrite in the same turn (no new group can begin in between).
   */
  async settled(i: number): Promise<void> {
    for (;;) {
      const set = this.#pending.get(i);
      if (set === undefined || set.size === 0) return;
      await Promise.all(set);
    }
  }
}
