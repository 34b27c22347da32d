// The composing proof (issue 11): a seed-reproducible, model-based simulation of an embedded
// store on CrashFs. A seed expands to a sequence of steps (_steps.ts) — writes of strings,
// counters, appends, lists and hashes (with PX, PEXPIRE and PERSIST), DEL and MSET spanning
// shards, save(), rewriteAof(), close + reopen at a random shard count and routing, clock
// jumps forward and back, power cuts at a random filesystem operation of the last step (any
// CrashFs variant; sometimes a second one during the recovery), and injected ENOSPC/EIO on
// a write or sync — and, in the newer modes, a memory cap with evictions and large values
// that make the arena compact. After every step the store is compared with a plain model of
// Redis semantics (_model.ts; evictions: _evictions.ts): every acknowledged write exactly
// once, nothing else. A failing sequence is shrunk (dropping steps while it still fails) and
// reported with its seed.
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import {
  applyModel,
  clone,
  cloneEntry,
  creates,
  entryText,
  keysOf,
  live,
  type Model,
  modelText,
  refuses,
} from "./_model.ts";
import { type Alt, cloneAlt, evictable, matchWorld, mergeAlt, type World } from "./_evictions.ts";
import { resolveBurst } from "./_burst.ts";
import { countersWindow, withCountersLost } from "./_counters.ts";
import { runRace } from "./_race.ts";
import { shardIndex } from "../../src/shard/routing.ts";
import { KEYS, type SimConfig, type Step } from "./_steps.ts";
import { compactions, DIR, isOom, keysText, noLocks, runWrite, storeKeys } from "./_store_io.ts";

export { configFor, type SeedOptions, type SimConfig, type Step, stepsFor } from "./_steps.ts";

const T0 = 1_700_000_000_000;
const PROBES = Array.from({ length: 24 }, (_, i) => `__probe${i}`);
const enc = new TextEncoder();
/** Commands Redis flags `denyoom` (refused under a cap when nothing may be evicted). */
const DENYOOM = new Set([
  ...["set", "setbig", "incr", "append", "appendbig", "rpush", "hset", "mset"],
  ...["xadd", "xgroup"], // (XREADGROUP and XACK are not denyoom in Redis 7)
]);

/** What a run did. */
export interface RunStats {
  steps: number;
  crashStates: number;
  /** Keys the store evicted (`evicted` events). */
  evictions: number;
  /** Writes refused with OOM. */
  oom: number;
  /** Arena compactions made room for an append (a quarter or more of it was dead). */
  compactions: number;
  /** Writes issued while a save or rewrite was in flight. */
  raceWrites: number;
  /** Automatic rewrites that ran while a race step wrote. */
  autoRewrites: number;
  /** Crash states that lost (only) entries-read counters, where that is allowed. */
  countersLost: number;
}

/** A failure: the step index, what was expected and what the store had. */
export class SimFailure extends Error {
  constructor(readonly step: number, message: string) {
    super(message);
  }
}

