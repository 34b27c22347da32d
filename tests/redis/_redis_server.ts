// A throw-away redis-server for the interop tests: own temp dir, 127.0.0.1,
// a free port, AOF on (RESP only, fsync always), no RDB saves. Driven with
// redis-cli through node:child_process (works on Deno, Bun and Node).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../_helpers.ts";
import type { RedisKeyspaceJson } from "./_keyspace.ts";

/** Why the interop tests are skipped, or `null` when redis-server and redis-cli are there. */
export function redisMissing(): string | null {
  for (const bin of ["redis-server", "redis-cli"]) {
    const r = spawnSync(bin, ["--version"], { stdio: "ignore" });
    if (r.error !== undefined || r.status !== 0) {
      return "redis-server not found: install it with `apt-get install -y redis-server redis-tools` to run the interop tests";
    }
  }
  return null;
}

/** `KEVY_REQUIRE_REDIS=1`: a missing server fails instead of skipping. */
export function redisRequired(): boolean {
  return process.env.KEVY_REQUIRE_REDIS === "1";
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
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

/** Output of one process run. */
export interface RunResult {
  code: number | null;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * Runs a command, feeding `input` on stdin; resolves when it exits. Without input its
 * stdin is /dev/null. A command that exits without reading all of its input (redis-cli
 * whose server is not up yet) closes the pipe under us: that EPIPE is expected, and the
 * exit code tells the caller what happened — it must never surface as an unhandled error.
 */
export function run(cmd: string, args: string[], input?: Uint8Array): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout!.on("data", (d: Uint8Array) => out.push(d));
    child.stderr!.on("data", (d: Uint8Array) => err.push(d));
    child.once("error", reject);
    child.once("close", (code) => {
      const total = out.reduce((n, b) => n + b.length, 0);
      const stdout = new Uint8Array(total);
      let at = 0;
      for (const b of out) {
        stdout.set(b, at);
        at += b.length;
      }
      resolve({ code, stdout, stderr: err.map((b) => new TextDecoder().decode(b)).join("") });
    });
    if (input !== undefined) {
      child.stdin!.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") reject(e);
      });
      child.stdin!.end(input);
    }
  });
}

// Collects one database the way keyspace.json was made: one Lua script,
// everything hex, scores as Redis prints them, PEXPIRETIME for TTLs.
/** The Lua script that collects one database as keyspace.json's `dbs[n]` (cjson). */
export const COLLECT = `
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', string.byte(c)) end)) end
local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
  local t = redis.call('TYPE', k)['ok']
  local v
  if t == 'string' then v = hex(redis.call('GET', k))
  elseif t == 'list' then v = {} for i, x in ipairs(redis.call('LRANGE', k, 0, -1)) do v[i] = hex(x) end
  elseif t == 'set' then v = {} for i, x in ipairs(redis.call('SMEMBERS', k)) do v[i] = hex(x) end
  elseif t == 'hash' then
    v = {} local a = redis.call('HGETALL', k)
    for i = 1, #a, 2 do v[hex(a[i])] = hex(a[i + 1]) end
  elseif t == 'zset' then
    v = {} local a = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
    for i = 1, #a, 2 do v[#v + 1] = {hex(a[i]), a[i + 1]} end
  else v = t end
  local pt = redis.call('PEXPIRETIME', k)
  out[hex(k)] = {type = t, value = v, ttl = {has_ttl = pt >= 0, pexpiretime_unix_ms = pt}}
end
return cjson.encode(out)
`;

/** How {@link RedisServer.start} runs the server. */
export interface RedisServerOptions {
  /** Port (default: a free one). */
  port?: number;
  /** Working dir (default: a new temp dir). */
  dir?: string;
  /** AOF on (default true). */
  aof?: boolean;
  /** requirepass. */
  password?: string;
  /** Serve TLS only, on the port (PEM file paths). */
  tls?: { cert: string; key: string; ca: string };
  /** More redis-server arguments. */
  args?: string[];
  /** Internal: how many taken ports were skipped so far. */
  portAttempts?: number;
  /** aof-use-rdb-preamble (default off). */
  preamble?: boolean;
  /** aof-timestamp-enabled (default off). */
  timestamps?: boolean;
  /**
   * Run the server in a session of its own (setsid), as a daemon runs
   * (default false). Where the scheduler shares CPU between sessions
   * (kernel.sched_autogroup_enabled), it then gets a share of its own
   * instead of splitting the caller's: for benchmarks.
   */
  ownSession?: boolean;
}

/** The port asked for was taken by another process. */
export class PortTakenError extends Error {
  override name = "PortTakenError";
}

