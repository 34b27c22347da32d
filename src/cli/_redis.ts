// inspect/check support for Redis AOFs (a single appendonly.aof with
// annotations, or a Redis 7 appendonlydir / manifest).
import { CorruptFileError } from "../codec/errors.ts";
import type { FsAdapter } from "../fs/types.ts";
import { RedisAofLayoutError, replayRedisAof } from "../redis/aof.ts";
import { RedisRdbModuleError, RedisRdbVersionError } from "../codec/rdb_errors.ts";
import { type Problem, supportedOutcome, unknownProblem } from "./_problem.ts";
import { table } from "./_io.ts";
import type { OnUnknown } from "../persist/unknown.ts";

/** Analysis of a Redis AOF. */
export interface RedisReport {
  kind: "redis-aof";
  path: string;
  files: string[];
  frames: number;
  bytes: number;
  annotations: number;
  verbs: Record<string, number>;
  /** Commands the applier does not support, left out under --skip-unknown, by verb. */
  skipped: Record<string, number>;
  /** Keys read from RDB parts (an RDB base, an RDB preamble), by file. */
  rdb: Array<{ path: string; version: number; keys: number }>;
  problems: Problem[];
}

const td = new TextDecoder();

/**
 * Analyzes a Redis AOF. For a single file that does not start with a `#`
 * annotation, returns null: the strict kevy reader handles it.
 */
export async function analyzeRedis(
  fs: FsAdapter,
  path: string,
  isFile: boolean,
  onUnknown: OnUnknown = "error",
  skipModules = false,
): Promise<RedisReport | null> {
  // A Redis 7 part file by its name (appendonly.aof.1.incr.aof, ….base.aof),
  // else by a leading annotation (#TS:): a plain RESP file may be either.
  const redisName = /\.(incr|base)\.aof$/.test(path);
  if (isFile && !path.endsWith(".manifest") && !redisName) {
    let first = -1;
    for await (const c of fs.readChunks(path, 1)) {
      first = c[0] ?? -1;
      break;
    }
    if (first !== 0x23 && first !== 0x52 /* 'R': an RDB preamble */) return null;
  }
  const report: RedisReport = {
    kind: "redis-aof",
    path,
    files: [],
    frames: 0,
    bytes: 0,
    annotations: 0,
    verbs: {},
    skipped: {},
    rdb: [],
    problems: [],
  };
  try {
    const s = await replayRedisAof(path, (argv) => {
      const verb = argv[0] ? td.decode(argv[0].subarray(0, 32)).toUpperCase() : "";
      report.verbs[verb] = (report.verbs[verb] ?? 0) + 1;
      return supportedOutcome(argv);
    }, { fs, onUnknown, onRdbEntry: () => {}, skipModules });
    report.rdb = s.rdb.map(({ path, version, keys }) => ({ path, version, keys }));
    Object.assign(report, {
      files: s.paths,
      frames: s.frames,
      bytes: s.bytes,
      annotations: s.annotations,
      skipped: s.skipped,
    });
    if (s.torn) {
      report.problems.push({
        kind: "torn",
        path: s.torn.path,
        offset: s.torn.offset,
        message:
          `${s.torn.path}: torn tail at byte ${s.torn.offset} (${s.torn.reason}, ${s.torn.bytes} byte(s))`,
        preview: "",
      });
    }
  } catch (e) {
    if (e instanceof CorruptFileError) {
      report.problems.push({
        kind: "corrupt",
        path: e.path,
        offset: e.offset,
        message: e.message,
        preview: e.preview,
      });
    } else if (unknownProblem(e) !== null) {
      report.problems.push(unknownProblem(e)!);
    } else if (e instanceof RedisRdbModuleError || e instanceof RedisRdbVersionError) {
      report.problems.push({
        kind: "unsupported",
        path: e.path,
        offset: e instanceof RedisRdbModuleError ? e.offset : 5,
        message: e.message,
        preview: "",
      });
    } else if (e instanceof RedisAofLayoutError) {
      report.problems.push({
        kind: "corrupt",
        path: e.path,
        offset: 0,
        message: e.message,
        preview: "",
      });
    } else throw e;
  }
  return report;
}

/** Human-readable Redis report. */
export function describeRedis(r: RedisReport): string {
  const verbs = Object.entries(r.verbs).sort((a, b) => b[1] - a[1]);
  return table([
    ["source", r.path],
    [
      "kind",
      /\.incr\.aof$/.test(r.path)
        ? "Redis AOF (incr file)"
        : /\.base\.aof$/.test(r.path)
        ? "Redis AOF (base file)"
        : "Redis AOF",
    ],
    ["files", r.files.join(", ") || "-"],
    ...r.rdb.map((x) => [`  RDB v${x.version}`, `${x.keys} keys in ${x.path}`]),
    ["commands", String(r.frames)],
    ...verbs.slice(0, 12).map(([v, n]) => [`  ${v}`, String(n)]),
    ["annotations", String(r.annotations)],
    ...(Object.keys(r.skipped).length === 0
      ? []
      : [["skipped", Object.entries(r.skipped).map(([v, n]) => `${v} x${n}`).join(", ")]]),
    ["status", r.problems.length ? r.problems.map((p) => p.message).join("; ") : "sound"],
  ]);
}
