// Private: read-only analysis of one kevy file, a snapshot or an AOF (and a
// file's kind from its first bytes). Nothing here modifies a file.
import { toHex } from "../codec/bytes.ts";
import { CorruptFileError } from "../codec/errors.ts";
import { SnapshotChecksumError, SnapshotDecoder } from "../codec/snapshot.ts";
import { verifySnapshotFile } from "../persist/snapshot_verify.ts";
import type { FsAdapter } from "../fs/types.ts";
import { replayAof } from "../persist/replay.ts";
import type { OnUnknown } from "../persist/unknown.ts";
import { type Problem, problemOf, supportedOutcome } from "./_problem.ts";

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
