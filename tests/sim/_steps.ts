// The simulator's sequences: a seed expands to steps (plain data, so a failing run prints and
// replays) and to the store's configuration (a memory cap and its policy in the maxmemory
// mode). Classic draws come from one random stream, the later additions from their own, so
// a seed of an older mode expands to the same sequence as before.
import type { Routing } from "../../src/codec/routing_types.ts";
import type { MaxmemoryPolicy } from "../../src/embedded/options.ts";
import { rng } from "../_helpers.ts";

/** The keys every sequence writes. */
export const KEYS: readonly string[] = Array.from({ length: 10 }, (_, i) => `k${i}`);

/** One step of a run. */
export type Step =
  | { op: "set"; k: string; v: string; px?: number }
  | { op: "incr" | "del1"; k: string }
  | { op: "append" | "rpush"; k: string; v: string }
  | { op: "hset"; k: string; f: string; v: string }
  | { op: "pexpire"; k: string; ms: number }
  | { op: "persist"; k: string }
  | { op: "mset"; kv: Array<[string, string]> }
  | { op: "del"; ks: string[] }
  | { op: "rename"; k: string; to: string }
  | { op: "flushall" }
  /** Stream writes: XADD of id `n-1`; XGROUP CREATE at 0 with ENTRIESREAD 0 (MKSTREAM). */
  | { op: "xadd"; k: string; n: number; v: string }
  | { op: "xgroup"; k: string; g: string }
  /** XREADGROUP GROUP g c COUNT 1 STREAMS k >; XACK of id `n-1`. */
  | { op: "xreadgroup"; k: string; g: string }
  | { op: "xack"; k: string; g: string; n: number }
  /** A large string ({@link bigValue}: `len` bytes), set or appended. */
  | { op: "setbig" | "appendbig"; k: string; n: number; len: number }
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
  | { op: "burst"; writes: Step[] }
  | RaceStep;

/**
 * A save (or rewrite, both, or an automatic rewrite a large write starts) with writes issued
 * while it is in flight: `at` -1 in the call's own turn (before its view is taken), else at
 * the save's `at`-th filesystem call; `close`: the store is closed at the call `closeAt`
 * (writes after it are refused), then reopened with that layout.
 */
export interface RaceStep {
  op: "race";
  what: "save" | "rewrite" | "both" | "auto";
  writes: Array<{ at: number; w: Step }>;
  close?: { at: number; shards: number; routing: Routing; format?: 1 | 2 };
}

/** The store's configuration for a run (besides the layout its steps choose). */
export interface SimConfig {
  /** The whole store's memory cap (`maxmemory`; 0 or absent: none). */
  maxmemory?: number;
  /** What goes at the cap. */
  policy?: MaxmemoryPolicy;
  /**
   * Each crash step also checks every cut of the step before it (and of the recovery, with
   * a second cut), every variant, then goes on with the drawn one (for tests of few steps).
   */
  everyCut?: boolean;
}

/** What a seed may draw besides the classic steps. */
export interface SeedOptions {
  /** TTLs and clock jumps around the clock (deadlines that pass while a store is closed). */
  ttlEdge?: boolean;
  /** Reopen some layouts with KEVYAOF2 logs (`aofFormat: 2`; default true). */
  formats?: boolean;
  /** Turn some writes into bursts of concurrent writes (default true). */
  bursts?: boolean;
  /** A memory cap small enough that keys are evicted often, under a policy drawn per seed. */
  maxmemory?: boolean;
  /** Large strings, often overwritten and appended to (the arena compacts its dead bytes). */
  largeValues?: boolean;
  /**
   * Saves and rewrites with writes in flight (every kind, RENAME and FLUSHALL included),
   * crashes inside them; not drawn with `maxmemory`.
   */
  saveRace?: boolean;
  /** Streams with consumer groups (entries-read through saves, crashes and re-shards). */
  streams?: boolean;
  /** {@link SimConfig.everyCut}. */
  everyCut?: boolean;
}

/** The value of a `setbig`/`appendbig` step: `len` bytes that name their step. */
export function bigValue(n: number, len: number): string {
  const head = `<${n}:${len}>`;
  return head + String.fromCharCode(97 + n % 26).repeat(Math.max(0, len - head.length));
}

const POLICIES: readonly MaxmemoryPolicy[] = [
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "noeviction",
];

/** The configuration a seed runs with. */
export function configFor(seed: number, opts: SeedOptions = {}): SimConfig {
  const every: SimConfig = opts.everyCut ? { everyCut: true } : {};
  if (opts.maxmemory !== true) return every;
  const r = rng((seed * 69069 + 12345) >>> 0 || 1);
  const policy = POLICIES[Math.floor(r() * POLICIES.length)]!;
  // Ten small keys take ~1 KB, ten large ones up to ~100 KB: caps well below both.
  const maxmemory = opts.largeValues
    ? 12_000 + Math.floor(r() * 30_000)
    : 300 + Math.floor(r() * 500);
  return { maxmemory, policy, ...every };
}

