// The store behind a KevyStore handle: routes each command to its shard,
// applies it, appends the normalised frames to that shard's AOF, and runs the
// background chores (active expiry, auto-rewrite) and the explicit ones
// (save, rewrite, close). The handle only converts arguments and replies.
// Around each write the hub (_hub.ts) serves watchers, blocked calls and
// keyspace events; transactions (EXEC) are applied by _tx.ts through the same
// apply-then-log steps, so a command and a transaction are logged alike.
import { type Reply, runCommand } from "../store/apply.ts";
import type { Command } from "../store/commands.ts";
import { shardIndex } from "../shard/routing.ts";
import { unrefTimer } from "../fs/proc.ts";
import { type Frame, propagate } from "./_propagate.ts";
import { Memory } from "./_memory.ts";
import type { ShardRt } from "./_shard.ts";
import type { DirLock } from "./_lock.ts";
import type { SyncCounters } from "./_metered_fs.ts";
import type { MetricEvent } from "./options.ts";
import type { ResolvedOptions } from "./_resolve.ts";
import { CommandFailedError, StoreClosedError } from "./errors.ts";
import { SplitGroups } from "./_groups.ts";
import { type Applied, applyRouted, shardsOf } from "./_split.ts";
import { Hub } from "./_hub.ts";
import { park, wokenError } from "./_blocking.ts";
import { prepareCommand, type Prepared } from "./_prepare.ts";
import { type OpStatus, recorded } from "./_op_status.ts";

export type { Prepared } from "./_prepare.ts";
export type { OpStatus } from "./_op_status.ts";

const DEL_VERB = new TextEncoder().encode("DEL"), HDEL_VERB = new TextEncoder().encode("HDEL");

/** Options of a blocking call. */
export interface BlockOptions {
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** @internal */
export class Engine {
  readonly opts: ResolvedOptions;
  readonly shards: ShardRt[];
  readonly #lock: DirLock | null;
  readonly syncs: SyncCounters;
  #closed = false;
  #closing: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly lastSave: OpStatus = { time: null, status: "none", error: null };
  readonly lastRewrite: OpStatus = { time: null, status: "none", error: null };
  readonly startedAt: number;
  readonly #groups = new SplitGroups();
  readonly hub: Hub;
  /** Keys removed because their TTL passed, since open (`info().expiredKeys`). */
  expiredKeys = 0;
  /** Used memory, its peak, and eviction under `maxmemory`. */
  readonly memory: Memory;

