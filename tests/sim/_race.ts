// A save or rewrite racing writes (issue 17's point-in-time view, in sequence): the writes
// are issued while it is in flight — in the call's own turn (before the view is taken) or at
// the save's n-th filesystem call (after it) — and the model applies them in issue order,
// which is the order the store applies them in memory. Acknowledged means the write's promise
// resolved; each write's acknowledgement is recorded at the filesystem operation it came
// after, so a later power cut inside the step knows which writes must be there. What a cut
// may leave is then every set of the step's writes that holds each acknowledged one, is a
// prefix of each shard's writes (a shard's log is written in order) and keeps a multi-shard
// write whole — applied once, in order, on the keyspace before the step. A view that let a
// later write into the snapshot applies it twice on reload (the held frame replays it
// again): no such set gives that keyspace.
import type { CrashFs } from "../../src/fs/crash.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import {
  applyModel,
  clone,
  entryText,
  keysOf,
  live,
  type Model,
  modelText,
  refuses,
} from "./_model.ts";
import type { RaceStep, Step } from "./_steps.ts";
import { runWrite } from "./_store_io.ts";

/** What the race runs against. */
export interface RaceEnv {
  db: KevyStore;
  fs: CrashFs;
  /** The clock (constant during the step). */
  t: number;
  /** The model, updated in place as the writes are issued. */
  model: Model;
  shardOf: (key: string) => number;
  fail: (message: string) => never;
}

/** What a race did. */
export interface RaceOutcome {
  /** The keyspaces a power cut right after op `cut` (inside the step) may leave. */
  worlds: (cut: number) => Model[];
  /** Automatic rewrites that ran during the step. */
  rewrites: number;
  /** Writes issued while the save or rewrite was in flight (not after it). */
  inFlight: number;
}

/** One write of a race. */
interface Raced {
  w: Step;
  /** Refused: by the model (wrong type, no such key, CROSSSLOT) or the store was closing. */
  refused: boolean;
  /** Accepted but changes nothing: it may never be logged, so its ack says nothing. */
  noop: boolean;
  /** The shards whose log holds it. */
  shards: number[];
  /** `fs.ops.length` when acknowledged. */
  ackAt: number | null;
  err: Error | null;
}

/** Runs a race step; the store must then match `env.model`. */
export async function runRace(env: RaceEnv, s: RaceStep): Promise<RaceOutcome> {
  const { db, fs, t, model } = env;
  const prev = clone(model);
  const same = (a: string, b: string) => env.shardOf(a) === env.shardOf(b);
  const raced: Raced[] = [];
  const acks: Promise<void>[] = [];
  let closing: Promise<void> | null = null;
  let running = true;
  let inFlight = 0;
  const issue = (w: Step) => {
    const keys = keysOf(w);
    const was = keys.map((k) => entryText(live(model, k, t), t));
    const refused = closing !== null || refuses(model, w, t, same);
    if (!refused) applyModel(model, w, t);
    // Only the shards where it changes a key log it (a split DEL's part that deletes nothing
    // is not written), so only their logs order it.
    const changed = keys.filter((k, j) => entryText(live(model, k, t), t) !== was[j]);
    const rec: Raced = {
      w,
      refused,
      noop: !refused && changed.length === 0,
      shards: [...new Set(changed.map(env.shardOf))],
      ackAt: null,
      err: null,
    };
    if (running) inFlight++;
    raced.push(rec);
    acks.push(
      runWrite(db, w).then(() => {
        rec.ackAt = fs.ops.length;
      }, (e) => {
        rec.err = e as Error;
      }),
    );
  };
  const queue = s.writes.filter((x) => x.at >= 0);
  let calls = 0, closeQueued = false;
  const stop = fs.failOn(() => {
    calls++;
    while (queue.length > 0 && queue[0]!.at <= calls) {
      const { w } = queue.shift()!;
      queueMicrotask(() => issue(w));
    }
    if (s.close !== undefined && !closeQueued && s.close.at <= calls) {
      closeQueued = true;
      queueMicrotask(() => closing ??= db.close());
    }
    return false;
  });
  const rewritesBefore = (await db.info()).aofRewrites;
  let main: Promise<unknown>;
  if (s.what === "auto") {
    for (const x of s.writes) if (x.at < 0) issue(x.w); // the first one starts the rewrite
    main = (async () => {
      // (Once closing, close() waits for the rewrite itself.)
      const busy = async () => closing === null && (await db.info()).aofRewriteInProgress;
      for (let n = 0; n < 1000 && (await busy()); n++) {
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
  } else {
    main = s.what === "save"
      ? db.save()
      : s.what === "rewrite"
      ? db.rewriteAof()
      : Promise.all([db.save(), db.rewriteAof()]);
    for (const x of s.writes) if (x.at < 0) issue(x.w);
  }
  const err = await main.then(() => null, (e) => e as Error);
  running = false;
  stop();
  if (err !== null) env.fail(`race: ${s.what} failed: ${err.message}`);
  for (const { w } of queue.splice(0)) issue(w); // the save ended before their turn
  const rewrites = s.what === "auto" && closing === null
    ? (await db.info()).aofRewrites - rewritesBefore
    : 0;
  if (s.close !== undefined) closing ??= db.close();
  await Promise.all(acks);
  await closing;
  for (const r of raced) {
    if (r.refused && r.err === null) {
      env.fail(`race: ${JSON.stringify(r.w)} was accepted; the model refuses it`);
    }
    if (!r.refused && r.err !== null) {
      env.fail(`race: ${JSON.stringify(r.w)} failed: ${r.err.message}`);
    }
  }
  const cands = raced.filter((r) => !r.refused && !r.noop);
  const worlds = (cut: number): Model[] => {
    const out = new Map<string, Model>();
    for (let mask = 0; mask < 1 << cands.length; mask++) {
      if (!possible(cands, mask, cut)) continue;
      const m = clone(prev);
      cands.forEach((r, j) => {
        if (mask & (1 << j)) applyModel(m, r.w, t);
      });
      out.set(modelText(m, t), m);
    }
    return [...out.values()];
  };
  return { worlds, rewrites, inFlight };
}

/** Whether the writes in `mask` may be what a cut after op `cut` left on disk. */
function possible(cands: Raced[], mask: number, cut: number): boolean {
  const cutShards = new Set<number>(); // shards whose log stopped before one of their writes
  for (let j = 0; j < cands.length; j++) {
    const r = cands[j]!, kept = (mask & (1 << j)) !== 0;
    if (!kept && r.ackAt !== null && r.ackAt <= cut) return false; // acknowledged: durable
    if (kept && r.shards.some((sh) => cutShards.has(sh))) return false; // not a prefix
    if (!kept) { for (const sh of r.shards) cutShards.add(sh); }
  }
  return true;
}
