/**
 * The cut-over path: {@link followToRedis} copies a data dir that a live
 * store (another process) is writing, then keeps forwarding every write the
 * store appends to its AOFs until it is told to stop, so the target can
 * take over with nothing lost.
 *
 * The store's save, rewrite and re-shard replace its files; the follower
 * notices (file identity), loads the new files consistently and sends the
 * keys whose state differs from what the target holds (and deletes the
 * ones that are gone), then tails the new logs. Each round's writes are
 * acknowledged by the target before the round's offsets count as done, so
 * the final offsets are exactly what the target holds.
 *
 * Cut-over: stop the writers, wait until the lag is 0, stop the follower
 * (the final report says "in sync at" the offsets), switch the clients.
 *
 * @module
 */

import { defaultFs } from "../fs/detect.ts";
import { BulkWriter } from "../net/bulk.ts";
import { RedisReplyError } from "../net/errors.ts";
import type { RedisTarget } from "../net/target.ts";
import { redactRedisUrl } from "../net/url.ts";
import { basename } from "../fs/path.ts";
import { UnknownCommandGate } from "../persist/unknown.ts";
import { shardIndex } from "../shard/routing.ts";
import { copyParts } from "./_copy.ts";
import { openTargetOf } from "./_open.ts";
import { sameState } from "./_entry_equal.ts";
import type { JobSink } from "./_forward.ts";
import { type LiveLayout, type LiveShard, loadLiveShard, readLiveLayout } from "./_live_source.ts";
import { jobWriter, type KeyJob } from "./_migrate_encode.ts";
import { chooseEncoder } from "./_payload.ts";
import { type KeyError, newStats } from "./migrate.ts";

export type { FollowLag, FollowOffset, FollowOptions, FollowResult } from "./follow_types.ts";
import type { FollowLag, FollowOffset, FollowOptions, FollowResult } from "./follow_types.ts";

/** Bytes read from one log per round. */
const ROUND_BYTES = 4 * 1024 * 1024;

/** "aof-0.aof:1234 aof-1.aof:99" */
export function offsetsText(offsets: ReadonlyArray<FollowOffset>): string {
  return offsets.map((o) => `${o.file}:${o.offset}`).join(" ");
}

/**
 * Copies the live data dir `dir` into the target, then forwards its writes
 * until `opts.signal` aborts. Resolves with the final offsets.
 *
 * @example
 * ```ts no-run
 * import { followToRedis } from "@kevy/persist/redis";
 * const stop = new AbortController();
 * const r = await followToRedis("./kevy-data", { url: "redis://127.0.0.1:6379", signal: stop.signal });
 * ```
 */
export async function followToRedis(dir: string, opts: FollowOptions): Promise<FollowResult> {
  const fs = opts.fs ?? defaultFs();
  const clock = opts.now ?? Date.now;
  const target = await openTargetOf(opts);
  const f = new Follower(dir, fs, clock, target, opts);
  try {
    return await f.run();
  } finally {
    await f.close();
    await target.close();
  }
}

class Follower {
  layout!: LiveLayout;
  shards: LiveShard[] = [];
  forwarded = 0;
  resent = 0;
  resyncs = 0;
  errors: KeyError[] = [];
  writer: BulkWriter<KeyJob>;
  encoder!: Awaited<ReturnType<typeof chooseEncoder>>;
  gate: UnknownCommandGate;

  constructor(
    readonly dir: string,
    readonly fs: ReturnType<typeof defaultFs>,
    readonly clock: () => number,
    readonly target: RedisTarget,
    readonly opts: FollowOptions,
  ) {
    this.gate = new UnknownCommandGate(opts.onUnknown ?? "error");
    this.writer = new BulkWriter<KeyJob>(target, {
      ordered: true,
      onDone: (job, errors) => {
        if (errors.length > 0) this.errors.push({ key: job.key, error: errors[0]!.error.message });
      },
    });
  }

