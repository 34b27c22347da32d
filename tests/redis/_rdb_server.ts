// A throw-away redis-server for the RDB interop tests: own temp dir,
// 127.0.0.1, a free port, no automatic saves, no AOF, `dump.rdb` in its dir
// (loaded at start when present). Extra config arguments per test. Reports
// its keyspace in the shape of _rdb_view.ts (streams and PEXPIRETIME
// included), DUMP payloads, and runs redis-check-rdb.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { tempDir, unhex } from "../_helpers.ts";
import { parseRedisScore } from "./_keyspace.ts";
import type { RdbView, RowView } from "./_rdb_view.ts";

/** Output of one process run. */
interface RunResult {
  code: number | null;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * Runs a command; `input` goes to its stdin (none: stdin is closed). A child
 * that exits before reading its stdin is not an error (Node reports EPIPE on
 * the stream otherwise).
 */
function run(cmd: string, args: string[], input?: Uint8Array): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout!.on("data", (d: Uint8Array) => out.push(d));
    child.stderr!.on("data", (d: Uint8Array) => err.push(d));
    child.once("error", reject);
    child.once("close", (code) => {
      const stdout = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of out) {
        stdout.set(b, at);
        at += b.length;
      }
      resolve({ code, stdout, stderr: err.map((b) => td.decode(b)).join("") });
    });
    if (input) {
      child.stdin!.on("error", () => {}); // exited early: its exit code tells
      child.stdin!.end(input);
    }
  });
}

const td = new TextDecoder();

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Every key of one database, hex-encoded, with streams in full.
const COLLECT = `
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end
local function kv(a) local t = {} for i = 1, #a, 2 do t[a[i]] = a[i + 1] end return t end
local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
  local t = redis.call('TYPE', k)['ok']
  local v
  if t == 'string' then v = hex(redis.call('GET', k))
  elseif t == 'list' then v = {} for i, x in ipairs(redis.call('LRANGE', k, 0, -1)) do v[i] = hex(x) end
  elseif t == 'set' then v = {} for i, x in ipairs(redis.call('SMEMBERS', k)) do v[i] = hex(x) end
  elseif t == 'hash' then
    v = {} local a = redis.call('HGETALL', k)
    for i = 1, #a, 2 do v[#v + 1] = {hex(a[i]), hex(a[i + 1])} end
  elseif t == 'zset' then
    v = {} local a = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
    for i = 1, #a, 2 do v[#v + 1] = {hex(a[i]), a[i + 1]} end
  elseif t == 'stream' then
    local info = kv(redis.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', 0))
    local entries = {}
    for i, e in ipairs(info['entries']) do
      local f = {} for j = 1, #e[2], 2 do f[#f + 1] = {hex(e[2][j]), hex(e[2][j + 1])} end
      entries[i] = {e[1], f}
    end
    local groups = {}
    for i, g0 in ipairs(info['groups']) do
      local g = kv(g0)
      local pel = {} for j, p in ipairs(g['pending']) do pel[j] = {p[1], hex(p[2]), p[3], p[4]} end
      local cons = {}
      for j, c0 in ipairs(g['consumers']) do
        local c = kv(c0)
        cons[j] = {hex(c['name']), c['seen-time'], c['active-time'] or false}
      end
      groups[i] = {hex(g['name']), g['last-delivered-id'], g['entries-read'] or false, pel, cons}
    end
    v = {entries, info['last-generated-id'], info['max-deleted-entry-id'], info['entries-added'], groups}
  end
  out[#out + 1] = {hex(k), t, v, redis.call('PEXPIRETIME', k)}
end
return cjson.encode(out)
`;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const cmpId = (a: string, b: string) => {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am < bm ? -1 : am > bm ? 1 : as < bs ? -1 : as > bs ? 1 : 0;
};
/** cjson writes an empty Lua table as {}: an empty list here. */
const list = <T>(x: unknown): T[] => (Array.isArray(x) ? x as T[] : []);
const name = (h: string) => td.decode(unhex(h));

type RawStream = [unknown, string, string, number, unknown];

function streamView(v: RawStream): unknown {
  const [entries, lastId, maxDeletedId, entriesAdded, groups] = v;
  return {
    entries: list<[string, unknown]>(entries).map(([id, f]) => [id, list(f)]),
    lastId,
    maxDeletedId,
    entriesAdded,
    groups: list<[string, string, number | false, unknown, unknown]>(groups).map(
      ([n, last, read, pel, cons]) => ({
        name: name(n),
        lastId: last,
        entriesRead: read === false ? null : read,
        pel: list<[string, string, number, number]>(pel).map((
          [id, c, t, k],
        ): [string, string, number, number] => [id, name(c), t, k]).sort((a, b) =>
          cmpId(a[0], b[0])
        ),
        consumers: list<[string, number, number | false]>(cons).map(([c, seen, active]) => ({
          name: name(c),
          seenTime: seen,
          activeTime: active === false ? undefined : active,
        })).sort((a, b) => cmp(a.name, b.name)),
      }),
    ).sort((a, b) => cmp(a.name, b.name)),
  };
}

