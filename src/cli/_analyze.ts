// Read-only analysis of a snapshot, an AOF or a data dir: what inspect and
// check report. Nothing here modifies a file.
import { toHex } from "../codec/bytes.ts";
import { CorruptFileError } from "../codec/errors.ts";
import { parseReshardJournal } from "../codec/journal.ts";
import { parseShardsMeta } from "../codec/meta.ts";
import { SnapshotChecksumError, SnapshotDecoder } from "../codec/snapshot.ts";
import { verifySnapshotFile } from "../persist/snapshot_verify.ts";
import type { FsAdapter } from "../fs/types.ts";
import { joinPath } from "../fs/path.ts";
import { replayAof } from "../persist/replay.ts";
import {
  DroppedTransactionError,
  type OnUnknown,
  UnknownCommandError,
} from "../persist/unknown.ts";
import { type CommandResult, isCommandSupported } from "../store/apply.ts";
import { analyzeRedis, type RedisReport } from "./_redis.ts";
import { analyzeRdb, type RdbReport } from "./_rdb.ts";
import type { Target } from "./_target.ts";

/** What a file looks like from its first bytes. */
export type FileKind =
  | "snapshot"
  | "aof"
  | "aof-legacy"
  | "aof-kevy5"
  | "redis-rdb"
  | "redis-manifest"
  | "empty"
  | "unknown";

const te = new TextEncoder();
const startsWith = (b: Uint8Array, s: string): boolean => {
  const m = te.encode(s);
  if (b.length < m.length) return false;
  for (let i = 0; i < m.length; i++) if (b[i] !== m[i]) return false;
  return true;
};

/** Classifies a file by its first bytes (and a manifest by its name). */
export async function fileKind(fs: FsAdapter, path: string): Promise<FileKind> {
  if (path.endsWith(".manifest")) return "redis-manifest";
  let head: Uint8Array = new Uint8Array(0);
  for await (const c of fs.readChunks(path, 16)) {
    head = c;
    break;
  }
  if (head.length === 0) return "empty";
  if (startsWith(head, "KEVYSNAP")) return "snapshot";
  // KEVYAOF2 (kevy 5.x, checksummed records) reads like any kevy AOF; a torn
  // v2 magic is a headerless log, as kevy 5.4 reads it.
  if (startsWith(head, "KEVYAOF1\n") || startsWith(head, "KEVYAOF2\n")) return "aof";
  if (startsWith(head, "REDIS")) return "redis-rdb";
  if (head[0] === 0x2a /* '*' */ || head[0] === 0x23 /* '#' */) return "aof-legacy";
  return "unknown";
}

/** A problem found in a file. */
export interface Problem {
  kind: "corrupt" | "torn" | "unsupported" | "unknown-command";
  path: string;
  offset: number;
  message: string;
  preview: string;
}

/** Analysis of one snapshot file. */
export interface SnapshotReport {
  kind: "snapshot";
  path: string;
  size: number;
  version: number | null;
  records: number;
  byType: Record<string, number>;
  withTtl: number;
  expired: number;
  trailingBytes: number;
  /** kevy 5.x feed cursor (versions >= 5), decimal. */
  cursor: { generation: string; offset: string } | null;
  /** Hash-field TTL records (opcode 7). */
  fieldTtls: number;
  /** Row-segment stubs (opcode 8), whose rows live in segs-{i}/. */
  segmentStubs: number;
  /** Whether the file ends in a verified checksum trailer. */
  checksum: "verified" | "absent" | null;
  problem: Problem | null;
}

/** Analysis of one AOF file. */
export interface AofReport {
  kind: "aof";
  path: string;
  size: number;
  header: boolean;
  /** `v1` (KEVYAOF1), `v2` (KEVYAOF2, checksummed records), `legacy` (no header) or `empty`. */
  format: "v1" | "v2" | "legacy" | "empty";
  /** v2: a transaction left open at the end (cut at the next open), or null. */
  tornTxn: { offset: number; frames: number } | null;
  frames: number;
  validBytes: number;
  verbs: Record<string, number>;
  /** Commands the applier does not support, left out under --skip-unknown, by verb. */
  skipped: Record<string, number>;
  problem: Problem | null;
}

function problemOf(e: unknown, kind: Problem["kind"]): Problem {
  if (e instanceof CorruptFileError) {
    return { kind, path: e.path, offset: e.offset, message: e.message, preview: e.preview };
  }
  const u = unknownProblem(e);
  if (u !== null) return u;
  throw e;
}

/** A replay's refusal of an unsupported command (or a dropped transaction) as a problem. */
export function unknownProblem(e: unknown): Problem | null {
  if (e instanceof UnknownCommandError || e instanceof DroppedTransactionError) {
    return {
      kind: "unknown-command",
      path: e.path,
      offset: e.offset,
      message: e.message,
      preview: "",
    };
  }
  return null;
}

/** What a counting-only replay callback returns: refuses what the applier would refuse. */
export function supportedOutcome(argv: Uint8Array[]): CommandResult | void {
  if (isCommandSupported(argv)) return;
  return { ok: false, unknown: true, error: "not in the command table" };
}

