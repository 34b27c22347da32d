// The store behind a KevyStore handle: routes each command to its shard,
// applies it, appends the normalised frames to that shard's AOF, and runs the
// background chores (active expiry, auto-rewrite) and the explicit ones
// (save, rewrite, close). The handle only converts arguments and replies.
import { type Reply, runCommand } from "../store/apply.ts";
import {
  arityOk,
  type Combine,
  type Command,
  commandNamed,
  keyPositions,
  lookupCommand,
} from "../store/commands.ts";
import { shardIndex } from "../shard/routing.ts";
import { unrefTimer } from "../fs/proc.ts";
import { type Frame, propagate } from "./_propagate.ts";
import type { ShardRt } from "./_shard.ts";
import type { DirLock } from "./_lock.ts";
import type { SyncCounters } from "./_metered_fs.ts";
import type { MetricEvent } from "./options.ts";
import type { ResolvedOptions } from "./_resolve.ts";
import { CommandFailedError, StoreClosedError } from "./errors.ts";
import { SplitGroups } from "./_groups.ts";

/** Outcome of the last save / rewrite. */
export interface OpStatus {
  time: number | null;
  status: "ok" | "err" | "none";
  error: string | null;
}

const WRONG_ARGS = (v: string) => `ERR wrong number of arguments for '${v}' command`;
const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same shard";
const EXISTS = commandNamed("exists")!, MSET = commandNamed("mset")!;
const EXISTS_VERB = new TextEncoder().encode("EXISTS"),
  MSET_VERB = new TextEncoder().encode("MSET");