function rowView(type: string, v: unknown, pt: number): RowView {
  let value: unknown = v;
  if (type === "list") value = list(v);
  else if (type === "set") value = list<string>(v).sort(cmp);
  else if (type === "hash") value = list<[string, string]>(v).sort((a, b) => cmp(a[0], b[0]));
  else if (type === "zset") {
    value = list<[string, string]>(v).map(([m, s]) => {
      const x = parseRedisScore(s);
      return [m, x === 0 ? 0 : x];
    });
  } else if (type === "stream") value = streamView(v as RawStream);
  return { type, ttl: pt >= 0 ? pt : null, value };
}

/** A running server. */
export class RdbServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  /** Starts a server in `dir` (default: a fresh temp dir) and waits until it answers PING. */
  static async start(opts: { dir?: string; args?: string[] } = {}): Promise<RdbServer> {
    const dir = opts.dir ?? tempDir("kevy-rdb-server-");
    const port = await freePort();
    const child = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--dbfilename",
      "dump.rdb",
      "--appendonly",
      "no",
      "--save",
      "",
      "--daemonize",
      "no",
      "--logfile",
      join(dir, "redis.log"),
      ...(opts.args ?? []),
    ], { stdio: "ignore" });
    const server = new RdbServer(port, dir, child);
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) {
        throw new Error(`redis-server exited (${child.exitCode}); see ${dir}/redis.log`);
      }
      const r = await run("redis-cli", ["-p", String(port), "ping"]).catch(() => null);
      if (r !== null && td.decode(r.stdout).trim() === "PONG") return server;
      await new Promise((res) => setTimeout(res, 50));
    }
    await server.stop();
    throw new Error(`redis-server on port ${port} did not answer PING`);
  }

  /** The server's `dump.rdb`. */
  get rdbPath(): string {
    return join(this.dir, "dump.rdb");
  }

  /** `redis-cli -p P [-n db] args...`; the raw stdout. */
  async cli(args: string[], db = 0): Promise<string> {
    const r = await run("redis-cli", ["-p", String(this.port), "-n", String(db), ...args]);
    if (r.code !== 0) throw new Error(`redis-cli ${args.join(" ")}: ${r.stderr}`);
    return td.decode(r.stdout);
  }

  /** `redis-cli --pipe` with these RESP bytes; throws if Redis reported errors. */
  async pipe(bytes: Uint8Array, db = 0): Promise<string> {
    const r = await run("redis-cli", ["-p", String(this.port), "-n", String(db), "--pipe"], bytes);
    const out = td.decode(r.stdout);
    if (r.code !== 0 || !/errors: 0,/.test(out)) {
      throw new Error(`redis-cli --pipe failed: ${out}${r.stderr}`);
    }
    return out;
  }

  /** Databases `dbs` in the shape of _rdb_view.ts (empty ones left out). */
  async keyspace(dbs: number[]): Promise<RdbView> {
    const out: RdbView = {};
    for (const db of dbs) {
      const rows = JSON.parse((await this.cli(["--raw", "EVAL", COLLECT, "0"], db)).trim());
      const v: Record<string, RowView> = {};
      for (const [k, type, value, pt] of list<[string, string, unknown, number]>(rows)) {
        v[k] = rowView(type, value, pt);
      }
      if (Object.keys(v).length > 0) out[String(db)] = v;
    }
    return out;
  }

  /** `DUMP key` (hex key) in database `db`, or null when the key does not exist. */
  async dump(keyHex: string, db = 0): Promise<Uint8Array | null> {
    const lua =
      `local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end
local k = (ARGV[1]:gsub('..', function(h) return string.char(tonumber(h, 16)) end))
local d = redis.call('DUMP', k) if d then return hex(d) end return ''`;
    const out = (await this.cli(["--raw", "EVAL", lua, "0", keyHex], db)).trim();
    return out === "" ? null : unhex(out);
  }

  /** Asks the server to write its dump.rdb now. */
  async save(): Promise<void> {
    const out = (await this.cli(["SAVE"])).trim();
    if (out !== "OK") throw new Error(`SAVE: ${out}`);
  }

  /** Stops the server (SIGTERM to the process we started) and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((res) => this.child.once("exit", () => res()));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** `redis-check-rdb path`: exit code and output. */
export async function redisCheckRdb(
  path: string,
): Promise<{ code: number | null; output: string }> {
  const r = await run("redis-check-rdb", [path]);
  return { code: r.code, output: td.decode(r.stdout) + r.stderr };
}