  async run(): Promise<FollowResult> {
    this.encoder = await chooseEncoder(this.target);
    this.layout = await readLiveLayout(this.dir, this.fs);
    await this.loadAll();
    const stats = newStats(
      `kevy data dir ${this.dir} (live)`,
      redactRedisUrl(this.opts.url),
      this.target,
    );
    stats.payload = this.encoder.payload;
    stats.skipped = this.gate.skipped;
    const t0 = performance.now();
    await copyParts(
      this.target,
      this.shards.map((s) => ({ label: `shard ${s.index}`, store: s.store })),
      stats,
      {
        replace: this.opts.replace === true,
        now: this.clock,
        encoder: this.encoder.encode,
        stringsAsSet: this.encoder.stringsAsSet,
        partCount: this.shards.length,
        ...(this.opts.batchBytes !== undefined ? { batchBytes: this.opts.batchBytes } : {}),
        ...(this.opts.onProgress !== undefined ? { onProgress: this.opts.onProgress } : {}),
      },
    );
    stats.ms = performance.now() - t0;
    this.opts.onCopied?.(stats);
    const signal = this.opts.signal;
    let lastReport = -Infinity; // the first round reports at once
    while (!signal.aborted) {
      const moved = await this.round();
      const now = performance.now();
      if (moved || now - lastReport > 1000) {
        lastReport = now;
        this.opts.onLag?.(await this.lag());
      }
      if (!moved) await pause(this.opts.pollMs ?? 50, signal);
    }
    // The last round: forward everything that is there now.
    while (await this.round()) { /* until a round finds nothing */ }
    const final = await this.lag();
    this.opts.onLag?.(final);
    return {
      initial: stats,
      forwarded: this.forwarded,
      resent: this.resent,
      resyncs: this.resyncs,
      offsets: final.offsets,
      errors: this.errors,
      skipped: this.gate.skipped,
    };
  }

  async loadAll(): Promise<void> {
    const n = this.layout.n;
    for (let i = 0; i < n; i++) {
      const s = await loadLiveShard(
        this.dir,
        i,
        n,
        this.fs,
        this.clock,
        this.encoder.encode,
        this.gate,
      );
      this.shards.push(s);
    }
  }

  /** One pass over every log; true when anything was forwarded or resynced. */
  async round(): Promise<boolean> {
    const layout = await readLiveLayout(this.dir, this.fs);
    if (layout.stamp !== this.layout.stamp) {
      await this.resyncAll(layout);
      return true;
    }
    let moved = false;
    for (let i = 0; i < this.shards.length; i++) {
      const s = this.shards[i]!;
      // Replaced (save, rewrite), or its tail cut and written again (the store's next open
      // after a crash: a half-written frame, a split write's part that never completed).
      if (await s.tail.changed()) {
        await this.resyncShard(i);
        moved = true;
        continue;
      }
      const sink = this.sink();
      const applied = s.fwd.applied;
      const n = await s.tail.read((argv, at) => s.fwd.frame(argv, sink, at), ROUND_BYTES);
      s.tail.hold(s.fwd.openAt);
      if (n > 0) moved = true;
      this.forwarded += s.fwd.applied - applied; // markers and held frames are not (yet)
      await sink.done();
    }
    await this.writer.flush();
    return moved;
  }

  /** A sink collecting jobs into one buffer; `done()` hands them to the writer. */
  sink(): JobSink & { done(): Promise<void> } {
    const w = jobWriter();
    let run: Array<{ job: Omit<KeyJob, "frames">; start: number; end: number }> = [];
    const broadcasts: Array<{ at: number; argv: Uint8Array[] }> = [];
    const sink = {
      w,
      push: (job: Omit<KeyJob, "frames">, start: number) => {
        run.push({ job, start, end: w.length });
      },
      everyMaster: (argv: Uint8Array[]) => {
        broadcasts.push({ at: run.length, argv });
      },
      done: async () => {
        const buf = w.take();
        const jobs = run;
        run = [];
        let f = 0;
        for (let i = 0; i <= jobs.length; i++) {
          while (f < broadcasts.length && broadcasts[f]!.at === i) {
            // FLUSHALL or FUNCTION in the log: everything before it first, then every master.
            await this.writer.flush();
            await this.everyMaster(broadcasts[f]!.argv);
            f++;
          }
          const r = jobs[i];
          if (r === undefined) break;
          const job = r.job as KeyJob;
          job.frames = buf.subarray(r.start, r.end);
          const p = this.writer.add(job);
          if (p !== undefined) await p;
        }
      },
    };
    return sink;
  }