function unknown(verb: Uint8Array): CommandFailedError {
  return new CommandFailedError(`ERR unknown command '${new TextDecoder().decode(verb)}'`, true);
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

  constructor(opts: ResolvedOptions, shards: ShardRt[], lock: DirLock | null, syncs: SyncCounters) {
    this.opts = opts;
    this.shards = shards;
    this.#lock = lock;
    this.syncs = syncs;
    this.startedAt = opts.clock();
    if (opts.activeExpireIntervalMs > 0) {
      this.#timer = setInterval(() => this.activeExpire(), opts.activeExpireIntervalMs);
      unrefTimer(this.#timer);
    }
  }

  get closed(): boolean {
    return this.#closed;
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
    for (const s of this.shards) n += s.store.activeExpire();
    if (n > 0) this.metric({ name: "active_expire", keys: n });
    return n;
  }

  shardOf(key: Uint8Array): number {
    const n = this.shards.length;
    return n === 1 ? 0 : shardIndex(key, n, this.opts.routing);
  }

  /** Run one command; resolves after its frames are durable when the policy is `always`. */
  run(argv: Uint8Array[]): Reply | Promise<Reply> {
    this.check();
    if (argv.length === 0) throw new CommandFailedError("ERR empty command");
    const cmd = lookupCommand(argv[0]!); // the verb is resolved once, here
    if (cmd === undefined) throw unknown(argv[0]!);
    const n = this.shards.length;
    if (n === 1) return this.runOn(0, cmd, argv);
    if (!arityOk(cmd, argv.length)) throw new CommandFailedError(WRONG_ARGS(cmd.name));
    if (cmd.keyless) return this.#runEveryShard(cmd, argv);
    const idx = keyPositions(cmd, argv);
    if (idx.length === 0) return this.runOn(0, cmd, argv);
    const shard = this.shardOf(argv[idx[0]!]!);
    for (let j = 1; j < idx.length; j++) {
      if (this.shardOf(argv[idx[j]!]!) !== shard) {
        if (cmd.split !== null) return this.#runSplit(cmd, cmd.split, argv, idx);
        throw new CommandFailedError(CROSSSLOT);
      }
    }
    return this.runOn(shard, cmd, argv);
  }

  /** Run a command on one shard (keys already routed). */
  runOn(i: number, cmd: Command, argv: Uint8Array[]): Reply | Promise<Reply> {
    const { reply, frames } = this.#apply(i, cmd, argv);
    if (frames.length === 0) return reply;
    const p = this.#log(this.shards[i]!, frames);
    return p === null ? reply : p.then(() => reply);
  }

  /** Refuses a write to a shard whose log has failed (MISCONF, as Redis does). */
  #checkWritable(i: number): void {
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
  #apply(i: number, cmd: Command, argv: Uint8Array[]): { reply: Reply; frames: Frame[] } {
    const sh = this.shards[i]!;
    const aof = sh.aof;
    const write = cmd.write;
    if (write) this.#checkWritable(i);
    const pre = aof !== null && write && cmd.pre !== null ? cmd.pre(argv, sh.store) : undefined;
    const r = runCommand(sh.store, cmd, argv);
    if (!r.ok) throw new CommandFailedError(r.error, r.unknown ?? false);
    if (aof === null || !write) return { reply: r.reply, frames: [] };
    return { reply: r.reply, frames: propagate(cmd, argv, r.reply, sh.store, pre) };
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
    try {
      await sh.rewrite();
    } catch (e) {
      Object.assign(this.lastRewrite, { time: this.opts.clock(), status: "err", error: String(e) });
      throw e;
    }
    Object.assign(this.lastRewrite, { time: this.opts.clock(), status: "ok", error: null });
    this.metric({
      name: "aof.rewrite",
      shard: sh.index,
      ms: performance.now() - t0,
      bytes: sh.aof?.sizeBytes ?? 0,
    });
  }

  /** A multi-key command whose keys span shards: one part per shard, replies combined. */
  #runSplit(
    cmd: Command,
    how: Combine,
    argv: Uint8Array[],
    idx: number[],
  ): Reply | Promise<Reply> {
    // Each key carries the arguments up to the next key (MSET's value).
    const step = idx.length > 1 ? idx[1]! - idx[0]! : 1;
    if ((argv.length - idx[0]!) % step !== 0) throw new CommandFailedError(WRONG_ARGS(cmd.name));
    const groups = new Map<number, { argv: Uint8Array[]; pos: number[] }>();
    idx.forEach((j, p) => {
      const s = this.shardOf(argv[j]!);
      let g = groups.get(s);
      if (!g) groups.set(s, g = { argv: [argv[0]!], pos: [] });
      for (let k = j; k < j + step; k++) g.argv.push(argv[k]!);
      g.pos.push(p);
    });
    const order = [...groups];
    if (how === "nx") {
      for (const [s, g] of order) {
        const keys = g.argv.filter((_, k) => k % 2 === 1);
        const ex = this.runOn(s, EXISTS, [EXISTS_VERB, ...keys]);
        if (typeof ex === "number" && ex > 0) return 0;
      }
      return this.#runParts(
        order.map(([s, g]) => [s, MSET, [MSET_VERB, ...g.argv.slice(1)]]),
        () => 1,
      );
    }
    return this.#runParts(order.map(([s, g]) => [s, cmd, g.argv]), (replies) => {
      if (how !== "positional") return join(how, replies);
      const out: Reply[] = new Array(idx.length).fill(null);
      replies.forEach((r, gi) => {
        const pos = order[gi]![1].pos;
        if (Array.isArray(r)) r.forEach((x, k) => (out[pos[k]!] = x));
      });
      return out;
    });
  }

  /**
   * The per-shard parts of a split command. A write logged on two or more shards is one
   * group (all-or-nothing after a crash); every participant must accept writes first.
   */
  #runParts(
    parts: Array<[number, Command, Uint8Array[]]>,
    joinReplies: (r: Reply[]) => Reply,
  ): Reply | Promise<Reply> {
    const write = parts.some(([, c]) => c.write);
    if (!write || this.opts.dir === null || !this.opts.aof) {
      return combine(parts.map(([s, c, a]) => this.runOn(s, c, a)), joinReplies);
    }
    for (const [s] of parts) this.#checkWritable(s);
    const done = parts.map(([s, c, a]) => ({ s, ...this.#apply(s, c, a) }));
    const logged = done.filter((d) => d.frames.length > 0);
    const replies = done.map((d) => d.reply);
    if (logged.length === 0) return joinReplies(replies);
    let durable: Promise<void> | null;
    if (logged.length === 1) durable = this.#log(this.shards[logged[0]!.s]!, logged[0]!.frames);
    else {
      const g = this.#groups.log(logged.map((d) => ({ sh: this.shards[d.s]!, frames: d.frames })));
      durable = this.shards[logged[0]!.s]!.aof!.fsyncPolicy === "always" ? g : null;
      if (durable === null) g.catch(() => {}); // everysec/no: a failure shows as the failed log
      for (const d of logged) this.#maybeAutoRewrite(this.shards[d.s]!);
    }
    return durable === null ? joinReplies(replies) : durable.then(() => joinReplies(replies));
  }

  /** A keyless command: on every shard when its row says so, else on shard 0. */
  #runEveryShard(cmd: Command, argv: Uint8Array[]): Reply | Promise<Reply> {
    const how = cmd.everyShard;
    if (how === null) return this.runOn(0, cmd, argv);
    return combine(this.shards.map((_, i) => this.runOn(i, cmd, argv)), (r) => join(how, r));
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
    try {
      await Promise.all(this.shards.map((sh) => this.#maintain(sh, () => sh.save())));
    } catch (e) {
      Object.assign(this.lastSave, { time: this.opts.clock(), status: "err", error: String(e) });
      throw e;
    }
    Object.assign(this.lastSave, { time: this.opts.clock(), status: "ok", error: null });
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

/** Replies of the shards' parts, joined. */
function join(how: Combine, replies: Reply[]): Reply {
  switch (how) {
    case "ok":
      return "OK";
    case "concat":
      return replies.flatMap((r) => (Array.isArray(r) ? r : []));
    default: {
      let sum = 0;
      for (const r of replies) sum += typeof r === "number" ? r : Number(r);
      return sum;
    }
  }
}

function combine(
  parts: Array<Reply | Promise<Reply>>,
  join: (r: Reply[]) => Reply,
): Reply | Promise<Reply> {
  if (parts.some((p) => p instanceof Promise)) return Promise.all(parts).then(join);
  return join(parts as Reply[]);
}
