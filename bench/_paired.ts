// Paired measurements for same-run ratios on a shared machine: GC between
// samples, CPU time beside wall time, and a summary (median, quartiles,
// range) instead of one figure, so a target ratio can be shown, refuted, or
// called inconclusive. Used by bench/aof2_bench.ts.
import process from "node:process";
import { loadavg } from "node:os";

const G = globalThis as unknown as {
  Deno?: { version: { deno: string } };
  Bun?: { version: string; gc?: (force: boolean) => void };
  gc?: () => void;
};

/** "deno 2.9.6", "bun 1.4.5" or "node v20...". */
export const RUNTIME: string = G.Deno
  ? `deno ${G.Deno.version.deno}`
  : G.Bun
  ? `bun ${G.Bun.version}`
  : `node ${process.version}`;

/** Whether a full GC can be forced here (Bun always; Deno/Node with --expose-gc). */
export const CAN_GC: boolean = typeof G.Bun?.gc === "function" || typeof G.gc === "function";

/** A full, synchronous GC where the runtime allows it (so one sample's garbage is not the next one's pause). */
export function fullGc(): void {
  if (G.Bun?.gc) G.Bun.gc(true);
  else G.gc?.();
}

/** Wall and CPU (user + system of the whole process) milliseconds of one sample. */
export interface Sample {
  wall: number;
  cpu: number;
}

/** Runs `f` once after a full GC and returns its wall and CPU time. */
export async function sample(f: () => unknown): Promise<Sample> {
  fullGc();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/** Linear-interpolated quantile of `xs` (q in 0..1). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

/** Median, quartiles and range of `xs`. */
export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export function summary(xs: readonly number[]): Summary {
  return {
    n: xs.length,
    median: quantile(xs, 0.5),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

/** "median [p25..p75] (min..max)" with `d` decimals. */
export function fmt(s: Summary, d = 0): string {
  const f = (x: number) => x.toFixed(d);
  return `${f(s.median)} [${f(s.p25)}..${f(s.p75)}] (${f(s.min)}..${f(s.max)})`;
}

/**
 * Against a ceiling on a ratio: "met" when three quarters of the paired
 * rounds are at or under it, "not met" when three quarters are over it,
 * otherwise "inconclusive" (the spread covers the target).
 */
export function verdict(s: Summary, target: number): string {
  if (s.p75 <= target) return "met";
  if (s.p25 > target) return "NOT met";
  return "inconclusive";
}

/** The 1, 5 and 15 minute load averages, for the report. */
export function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(" ");
}
