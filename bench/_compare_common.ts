// What every bench/compare.ts worker shares: the result line, the data's
// constants, RSS and the event-loop stall probe.
import process from "node:process";

/** What a worker prints (one JSON line). */
export interface WorkerResult {
  ok: boolean;
  /** Timed seconds of the operation. */
  seconds?: number;
  /** File size after the operation, bytes. */
  bytes?: number;
  /** `process.memoryUsage().rss` after the operation, MB (1e6 bytes). */
  rssMB?: number;
  /** RSS before building/loading anything, MB. */
  baseRssMB?: number;
  /** Work items (keys, frames, appends). */
  items?: number;
  /** fdatasync calls seen (AOF `always`). */
  syncs?: number;
  /** Longest / 99th-percentile gap of a 1 ms interval timer during the operation, ms. */
  gapMs?: number;
  p99Ms?: number;
  /** Why the measurement was skipped or failed. */
  error?: string;
}

/** Shared encoder. */
export const enc = new TextEncoder();
/** The 16-byte value of every key and field. */
export const VALUE_STR = "0123456789abcdef"; // 16 B
/** {@link VALUE_STR} as bytes. */
export const VALUE = enc.encode(VALUE_STR);
/** Fields per hash. */
export const FIELDS = 10;
/** 1e6 bytes. */
export const MB = 1e6;

/** `process.memoryUsage().rss` in MB. */
export function rssMB(): number {
  return process.memoryUsage().rss / MB;
}

/**
 * Runs `fn` beside a 1 ms interval timer: its wall seconds and the longest
 * and 99th-percentile gap between the timer's ticks (an event-loop stall).
 */
export async function stallProbe(
  fn: () => Promise<unknown>,
): Promise<{ seconds: number; gapMs: number; p99Ms: number }> {
  const gaps: number[] = [];
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  gaps.length = 0;
  last = performance.now();
  const t0 = performance.now();
  await fn();
  const end = performance.now();
  gaps.push(end - last);
  clearInterval(t);
  gaps.sort((x, y) => x - y);
  return {
    seconds: (end - t0) / 1000,
    gapMs: gaps[gaps.length - 1]!,
    p99Ms: gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))]!,
  };
}