  /** Runs `argv` on every master; an error reply is recorded (named by the command), not thrown. */
  async everyMaster(argv: Uint8Array[]): Promise<void> {
    for (const addr of this.target.masters) {
      try {
        await (await this.target.connection(addr)).command(argv);
      } catch (e) {
        if (!(e instanceof RedisReplyError)) throw e;
        const what = argv.slice(0, 2).map((a) => new TextDecoder().decode(a)).join(" ");
        this.errors.push({
          key: new TextEncoder().encode(`${what} on ${addr}`),
          error: e.message,
        });
      }
    }
  }

  /** Shard `i`'s log was replaced (save or rewrite): load it again, send what differs. */
  async resyncShard(i: number): Promise<void> {
    const old = this.shards[i]!;
    const fresh = await loadLiveShard(
      this.dir,
      i,
      this.layout.n,
      this.fs,
      this.clock,
      this.encoder.encode,
      this.gate,
    );
    const sink = this.sink();
    for (const e of fresh.store.entries()) {
      if (!sameState(old.store.getEntry(e.key), e)) {
        fresh.fwd.image(e.key, sink);
        this.resent++;
      }
    }
    for (const k of old.store.keys()) {
      if (!fresh.store.has(k)) {
        fresh.fwd.image(k, sink);
        this.resent++;
      }
    }
    await sink.done();
    await this.writer.flush();
    await old.tail.close();
    this.shards[i] = fresh;
    this.resyncs++;
  }

  /** The shard count or routing changed (a re-shard): load everything again, send what differs. */
  async resyncAll(layout: LiveLayout): Promise<void> {
    const oldLayout = this.layout;
    const old = this.shards;
    this.layout = layout;
    this.shards = [];
    await this.loadAll();
    const sink = this.sink();
    const oldOf = (k: Uint8Array) =>
      old[shardIndex(k, oldLayout.n, oldLayout.routing, oldLayout.slotRanges)]!.store;
    const newOf = (k: Uint8Array) =>
      this.shards[shardIndex(k, layout.n, layout.routing, layout.slotRanges)]!;
    for (const s of this.shards) {
      for (const e of s.store.entries()) {
        if (!sameState(oldOf(e.key).getEntry(e.key), e)) {
          s.fwd.image(e.key, sink);
          this.resent++;
        }
      }
    }
    for (const s of old) {
      for (const k of s.store.keys()) {
        const n = newOf(k);
        if (!n.store.has(k)) {
          n.fwd.image(k, sink);
          this.resent++;
        }
      }
      await s.tail.close();
    }
    await sink.done();
    await this.writer.flush();
    this.resyncs++;
  }

  async lag(): Promise<FollowLag> {
    const offsets: FollowOffset[] = [];
    let bytes = 0;
    for (const s of this.shards) {
      const size = await s.tail.size();
      // A group still open is not on the target: its frames count as not forwarded.
      const offset = s.fwd.openAt ?? s.tail.offset;
      offsets.push({ file: basename(s.tail.path), offset, size });
      bytes += Math.max(0, size - offset);
    }
    return { bytes, forwarded: this.forwarded, resyncs: this.resyncs, offsets };
  }

  async close(): Promise<void> {
    for (const s of this.shards) await s.tail.close().catch(() => {});
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      res();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
