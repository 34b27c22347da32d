// The composing proof (issue 11): a seed-reproducible, model-based simulation of an embedded
// store on CrashFs. A seed expands to a sequence of steps — writes of strings, counters,
// appends, lists and hashes (with PX, PEXPIRE and PERSIST), DEL and MSET spanning shards,
// save(), rewriteAof(), close + reopen at a random shard count and routing, clock jumps
// forward and back, power cuts at a random filesystem operation of the last step (any
// CrashFs variant; sometimes a second one during the recovery), and injected ENOSPC/EIO on
// a write or sync. After every step the store is compared with a plain model of Redis
// semantics (a Map per key with absolute deadlines): every acknowledged write exactly once,
// nothing else. A failing sequence is shrunk (dropping steps while it still fails) and
// reported with its seed.
import { CrashFs } from "../../src/fs/crash.ts";
import { openStore } from "../../src/embedded/open.ts";
import type { KevyStore } from "../../src/embedded/handle.ts";
import type { Routing } from "../../src/codec/routing_types.ts";
import { rng } from "../_helpers.ts";

const DIR = "/db";
const KEYS = Array.from({ length: 10 }, (_, i) => `k${i}`);
const T0 = 1_700_000_000_000;
const PROBES = Array.from({ length: 24 }, (_, i) => `__probe${i}`);

type Val = { kind: "s"; v: string } | { kind: "l"; v: string[] } | {
  kind: "h";
  v: Record<string, string>;
};
interface Entry {
  val: Val;
  /** Absolute deadline (ms), or null. */
  at: number | null;
}
type Model = Map<string, Entry>;

/** One step of a run (plain data, so a failing run prints and replays). */
export type Step =
  | { op: "set"; k: string; v: string; px?: number }
  | { op: "incr" | "del1"; k: string }
  | { op: "append" | "rpush"; k: string; v: string }
  | { op: "hset"; k: string; f: string; v: string }
  | { op: "pexpire"; k: string; ms: number }
  | { op: "persist"; k: string }
  | { op: "mset"; kv: Array<[string, string]> }
  | { op: "del"; ks: string[] }
  | { op: "save" | "rewrite" }
  | { op: "reopen"; shards: number; routing: Routing; format?: 1 | 2 }
  | { op: "clock"; ms: number }
  | {
    op: "crash";
    at: number;
    variant: number;
    shards: number;
    routing: Routing;
    again: number;
    format?: 1 | 2;
  }
  | { op: "fault"; kind: "write" | "syncData"; code: "ENOSPC" | "EIO"; then: Step }
  /** Writes issued in one turn, none awaiting another (many callers at once). */
  | { op: "burst"; writes: Step[] };

/** What a run did. */
export interface RunStats {
  steps: number;
  crashStates: number;
}

/** A failure: the step index, what was expected and what the store had. */
export class SimFailure extends Error {
  constructor(readonly step: number, message: string) {
    super(message);
  }
}

/** What a seed may draw besides the classic steps. */
export interface SeedOptions {
  /** TTLs and clock jumps around the clock (deadlines that pass while a store is closed). */
  ttlEdge?: boolean;
  /** Reopen some layouts with KEVYAOF2 logs (`aofFormat: 2`; default true). */
  formats?: boolean;
  /** Turn some writes into bursts of concurrent writes (default true). */
  bursts?: boolean;
}

/**
 * The steps a seed expands to. TTLs stay far from the clock unless `ttlEdge`. Formats and
 * bursts are drawn from a second stream: without them a seed is the same sequence as before.
 */