/**
 * The steps a seed expands to. TTLs stay far from the clock unless `ttlEdge`. Formats and
 * bursts are drawn from a second stream, large values from a third: without them a seed is
 * the same sequence as before.
 */
export function stepsFor(seed: number, count: number, opts: SeedOptions = {}): Step[] {
  const r = rng(seed * 2654435761 >>> 0 || 1);
  const r2 = rng((seed * 40503 + 7919) >>> 0 || 1);
  const r3 = rng((seed * 22695477 + 1) >>> 0 || 1);
  const r4 = rng((seed * 1103515245 + 12345) >>> 0 || 1);
  const r5 = rng((seed * 134775813 + 1) >>> 0 || 1);
  const r6 = rng((seed * 214013 + 2531011) >>> 0 || 1);
  const race = opts.saveRace === true && opts.maxmemory !== true;
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
  let big = 0;
  let xn = 0; // stream ids only grow: `xn-1` is above every id of every stream so far
  const write = (): Step => {
    if (opts.streams && r6() < 0.3) {
      const k = KEYS[7 + Math.floor(r6() * 3)]!, g = r6() < 0.6 ? "g1" : "g2";
      const y = r6();
      if (y < 0.4) return { op: "xadd", k, n: ++xn, v: `x${Math.floor(r6() * 9)}` };
      if (y < 0.6) return { op: "xgroup", k, g };
      if (y < 0.9) return { op: "xreadgroup", k, g };
      return { op: "xack", k, g, n: Math.max(1, xn - Math.floor(r6() * 3)) };
    }
    if (race && r5() < 0.07) {
      return r5() < 0.2 ? { op: "flushall" } : { op: "rename", k: key(), to: key() };
    }
    const x = r();
    if (opts.largeValues && r3() < 0.5) {
      // Few keys take the large values, so they are overwritten often.
      const k = KEYS[Math.floor(r3() * 4)]!;
      return r3() < 0.75
        ? { op: "setbig", k, n: big++, len: 1024 + Math.floor(r3() * 11_000) }
        : { op: "appendbig", k, n: big++, len: 512 + Math.floor(r3() * 3000) };
    }
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
  const raceStep = (base: "save" | "rewrite"): RaceStep => {
    const y = r5();
    const what = y < 0.15 ? "both" : y < 0.3 ? "auto" : base;
    const ats = Array.from(
      { length: 1 + Math.floor(r5() * 6) },
      // Each shard's view is walked right after the save opens its temp file (the first
      // calls); the later calls reach the syncs, renames and the held writes' turn.
      () => (r5() < 0.2 ? -1 : r5() < 0.6 ? 1 + Math.floor(r5() * 4) : Math.floor(r5() * 60)),
    ).sort((a, b) => a - b);
    // Half of them change a key by what it holds (INCR, APPEND, RPUSH): a view that saw them
    // puts them in the file, and the held frame applies them a second time on reload.
    const counted = (): Step => {
      const k = key(), y = r5();
      return y < 0.4
        ? { op: "incr", k }
        : y < 0.7
        ? { op: "append", k, v: "c" }
        : { op: "rpush", k, v: "c" };
    };
    const writes = ats.map((at) => ({ at, w: r5() < 0.5 ? counted() : write() }));
    if (what === "auto") {
      // Past the 4 KiB auto-rewrite threshold: the rewrite starts at this write.
      const w: Step = {
        op: "setbig",
        k: KEYS[Math.floor(r5() * 4)]!,
        n: big++,
        len: 4200 + Math.floor(r5() * 4000),
      };
      writes.unshift({ at: -1, w });
    }
    if (r5() >= 0.35) return { op: "race", what, writes };
    return {
      op: "race",
      what,
      writes,
      close: { at: Math.floor(r5() * 60), ...layout(), ...format() },
    };
  };
  const out: Step[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    if (x < 0.62) {
      let w = write();
      // Under a cap, more keys with a TTL: what volatile-* policies may evict.
      if (opts.maxmemory && r4() < 0.7) {
        if (w.op === "set" && w.px === undefined) w = { ...w, px: ttl() };
        else if (w.op === "persist" || w.op === "del1") w = { op: "pexpire", k: w.k, ms: ttl() };
      }
      // (A burst is resolved key by key: RENAME, FLUSHALL and stream writes stay single.)
      if (bursts && !LATER.has(w.op) && r2() < 0.15) {
        const more = Array.from({ length: 1 + Math.floor(r2() * 5) }, () => burstWrite(r2, seed));
        out.push({ op: "burst", writes: [w, ...more] });
      } else out.push(w);
    } else if (x < 0.74 && race && r5() < 0.6) out.push(raceStep(x < 0.68 ? "save" : "rewrite"));
    else if (x < 0.68) out.push({ op: "save" });
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

const LATER = new Set(["rename", "flushall", "xadd", "xgroup", "xreadgroup", "xack"]);

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
