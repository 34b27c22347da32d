// The store behind a KevyStore handle: routes each command to its shard,
// applies it, appends the normalised frames to that shard's AOF, and runs the
// background chores (active expiry, auto-rewrite) and the explicit ones
// (save, rewrite, close). The handle only converts arguments and replies.
import { type Reply, upper } from "../store/_apply_common.ts";
import { applyCommand } from "../store/apply.ts";
import { shardIndex } from "../shard/routing.ts";
import { unrefTimer } from "../fs/proc.ts";
import { capture, type Frame, propagate } from "./_propagate.ts";
import { isKeyless, isRead, keyIndexes, SPLITTABLE } from "./_keyspec.ts";
import type { ShardRt } from "./_shard.ts";
import type { DirLock } from "./_lock.ts";
import type { SyncCounters } from "./_metered_fs.ts";
import type { MetricEvent } from "./options.ts";
import type { ResolvedOptions } from "./_resolve.ts";
import { CommandFailedError, StoreClosedError } from "./errors.ts";

/** Outcome of the last save / rewrite. */
export interface OpStatus {
  time: number | null;
  status: "ok" | "err" | "none";
  error: string | null;
}

const WRONG_ARGS = (v: string) => `ERR wrong number of arguments for '${v.toLowerCase()}' command`;
const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same shard";

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
    const verb = upper(argv[0]!);
    const n = this.shards.length;
    if (n > 1 && SPLITTABLE.has(verb)) return this.#runSplit(verb, argv);
    if (isKeyless(verb)) return this.#runKeyless(verb, argv);
    const idx = keyIndexes(verb, argv);
    let shard = 0;
    if (n > 1 && idx.length > 0) {
      shard = this.shardOf(argv[idx[0]!]!);
      for (let j = 1; j < idx.length; j++) {
        if (this.shardOf(argv[idx[j]!]!) !== shard) throw new CommandFailedError(CROSSSLOT);
      }
    }
    return this.runOn(shard, verb, argv);
  }

  /** Run a command on one shard (keys already routed). */
  runOn(i: number, verb: string, argv: Uint8Array[]): Reply | Promise<Reply> {
    const sh = this.shards[i]!;
    const aof = sh.aof;
    const write = !isRead(verb);
    if (aof !== null && write && aof.lastWriteStatus === "failed") {
      throw new CommandFailedError(
        `MISCONF the append-only log of shard ${i} failed; writes are refused until the store is reopened`,
      );
    }
    const pre = aof !== null && write ? capture(verb, argv, sh.store) : null;
    const r = applyCommand(sh.store, argv);
    if (!r.ok) throw new CommandFailedError(r.error, r.unknown ?? false);
    if (aof === null || !write) return r.reply;
    const frames = propagate(verb, argv, r.reply, sh.store, pre);
    if (frames.length === 0) return r.reply;
    const p = this.#log(sh, frames);
    return p === null ? r.reply : p.then(() => r.reply);
  }

  /** Append frames; returns the durability promise under `always`, else null. */
  #log(sh: ShardRt, frames: Frame[]): Promise<void> | null {
    const aof = sh.aof!;
    let last: Promise<void> = Promise.resolve();
    for (const f of frames) last = aof.append(f);
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
    const run = sh.maint.then(op);
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

  #runSplit(verb: string, argv: Uint8Array[]): Reply | Promise<Reply> {
    const pairs = verb === "MSET" || verb === "MSETNX";
    if (argv.length < 2 || (pairs && (argv.length < 3 || argv.length % 2 !== 1))) {
      throw new CommandFailedError(WRONG_ARGS(verb));
    }
    const step = pairs ? 2 : 1;
    const groups = new Map<number, { argv: Uint8Array[]; pos: number[] }>();
    for (let j = 1; j < argv.length; j += step) {
      const s = this.shardOf(argv[j]!);
      let g = groups.get(s);
      if (!g) groups.set(s, g = { argv: [argv[0]!], pos: [] });
      g.argv.push(...argv.slice(j, j + step));
      g.pos.push((j - 1) / step);
    }
    if (verb === "MSETNX") {
      for (const [s, g] of groups) {
        const keys = g.argv.filter((_, k) => k % 2 === 1);
        const ex = this.runOn(s, "EXISTS", [new TextEncoder().encode("EXISTS"), ...keys]);
        if (typeof ex === "number" && ex > 0) return 0;
      }
      const mset = new TextEncoder().encode("MSET");
      const parts = [...groups].map(([s, g]) => this.runOn(s, "MSET", [mset, ...g.argv.slice(1)]));
      return combine(parts, () => 1);
    }
    const parts: Array<Reply | Promise<Reply>> = [];
    const order = [...groups];
    for (const [s, g] of order) parts.push(this.runOn(s, verb, g.argv));
    return combine(parts, (replies) => {
      if (verb === "MSET") return "OK";
      if (verb === "MGET") {
        const out: Reply[] = new Array(argv.length - 1).fill(null);
        replies.forEach((r, gi) => {
          const pos = order[gi]![1].pos;
          if (Array.isArray(r)) r.forEach((x, k) => (out[pos[k]!] = x));
        });
        return out;
      }
      let sum = 0;
      for (const r of replies) sum += typeof r === "number" ? r : Number(r);
      return sum;
    });
  }

  #runKeyless(verb: string, argv: Uint8Array[]): Reply | Promise<Reply> {
    if (this.shards.length === 1) return this.runOn(0, verb, argv);
    switch (verb) {
      case "DBSIZE":
        return this.dbsize();
      case "FLUSHALL":
      case "FLUSHDB":
        return combine(this.shards.map((_, i) => this.runOn(i, verb, argv)), () => "OK");
      case "KEYS": {
        const all: Reply[] = [];
        for (let i = 0; i < this.shards.length; i++) {
          const r = this.runOn(i, verb, argv);
          if (Array.isArray(r)) all.push(...r);
        }
        return all;
      }
      case "RANDOMKEY": {
        const start = Math.floor(Math.random() * this.shards.length);
        for (let j = 0; j < this.shards.length; j++) {
          const r = this.runOn((start + j) % this.shards.length, verb, argv);
          if (r !== null) return r;
        }
        return null;
      }
      case "SCAN":
        throw new CommandFailedError("ERR SCAN spans shards: use the scan() iterator");
      default:
        return this.runOn(0, verb, argv);
    }
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
      const errors: unknown[] = [];
      for (const sh of this.shards) {
        await sh.maint;
        try {
          await sh.close();
        } catch (e) {
          errors.push(e);
        }
      }
      await this.#lock?.release();
      if (errors.length > 0) throw errors[0];
    })();
    return this.#closing;
  }
}

function combine(
  parts: Array<Reply | Promise<Reply>>,
  join: (r: Reply[]) => Reply,
): Reply | Promise<Reply> {
  if (parts.some((p) => p instanceof Promise)) return Promise.all(parts).then(join);
  return join(parts as Reply[]);
}