export function stepsFor(seed: number, count: number, opts: SeedOptions = {}): Step[] {
  const r = rng(seed * 2654435761 >>> 0 || 1);
  const r2 = rng((seed * 40503 + 7919) >>> 0 || 1);
  const formats = opts.formats !== false;
  const bursts = opts.bursts !== false;
  const format = (): { format?: 1 | 2 } => (formats && r2() < 0.5 ? { format: 2 } : {});
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const key = () => pick(KEYS);
  const ttl =
    () => (opts.ttlEdge ? 50 + Math.floor(r() * 4000) : 3_600_000 + Math.floor(r() * 1e6));
  const layout = (): { shards: number; routing: Routing } => ({
    shards: 1 + Math.floor(r() * 4),
    routing: r() < 0.5 ? "kevyhash" : "slots",
  });
  const write = (): Step => {
    const x = r();
    if (x < 0.18) {
      return r() < 0.3
        ? { op: "set", k: key(), v: `v${seed}.${Math.floor(r() * 99)}`, px: ttl() }
        : { op: "set", k: key(), v: `s${Math.floor(r() * 99)}` };
    }
    if (x < 0.3) return { op: "incr", k: key() };
    if (x < 0.4) return { op: "append", k: key(), v: pick(["a", "bc", "d"]) };
    if (x < 0.5) return { op: "rpush", k: key(), v: pick(["x", "y", "z"]) };
    if (x < 0.58) return { op: "hset", k: key(), f: pick(["f", "g"]), v: pick(["1", "2"]) };
    if (x < 0.64) return { op: "pexpire", k: key(), ms: ttl() };
    if (x < 0.7) return { op: "persist", k: key() };
    if (x < 0.8) {
      return {
        op: "mset",
        kv: [key(), key(), key(), key()].map((k) => [k, `m${Math.floor(r() * 99)}`]),
      };
    }
    if (x < 0.88) return { op: "del", ks: [key(), key(), key()] };
    return { op: "del1", k: key() };
  };
  const out: Step[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    if (x < 0.62) {
      const w = write();
      if (bursts && r2() < 0.15) {
        const more = Array.from({ length: 1 + Math.floor(r2() * 5) }, () => burstWrite(r2, seed));
        out.push({ op: "burst", writes: [w, ...more] });
      } else out.push(w);
    } else if (x < 0.68) out.push({ op: "save" });
    else if (x < 0.74) out.push({ op: "rewrite" });
    else if (x < 0.8) out.push({ op: "reopen", ...layout(), ...format() });
    else if (x < 0.86) {
      out.push({ op: "clock", ms: Math.floor((r() - 0.4) * (opts.ttlEdge ? 8000 : 60_000)) });
    } else if (x < 0.95) {
      out.push({
        op: "crash",
        at: r(),
        variant: Math.floor(r() * 7),
        ...layout(),
        again: r() < 0.25 ? r() : -1,
        ...format(),
      });
    } else {
      out.push({
        op: "fault",
        kind: r() < 0.6 ? "write" : "syncData",
        code: r() < 0.5 ? "ENOSPC" : "EIO",
        then: write(),
      });
    }
  }
  return out;
}

/** A write of a burst (split MSET/DEL mostly: they are what concurrency can interleave). */
function burstWrite(r: () => number, seed: number): Step {
  const key = () => KEYS[Math.floor(r() * KEYS.length)]!;
  const x = r();
  if (x < 0.4) return { op: "mset", kv: [key(), key(), key()].map((k) => [k, `b${seed % 97}`]) };
  if (x < 0.55) return { op: "del", ks: [key(), key()] };
  if (x < 0.75) return { op: "incr", k: key() };
  if (x < 0.9) return { op: "append", k: key(), v: "e" };
  return { op: "set", k: key(), v: "b", px: 3_600_000 + Math.floor(r() * 1000) };
}

// ---- the model: Redis semantics ----

function live(m: Model, k: string, now: number): Entry | undefined {
  const e = m.get(k);
  if (e !== undefined && e.at !== null && e.at <= now) {
    m.delete(k); // a read deletes an expired key (and Redis propagates the DEL)
    return undefined;
  }
  return e;
}

/** Applies a write to the model; false when the store must refuse it (WRONGTYPE, overflow). */
function applyModel(m: Model, s: Step, now: number): void {
  switch (s.op) {
    case "set":
      m.set(s.k, { val: { kind: "s", v: s.v }, at: s.px === undefined ? null : now + s.px });
      return;
    case "incr": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "s", v: "1" }, at: null });
      else if (e.val.kind === "s" && /^-?\d+$/.test(e.val.v)) e.val.v = String(Number(e.val.v) + 1);
      return;
    }
    case "append": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "s", v: s.v }, at: null });
      else if (e.val.kind === "s") e.val.v += s.v;
      return;
    }
    case "rpush": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "l", v: [s.v] }, at: null });
      else if (e.val.kind === "l") e.val.v.push(s.v);
      return;
    }
    case "hset": {
      const e = live(m, s.k, now);
      if (e === undefined) m.set(s.k, { val: { kind: "h", v: { [s.f]: s.v } }, at: null });
      else if (e.val.kind === "h") e.val.v[s.f] = s.v;
      return;
    }
    case "pexpire": {
      const e = live(m, s.k, now);
      if (e !== undefined) e.at = now + s.ms;
      return;
    }
    case "persist": {
      const e = live(m, s.k, now);
      if (e !== undefined) e.at = null;
      return;
    }
    case "mset":
      for (const [k, v] of s.kv) m.set(k, { val: { kind: "s", v }, at: null });
      return;
    case "del":
      for (const k of s.ks) m.delete(k);
      return;
    case "del1":
      m.delete(s.k);
      return;
  }
}

/** Would the store refuse this write (wrong type, not an integer)? Then nothing changes. */
function refuses(m: Model, s: Step, now: number): boolean {
  const e = "k" in s ? live(m, s.k, now) : undefined;
  if (e === undefined) return false;
  if (s.op === "incr") {
    return e.val.kind !== "s" || !/^-?\d+$/.test(e.val.v) || Number(e.val.v) >= 2 ** 53;
  }
  if (s.op === "append") return e.val.kind !== "s";
  if (s.op === "rpush") return e.val.kind !== "l";
  if (s.op === "hset") return e.val.kind !== "h";
  return false;
}