/** Decodes a snapshot file counting records; never throws for bad bytes. */
export async function analyzeSnapshot(
  fs: FsAdapter,
  path: string,
  now: number,
): Promise<SnapshotReport> {
  const size = (await fs.stat(path))?.size ?? 0;
  const report: SnapshotReport = {
    kind: "snapshot",
    path,
    size,
    version: null,
    records: 0,
    byType: {},
    withTtl: 0,
    expired: 0,
    trailingBytes: 0,
    cursor: null,
    fieldTtls: 0,
    segmentStubs: 0,
    checksum: null,
    problem: null,
  };
  const dec = new SnapshotDecoder({
    now,
    path,
    totalSize: size,
    onEntry: (e) => {
      report.byType[e.value.type] = (report.byType[e.value.type] ?? 0) + 1;
      if (e.deadline !== null) report.withTtl++;
    },
    onFieldTtl: () => report.fieldTtls++,
    onSegmentStub: () => report.segmentStubs++,
  });
  try {
    for await (const c of fs.readChunks(path)) dec.push(c);
    const s = dec.finish();
    report.version = s.version;
    report.records = s.records;
    report.expired = s.expired;
    report.trailingBytes = s.trailingBytes;
    report.checksum = s.checksum;
    report.cursor = s.cursor === null
      ? null
      : { generation: String(s.cursor.generation), offset: String(s.cursor.offset) };
  } catch (e) {
    // Bit rot in a file with a checksum trailer: name the damaged byte and its record.
    let err = e;
    if (!(e instanceof SnapshotChecksumError)) {
      err = await verifySnapshotFile(path, fs).then(
        () => e,
        (v) => v instanceof SnapshotChecksumError ? v : e,
      );
    }
    report.problem = problemOf(err, "corrupt");
    if (err instanceof SnapshotChecksumError) {
      const rec = await recordAt(fs, path, err.offset);
      if (rec !== null) {
        report.problem.message += `; the first damaged record starts at byte ${rec}`;
      }
    }
    report.records = Object.values(report.byType).reduce((a, b) => a + b, 0);
  }
  return report;
}

/** Offset of the record that holds byte `at` of a snapshot (a second, record-only pass), or null. */
async function recordAt(fs: FsAdapter, path: string, at: number): Promise<number | null> {
  let last: number | null = null;
  const see = (offset: number) => {
    if (offset <= at) last = offset;
  };
  const dec = new SnapshotDecoder({
    now: 0,
    path,
    onEntry: (_e, o) => see(o),
    onFieldTtl: (_k, _f, _d, o) => see(o),
    onSegmentStub: (st) => see(st.offset),
  });
  try {
    for await (const c of fs.readChunks(path)) dec.push(c);
    dec.finish();
  } catch { /* the damage itself may stop the walk */ }
  return last;
}

const td = new TextDecoder();

/** Scans an AOF counting frames per verb; a torn tail or corruption becomes a Problem. */
export async function analyzeAof(
  fs: FsAdapter,
  path: string,
  onUnknown: OnUnknown = "error",
): Promise<AofReport> {
  const size = (await fs.stat(path))?.size ?? 0;
  const report: AofReport = {
    kind: "aof",
    path,
    size,
    header: false,
    format: size === 0 ? "empty" : "legacy",
    tornTxn: null,
    frames: 0,
    validBytes: 0,
    verbs: {},
    skipped: {},
    problem: null,
  };
  if (size > 0) {
    const head = await readRange(fs, path, 0, 9);
    const text = td.decode(head);
    report.format = text === "KEVYAOF2\n" ? "v2" : text === "KEVYAOF1\n" ? "v1" : "legacy";
  }
  try {
    const stats = await replayAof(path, (argv) => {
      report.frames++;
      const verb = argv[0] ? td.decode(argv[0].subarray(0, 32)).toUpperCase() : "";
      report.verbs[verb] = (report.verbs[verb] ?? 0) + 1;
      return supportedOutcome(argv);
    }, { fs, onUnknown });
    report.skipped = stats.skipped;
    report.header = stats.header;
    report.validBytes = stats.bytes;
    report.tornTxn = stats.tornTxn;
    if (stats.tornAt !== null) {
      const preview = toHex(await readRange(fs, path, stats.tornAt, 16));
      report.problem = {
        kind: "torn",
        path,
        offset: stats.tornAt,
        message:
          `${path}: torn tail at byte ${stats.tornAt}: ${stats.tornBytes} byte(s) of an incomplete frame`,
        preview,
      };
    }
  } catch (e) {
    report.problem = problemOf(e, "corrupt");
    report.validBytes = e instanceof CorruptFileError ? e.offset : 0;
  }
  return report;
}

// Up to `length` bytes at `offset`, streaming (never the whole file in one buffer).
async function readRange(
  fs: FsAdapter,
  path: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let pos = 0;
  let got = 0;
  for await (const c of fs.readChunks(path, 1 << 16)) {
    const from = Math.max(offset - pos, 0);
    if (from < c.length) {
      const piece = c.subarray(from, from + (length - got));
      out.set(piece, got);
      got += piece.length;
      if (got === length) break;
    }
    pos += c.length;
  }
  return out.subarray(0, got);
}

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
