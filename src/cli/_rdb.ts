// inspect/check support for Redis RDB files (a dump.rdb, an AOF base.rdb):
// a read-only walk with the streaming decoder, what redis-check-rdb reports
// (version, aux fields, keys per database and type, the first bad offset).
import { CorruptFileError } from "../codec/errors.ts";
import {
  RDB_TYPE_NAMES,
  RedisRdbDecoder,
  RedisRdbModuleError,
  RedisRdbVersionError,
} from "../codec/redis_rdb.ts";
import type { FsAdapter } from "../fs/types.ts";
import type { Problem } from "./_problem.ts";
import { table } from "./_io.ts";

/** Analysis of one Redis RDB file. */
export interface RdbReport {
  kind: "redis-rdb";
  path: string;
  size: number;
  /** RDB format version, or null when the header could not be read. */
  version: number | null;
  /** AUX fields (values as text; a binary value as hex). */
  aux: Record<string, string>;
  /** Function libraries stored. */
  functions: number;
  /** Keys per database, those with a deadline, and those past it at `now`. */
  dbs: Record<string, { keys: number; withTtl: number; expired: number }>;
  /** Keys per RDB encoding (`string`, `hash-listpack`, `list-quicklist-2`, ...). */
  types: Record<string, number>;
  /** Module values and aux data left out, by module (with --skip-modules). */
  skippedModules: Record<string, number>;
  /** Empty collections Redis skips when loading. */
  emptyKeysSkipped: number;
  /** `ok`, `disabled` (stored as 0), `absent` (RDB < 5); null when not reached. */
  checksum: string | null;
  /** Bytes after the RDB (the commands of an AOF with a preamble). */
  trailingBytes: number;
  problem: Problem | null;
}

const td = new TextDecoder("utf-8", { fatal: true });
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
function text(b: Uint8Array): string {
  try {
    return td.decode(b);
  } catch {
    return `0x${hex(b.subarray(0, 64))}${b.length > 64 ? "..." : ""}`;
  }
}

/** Walks the RDB at `path` (nothing is stored); deadlines are judged at `now`. */
export async function analyzeRdb(
  fs: FsAdapter,
  path: string,
  now: number,
  skipModules = false,
): Promise<RdbReport> {
  const size = (await fs.stat(path))?.size ?? 0;
  const r: RdbReport = {
    kind: "redis-rdb",
    path,
    size,
    version: null,
    aux: {},
    functions: 0,
    dbs: {},
    types: {},
    skippedModules: {},
    emptyKeysSkipped: 0,
    checksum: null,
    trailingBytes: 0,
    problem: null,
  };
  const count = (db: number, type: number, deadline: number | null) => {
    const d = (r.dbs[String(db)] ??= { keys: 0, withTtl: 0, expired: 0 });
    d.keys++;
    if (deadline !== null) {
      d.withTtl++;
      if (deadline <= now) d.expired++;
    }
    const name = RDB_TYPE_NAMES[type] ?? String(type);
    r.types[name] = (r.types[name] ?? 0) + 1;
  };
  const dec = new RedisRdbDecoder({
    path,
    totalSize: size,
    skipModules,
    onEntry: (e, info) => count(info.db, info.type, e.deadline),
    onString: (db, _kb, _ko, _kl, _vb, _vo, _vl, deadline) => count(db, 0, deadline),
    onAux: (k, v) => {
      r.aux[text(k)] = text(v);
    },
    onFunction: () => {
      r.functions++;
    },
  });
  try {
    for await (const c of fs.readChunks(path)) {
      dec.push(c);
      if (dec.done) break;
    }
    const st = dec.finish();
    r.version = st.version;
    r.checksum = st.checksum;
    r.skippedModules = st.skippedModules;
    r.emptyKeysSkipped = st.emptyKeysSkipped;
    r.trailingBytes = size - st.rdbBytes;
  } catch (e) {
    r.problem = problemOf(e, path);
  }
  return r;
}

function problemOf(e: unknown, path: string): Problem {
  if (e instanceof CorruptFileError) {
    return {
      kind: "corrupt",
      path: e.path,
      offset: e.offset,
      message: e.message,
      preview: e.preview,
    };
  }
  if (e instanceof RedisRdbModuleError || e instanceof RedisRdbVersionError) {
    return {
      kind: "unsupported",
      path,
      offset: e instanceof RedisRdbModuleError ? e.offset : 5,
      message: e.message,
      preview: "",
    };
  }
  throw e;
}

/** Human-readable RDB report. */
export function describeRdb(r: RdbReport): string {
  const types = Object.entries(r.types).sort((a, b) => b[1] - a[1]);
  const aux = Object.entries(r.aux).filter(([k]) => k !== "lua");
  const keys = Object.values(r.dbs).reduce((n, d) => n + d.keys, 0);
  return table([
    ["source", r.path],
    ["kind", `Redis RDB v${r.version ?? "?"}`],
    ["size", `${r.size} bytes`],
    ...aux.map(([k, v]) => [`  ${k}`, v]),
    ["keys", String(keys)],
    ...Object.entries(r.dbs).map(([db, d]) => [
      `  db ${db}`,
      `${d.keys} keys, ${d.withTtl} with a TTL${d.expired ? `, ${d.expired} expired by now` : ""}`,
    ]),
    ...types.map(([t, n]) => [`  ${t}`, String(n)]),
    ...(r.functions ? [["functions", String(r.functions)]] : []),
    ...(Object.keys(r.skippedModules).length
      ? [[
        "skipped modules",
        Object.entries(r.skippedModules).map(([m, n]) => `${m} x${n}`).join(", "),
      ]]
      : []),
    ...(r.emptyKeysSkipped
      ? [["empty keys", `${r.emptyKeysSkipped} (skipped, as Redis does)`]]
      : []),
    ["checksum", r.checksum ?? "-"],
    ...(r.trailingBytes ? [["after the RDB", `${r.trailingBytes} bytes`]] : []),
    ["status", r.problem ? r.problem.message : "sound"],
  ]);
}