function runWrite(db: KevyStore, s: Step): Promise<unknown> {
  switch (s.op) {
    case "set":
      return s.px === undefined ? db.set(s.k, s.v) : db.set(s.k, s.v, { px: s.px });
    case "incr":
      return db.incr(s.k);
    case "append":
      return db.append(s.k, s.v);
    case "rpush":
      return db.rpush(s.k, s.v);
    case "hset":
      return db.hset(s.k, s.f, s.v);
    case "pexpire":
      return db.pexpire(s.k, s.ms);
    case "persist":
      return db.persist(s.k);
    case "mset":
      return db.mset(Object.fromEntries(s.kv));
    case "del":
      return db.del(...s.ks);
    case "del1":
      return db.del(s.k);
    default:
      return Promise.reject(new Error(`not a write: ${s.op}`));
  }
}

function modelText(m: Model, now: number): string {
  const out: string[] = [];
  for (const k of KEYS) {
    const e = live(m, k, now);
    if (e === undefined) continue;
    const v = e.val.kind === "h" ? Object.fromEntries(Object.entries(e.val.v).sort()) : e.val.v;
    out.push(`${k}=${JSON.stringify(v)}${e.at === null ? "" : `@${e.at}`}`);
  }
  return out.join(" ");
}

async function storeText(db: KevyStore, now: number): Promise<string> {
  const out: string[] = [];
  for (const k of KEYS) {
    const t = await db.type(k);
    if (t === "none") continue;
    const v = t === "list"
      ? await db.lrange(k, 0, -1)
      : t === "hash"
      ? Object.fromEntries(Object.entries(await db.hgetall(k)).sort())
      : await db.get(k);
    const pttl = await db.pttl(k);
    out.push(`${k}=${JSON.stringify(v)}${pttl < 0 ? "" : `@${now + pttl}`}`);
  }
  const n = await db.dbsize();
  if (n !== out.length) out.push(`dbsize=${n}`);
  return out.join(" ");
}

function clone(m: Model): Model {
  const c: Model = new Map();
  for (const [k, e] of m) c.set(k, { val: structuredClone(e.val), at: e.at });
  return c;
}

function noLocks(fs: CrashFs): CrashFs {
  if (fs.statSync(DIR) === null) return fs; // cut before the dir was made durable
  for (const e of fs.readDirSync(DIR)) {
    if (e.name.startsWith("kevy.lock")) fs.removeSync(`${DIR}/${e.name}`);
  }
  return fs;
}