/** Runs `steps`; throws {@link SimFailure} at the first divergence. */
export async function runSteps(steps: Step[], config: SimConfig = {}): Promise<RunStats> {
  let t = T0;
  const clock = () => t;
  const cap = config.maxmemory ?? 0;
  const policy = cap > 0 ? config.policy ?? "allkeys-lru" : null;
  const compactionsBefore = compactions();
  let fs = new CrashFs();
  let layout: { shards: number; routing: Routing; format?: 1 | 2 } = {
    shards: 2,
    routing: "kevyhash",
  };
  // Evictions as the store reports them, in order (part of the acknowledged history).
  let evq: string[] = [];
  let evictedSinceOpen = 0;
  const open = async (f: CrashFs) => {
    const d = await openStore({
      dir: DIR,
      shards: layout.shards,
      routing: layout.routing,
      aofFormat: layout.format ?? 1,
      appendfsync: "always",
      autoRewriteMinSize: 4096,
      autoRewritePercentage: 100,
      activeExpireIntervalMs: 0,
      fs: f,
      clock,
      ...(policy === null ? {} : { maxmemory: cap, maxmemoryPolicy: policy, evictionSeed: 7 }),
    });
    evictedSinceOpen = 0;
    d.onKeyspaceEvent((e) => {
      evq.push(e.key);
      evictedSinceOpen++;
    }, { events: ["evicted"] });
    return d;
  };
  const take = () => {
    const q = evq;
    evq = [];
    return q;
  };
  let db = await open(fs);
  let model: Model = new Map();
  // Ghosts: evicted keys whose DEL a power cut may still drop (see _evictions.ts).
  let alt: Alt = new Map();
  let crashStates = 0;
  let evictions = 0;
  let raceWrites = 0, autoRewrites = 0, countersLost = 0;
  let oom = 0;
  // The keyspaces a cut inside the previous step may leave: before it or after it.
  let lastWorlds: (cut: number) => World[] = () => [{ m: model, alt }];
  let lastStepOps = 0;
  // Keys evicted during the current step.
  let stepEvicted = new Set<string>();

  const once = (w: World) => () => [w];
  const same = (a: string, b: string) =>
    layout.shards === 1 ||
    shardIndex(enc.encode(a), layout.shards, layout.routing) ===
      shardIndex(enc.encode(b), layout.shards, layout.routing);
  const fail = (i: number, msg: string): never => {
    throw new SimFailure(i, `step ${i}: ${msg}`);
  };
  /** Evictions of keys whose model entry is known: deleted, remembered as ghosts. */
  const evict = (i: number, keys: string[]) => {
    for (const k of keys) {
      const e = live(model, k, t);
      if (e === undefined) fail(i, `evicted ${k}, which the model does not hold`);
      if (!evictable(policy!, e!)) fail(i, `${policy} evicted ${k} (${entryText(e, t)})`);
      alt.set(k, [cloneEntry(e!)]);
      model.delete(k);
      stepEvicted.add(k);
      evictions++;
    }
  };
  /** A write was acknowledged: its keys are the model's again (their DELs are durable). */
  const wrote = (s: Step) => {
    if (creates(s)) { for (const k of keysOf(s)) alt.delete(k); }
  };
  /** An OOM refusal is right only when nothing may be evicted. */
  const oomAllowed = (i: number, s: Step, exact = true) => {
    oom++;
    if (!DENYOOM.has(s.op)) fail(i, `${JSON.stringify(s)} refused with OOM (not denyoom)`);
    if (policy === null || policy.startsWith("allkeys")) fail(i, `${policy} refused with OOM`);
    // (In a burst the keys with a TTL at the command's turn are not known: not checked.)
    if (exact && policy!.startsWith("volatile")) {
      for (const k of KEYS) {
        const e = live(model, k, t);
        if (e !== undefined && e.at !== null) fail(i, `OOM though ${k} has a TTL (${policy})`);
      }
    }
  };
  /** One command, so that a write's growth past the cap is evicted before the store is read. */
  const settle = () => db.command(["EXISTS", PROBES[0]!]);
  /** Opens a power-cut image: its keyspace must be one of `worlds`. */
  const recover = async (i: number, image: CrashFs, worlds: World[]) => {
    const d = await open(image);
    await d.command(["EXISTS", PROBES[0]!]); // settle: a growth past the cap is evicted
    const ev = take();
    const got = await storeKeys(d, t);
    const why: string[] = [];
    for (const w of worlds) {
      const m = w.counters ? withCountersLost(w.m, got, t) : w.m;
      const r = got.has("dbsize")
        ? "dbsize counts other keys"
        : matchWorld({ m, alt: w.alt }, got, ev, t, policy);
      if (typeof r !== "string") {
        if (m !== w.m) countersLost++;
        return { d, next: r, ev };
      }
      why.push(`  ${modelText(w.m, t)}\n    (${r})`);
    }
    return fail(
      i,
      `(after a crash): store has\n  ${keysText(got)}\nmodel allows\n${why.join("\n")}`,
    );
  };
  /** `everyCut`: one more crash state checked, the run goes on without it. */
  const probeCut = async (i: number, image: CrashFs, worlds: World[]) => {
    const r = await recover(i, noLocks(image), worlds);
    await r.d.close();
    crashStates++;
  };
  const check = async (i: number, what: string) => {
    const got = await storeKeys(db, t);
    const want = modelText(model, t);
    if (keysText(got) !== want) {
      fail(i, `(${what}): store has\n  ${keysText(got)}\nmodel has\n  ${want}`);
    }
    if (policy !== null) {
      const info = await db.info();
      if (info.evictedKeys !== evictedSinceOpen) {
        fail(i, `evictedKeys ${info.evictedKeys}, ${evictedSinceOpen} evicted events`);
      }
      const ttlLeft = KEYS.some((k) => live(model, k, t)?.at != null);
      const mayExceed = policy === "noeviction" || (policy.startsWith("volatile") && !ttlLeft);
      if (!mayExceed && info.usedMemory > cap) {
        fail(i, `usedMemory ${info.usedMemory} above the cap ${cap} (${policy})`);
      }
    }
  };

  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const before = fs.ops.length;
    const prev: World = { m: clone(model), alt: cloneAlt(alt) };
    stepEvicted = new Set();
    let altBefore: Alt | null = null; // the ghosts a save/rewrite/close made durable
    let raced: ((cut: number) => World[]) | null = null;
    if (s.op === "race") {
      const n = layout.shards, routing = layout.routing;
      const shardOf = (k: string) => (n === 1 ? 0 : shardIndex(enc.encode(k), n, routing));
      const env = { db, fs, t, model, shardOf, fail: (m: string) => fail(i, m) };
      const out = await runRace(env, s);
      raceWrites += out.inFlight;
      autoRewrites += out.rewrites;
      raced = (cut) => out.worlds(cut).map((m) => ({ m, alt: new Map() }));
      if (s.close !== undefined) {
        layout = {
          shards: s.close.shards,
          routing: s.close.routing,
          ...(s.close.format ? { format: s.close.format } : {}),
        };
        db = await open(fs);
      }
    } else if (s.op === "save" || s.op === "rewrite") {
      await (s.op === "save" ? db.save() : db.rewriteAof());
      evict(i, take());
      altBefore = alt;
      alt = new Map();
    } else if (s.op === "reopen") {
      await db.close();
      evict(i, take());
      layout = { shards: s.shards, routing: s.routing, ...(s.format ? { format: s.format } : {}) };
      db = await open(fs);
      altBefore = alt;
      alt = new Map();
    } else if (s.op === "clock") {
      t += s.ms;
    } else if (s.op === "crash") {
      // A power cut right after a random op of the previous step (or now), then a reboot.
      const from = Math.max(0, before - lastStepOps);
      const at = from + Math.floor(s.at * (before - from + 1));
      // The previous step may or may not have reached the disk (it was not acknowledged if
      // the cut fell inside it); everything acknowledged before it must be there.
      const worldsAt = (c: number, lost: boolean) =>
        (c >= before ? [{ m: model, alt }] : lastWorlds(c))
          .map((w) => (lost ? { ...w, counters: true } : w));
      layout = { shards: s.shards, routing: s.routing, ...(s.format ? { format: s.format } : {}) };
      if (config.everyCut) {
        // Every cut of the previous step, every variant, recovers to an allowed keyspace.
        for (let c = from; c <= before; c++) {
          for (const img of fs.crashImages(c)) await probeCut(i, img, worldsAt(c, false));
        }
      }
      const images = fs.crashImages(Math.min(at, fs.ops.length));
      let image = noLocks(images[s.variant % images.length]!);
      let lost = false; // the second cut fell where a re-shard's entries-read may be lost
      crashStates++;
      if (s.again >= 0) {
        // A second power cut during the recovery and re-shard of that image.
        const probe = image.clone();
        probe.checkpoint();
        const d = await open(probe);
        await d.close();
        const win = countersWindow(probe.ops, 0, probe.ops.length);
        const inWin = (c: number) => win !== null && c >= win[0] && c < win[1];
        if (config.everyCut) {
          for (let c = 0; c <= probe.ops.length; c++) {
            for (const img of probe.crashImages(c)) await probeCut(i, img, worldsAt(at, inWin(c)));
          }
        }
        const cut = Math.floor(s.again * (probe.ops.length + 1));
        const again = probe.crashImages(cut);
        lost = inWin(cut);
        image = noLocks(again[s.variant % again.length]!);
        crashStates++;
      }
      take(); // the old store's (none are pending: each step settles)
      fs = image;
      fs.checkpoint();
      const r = await recover(i, fs, worldsAt(at, lost));
      db = r.d;
      evictions += r.ev.length;
      model = r.next.m;
      alt = r.next.alt;
      await check(i, "after a crash");
      lastWorlds = once({ m: clone(model), alt: cloneAlt(alt) });
      lastStepOps = 0;
      continue;
    } else if (s.op === "fault") {
      const w = s.then;
      const err = () => Object.assign(new Error(`${s.code}: injected`), { code: s.code });
      const stop = fs.failOn((o) => o.kind === s.kind && o.path.endsWith(".aof"), err());
      const r = await runWrite(db, w).then(() => null, (e) => e as Error);
      stop();
      evict(i, take()); // evictions run before the command
      if (refuses(model, w, t, same)) {
        if (r === null) fail(i, `${JSON.stringify(w)} was accepted; the model refuses it`);
      } else if (isOom(r)) oomAllowed(i, w);
      else if (r === null || !/^MISCONF/.test(r.message)) {
        applyModel(model, w, t); // applied in memory (failed: the log keeps the bytes)
        if (r === null) wrote(w);
      }
      // The store retries by itself once the disk is back: writes are accepted again.
      for (let n = 0; n < 50; n++) {
        // A refused write makes its shard retry; the probe keys span every shard.
        const probe = await db.command(["DEL", ...PROBES]).then(() => true, () => false);
        if (probe) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      evict(i, take());
    } else if (s.op === "burst") {
      // All issued in one turn; applied in issue order. A crash step after it cuts after it.
      const rs = await Promise.all(
        s.writes.map((w) => runWrite(db, w).then(() => null, (e) => e as Error)),
      );
      const during = take();
      await settle();
      const after = take();
      const ctx = { db, t, model, alt, policy, fail, oomAllowed };
      evictions += await resolveBurst(ctx, i, s.writes, rs, during, after);
      await check(i, JSON.stringify(s));
      lastWorlds = once({ m: clone(model), alt: cloneAlt(alt) });
      lastStepOps = 0;
      continue;
    } else {
      const r = await runWrite(db, s).then(() => null, (e) => e as Error);
      evict(i, take()); // evictions run before the command
      if (refuses(model, s, t, same)) {
        if (r === null) fail(i, `${JSON.stringify(s)} was accepted; the model refuses it`);
      } else if (isOom(r)) oomAllowed(i, s);
      else if (r !== null) fail(i, `${JSON.stringify(s)} failed: ${r.message}`);
      else {
        applyModel(model, s, t);
        wrote(s);
      }
    }
    await settle();
    evict(i, take());
    await check(i, JSON.stringify(s));
    // A cut inside this step: before it (a key it evicted may be gone already) or after it
    // (the ghosts a save/rewrite/close made durable may still be dropped).
    for (const k of stepEvicted) prev.alt.set(k, [...(prev.alt.get(k) ?? []), null]);
    const after = {
      m: clone(model),
      alt: altBefore === null ? cloneAlt(alt) : mergeAlt(altBefore, alt),
    };
    const base = raced ?? (() => [prev, after]);
    // A re-shard in this step (a reopen at another layout) may lose only entries-read.
    const win = countersWindow(fs.ops, before, fs.ops.length);
    lastWorlds = win === null
      ? base
      : (cut) =>
        base(cut).map((w) => (cut >= win[0] && cut < win[1] ? { ...w, counters: true } : w));
    lastStepOps = fs.ops.length - before;
  }
  await db.close();
  // Finally: a clean reopen at another layout sees the same keyspace.
  layout = { shards: 3, routing: "slots" };
  db = await open(fs);
  await settle();
  evict(steps.length, take());
  await check(steps.length, "final reopen");
  await db.close();
  return {
    steps: steps.length,
    crashStates,
    evictions,
    oom,
    compactions: compactions() - compactionsBefore,
    raceWrites,
    autoRewrites,
    countersLost,
  };
}
