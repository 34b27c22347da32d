// Result types, tables and targets of bench/compare.ts (pure: no I/O);
// the chart is in _compare_chart.ts.

import type { WorkerResult } from "./_compare_common.ts";
import type { ScaleRow } from "./_compare_scale.ts";

/** Libraries compared, ours first. */
export const LIBS = ["kevy", "json", "v8", "v8map", "msgpackr"] as const;
/** One of {@link LIBS}. */
export type Lib = typeof LIBS[number];

/** One fresh-process measurement: a worker's result line with its time. */
export type Sample = Omit<WorkerResult, "ok" | "error" | "seconds"> & { seconds: number };

/** Every sample of one library on one workload, and their summary. */
export interface LibResult {
  samples: Sample[];
  /** Fastest run, s. */
  min?: number;
  /** Median run, s. */
  median?: number;
  /** File size of the last run, bytes. */
  bytes?: number;
  /** Median RSS after the operation, MB. */
  rssMB?: number;
  /** Median baseline RSS of the process, MB. */
  baseRssMB?: number;
  /** Work items per run. */
  items?: number;
  /** Median fdatasyncs per run (AOF always). */
  syncs?: number;
  /** Median longest / p99 timer gap, ms (stall probes). */
  gapMs?: number;
  p99Ms?: number;
  /** Skipped or failed runs. */
  note?: string;
}

/** A workload's results for every library that runs it. */
export interface WorkloadResult {
  label: string;
  /** "time": lower is better, shown in s; "rate": shown as items/s. */
  kind: "time" | "rate";
  libs: Partial<Record<Lib, LibResult>>;
}