/** Runs `steps`; throws {@link SimFailure} at the first divergence. */
export async function runSteps(steps: Step[]): Promise<RunStats> {
  let t = T0;
  const clock = () => t;
  let fs = new CrashFs();
  let layout: { shards: number; routing: Routing; format?: 1 | 2 } = {
    shards: 2,
    routing: "kevyhash",
  };
  const open = async (f: CrashFs) =>
    await openStore({
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
    });
  let db = await open(fs);
  let model: Model = new Map();
  let crashStates = 0;
  // The states a cut inside the previous step may leave: before it or after it.
  let lastModels: Model[] = [model];
  let lastStepOps = 0;
  const check = async (i: number, what: string, allowed: Model[]) => {
    const got = await storeText(db, t);
    const want = allowed.map((m) => modelText(m, t));
    if (!want.includes(got)) {
      throw new SimFailure(
        i,
        `step ${i} (${what}): store has\n  ${got}\nmodel allows\n  ${want.join("\n  ")}`,
      );
    }
    return allowed[want.indexOf(got)]!;
  };
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const before = fs.ops.length;
    const prev = clone(model);
    if (s.op === "save" || s.op === "rewrite") {
      await (s.op === "save" ? db.save() : db.rewriteAof());
    } else if (s.op === "reopen") {
      await db.close();
      layout = { shards: s.shards, routing: s.routing, ...(s.format ? { format: s.format } : {}) };
      db = await open(fs);
    } else if (s.op === "clock") {
      t += s.ms;
    } else if (s.op === "crash") {
      // A power cut right after a random op of the previous step (or now), then a reboot.
      const from = Math.max(0, before - lastStepOps);
      const at = from + Math.floor(s.at * (before - from + 1));
      const images = fs.crashImages(Math.min(at, fs.ops.length));
      let image = noLocks(images[s.variant % images.length]!);
      crashStates++;
      layout = { shards: s.shards, routing: s.routing, ...(s.format ? { format: s.format } : {}) };
      if (s.again >= 0) {
        // A second power cut during the recovery and re-shard of that image.
        const probe = image.clone();
        probe.checkpoint();
        const d = await open(probe);
        await d.close();
        const cut = Math.floor(s.again * (probe.ops.length + 1));
        const again = probe.crashImages(cut);
        image = noLocks(again[s.variant % again.length]!);
        crashStates++;
      }
      fs = image;
      fs.checkpoint();
      db = await open(fs);
      // The previous step may or may not have reached the disk (it was not acknowledged if
      // the cut fell inside it); everything acknowledged before it must be there.
      model = await check(i, "after a crash", at >= before ? [model] : lastModels);
      lastModels = [model];
      lastStepOps = 0;
      continue;
    } else if (s.op === "fault") {
      const err = () => Object.assign(new Error(`${s.code}: injected`), { code: s.code });
      const stop = fs.failOn((o) => o.kind === s.kind && o.path.endsWith(".aof"), err());
      let outcome = "ok" as "ok" | "refused" | "failed";
      if (!refuses(model, s.then, t)) {
        await runWrite(db, s.then).then(
          () => {},
          (e) =>
            void (outcome = /^MISCONF/.test(String((e as Error).message)) ? "refused" : "failed"),
        );
      }
      stop();
      if (outcome !== "refused") applyModel(model, s.then, t); // applied in memory, bytes kept
      // The store retries by itself once the disk is back: writes are accepted again.
      for (let n = 0; n < 50; n++) {
        // A refused write makes its shard retry; the probe keys span every shard.
        const probe = await db.command(["DEL", ...PROBES]).then(() => true, () => false);
        if (probe) break;
        await new Promise((r) => setTimeout(r, 2));
      }
    } else if (s.op === "burst") {
      // All issued in one turn; applied in issue order. A crash step after it cuts after it.
      const refused = s.writes.map((w) => {
        const no = refuses(model, w, t);
        if (!no) applyModel(model, w, t);
        return no;
      });
      const rs = await Promise.all(
        s.writes.map((w) => runWrite(db, w).then(() => null, (e) => e as Error)),
      );
      rs.forEach((r, j) => {
        if (refused[j] !== (r !== null)) {
          throw new SimFailure(
            i,
            `step ${i}: burst write ${j} ${JSON.stringify(s.writes[j])}: ${
              r === null ? "accepted; the model refuses it" : `failed: ${r.message}`
            }`,
          );
        }
      });
      await check(i, JSON.stringify(s), [model]);
      lastModels = [clone(model)];
      lastStepOps = 0;
      continue;
    } else {
      const refused = refuses(model, s, t);
      const r = await runWrite(db, s).then(() => null, (e) => e as Error);
      if (refused) {
        if (r === null) {
          throw new SimFailure(
            i,
            `step ${i}: ${JSON.stringify(s)} was accepted; the model refuses it`,
          );
        }
      } else {
        if (r !== null) {
          throw new SimFailure(i, `step ${i}: ${JSON.stringify(s)} failed: ${r.message}`);
        }
        applyModel(model, s, t);
      }
    }
    await check(i, JSON.stringify(s), [model]);
    lastModels = [prev, clone(model)];
    lastStepOps = fs.ops.length - before;
  }
  await db.close();
  // Finally: a clean reopen at another layout sees the same keyspace.
  layout = { shards: 3, routing: "slots" };
  db = await open(fs);
  await check(steps.length, "final reopen", [model]);
  await db.close();
  return { steps: steps.length, crashStates };
}

/** Runs one seed; on failure shrinks it and throws with the seed and the shortest sequence. */
export async function runSeed(
  seed: number,
  count: number,
  opts: SeedOptions & { shrink?: boolean } = {},
): Promise<RunStats> {
  const steps = stepsFor(seed, count, opts);
  try {
    return await runSteps(steps);
  } catch (e) {
    if (opts.shrink === false) throw e;
    const short = await shrink(steps);
    throw new Error(
      `seed ${seed} fails (${
        (e as Error).message.split("\n")[0]
      }); shortest sequence (${short.steps.length} steps):\n` +
        `${JSON.stringify(short.steps)}\n${short.message}`,
    );
  }
}

/** Drops chunks, then single steps, while the run still fails. */
async function shrink(steps: Step[]): Promise<{ steps: Step[]; message: string }> {
  let cur = steps;
  let message = await failure(cur);
  for (let size = Math.max(1, cur.length >> 1); size >= 1; size >>= 1) {
    for (let at = 0; at + size <= cur.length;) {
      const cand = [...cur.slice(0, at), ...cur.slice(at + size)];
      const m = await failure(cand);
      if (m !== null) {
        cur = cand;
        message = m;
      } else at += size;
    }
  }
  return { steps: cur, message: message ?? "" };
}

async function failure(steps: Step[]): Promise<string | null> {
  try {
    await runSteps(steps);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
