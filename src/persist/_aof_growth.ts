// The Redis `auto-aof-rewrite` bookkeeping of an Aof: the size right after
// the last rewrite (or open, or truncate), the rewrite count, and the growth
// rule that says a rewrite is due.
import type { AofOptions } from "./_aof_options.ts";

const MIB = 1024 * 1024;

/** Auto-rewrite state of one log. */
export class RewriteRule {
  readonly #pct: number;
  readonly #minSize: number;
  /** Size right after the last rewrite (or at open, or after a truncate). */
  baseSize: number;
  /** Rewrites done since open. */
  rewrites = 0;

  constructor(opts: AofOptions, baseSize: number) {
    this.#pct = opts.autoRewritePercentage ?? 100;
    this.#minSize = opts.autoRewriteMinSize ?? 64 * MIB;
    this.baseSize = baseSize;
  }

  /** A rewrite just left the log at `size` bytes. */
  rewritten(size: number): void {
    this.baseSize = size;
    this.rewrites++;
  }

  /** Size ≥ the minimum and growth since the base ≥ the percentage (0 disables). */
  due(size: number): boolean {
    if (this.#pct <= 0) return false;
    if (size < this.#minSize) return false;
    const base = this.baseSize > 0 ? this.baseSize : 1;
    return ((size - base) * 100) / base >= this.#pct;
  }
}
