// The scaling table of bench/compare.ts: kevy's save, load, bring-up and
// replay of strings at two or more sizes (1M and 10M keys by default), each
// in a fresh worker, as per-key cost and RSS, and the per-key ratio of each
// size to the smallest (the issue's target: within 1.1× at 10M of 1M).

/** One measured operation at one size. */
export interface ScaleRow {
  op: string;
  n: number;
  seconds: number;
  /** µs per key. */
  perKeyUs: number;
  /** RSS after the operation (load, bring-up, replay), MB. */
  rssMB?: number;
  /** Longest gap of a 1 ms timer during the operation (bring-up), ms. */
  gapMs?: number;
  /** Why it did not run. */
  error?: string;
}

/** What runWorker gives back (compare.ts). */
export interface ScaleOutcome {
  sample?: { seconds: number; rssMB?: number; gapMs?: number };
  error?: string;
}

/** The operations, in the order they run at each size (a later one reads an earlier one's file). */
export const SCALE_OPS: ReadonlyArray<{ op: string; label: string }> = [
  { op: "save", label: "save (snapshot, durable)" },
  { op: "append", label: "AOF append, fsync no" },
  { op: "load", label: "load snapshot" },
  { op: "replay", label: "replay + apply log" },
  { op: "bringup", label: "bring-up: snapshot + log" },
];

/** Runs every operation at each size in `sizes`, `runs` times (fastest kept). */
export function runScaling(
  sizes: number[],
  runs: number,
  dir: string,
  run: (args: Record<string, string | number>) => ScaleOutcome,
  log: (line: string) => void,
): ScaleRow[] {
  const rows: ScaleRow[] = [];
  for (const n of sizes) {
    const snap = `${dir}/scale-${n}.snap`, aof = `${dir}/scale-${n}.aof`;
    for (const { op } of SCALE_OPS) {
      let best: ScaleOutcome | null = null;
      for (let r = 0; r < runs; r++) {
        const args: Record<string, string | number> = op === "save" || op === "load" ||
            op === "bringup"
          ? { lib: "kevy", op, dataset: "strings", n, file: snap, aof }
          : { lib: "kevy", op, policy: "no", n, file: aof };
        const o = run(args);
        const faster = o.sample !== undefined &&
          (best?.sample === undefined || o.sample.seconds < best.sample.seconds);
        if (best === null || faster) best = o;
      }
      const s = best?.sample;
      const row: ScaleRow = s === undefined
        ? { op, n, seconds: NaN, perKeyUs: NaN, error: best?.error ?? "not run" }
        : { op, n, seconds: s.seconds, perKeyUs: (s.seconds / n) * 1e6 };
      if (s?.rssMB !== undefined && op !== "save" && op !== "append") row.rssMB = s.rssMB;
      if (s?.gapMs !== undefined) row.gapMs = s.gapMs;
      rows.push(row);
      log(
        `  scale ${op.padEnd(8)} n=${n} ${
          s ? `${row.perKeyUs.toFixed(3)} µs/key` : `ERROR ${row.error}`
        }`,
      );
    }
  }
  return rows;
}

function short(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

/** The markdown scaling table. */
export function renderScaling(rows: ScaleRow[]): string {
  const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  if (sizes.length === 0) return "";
  const at = (op: string, n: number) => rows.find((r) => r.op === op && r.n === n);
  const L: string[] = [];
  L.push(
    `Scaling (strings, 16 B values; fresh process each, fastest run): per-key cost in µs, RSS after the operation in MB, and per-key cost ÷ the ${
      short(sizes[0]!)
    } one (target ≤ 1.10 at 10M).`,
  );
  L.push("");
  const head = ["operation", ...sizes.map((n) => `${short(n)}: s / µs per key / RSS`)];
  for (const n of sizes.slice(1)) head.push(`${short(n)} ÷ ${short(sizes[0]!)} per key`);
  L.push(`| ${head.join(" | ")} |`);
  L.push(`|${head.map(() => "---").join("|")}|`);
  for (const { op, label } of SCALE_OPS) {
    const cells = [label];
    for (const n of sizes) {
      const r = at(op, n);
      if (r === undefined || r.error !== undefined) {
        cells.push(r?.error?.slice(0, 40) ?? "—");
        continue;
      }
      const gap = r.gapMs === undefined ? "" : `, longest gap ${r.gapMs.toFixed(0)} ms`;
      cells.push(
        `${r.seconds.toFixed(2)} / ${r.perKeyUs.toFixed(3)} / ${
          r.rssMB === undefined ? "—" : r.rssMB.toFixed(0)
        }${gap}`,
      );
    }
    const base = at(op, sizes[0]!);
    for (const n of sizes.slice(1)) {
      const r = at(op, n);
      const x = r && base ? r.perKeyUs / base.perKeyUs : NaN;
      cells.push(Number.isFinite(x) ? `${x.toFixed(2)}×` : "—");
    }
    L.push(`| ${cells.join(" | ")} |`);
  }
  return L.join("\n");
}