/** bench/results/<runtime>.json */
export interface ResultsFile {
  runtime: string;
  version: string;
  date: string;
  quick: boolean;
  n: number;
  hashes: number;
  runs: number;
  peerRuns: number;
  machine: string;
  workloads: Record<string, WorkloadResult>;
  /** The scaling table's rows (bench/_compare_scale.ts), when it ran. */
  scaling?: ScaleRow[];
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Fills min/median/... of a LibResult from its samples. */
export function summarize(r: LibResult): LibResult {
  const ok = r.samples;
  if (ok.length === 0) return r;
  const med = (f: (s: Sample) => number | undefined): number | undefined => {
    const xs = ok.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const out: LibResult = { ...r, min: Math.min(...ok.map((s) => s.seconds)) };
  const put = <K extends keyof LibResult>(k: K, v: LibResult[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  put("median", med((s) => s.seconds));
  put("bytes", ok[ok.length - 1]!.bytes);
  put("rssMB", med((s) => s.rssMB));
  put("baseRssMB", med((s) => s.baseRssMB));
  put("items", ok[0]!.items);
  put("syncs", med((s) => s.syncs));
  put("gapMs", med((s) => s.gapMs));
  put("p99Ms", med((s) => s.p99Ms));
  return out;
}

/** Seconds, 1–3 decimals by size; "—" when missing. */
export function fmtS(s: number | undefined): string {
  if (s === undefined) return "—";
  return s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3);
}

function fmtRate(items: number | undefined, s: number | undefined): string {
  if (items === undefined || s === undefined || s <= 0) return "—";
  const r = items / s;
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k/s`;
  return `${r.toFixed(0)}/s`;
}

function fmtRatio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  return `${x.toFixed(2)}×`;
}

/** A target on one of kevy's figures, checked on medians. */
export interface Target {
  text: string;
  check(w: Record<string, WorkloadResult>): { met: boolean; detail: string } | null;
}

function kv(w: Record<string, WorkloadResult>, id: string): LibResult | undefined {
  return w[id]?.libs.kevy;
}

function maxSeconds(id: string, limit: number, text: string): Target {
  return {
    text,
    check(w) {
      const m = kv(w, id)?.median;
      if (m === undefined) return null;
      const pct = ((m - limit) / limit) * 100;
      return {
        met: m <= limit,
        detail: `median ${fmtS(m)} s vs ≤ ${limit} s (${pct <= 0 ? "" : "+"}${pct.toFixed(0)}%)`,
      };
    },
  };
}

/** The targets of the brief (2-core machine, medians). */
export const TARGETS: Target[] = [
  maxSeconds("save_strings", 0.20, "snapshot save, 1M strings ≤ 0.20 s"),
  maxSeconds("load_strings", 0.50, "snapshot load, 1M strings ≤ 0.45–0.50 s"),
  maxSeconds("save_hashes", 0.20, "snapshot save, 100k hashes ≤ 0.20 s"),
  maxSeconds("load_hashes", 0.40, "snapshot load, 100k hashes ≤ 0.40 s"),
  {
    text: "AOF append (no) ≥ 4M frames/s",
    check(w) {
      const r = kv(w, "append_no");
      if (r?.median === undefined || r.items === undefined) return null;
      const rate = r.items / r.median;
      return {
        met: rate >= 4e6,
        detail: `${fmtRate(r.items, r.median)} at median vs ≥ 4.00 M/s (${
          ((rate / 4e6) * 100).toFixed(0)
        }% of target)`,
      };
    },
  },
  {
    text: "AOF always, 64 writers ≥ 5× single writer",
    check(w) {
      const one = kv(w, "always_1");
      const many = kv(w, "always_64");
      if (one?.median === undefined || many?.median === undefined) return null;
      const x = (many.items! / many.median) / (one.items! / one.median);
      return { met: x >= 5, detail: `${x.toFixed(2)}× vs ≥ 5×` };
    },
  },
  maxSeconds("replay_apply", 1.0, "replay + apply 1M frames ≤ 1.0 s"),
  {
    text: "RSS after loading 1M strings ≤ 250 MB",
    check(w) {
      const m = kv(w, "load_strings")?.rssMB;
      if (m === undefined) return null;
      return { met: m <= 250, detail: `${m.toFixed(0)} MB vs ≤ 250 MB` };
    },
  },
];

/** The markdown tables printed on stdout. */
export function renderTables(res: ResultsFile, prev: ResultsFile | null): string {
  const L: string[] = [];
  const comparable = prev !== null && prev.n === res.n && prev.hashes === res.hashes;
  L.push(
    `## ${res.runtime} ${res.version} — n = ${res.n.toLocaleString("en-US")} strings, ${
      res.hashes.toLocaleString("en-US")
    } hashes × 10; ${res.runs} run(s) (peers ${res.peerRuns}), fresh process each; ${res.date}`,
  );
  L.push("");
  if (prev !== null && !comparable) L.push("(previous results used another size: no comparison)");
  if (prev !== null && comparable) {
    L.push(`previous results: ${prev.runtime} ${prev.version}, ${prev.date}`);
  }
  L.push("");
  L.push(
    "Times in s (min / median). `×` = peer median / kevy median (> 1: kevy faster or smaller).",
  );
  L.push("`vs prev` = previous kevy median / this kevy median (> 1: faster than last time).");
  L.push("");
  L.push(
    "| workload | kevy min | kevy median | kevy rate | json | v8 | v8 Map | msgpackr | vs prev |",
  );
  L.push("|---|---|---|---|---|---|---|---|---|");
  for (const [id, w] of Object.entries(res.workloads)) {
    const k = w.libs.kevy;
    if (k?.gapMs !== undefined) continue; // stall probes: their own table
    const peerCell = (lib: Lib): string => {
      const p = w.libs[lib];
      if (p === undefined) return "n/a";
      if (p.median === undefined) return p.note ? `skipped (${p.note.slice(0, 60)})` : "—";
      return `${fmtS(p.min)} / ${fmtS(p.median)} (${fmtRatio(p.median / (k?.median ?? NaN))})`;
    };
    const pk = comparable ? prev!.workloads[id]?.libs.kevy?.median : undefined;
    L.push(
      `| ${w.label} | ${fmtS(k?.min)} | ${fmtS(k?.median)}${
        k?.note ? ` (${k.note.slice(0, 60)})` : ""
      } | ${fmtRate(k?.items, k?.median)}${
        k?.syncs !== undefined && k.items
          ? `, ${(k.items / k.syncs).toFixed(1)} frames/fdatasync`
          : ""
      } | ${peerCell("json")} | ${peerCell("v8")} | ${peerCell("v8map")} | ${
        peerCell("msgpackr")
      } | ${fmtRatio(pk === undefined ? undefined : pk / k!.median!)} |`,
    );
  }
  L.push("");
  const stalls = Object.values(res.workloads).filter((w) => w.libs.kevy?.gapMs !== undefined);
  if (stalls.length > 0) {
    L.push("Event-loop stall probe: a 1 ms interval timer runs beside the operation (medians).");
    L.push("");
    L.push("| during | longest gap ms | p99 gap ms | operation s |");
    L.push("|---|---|---|---|");
    for (const w of stalls) {
      const k = w.libs.kevy!;
      L.push(
        `| ${w.label} | ${k.gapMs!.toFixed(1)} | ${k.p99Ms?.toFixed(1) ?? "—"} | ${
          fmtS(k.median)
        } |`,
      );
    }
    L.push("");
  }
  L.push("| size / memory | kevy | json | v8 | v8 Map | msgpackr |");
  L.push("|---|---|---|---|---|---|");
  for (const [id, w] of Object.entries(res.workloads)) {
    const k = w.libs.kevy;
    if (id.startsWith("save_") && k?.bytes !== undefined) {
      const cell = (lib: Lib): string => {
        const b = w.libs[lib]?.bytes;
        return b === undefined ? "—" : `${b.toLocaleString("en-US")} (${fmtRatio(b / k.bytes!)})`;
      };
      L.push(
        `| file bytes, ${w.label.replace(/^save /, "")} | ${k.bytes.toLocaleString("en-US")} | ${
          cell("json")
        } | ${cell("v8")} | ${cell("v8map")} | ${cell("msgpackr")} |`,
      );
    }
    if (k?.rssMB !== undefined) {
      const cell = (lib: Lib): string => {
        const r = w.libs[lib]?.rssMB;
        return r === undefined ? "n/a" : `${r.toFixed(0)} (${fmtRatio(r / k.rssMB!)})`;
      };
      L.push(
        `| RSS MB after ${w.label} (base ${k.baseRssMB?.toFixed(0) ?? "?"}) | ${
          k.rssMB.toFixed(0)
        } | ${cell("json")} | ${cell("v8")} | ${cell("v8map")} | ${cell("msgpackr")} |`,
      );
    }
  }
  L.push("");
  L.push("| target | met? | figure |");
  L.push("|---|---|---|");
  const full = res.n === 1_000_000 && res.hashes === 100_000;
  if (!full) L.push("| (targets are for 1M strings / 100k hashes: shown, not judged) | | |");
  for (const t of TARGETS) {
    const c = t.check(res.workloads);
    L.push(
      `| ${t.text} | ${c === null ? "not measured" : !full ? "—" : c.met ? "yes" : "**no**"} | ${
        c?.detail ?? ""
      } |`,
    );
  }
  return L.join("\n");
}
