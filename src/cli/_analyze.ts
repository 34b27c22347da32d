// Read-only analysis of a data dir or whatever a target is: what inspect and
// check report. Nothing here modifies a file.
import { parseReshardJournal } from "../codec/journal.ts";
import { parseShardsMeta } from "../codec/meta.ts";
import type { FsAdapter } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import type { Problem } from "./_problem.ts";
import {
  analyzeAof,
  analyzeSnapshot,
  type AofReport,
  type SnapshotReport,
} from "./_analyze_file.ts";
import { analyzeRedis, type RedisReport } from "./_redis.ts";
import { analyzeRdb, type RdbReport } from "./_rdb.ts";
import type { Target } from "./_target.ts";

const td = new TextDecoder();

/** Analysis of a data dir. */
export interface DirReport {
  kind: "dir";
  path: string;
  meta: { n: number; routing: string } | null;
  metaRaw: string | null;
  journal: { present: boolean; parsed: unknown };
  snapshots: SnapshotReport[];
  aofs: AofReport[];
  temps: string[];
  backups: string[];
  quarantined: string[];
  lock: string | null;
  other: string[];
}

/** Analyzes every kevy file of a data dir. */
export async function analyzeDir(
  fs: FsAdapter,
  dir: string,
  now: number,
  onUnknown: OnUnknown = "error",
): Promise<DirReport> {
  const entries = (await fs.readDir(dir)).filter((e) => e.isFile).map((e) => e.name).sort();
  const report: DirReport = {
    kind: "dir",
    path: dir,
    meta: null,
    metaRaw: null,
    journal: { present: false, parsed: null },
    snapshots: [],
    aofs: [],
    temps: [],
    backups: [],
    quarantined: [],
    lock: null,
    other: [],
  };
  for (const name of entries) {
    const p = joinPath(dir, name);
    if (name === "shards.meta") {
      report.metaRaw = td.decode(await fs.readFile(p));
      report.meta = parseShardsMeta(report.metaRaw);
    } else if (name === "reshard.journal") {
      report.journal = { present: true, parsed: parseReshardJournal(await fs.readFile(p)) };
    } else if (name === "kevy.lock" || /^kevy\.lock\.\d+$/.test(name)) {
      report.lock = td.decode(await fs.readFile(p)).trim();
    } else if (name.includes(".premigration.")) report.backups.push(name);
    else if (name.includes(".torn.")) report.quarantined.push(name);
    else if (/\.(tmp|rewrite|reshard|save)$/.test(name)) report.temps.push(name);
    else if (/^dump-\d+\.rdb$/.test(name)) report.snapshots.push(await analyzeSnapshot(fs, p, now));
    else if (/^aof-\d+\.aof$/.test(name)) report.aofs.push(await analyzeAof(fs, p, onUnknown));
    else report.other.push(name);
  }
  return report;
}

/** Commands a report (or a dir's logs) left out under --skip-unknown, by verb. */
export function skippedOf(r: TargetReport): Record<string, number> {
  const m = new Map<string, number>();
  const add = (s: Record<string, number>) => {
    for (const [k, n] of Object.entries(s)) m.set(k, (m.get(k) ?? 0) + n);
  };
  if (r.kind === "dir") { for (const a of r.aofs) add(a.skipped); }
  else if (r.kind === "aof" || r.kind === "redis-aof") add(r.skipped);
  else if (r.kind === "redis-data" && r.aof !== null) add(r.aof.skipped);
  return Object.fromEntries(m);
}

/** `xadd x3, frob x1`, or `""` for none. */
export function describeSkipped(s: Record<string, number>): string {
  return Object.entries(s).map(([v, n]) => `${v} x${n}`).join(", ");
}

/** Every problem in a report, first one first. */
export function problemsOf(r: SnapshotReport | AofReport | DirReport): Problem[] {
  if (r.kind !== "dir") return r.problem ? [r.problem] : [];
  return [...r.snapshots, ...r.aofs].flatMap((x) => (x.problem ? [x.problem] : []));
}

/** A file kind inspect and check recognise but cannot read yet. */
export interface UnsupportedReport {
  kind: "aof-kevy5";
  path: string;
  supported: false;
}

/** A Redis data dir: its dump.rdb and its appendonlydir, each analyzed when present. */
export interface RedisDataReport {
  kind: "redis-data";
  path: string;
  rdb: RdbReport | null;
  aof: RedisReport | null;
}

/** Any report {@link analyzeTarget} returns. */
export type TargetReport =
  | DirReport
  | SnapshotReport
  | AofReport
  | RedisReport
  | RdbReport
  | RedisDataReport
  | UnsupportedReport;

/**
 * Analyzes whatever `target` is (what inspect shows and check verifies):
 * the report, and its problems first one first.
 */
export async function analyzeTarget(
  fs: FsAdapter,
  target: Target,
  now: number,
  onUnknown: OnUnknown = "error",
  opts: { skipModules?: boolean } = {},
): Promise<{ report: TargetReport; problems: Problem[] }> {
  const skipModules = opts.skipModules === true;
  if (target.type === "kevy-dir") {
    const r = await analyzeDir(fs, target.path, now, onUnknown);
    return { report: r, problems: problemsOf(r) };
  }
  if (target.type === "redis-data") {
    const aof = target.aof === null
      ? null
      : await analyzeRedis(fs, target.aof, false, onUnknown, skipModules);
    const rdb = target.rdb === null ? null : await analyzeRdb(fs, target.rdb, now, skipModules);
    const problems = [...(aof?.problems ?? []), ...(rdb?.problem ? [rdb.problem] : [])];
    return { report: { kind: "redis-data", path: target.path, rdb, aof }, problems };
  }
  if (target.type === "file" && target.kind === "redis-rdb" && !target.path.endsWith(".aof")) {
    const r = await analyzeRdb(fs, target.path, now, skipModules);
    return { report: r, problems: r.problem ? [r.problem] : [] };
  }
  if (
    target.type === "redis-dir" || target.kind === "aof-legacy" || target.kind === "redis-rdb"
  ) {
    const r = await analyzeRedis(fs, target.path, target.type === "file", onUnknown, skipModules);
    if (r !== null) return { report: r, problems: r.problems };
    const a = await analyzeAof(fs, target.path, onUnknown);
    return { report: a, problems: problemsOf(a) };
  }
  if (target.kind === "snapshot") {
    const r = await analyzeSnapshot(fs, target.path, now);
    return { report: r, problems: problemsOf(r) };
  }
  if (target.kind === "aof") {
    const r = await analyzeAof(fs, target.path, onUnknown);
    return { report: r, problems: problemsOf(r) };
  }
  return {
    report: { kind: "aof-kevy5", path: target.path, supported: false },
    problems: [{
      kind: "unsupported",
      path: target.path,
      offset: 0,
      message: `${target.path}: KEVYAOF2 (kevy >= 5) format is not supported yet`,
      preview: "",
    }],
  };
}