/** A running server. */
export class RedisServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly opts: RedisServerOptions,
  ) {}

  /**
   * Starts a server and waits until it answers PING (at most ~5 s). By
   * default: AOF on (RESP only, fsync always), no RDB saves. `opts.port` and
   * `opts.dir` restart a server where a stopped one was (cluster nodes keep
   * their nodes.conf there).
   */
  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = opts.dir ?? tempDir("kevy-redis-server-");
    const port = opts.port ?? await freePort();
    const args = [
      "--port",
      String(opts.tls ? 0 : port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      ...(opts.aof === false ? ["--appendonly", "no"] : [
        "--appendonly",
        "yes",
        "--aof-use-rdb-preamble",
        opts.preamble ? "yes" : "no",
        "--aof-timestamp-enabled",
        opts.timestamps ? "yes" : "no",
        "--appendfsync",
        "always",
      ]),
      "--save",
      "",
      "--daemonize",
      "no",
      "--logfile",
      join(dir, "redis.log"),
    ];
    if (opts.tls) {
      const t = opts.tls;
      args.push("--tls-port", String(port), "--tls-cert-file", t.cert, "--tls-key-file", t.key);
      args.push("--tls-ca-cert-file", t.ca, "--tls-auth-clients", "no");
    }
    if (opts.password !== undefined) args.push("--requirepass", opts.password);
    args.push(...(opts.args ?? []));
    const child = spawn("redis-server", args, {
      stdio: "ignore",
      ...(opts.ownSession === true ? { detached: true } : {}),
    });
    const server = new RedisServer(port, dir, child, opts);
    const ping = ["-p", String(port)];
    if (opts.tls) ping.push("--tls", "--cacert", opts.tls.ca);
    if (opts.password !== undefined) ping.push("--no-auth-warning", "-a", opts.password);
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) {
        const log = (() => {
          try {
            return readFileSync(join(dir, "redis.log"), "utf8");
          } catch {
            return "";
          }
        })();
        // Another process took the free port between freePort() and the bind: try another one.
        if (/Address already in use/.test(log)) {
          if (opts.port === undefined && (opts.portAttempts ?? 0) < 5) {
            return await RedisServer.start({ ...opts, portAttempts: (opts.portAttempts ?? 0) + 1 });
          }
          throw new PortTakenError(
            `redis-server: port ${port} (or its bus port) is taken; see ${dir}/redis.log`,
          );
        }
        throw new Error(`redis-server exited (${child.exitCode}); see ${dir}/redis.log`);
      }
      const r = await run("redis-cli", [...ping, "ping"]).catch(() => null);
      if (r !== null && new TextDecoder().decode(r.stdout).trim() === "PONG") return server;
      await new Promise((res) => setTimeout(res, 25));
    }
    await server.stop();
    throw new Error(`redis-server on port ${port} did not answer PING`);
  }

  /** Starts the server again on the same port and dir, with the same options. */
  restart(): Promise<RedisServer> {
    return RedisServer.start({ ...this.opts, port: this.port, dir: this.dir });
  }

  /** `redis://127.0.0.1:<port>` (`rediss://` for a TLS server; password included). */
  get url(): string {
    const auth = this.opts.password !== undefined
      ? `:${encodeURIComponent(this.opts.password)}@`
      : "";
    return `${this.opts.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${this.port}`;
  }

  /** The appendonlydir the server writes. */
  get aofDir(): string {
    return join(this.dir, "appendonlydir");
  }

  /** redis-cli's arguments to reach this server (port, TLS, password). */
  cliConn(): string[] {
    const a = ["-p", String(this.port)];
    if (this.opts.tls) a.push("--tls", "--cacert", this.opts.tls.ca);
    if (this.opts.password !== undefined) a.push("--no-auth-warning", "-a", this.opts.password);
    return a;
  }

  /** `redis-cli -p P [-n db] args...`; the raw stdout. */
  async cli(args: string[], db = 0): Promise<string> {
    const r = await run("redis-cli", [...this.cliConn(), "-n", String(db), ...args]);
    if (r.code !== 0) throw new Error(`redis-cli ${args.join(" ")}: ${r.stderr}`);
    return new TextDecoder().decode(r.stdout);
  }

  /** `redis-cli --pipe` with these RESP bytes; throws if Redis reported errors. */
  async pipe(bytes: Uint8Array, db = 0): Promise<string> {
    const r = await run("redis-cli", [...this.cliConn(), "-n", String(db), "--pipe"], bytes);
    const out = new TextDecoder().decode(r.stdout);
    if (r.code !== 0 || !/errors: 0,/.test(out)) {
      throw new Error(`redis-cli --pipe failed: ${out}${r.stderr}`);
    }
    return out;
  }

  /** Databases 0..15 as keyspace.json (empty ones left out). */
  async keyspace(dbsToRead: number[]): Promise<RedisKeyspaceJson> {
    const json: RedisKeyspaceJson = { collected_at_unix_ms: Date.now(), dbs: {} };
    for (const db of dbsToRead) {
      // A cluster node refuses scripts while it believes the cluster is down,
      // which a loaded machine causes now and then (a node busy past the
      // node timeout is marked failing for a moment): wait and ask again.
      const until = Date.now() + 60_000;
      let out = await this.cli(["--raw", "EVAL", COLLECT, "0"], db);
      // (A node that has just restarted may not know its slots yet: same.)
      while (
        /^ERR Script attempted to (execute a command while the cluster is down|access a non local key)/
          .test(out)
      ) {
        if (Date.now() > until) break;
        await new Promise((res) => setTimeout(res, 200));
        out = await this.cli(["--raw", "EVAL", COLLECT, "0"], db);
      }
      if (/^(ERR|BUSY|LOADING|CLUSTERDOWN)\b/.test(out)) {
        throw new Error(`port ${this.port} db ${db}: the keyspace script failed: ${out.trim()}`);
      }
      const keys = JSON.parse(out.trim()) as RedisKeyspaceJson["dbs"][string] | unknown[];
      // cjson writes an empty table as {}; anything else is an object of keys.
      if (!Array.isArray(keys) && Object.keys(keys).length > 0) json.dbs[String(db)] = keys;
    }
    return json;
  }

  /** Stops the server (SIGTERM to the process we started) and waits for it. */
  async stop(): Promise<void> {
    await this.#signal("SIGTERM");
  }

  /** Kills the server (SIGKILL to the process we started) and waits for it. */
  async kill(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  /** The server's process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** CPU time (user + system, ms) the server process used so far (Linux /proc). */
  cpuMs(): number {
    const f = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async #signal(sig: "SIGTERM" | "SIGKILL"): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((res) => this.child.once("exit", () => res()));
    this.child.kill(sig);
    await exited;
  }
}
