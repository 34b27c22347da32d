// Seeded generators of command arguments for the oracle and fuzz tests:
// mostly sensible values, with a share of edge cases and garbage.
import { rng } from "../_helpers.ts";
import type { Cmd } from "./_oracle.ts";

/** A generator: picks and numbers from one seeded stream. */
export class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  /** One of `xs`. */
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(0, 255));
  }
  /** An integer argument in [lo, hi], sometimes garbage or extreme. */
  num(lo: number, hi: number): string {
    const x = this.r();
    if (x < 0.03) return this.pick(["x", "", "1.5", "9223372036854775808", "-9223372036854775809"]);
    if (x < 0.06) return this.pick(["9223372036854775807", "-9223372036854775808", "0", "-1"]);
    return String(this.int(lo, hi));
  }
  /** A float argument, sometimes special. */
  float(lo: number, hi: number): string {
    const x = this.r();
    if (x < 0.05) return this.pick(["inf", "-inf", "+inf", "nan", "x", "1e400", "-0", "0.1"]);
    if (x < 0.5) return String(this.int(lo, hi));
    return String(lo + this.r() * (hi - lo));
  }
  /** A run of `gen` results. */
  many<T>(n: number, gen: () => T): T[] {
    return Array.from({ length: n }, gen);
  }
}

/** Keys shared by the workloads: a few names, one binary, one empty. */
export const KEYS: Array<string | Uint8Array> = [
  "k1",
  "k2",
  "k3",
  "{t}a",
  Uint8Array.of(0, 0xff, 13, 10),
  "",
];

/** Every command of `cmds` inside one MULTI/EXEC. */
export function multi(cmds: Cmd[]): Cmd[] {
  return [["MULTI"], ...cmds, ["EXEC"]];
}

/** A Lua script running `cmds` with redis.call (arguments as ARGV, binary-safe). */
export function evalOf(cmds: Cmd[]): Cmd {
  const argv: Array<string | Uint8Array> = [];
  const lines: string[] = [];
  for (const c of cmds) {
    const refs = c.map((x) => {
      argv.push(x);
      return `ARGV[${argv.length}]`;
    });
    lines.push(`redis.call(${refs.join(", ")})`);
  }
  return ["EVAL", lines.join("\n") + "\nreturn 1", "0", ...argv];
}