  constructor(opts: ResolvedOptions, shards: ShardRt[], lock: DirLock | null, syncs: SyncCounters) {
    this.opts = opts;
    this.shards = shards;
    this.#lock = lock;
    this.syncs = syncs;
    this.startedAt = opts.clock();
    this.hub = new Hub(
      opts.notifyKeyspaceEvents,
      (message) => this.metric({ name: "warning", message }),
    );
    for (const sh of shards) {
      // Keys that expire (lazily, by the sweep, or written over) tell watchers and listeners.
      sh.store.onExpired((key) => {
        this.expiredKeys++;
        this.hub.removed("expired", key);
      });
      if (sh.aof === null) continue;
      // A v2 transaction held over a rewrite that switches the log to v1 becomes a group.
      sh.aof.groupMarkers = (n) => this.#groups.markers(sh.index, n);
      // A key seen as expired stays gone: its removal is logged as a DEL (as Redis
      // propagates one), so a restart with the clock set back cannot resurrect it.
      sh.store.hooks.onExpire = (key) => this.#logImplicit(sh, [DEL_VERB, key]);
      sh.store.hooks.onExpireField = (key, f) => this.#logImplicit(sh, [HDEL_VERB, key, f]);
      // Loading froze expiry: what the files hold past its deadline expires now.
      sh.store.dbsize();
    }
    // An evicted key is logged as a DEL too (replay and followers see the same keyspace).
    this.memory = new Memory(opts, shards.map((sh) => sh.store), (i, key) => {
      const sh = this.shards[i]!;
      if (sh.aof !== null) this.#logImplicit(sh, [DEL_VERB, key]);
      this.hub.removed("evicted", key);
    });
    if (opts.activeExpireIntervalMs > 0) {
      this.#timer = setInterval(() => this.activeExpire(), opts.activeExpireIntervalMs);
      unrefTimer(this.#timer);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  readonly #onClose = new Set<() => void>();

  /** Runs `f` when the store closes (subscriptions end); returns the function that cancels it. */
  onClose(f: () => void): () => void {
    this.#onClose.add(f);
    return () => void this.#onClose.delete(f);
  }

  /**
   * The process ends now (`process.exit()`): every log writes what is buffered and syncs,
   * synchronously. The directory lock stays (the next open notes the store was not closed
   * and takes it over). Returns the shards whose logs could not be finished.
   */
  exitSync(): number[] {
    if (this.#closed) return [];
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    const failed: number[] = [];
    for (const sh of this.shards) if (sh.aof !== null && !sh.aof.exitSync()) failed.push(sh.index);
    return failed;
  }

  metric(e: MetricEvent): void {
    if (this.opts.onMetric) {
      try {
        this.opts.onMetric(e);
      } catch { /* a metrics sink must not break the store */ }
    } else if (e.name === "warning") console.warn(String(e["message"]));
  }

  check(): void {
    if (this.#closed) throw new StoreClosedError();
  }

  /** One sweep of active expiry over every shard; returns keys removed. */
  activeExpire(): number {
    if (this.#closed) return 0;
    let n = 0;
    this.memory.note();
    for (const s of this.shards) n += s.store.activeExpire();
    if (n > 0) this.metric({ name: "active_expire", keys: n });
    return n;
  }

  shardOf(key: Uint8Array): number {
    const n = this.shards.length;
    return n === 1 ? 0 : shardIndex(key, n, this.opts.routing);
  }

  /** Resolves and routes a command (throws unknown-command, arity and CROSSSLOT errors). */
  prepare(argv: Uint8Array[]): Prepared {
    return prepareCommand(argv, this.shards.length, (k) => this.shardOf(k));
  }

  /**
   * Run one command; resolves after its frames are durable when the policy is `always`. A
   * blocking command (BLPOP...) that finds nothing waits, unless `block` is false.
   */
  run(argv: Uint8Array[], opts: BlockOptions = {}): Reply | Promise<Reply> {
    this.check();
    const p = this.prepare(argv);
    const capped = this.memory.capped; // without a cap nothing here costs (peak: see Memory)
    if (capped) this.memory.makeRoom(() => p.cmd.flags.has("denyoom"));
    const a = this.apply(p);
    if (capped && p.cmd.write) this.memory.note();
    const durable = this.logParts(a.parts);
    if (a.reply === null && p.cmd.blockTimeout !== null && p.route.kind === "one") {
      const ms = p.cmd.blockTimeout(p.argv);
      if (ms !== null) {
        const keep = p.cmd.blockArgv?.(p.argv, this.shards[p.route.shard]!.store) ?? p.argv;
        return park(this.hub.blocked, { ...p, argv: keep }, p.route.shard, ms, opts.signal);
      }
    }
    this.settle();
    return durable === null ? a.reply : durable.then(() => a.reply);
  }

  /** Applies a prepared command everywhere it routes to; nothing is logged yet. */
  apply(p: Prepared): Applied {
    if (p.cmd.write) {
      for (
        const s of shardsOf(p.route, p.argv, this.shards.length, (k) => this.shardOf(k))
      ) this.checkWritable(s);
    }
    return applyRouted(
      p.cmd,
      p.argv,
      p.route,
      this.shards.length,
      (k) => this.shardOf(k),
      (i, c, a) => this.#applyOn(i, c, a),
    );
  }

  /** Refuses a write to a shard whose log has failed (MISCONF, as Redis does). */
  checkWritable(i: number): void {
    const aof = this.shards[i]!.aof;
    if (aof !== null && aof.lastWriteStatus === "failed") {
      void aof.retry(); // as Redis retries on every event-loop turn; the next write may pass
      const cause = (aof.lastWriteError?.cause as Error | undefined)?.message ?? "write failed";
      throw new CommandFailedError(
        `MISCONF Errors writing to the AOF file of shard ${i}: ${cause}; ` +
          "writes are refused until a retry succeeds",
      );
    }
  }

  /** Applies a command to shard `i`: its reply and the frames to log (none for a read). */
  #applyOn(i: number, cmd: Command, argv: Uint8Array[]): { reply: Reply; frames: Frame[] } {
    const sh = this.shards[i]!;
    const aof = sh.aof;
    if (cmd.flags.has("pubsub")) {
      return { reply: this.hub.pubsubCommand(cmd, argv, this.shards[0]!.store), frames: [] };
    }
    if (!cmd.write) {
      const r = runCommand(sh.store, cmd, argv);
      if (!r.ok) throw new CommandFailedError(r.error, r.unknown ?? false);
      return { reply: r.reply, frames: [] };
    }
    this.checkWritable(i);
    const hub = this.hub;
    const framed = aof !== null || hub.needsFrames(cmd, argv);
    const before = hub.before(cmd, argv, sh.store);
    const pre = framed && cmd.pre !== null ? cmd.pre(argv, sh.store) : undefined;
    const r = runCommand(sh.store, cmd, argv);
    if (!r.ok) throw new CommandFailedError(r.error, r.unknown ?? false);
    const frames = framed ? propagate(cmd, argv, r.reply, sh.store, pre) : null;
    hub.after(cmd, argv, r.reply, sh.store, frames, before, pre);
    return { reply: r.reply, frames: aof === null || frames === null ? [] : frames };
  }

  /**
   * Logs what a command or a transaction wrote: on one shard as one append (several frames:
   * one group), on several as one split group (all or nothing after a crash). Returns the
   * durability promise under `always`, else null.
   */
  logParts(parts: Applied["parts"]): Promise<void> | null {
    if (parts.length === 0) return null;
    if (parts.length === 1) return this.#log(this.shards[parts[0]![0]]!, parts[0]![1]);
    const first = this.shards[parts[0]![0]]!;
    const g = this.#groups.log(parts.map(([s, frames]) => ({ sh: this.shards[s]!, frames })));
    const durable = first.aof!.fsyncPolicy === "always" ? g : null;
    if (durable === null) g.catch(() => {}); // everysec/no: a failure shows as the failed log
    for (const [s] of parts) this.#maybeAutoRewrite(this.shards[s]!);
    return durable;
  }

  /** After a command or a transaction: blocked calls whose keys were written are served. */
  settle(): void {
    const b = this.hub.blocked;
    if (!b.pending || this.#closed) return;
    let lastId = "", key = new Uint8Array(0); // waiters of one key come together
    b.serve((w, id) => {
      const sh = this.shards[w.shard]!;
      if (id !== lastId) key = Uint8Array.from(id, (c) => c.charCodeAt(0)), lastId = id;
      if (!sh.store.has(key)) return "gone";
      let a: Applied;
      try {
        const argv = w.cmd.readyArgv === null ? w.argv : w.cmd.readyArgv(w.argv, key, sh.store);
        if (argv === null) return "skip"; // nothing for it yet: it keeps waiting
        a = this.apply({ cmd: w.cmd, argv, route: { kind: "one", shard: w.shard } });
      } catch (e) {
        // A wrong type stays blocked (Redis 7.0 serves a key only to calls of its type).
        if (e instanceof CommandFailedError && e.message.startsWith("WRONGTYPE")) return "skip";
        b.remove(w);
        w.reject(wokenError(w.cmd, e));
        return "skip";
      }
      if (a.reply === null) return sh.store.has(key) ? "skip" : "gone";
      b.remove(w);
      const durable = this.logParts(a.parts);
      w.resolve(durable === null ? a.reply : durable.then(() => a.reply));
      return sh.store.has(key) ? "skip" : "gone";
    });
  }

  /** Append frames; returns the durability promise under `always`, else null. */
  #log(sh: ShardRt, frames: Frame[]): Promise<void> | null {
    const aof = sh.aof!;
    // One command's frames (SET + PEXPIREAT...) replay all or nothing: a transaction in a
    // v2 log; in a v1 log a one-shard group (MULTI/EXEC markers, see codec/group.ts).
    const last = frames.length === 1
      ? aof.append(frames[0]!)
      : aof.format === 2
      ? aof.appendGroup(frames)
      : this.#groups.single(sh, frames);
    this.#maybeAutoRewrite(sh);
    return aof.fsyncPolicy === "always" ? last : null;
  }

  /** A key or hash field expired or was evicted: log its DEL / HDEL; nobody waits for it. */
  #logImplicit(sh: ShardRt, frame: Uint8Array[]): void {
    if (this.#closed) return;
    // Queued even while the log is failed (written by its retry, ahead of later writes):
    // a DEL left out would let a later write of the key replay on top of its old value.
    try {
      sh.aof!.appendImplicit(frame).catch(() => {}); // a failure surfaces on the next write
    } catch { /* a closed log refuses; the key is gone in memory either way */ }
  }

  #maybeAutoRewrite(sh: ShardRt): void {
    if (sh.autoRewrite !== null || this.#closed || !sh.aof!.shouldRewrite()) return;
    sh.autoRewrite = this.#maintain(sh, () => this.#rewriteShard(sh))
      .catch((e) =>
        this.metric({ name: "warning", shard: sh.index, message: `auto-rewrite failed: ${e}` })
      )
      .finally(() => {
        sh.autoRewrite = null;
      });
  }

  /** Serialise save/rewrite per shard. */
  #maintain<T>(sh: ShardRt, op: () => Promise<T>): Promise<T> {
    // Split writes touching this shard settle first; op starts in the same turn as the check.
    const run = sh.maint.then(() => this.#groups.settled(sh.index)).then(op);
    sh.maint = run.then(() => {}, () => {});
    return run;
  }

  async #rewriteShard(sh: ShardRt): Promise<void> {
    const t0 = performance.now();
    await recorded(this.lastRewrite, this.opts.clock, () => sh.rewrite());
    this.metric({
      name: "aof.rewrite",
      shard: sh.index,
      ms: performance.now() - t0,
      bytes: sh.aof?.sizeBytes ?? 0,
    });
  }

  dbsize(): number {
    let n = 0;
    for (const s of this.shards) n += s.store.dbsize();
    return n;
  }

  requireFiles(what: string): void {
    this.check();
    if (this.opts.dir === null) {
      throw new TypeError(`${what} needs a data directory: open the store with { dir }`);
    }
  }

  /** SAVE: every shard, crash-consistently (snapshot, then the AOF is reset). */
  async save(): Promise<void> {
    this.requireFiles("save()");
    const t0 = performance.now();
    await recorded(
      this.lastSave,
      this.opts.clock,
      () => Promise.all(this.shards.map((sh) => this.#maintain(sh, () => sh.save()))),
    );
    this.metric({ name: "save", ms: performance.now() - t0, keys: this.dbsize() });
  }

  /** BGREWRITEAOF for every shard (waits for any automatic rewrite in flight). */
  async rewriteAof(): Promise<void> {
    this.requireFiles("rewriteAof()");
    if (!this.opts.aof) {
      throw new TypeError("rewriteAof() needs the AOF: open the store with { aof: true }");
    }
    await Promise.all(this.shards.map((sh) => this.#maintain(sh, () => this.#rewriteShard(sh))));
  }

  /** Flush and sync every log, close the files, release the lock. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.hub.blocked.rejectAll(new StoreClosedError());
    for (const f of [...this.#onClose]) f();
    this.#onClose.clear();
    this.#closing = (async () => {
      // Split writes in flight finish first; one waiting for a failing log gives up.
      await this.#groups.finish(() =>
        this.shards.some((sh) => sh.aof?.lastWriteStatus === "failed")
      );
      this.#groups.abort();
      const errors: unknown[] = [];
      for (const sh of this.shards) {
        await sh.maint;
        try {
          await sh.close();
        } catch (e) {
          errors.push(e);
        }
      }
      try {
        // A split write given up on: the tombstone says so, and the next open recovers it.
        await this.#lock?.release({ unsettled: this.#groups.leftOpen });
      } catch (e) {
        errors.push(e); // the logs' errors (what is not on disk) come first
      }
      if (errors.length > 0) throw errors[0];
    })();
    return this.#closing;
  }
}
